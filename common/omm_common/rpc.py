"""El `@rpc` de los servicios: el de nameko, sin que una respuesta perdida tumbe el servicio.

nameko 2.14 publica la respuesta con una política fija de tres reintentos; si RabbitMQ sigue caído,
la excepción sale del hilo del worker y el contenedor entero se mata (`nameko run` termina). La
respuesta ya no le sirve a nadie: la cola de respuesta de quien llamó murió con la conexión, y quien
llamó reintenta con su misma clave de idempotencia. El pedido queda sin ack y RabbitMQ lo reentrega
al volver; por eso toda escritura por RPC es idempotente.
"""
import contextvars
import logging

import eventlet
from nameko.exceptions import RemoteError
from nameko.rpc import Rpc as _Rpc

from .errores import ErrorOMM, desde_error_remoto

log = logging.getLogger("omm.rpc")


class Rpc(_Rpc):
    def handle_result(self, message, worker_ctx, result, exc_info):
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except Exception as exc:  # noqa: BLE001 - cualquier falla al responder, nunca el resultado
            log.warning("%s: la respuesta no se pudo publicar (%s: %s); quien llamó reintentará",
                        worker_ctx.entrypoint.method_name, type(exc).__name__, exc)
            return result, exc_info


rpc = Rpc.decorator


def llamar(proxy, destino, metodo, *args, tiempo, **kwargs):
    """Una RPC a `proxy` (el RpcProxy de `destino`) con tiempo máximo; lo que el servicio lanzó como error del
    contrato vuelve igual, y cualquier otra falla es un ERROR_INTERNO sin detalles del otro lado."""
    try:
        with eventlet.Timeout(tiempo):
            return getattr(proxy, metodo)(*args, **kwargs)
    except eventlet.Timeout:
        log.error("RPC %s.%s sin respuesta en %s s", destino, metodo, tiempo)
        raise ErrorOMM("El servicio no respondió a tiempo; intente de nuevo.", codigo="NO_DISPONIBLE") from None
    except RemoteError as exc:
        error = desde_error_remoto(exc)
        if error is None:
            log.error("RPC %s.%s falló: %s", destino, metodo, exc.exc_type)
            raise ErrorOMM("Ocurrió un error interno; el equipo técnico fue avisado.",
                           codigo="ERROR_INTERNO") from None
        raise error from None


def en_paralelo(llamar_uno, llamadas):
    """Varias RPC a la vez [(destino, metodo, *args)] con `llamar_uno(destino, metodo, *args)`: tarda lo que
    la más lenta."""
    pila = eventlet.GreenPile()
    for destino, metodo, *args in llamadas:
        # Cada greenthread nace con contexto vacío: se le copia este para que sus logs lleven el id de solicitud.
        pila.spawn(contextvars.copy_context().run, llamar_uno, destino, metodo, *args)
    return list(pila)
