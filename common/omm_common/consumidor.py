"""Consumidor idempotente: cada evento se aplica una vez, y se confirma antes del ack.

Uso, con `requeue_on_error=True` para que nameko no descarte un evento cuyo manejador falló, y el
`event_handler` de aquí (no el de nameko):

    @event_handler("ayudas", "AyudaEntregada", requeue_on_error=True)
    @aplicar_una_vez
    def al_entregar_ayuda(self, sobre, uow): ...
"""
import functools
import logging
import time

from kombu import Connection
from nameko.events import EventHandler
from sqlalchemy.exc import IntegrityError

from . import registro
from .eventos import SobreInvalido, validar_sobre, verificar_firma

log = logging.getLogger("omm.consumidor")


# Los de py-amqp y los del socket (ConnectionResetError): los que kombu reconoce como conexión perdida.
ERRORES_DE_CONEXION = Connection("amqp://").connection_errors + (OSError,)


class ManejadorDeEvento(EventHandler):
    """El de nameko, con dos cambios: solo acepta eventos firmados por el servicio dueño del intercambio, y un
    ack sobre una conexión muerta no tumba el servicio.

    Un mensaje que cualquiera con acceso al broker publicó (CasoDerivado inventado para otro municipio) no
    llega al manejador: se registra y se descarta (reintentarlo no lo arregla).

    nameko 2.14 solo atrapa el ConnectionError de py-amqp al confirmar; si RabbitMQ cae justo entonces,
    el socket lanza ConnectionResetError, el hilo muere y `nameko run` termina. El mensaje sin ack vuelve
    a la cola cuando RabbitMQ regresa, y aplicar_una_vez lo reconoce: perder el ack no pierde nada.
    """

    def handle_message(self, body, message):
        try:
            verificar_firma(body, self.source_service)
        except SobreInvalido as exc:
            log.error("%s: evento descartado (%s): tipo %s, id %s", self.method_name, exc, self.event_type,
                      body.get("id") if isinstance(body, dict) else None)
            self.queue_consumer.ack_message(message)
            return
        super().handle_message(body, message)

    def handle_message_processed(self, message, result=None, exc_info=None):
        try:
            super().handle_message_processed(message, result, exc_info)
        except ERRORES_DE_CONEXION as exc:
            log.warning("%s: no se pudo confirmar el mensaje (%s: %s); RabbitMQ lo reentregará",
                        self.method_name, type(exc).__name__, exc)


event_handler = ManejadorDeEvento.decorator


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
