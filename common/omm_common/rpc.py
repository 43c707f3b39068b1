"""El `@rpc` de los servicios: el de nameko, sin que una respuesta perdida tumbe el servicio.

nameko 2.14 publica la respuesta con una política fija de tres reintentos; si RabbitMQ sigue caído,
la excepción sale del hilo del worker y el contenedor entero se mata (`nameko run` termina). La
respuesta ya no le sirve a nadie: la cola de respuesta de quien llamó murió con la conexión, y quien
llamó reintenta con su misma clave de idempotencia. El pedido queda sin ack y RabbitMQ lo reentrega
al volver; por eso toda escritura por RPC es idempotente.
"""
import logging

from nameko.rpc import Rpc as _Rpc

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
