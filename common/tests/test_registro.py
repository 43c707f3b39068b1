"""Logs JSON con el id de solicitud, el sobre con `solicitud` y el estado del outbox, sin infraestructura."""
import io
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from omm_common import registro
from omm_common.db import crear_motor, unidad_de_trabajo
from omm_common.errores import NoEncontrado
from omm_common.eventos import Evento, crear_sobre, validar_sobre
from omm_common.observabilidad import callar, estado_de_la_base, latir
from omm_common.tablas import metadata
from omm_common.tiempo import ahora_utc


@dataclass(frozen=True, kw_only=True)
class EntregaDePrueba(Evento):
    entrega_id: str


def _registrador(nombre="omm.prueba"):
    salida = io.StringIO()
    manejador = logging.StreamHandler(salida)
    manejador.setFormatter(registro.FormatoJSON())
    manejador.addFilter(registro.Contexto("ayudas"))
    manejador.addFilter(registro.SinErroresDelContrato())
    log = logging.getLogger(nombre)
    log.handlers, log.propagate, log.level = [manejador], False, logging.INFO
    return log, salida


def _lineas(salida):
    return [json.loads(x) for x in salida.getvalue().splitlines()]


def test_cada_linea_es_json_con_servicio_y_solicitud():
    log, salida = _registrador()
    with registro.en_solicitud("abc-12345678"):
        log.info("entrega %s registrada", "e1", extra={"evento": "e1"})
    log.info("sin solicitud: ñandú")
    con, sin = _lineas(salida)
    assert con["solicitud"] == "abc-12345678" and con["servicio"] == "ayudas" and con["evento"] == "e1"
    assert con["mensaje"] == "entrega e1 registrada" and con["nivel"] == "INFO" and con["logger"] == "omm.prueba"
    assert con["instante"].endswith("+00:00")
    assert sin["solicitud"] is None and sin["mensaje"] == "sin solicitud: ñandú"  # legible, no \u00f1


def test_un_id_con_otra_forma_no_entra_al_log():
    for raro in ("corto", "con espacios 123", "x" * 65, "a;b=c1234", 12345678):
        with registro.en_solicitud(raro):
            assert registro.solicitud_actual() is None
    assert registro.solicitud_actual() is None


def test_los_4xx_del_contrato_no_se_registran_con_traza_los_demas_si():
    log, salida = _registrador("nameko.containers")
    for error in (NoEncontrado("No se encontró la beneficiaria.", {"dni": "0309196200513"}), RuntimeError("roto")):
        try:
            raise error
        except Exception:
            log.exception("error handling worker")
    (unica,) = _lineas(salida)
    assert "RuntimeError" in unica["traza"] and "0309196200513" not in salida.getvalue()


def test_el_sobre_lleva_la_solicitud_solo_si_la_hay():
    assert "solicitud" not in crear_sobre("AyudaEntregada", "0309", {"entrega_id": "e1"})
    sobre = crear_sobre("AyudaEntregada", "0309", {"entrega_id": "e1"}, solicitud="abc-12345678")
    assert validar_sobre(sobre)["solicitud"] == "abc-12345678"


def test_outbox_guarda_la_solicitud_y_el_estado_dice_pendientes_antiguedad_y_latidos(tmp_path):
    motor = crear_motor(f"sqlite:///{tmp_path}/s.db")
    metadata.create_all(motor)
    with registro.en_solicitud("abc-12345678"), unidad_de_trabajo(motor) as uow:
        uow.emitir(EntregaDePrueba(entrega_id="e1"), "0309")
    with unidad_de_trabajo(motor) as uow:
        uow.emitir(EntregaDePrueba(entrega_id="e2"), "0309")
    with motor.connect() as c:
        assert sorted(c.execute(sa.text("SELECT solicitud FROM outbox")).scalars(), key=str) == [
            None, "abc-12345678"]
    with motor.begin() as c:
        latir(c, "relay", quien="a", ahora=ahora_utc() - timedelta(seconds=50))
        latir(c, "relay", quien="b", ahora=ahora_utc() - timedelta(seconds=3))
        latir(c, "relay", quien="b", ahora=ahora_utc() - timedelta(seconds=2))  # la misma instancia: se actualiza
    with motor.connect() as c:
        estado = estado_de_la_base(c, ahora=ahora_utc() + timedelta(seconds=10))
    assert estado["pendientes"] == 2 and 10 <= estado["antiguedad_segundos"] < 20
    assert 11 < estado["latidos"]["relay"] < 13  # el más reciente de las instancias
    with motor.begin() as c:
        callar(c, "relay", quien="b")
        callar(c, "relay", quien="a")
    with motor.connect() as c:
        assert estado_de_la_base(c)["latidos"] == {}
    motor.dispose()
