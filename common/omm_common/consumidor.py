"""Consumidor idempotente: cada evento se aplica una vez, y se confirma antes del ack.

Uso, con `requeue_on_error=True` para que nameko no descarte un evento cuyo manejador falló:

    @event_handler("ayudas", "AyudaEntregada", requeue_on_error=True)
    @aplicar_una_vez
    def al_entregar_ayuda(self, sobre, uow): ...
"""
import functools
import logging
import time

from sqlalchemy.exc import IntegrityError

from . import registro
from .eventos import SobreInvalido, validar_sobre

log = logging.getLogger("omm.consumidor")


def aplicar_una_vez(metodo):
    @functools.wraps(metodo)
    def envoltura(self, sobre):
        try:
            validar_sobre(sobre)
        except SobreInvalido as exc:
            # Un mensaje roto no mejora al reintentarlo: se registra y se descarta.
            log.error("%s: evento descartado, sobre inválido: %s", metodo.__name__, exc)
            return None
        # El id de solicitud viaja también en el sobre: vale aunque el mensaje no lo traiga en su contexto.
        with registro.en_solicitud(registro.solicitud_actual() or sobre.get("solicitud")):
            return _aplicar(self, sobre)

    def _aplicar(self, sobre):
        try:
            with self.uow() as uow:
                if uow.ya_aplicado(sobre["id"]):
                    return None
                resultado = metodo(self, sobre, uow)
                uow.marcar_aplicado(sobre)
            log.info("%s: evento %s %s aplicado", metodo.__name__, sobre["tipo"], sobre["id"],
                     extra={"evento": sobre["id"], "tipo": sobre["tipo"]})
            return resultado
        except IntegrityError:
            # Otra instancia aplicó el mismo evento a la vez: su transacción ganó.
            with self.uow() as uow:
                if uow.ya_aplicado(sobre["id"]):
                    return None
            raise
        except Exception:
            log.exception("%s: falló al aplicar %s %s; se reencola", metodo.__name__, sobre["tipo"], sobre["id"])
            time.sleep(1)  # sin esto un fallo persistente gira sin pausa
            raise
    return envoltura
