"""El servicio real (nameko run) contra RabbitMQ y PostgreSQL: eventos repetidos, identidad y contactos."""
import uuid

import pytest
import sqlalchemy as sa
from nameko.exceptions import RemoteError
from nameko.standalone.events import event_dispatcher

from omm_common import colas
from omm_common.errores import desde_error_remoto
from omm_common.eventos import crear_sobre, firmar_sobre
from omm_common.migraciones import migrar
from omm_pruebas import cliente_rpc, esperar, token

from notificaciones.service import Notificaciones

pytestmark = pytest.mark.integracion


@pytest.fixture
def servicio(base_pg, servicio_real, amqp_uri):
    url = base_pg("notificaciones")
    migrar("notificaciones", url)
    colas.declarar(Notificaciones, amqp_uri)
    servicio_real("notificaciones", "Notificaciones", NOTIFICACIONES_DB_URL=url)
    return url


def _contar(url, sql):
    motor = sa.create_engine(url)
    with motor.connect() as c:
        n = c.execute(sa.text(sql)).scalar()
    motor.dispose()
    return n


def test_el_mismo_evento_entregado_dos_veces_crea_una_sola_vez_sus_notificaciones(servicio, amqp_uri):
    publicar = event_dispatcher({"AMQP_URI": amqp_uri})
    sobre = crear_sobre("AyudaEntregada", "0309", {
        "entrega_id": str(uuid.uuid4()), "beneficiaria_id": str(uuid.uuid4()), "tipo_codigo": "med",
        "categoria": "economica_medicamentos", "cantidad": 1, "monto": 800.0, "fecha": "2026-11-20",
        "consentimiento_salud": True})
    # Esta prueba hace de relay de ayudas: firma con su clave, como él.
    sobre = firmar_sobre(sobre, "ayudas")
    publicar("ayudas", "AyudaEntregada", sobre)
    publicar("ayudas", "AyudaEntregada", sobre)
    otro = firmar_sobre(crear_sobre("AyudaEntregada", "0309", {**sobre["datos"], "categoria": "alimentos"}), "ayudas")
    publicar("ayudas", "AyudaEntregada", otro)  # no cumple ninguna regla
    esperar(lambda: _contar(servicio, "SELECT count(*) FROM eventos_aplicados") == 2, 30, mensaje="eventos aplicados")
    filas = _contar(servicio, f"SELECT count(*) FROM notificaciones WHERE evento_id = '{sobre['id']}'")
    assert filas == 2  # email y bandeja al CIS, una vez
    assert _contar(servicio, "SELECT count(*) FROM notificaciones") == 2


def test_contexto_falso_o_rol_ajeno_es_rechazado(servicio, amqp_uri):
    with cliente_rpc(amqp_uri, None) as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.notificaciones.listar({})
    assert desde_error_remoto(e.value).codigo == "NO_AUTENTICADO"
    for rol in ("tecnica", "promotora", "mancomunidad"):
        with cliente_rpc(amqp_uri, token(rol, "0309")) as rpc:
            with pytest.raises(RemoteError) as e:
                rpc.notificaciones.listar({})
        assert desde_error_remoto(e.value).codigo == "PROHIBIDO"


def test_contactos_por_municipio_y_la_administracion_indica_cual(servicio, amqp_uri):
    with cliente_rpc(amqp_uri, token("coordinadora", "0309")) as rpc:
        rpc.notificaciones.guardar_destinatario({"clave": "cis", "nombre": "CIS", "email": "cis@x.hn"})
        rpc.notificaciones.guardar_destinatario({"clave": "cis", "nombre": "CIS Lejamaní", "email": "cis@x.hn"})
        assert [d["nombre"] for d in rpc.notificaciones.listar_destinatarios({})] == ["CIS Lejamaní"]
        with pytest.raises(RemoteError) as e:
            rpc.notificaciones.guardar_destinatario({"clave": "cis", "nombre": "X", "email": "no-es-correo"})
        assert desde_error_remoto(e.value).detalles["email"]
    with cliente_rpc(amqp_uri, token("coordinadora", "0302")) as rpc:
        assert rpc.notificaciones.listar_destinatarios({}) == []
    with cliente_rpc(amqp_uri, token("admin")) as rpc:
        assert len(rpc.notificaciones.listar_destinatarios({"municipio": "0309"})) == 1
        with pytest.raises(RemoteError) as e:
            rpc.notificaciones.listar_destinatarios({})
        assert "municipio" in desde_error_remoto(e.value).detalles
