"""Un ack sobre una conexión que RabbitMQ acaba de cortar no debe terminar el servicio (CI lo vio: casos
murió con ConnectionResetError al detener RabbitMQ en tests/test_fallas.py)."""
import importlib
import inspect

import pytest
from nameko.events import EventHandler
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from omm_common.consumidor import ManejadorDeEvento


class ColaCortada:
    """El QueueConsumer de nameko cuando el socket ya se cerró: el ack lanza lo que lanza el socket."""

    def __init__(self, error):
        self.error = error
        self.intentos = []

    def ack_message(self, message):
        self.intentos.append(("ack", message))
        raise self.error

    def requeue_message(self, message):
        self.intentos.append(("requeue", message))
        raise self.error


@pytest.mark.parametrize("error", [ConnectionResetError(104, "Connection reset by peer"), BrokenPipeError(32, "x")])
@pytest.mark.parametrize("falla", [False, True])
def test_un_ack_perdido_no_mata_el_hilo(error, falla):
    manejador = ManejadorDeEvento("casos", "Prueba", requeue_on_error=True)
    manejador.method_name = "al_probar"
    cola = ColaCortada(error)
    manejador.queue_consumer = cola
    exc_info = (RuntimeError, RuntimeError("x"), None) if falla else None
    manejador.handle_message_processed("mensaje", None, exc_info)  # no lanza
    assert cola.intentos == [("requeue" if falla else "ack", "mensaje")]


def test_un_error_que_no_es_de_conexion_sigue_saliendo():
    manejador = ManejadorDeEvento("casos", "Prueba")
    manejador.method_name = "al_probar"
    manejador.queue_consumer = ColaCortada(KeyError("otra cosa"))
    with pytest.raises(KeyError):
        manejador.handle_message_processed("mensaje")


@pytest.mark.parametrize("modulo", ["casos.service", "notificaciones.service", "reportes.service",
                                    "ayudas.service", "capacitaciones.service", "gateway.service"])
def test_todo_manejador_de_eventos_es_el_que_sobrevive(modulo):
    m = importlib.import_module(modulo)
    for _, clase in inspect.getmembers(m, inspect.isclass):
        for _, metodo in inspect.getmembers(clase, callable):
            for ext in getattr(metodo, ENTRYPOINT_EXTENSIONS_ATTR, ()):
                if isinstance(ext, EventHandler):
                    assert isinstance(ext, ManejadorDeEvento), f"{modulo}.{clase.__name__}: usa el event_handler de nameko"


# --- sobres firmados (issue 16): solo el servicio dueño del intercambio publica sus eventos ---

class ColaQueAnota:
    def __init__(self):
        self.acks = []

    def ack_message(self, message):
        self.acks.append(message)


class _Contenedor:
    def __init__(self):
        self.trabajos = []

    def spawn_worker(self, entrypoint, args, kwargs, context_data=None, handle_result=None):
        self.trabajos.append(args[0])


def _manejador():
    m = ManejadorDeEvento("casos", "CasoDerivado", requeue_on_error=True)
    m.method_name = "al_derivar"
    m.queue_consumer = ColaQueAnota()
    m.container = _Contenedor()
    m.unpack_message_headers = lambda message: {}
    return m


def _sobre(**cambios):
    from omm_common.eventos import crear_sobre
    return {**crear_sobre("CasoDerivado", "0309", {"caso_id": "c1", "derivacion_id": "d1"}), **cambios}


def test_un_evento_firmado_por_su_dueno_llega_al_manejador():
    from omm_common.eventos import firmar_sobre
    m = _manejador()
    sobre = firmar_sobre(_sobre(), "casos")
    m.handle_message(sobre, "msg")
    assert m.container.trabajos == [sobre] and m.queue_consumer.acks == []


@pytest.mark.parametrize("como", ["sin_firma", "otro_servicio", "alterado", "emisor_cambiado"])
def test_un_evento_inventado_se_descarta_sin_llegar_al_manejador(como):
    from omm_common.eventos import firmar_sobre
    m = _manejador()
    if como == "sin_firma":
        sobre = _sobre()
    elif como == "otro_servicio":  # ayudas (o quien tenga su clave) publica en el intercambio de casos
        sobre = firmar_sobre(_sobre(), "ayudas")
    elif como == "alterado":  # el de verdad, con el municipio de otro CIS
        sobre = {**firmar_sobre(_sobre(), "casos"), "municipio": "0318"}
    else:
        sobre = {**firmar_sobre(_sobre(), "ayudas"), "emisor": "casos"}
    m.handle_message(sobre, "msg")
    assert m.container.trabajos == [] and m.queue_consumer.acks == ["msg"]
