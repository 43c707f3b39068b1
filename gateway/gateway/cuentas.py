"""Lo que cada instancia del gateway recuerda de las cuentas (auth.ACTIVAS), al día por un aviso.

Quien cambia una cuenta (contraseña, rol, territorio, desactivación, restablecimiento, salida) la olvida en su
instancia y difunde `CuentaCambiada` a toda instancia del gateway: un aviso para olvidar, no un hecho del
catálogo (sin outbox, BROADCAST). Así la base se consulta solo cuando una instancia no recuerda la cuenta (su
primera petición, o vencido lo recordado), y un token de una cuenta desactivada deja de valer en todas las
instancias al llegar el aviso. Si el aviso se pierde, lo recordado vence igual en `auth.ACTIVAS.segundos`.
"""
import logging

from nameko.events import BROADCAST, EventDispatcher

from omm_common.consumidor import event_handler
from omm_common.eventos import firmar_sobre

from . import auth

CUENTA_CAMBIADA = "CuentaCambiada"
log = logging.getLogger("omm.gateway")


class AvisosDeCuenta:
    """Mezcla del servicio gateway."""

    difundir = EventDispatcher()

    def cuenta_cambiada(self, usuario_id):
        """Después del commit: esta instancia la olvida ya; las demás, al recibir el aviso."""
        auth.ACTIVAS.olvidar(usuario_id)
        try:
            self.difundir(CUENTA_CAMBIADA, firmar_sobre({"usuario_id": usuario_id}, "gateway"))
        except Exception:
            log.warning("No se pudo difundir el cambio de una cuenta; las otras instancias lo verán al vencer "
                        "lo que recuerdan", exc_info=True)

    # El manejador del proyecto: descarta lo que no firmó el gateway (omm_common.consumidor).
    @event_handler("gateway", CUENTA_CAMBIADA, handler_type=BROADCAST, reliable_delivery=False)
    def olvidar_cuenta(self, sobre):
        if isinstance(sobre.get("usuario_id"), str):
            auth.ACTIVAS.olvidar(sobre["usuario_id"])
