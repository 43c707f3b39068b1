"""Outbox, relay y consumidor idempotente contra PostgreSQL y RabbitMQ reales."""
import signal
import sys
import threading
import time
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange
from sqlalchemy.orm import sessionmaker

from omm_common.consumidor import aplicar_una_vez
from omm_common.db import FabricaUoW, crear_motor, unidad_de_trabajo
from omm_common.eventos import Evento, crear_sobre, verificar_firma
from omm_pruebas import Proceso, ProxyTCP, _pg_base, entorno_base, esperar
from omm_common.relay import Relay
from omm_common.tablas import eventos_aplicados, metadata, outbox, siguiente_numero

pytestmark = pytest.mark.integracion


@dataclass(frozen=True, kw_only=True)
class AlgoPaso(Evento):
    referencia: str


@pytest.fixture
def motor(base_pg):
    m = crear_motor(base_pg("comun"))
    metadata.create_all(m)
    yield m
    m.dispose()


def _cola(amqp_uri, nombre):
    cola = Queue(nombre, exchange=get_event_exchange("casos", {}), routing_key="AlgoPaso", durable=True)
    with Connection(amqp_uri) as c:
        cola.bind(c.channel()).declare()
    return cola


def _mensajes(amqp_uri, cola):
    recibidos = []
    with Connection(amqp_uri) as c:
        q = cola.bind(c.channel())
        while (m := q.get(no_ack=True)) is not None:
            recibidos.append(m.payload)
    return recibidos


def test_evento_escrito_con_el_broker_caido_sale_cuando_vuelve(motor, amqp_uri):
    cola = _cola(amqp_uri, "prueba-relay")
    proxy = ProxyTCP(5672)
    vhost = amqp_uri.rsplit("/", 1)[1]
    relay = Relay("casos", motor, f"amqp://guest:guest@127.0.0.1:{proxy.puerto}/{vhost}")
    # RabbitMQ inalcanzable: el registro se confirma igual y el evento queda pendiente.
    with unidad_de_trabajo(motor) as uow:
        uow.emitir(AlgoPaso(referencia="r1"), "0309")
    with pytest.raises(Exception):
        relay.publicar_pendientes()
    with motor.connect() as c:
        assert c.scalar(sa.select(sa.func.count()).where(outbox.c.publicado_en.is_(None))) == 1
    assert _mensajes(amqp_uri, cola) == []
    # Vuelve la red: el mismo evento sale una vez, con su sobre completo.
    proxy.encender()
    try:
        assert relay.publicar_pendientes() == 1
        assert relay.publicar_pendientes() == 0
    finally:
        proxy.apagar()
    recibidos = _mensajes(amqp_uri, cola)
    assert len(recibidos) == 1
    assert recibidos[0]["tipo"] == "AlgoPaso" and recibidos[0]["datos"] == {"referencia": "r1"}
    assert recibidos[0]["municipio"] == "0309" and recibidos[0]["ocurrido_en"].endswith("+00:00")
    # Firmado por el servicio dueño del intercambio (issue 16): quien lo consuma puede comprobarlo.
    assert verificar_firma(recibidos[0], "casos")["emisor"] == "casos"


def test_el_commit_despierta_al_relay_sin_esperar_su_vuelta(motor, amqp_uri, monkeypatch):
    """PostgreSQL: el NOTIFY de la unidad de trabajo llega con el commit y el relay publica enseguida. Sin él, con
    estas esperas (una vuelta por minuto) el evento no saldría en lo que la prueba espera."""
    from omm_common import relay as modulo
    monkeypatch.setattr(modulo, "ESPERA_CON_AVISO", 60.0)
    cola = _cola(amqp_uri, "prueba-relay-aviso")
    relay = Relay("casos", motor, amqp_uri, intervalo=60.0)
    hilo = threading.Thread(target=relay.correr, daemon=True)
    hilo.start()
    try:
        esperar(lambda: relay._escucha is not None, 10, mensaje="el relay escucha")
        time.sleep(0.5)  # ya en su espera larga
        for i in range(3):
            with unidad_de_trabajo(motor) as uow:
                uow.emitir(AlgoPaso(referencia=f"aviso-{i}"), "0309")
            esperar(lambda: len([m for m in _mensajes_vistos(amqp_uri, cola)]) > i, 15,
                    mensaje=f"evento {i} publicado tras el commit")
    finally:
        relay.parar()
        hilo.join(70)
    assert not hilo.is_alive()


_VISTOS = []


def _mensajes_vistos(amqp_uri, cola):
    _VISTOS.extend(_mensajes(amqp_uri, cola))
    return _VISTOS


class _Consumidor:
    def __init__(self, motor):
        self.uow = FabricaUoW(sessionmaker(motor, expire_on_commit=False))
        self.aplicados = []

    @aplicar_una_vez
    def manejar(self, sobre, uow):
        self.aplicados.append(sobre["id"])


def test_un_evento_reentregado_no_cambia_nada(motor):
    consumidor = _Consumidor(motor)
    sobre = crear_sobre("AlgoPaso", "0309", {"x": 1})
    consumidor.manejar(sobre)
    consumidor.manejar(sobre)
    consumidor.manejar({"roto": True})  # sobre inválido: se descarta sin excepción
    assert consumidor.aplicados == [sobre["id"]]
    with motor.connect() as c:
        assert c.scalar(sa.select(sa.func.count()).select_from(eventos_aplicados)) == 1


def test_consecutivos_simultaneos_no_se_repiten(motor):
    numeros, errores = [], []

    def tomar():
        try:
            for _ in range(10):
                with unidad_de_trabajo(motor) as uow:
                    numeros.append(siguiente_numero(uow.sesion, "0309", "recibo", 2026))
        except Exception as exc:  # noqa: BLE001 — la prueba lo reporta abajo
            errores.append(exc)
    hilos = [threading.Thread(target=tomar) for _ in range(8)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join()
    assert errores == []
    assert sorted(numeros) == list(range(1, 81))


def test_un_proceso_con_varios_relays_sigue_si_la_base_de_uno_cae_y_para_con_sigterm(base_pg, amqp_uri, tmp_path):
    url = base_pg("relay_ayudas")
    ayudas = crear_motor(url)
    metadata.create_all(ayudas)
    cola = Queue("prueba-relays", exchange=get_event_exchange("ayudas", {}), routing_key="AlgoPaso", durable=True)
    with Connection(amqp_uri) as c:
        cola.bind(c.channel()).declare()
    # La base de casos no existe: su relay reintenta sin frenar al de ayudas.
    env = entorno_base(amqp_uri, AYUDAS_DB_URL=url, CASOS_DB_URL=f"{_pg_base()}/omm_no_existe")
    p = Proceso("relays", [sys.executable, "-m", "omm_common.relay", "casos", "ayudas"], env, str(tmp_path),
                str(tmp_path / "relays.log")).iniciar()
    try:
        with unidad_de_trabajo(ayudas) as uow:
            uow.emitir(AlgoPaso(referencia="r1"), "0309")
        recibidos = []
        esperar(lambda: recibidos.extend(_mensajes(amqp_uri, cola)) or recibidos, 30, mensaje="evento de ayudas")
        assert recibidos[0]["datos"] == {"referencia": "r1"}
        assert p.vivo()
        inicio = time.monotonic()
        p.popen.send_signal(signal.SIGTERM)
        assert p.popen.wait(10) == 0 and time.monotonic() - inicio < 5
    finally:
        p.detener()
        ayudas.dispose()
    log = (tmp_path / "relays.log").read_text()
    assert "relay casos: no se pudo publicar" in log and "relay ayudas en marcha" in log
