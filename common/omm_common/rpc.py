"""El `@rpc` de los servicios: el de nameko, sin que una respuesta perdida tumbe el servicio.

nameko 2.14 publica la respuesta con una política fija de tres reintentos; si RabbitMQ sigue caído,
la excepción sale del hilo del worker y el contenedor entero se mata (`nameko run` termina). La
respuesta ya no le sirve a nadie: la cola de respuesta de quien llamó murió con la conexión, y quien
llamó reintenta con su misma clave de idempotencia. El pedido queda sin ack y RabbitMQ lo reentrega
al volver; por eso toda escritura por RPC es idempotente.
"""
import contextvars
import logging
import os
import uuid

import eventlet
from kombu import Queue
from nameko import rpc as _nameko_rpc
from nameko.exceptions import RemoteError
from nameko.rpc import Rpc as _Rpc

from .broker import opciones_ssl
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

_atender_pedido = _nameko_rpc.RpcConsumer.handle_message


def _atender_o_descartar(self, body, message):
    """RpcConsumer.handle_message de nameko 2.14, sin que un pedido sin reply_to tumbe el servicio (nameko moría
    con KeyError al responder, también al responder el error de un cuerpo malformado): se descarta con ack y una
    línea en el log. Quien puede publicar pedidos no debe poder apagar un servicio. Lo demás malformado (sin
    args, un cuerpo que no es un objeto) nameko ya lo responde como error a quien lo pidió."""
    clave = message.delivery_info.get("routing_key")
    if not message.properties.get("reply_to"):
        log.warning("pedido RPC descartado: sin reply_to (%s)", clave)
        return self.queue_consumer.ack_message(message)
    return _atender_pedido(self, body, message)


_nameko_rpc.RpcConsumer.handle_message = _atender_o_descartar


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


# --- colas de respuesta ligadas por su nombre (omm_common/broker.py) ---

def _preparar_respuestas(self):
    """ReplyListener.setup de nameko 2.14, con una diferencia: la cola `rpc.reply-<servicio>-<uuid>` se liga a
    `nameko-rpc` con su propio nombre como clave, no con el uuid pelado. Así el permiso de tópico del broker
    deja a cada usuario ligar solo sus respuestas (`rpc.reply-<su nombre>-*`): antes, quien recibía un pedido
    veía el uuid en reply_to y podía ligar una cola suya con esa clave y leer las respuestas de otro."""
    nombre = _nameko_rpc.RPC_REPLY_QUEUE_TEMPLATE.format(self.container.service_name, uuid.uuid4())
    self.routing_key = nombre
    self.queue = Queue(nombre, exchange=_nameko_rpc.get_rpc_exchange(self.container.config), routing_key=nombre,
                       queue_arguments={"x-expires": _nameko_rpc.RPC_REPLY_QUEUE_TTL})
    self.queue_consumer.register_provider(self)


_nameko_rpc.ReplyListener.setup = _preparar_respuestas


def proxy_rpc(nombre, amqp_uri, **kwargs):
    """ClusterRpcProxy cuya cola de respuestas es `rpc.reply-<nombre>-<uuid>` (no `standalone_rpc_proxy`): el
    usuario del broker de `nombre` puede ligarla y nadie más (Celery usa «celery»; la sonda de un servicio, el suyo)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    class Contenedor(ClusterRpcProxy.ServiceContainer):
        service_name = nombre

    class Proxy(ClusterRpcProxy):
        ServiceContainer = Contenedor

    config = {"AMQP_URI": amqp_uri}
    if os.environ.get("AMQP_SSL"):
        config["AMQP_SSL"] = opciones_ssl()
    return Proxy(config, **kwargs)


def sondear(servicio, amqp_uri=None, tiempo=10):
    """¿Contesta `servicio` su ping? Con el usuario del broker del propio servicio (sondas de k8s y compose)."""
    with proxy_rpc(servicio, amqp_uri or os.environ["AMQP_URI"], timeout=tiempo) as rpc:
        return getattr(rpc, servicio).ping() == "ok"


if __name__ == "__main__":
    import sys
    sys.exit(0 if sondear(sys.argv[1]) else 1)
