"""Existencias y presupuesto por el servicio real, con entregas simultáneas de las últimas unidades."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from nameko.exceptions import RemoteError

from omm_common.errores import desde_error_remoto
from omm_common.migraciones import migrar
from omm_pruebas import cliente_rpc, token

pytestmark = pytest.mark.integracion


@pytest.fixture
def ayudas(base_pg, servicio_real):
    url = base_pg("ayudas")
    migrar("ayudas", url)
    servicio_real("ayudas", "Ayudas", AYUDAS_DB_URL=url)
    return url


def _beneficiarias(rpc, n, prefijo="0309-1980"):
    return [rpc.ayudas.crear_beneficiaria({
        "nombres": f"Persona{i}", "apellidos": "Prueba", "dni": f"{prefijo}-{i:05d}", "fecha_nacimiento": "1980-01-01",
        "comunidad": "Centro", "consentimiento_salud": False})["id"] for i in range(n)]


def test_diez_entregas_simultaneas_de_las_ultimas_tres_unidades(ayudas, amqp_uri):
    tok = token("coordinadora", "0309")
    with cliente_rpc(amqp_uri, tok) as rpc:
        rpc.ayudas.crear_tipo({"codigo": "bolsa", "nombre": "Bolsa", "categoria": "alimentos", "unidad": "bolsa",
                               "frecuencia_dias": 30, "existencia_minima": 5})
        rpc.ayudas.registrar_movimiento({"tipo_codigo": "bolsa", "cantidad": 8, "motivo": "donacion"})
        ids = _beneficiarias(rpc, 15)
        for b in ids[:5]:
            rpc.ayudas.registrar_entrega({"beneficiaria_id": b, "tipo_codigo": "bolsa", "cantidad": 1,
                                          "fecha": "2026-03-01"})

    def entregar(b):
        with cliente_rpc(amqp_uri, tok) as rpc:
            try:
                rpc.ayudas.registrar_entrega({"beneficiaria_id": b, "tipo_codigo": "bolsa", "cantidad": 1,
                                              "fecha": "2026-03-01"})
                return "ok"
            except RemoteError as exc:
                return desde_error_remoto(exc).codigo

    with ThreadPoolExecutor(10) as pool:
        resultados = list(pool.map(entregar, ids[5:]))
    assert sorted(resultados) == ["SIN_EXISTENCIAS"] * 7 + ["ok"] * 3
    with cliente_rpc(amqp_uri, tok) as rpc:
        [inv] = rpc.ayudas.inventario()
    assert inv["existencia"] == 0 and inv["bajo_minimo"]
    motor = sa.create_engine(ayudas)
    with motor.connect() as c:
        bajas = c.execute(sa.text("SELECT datos FROM outbox WHERE tipo = 'ExistenciasBajas'")).all()
        entregas = c.execute(sa.text("SELECT count(*) FROM entregas")).scalar()
    motor.dispose()
    assert entregas == 8
    assert len(bajas) == 1 and bajas[0][0] == {"tipo_codigo": "bolsa", "cantidad": 4, "tipo_nombre": "Bolsa"}


def test_ajuste_requiere_motivo_y_no_deja_negativo(ayudas, amqp_uri):
    with cliente_rpc(amqp_uri, token("tecnica", "0309")) as rpc:
        rpc.ayudas.crear_tipo({"codigo": "panal", "nombre": "Pañales", "categoria": "panales", "unidad": "paq",
                               "frecuencia_dias": 15})
        rpc.ayudas.registrar_movimiento({"tipo_codigo": "panal", "cantidad": 5, "motivo": "compra"})
        with pytest.raises(RemoteError) as e:
            rpc.ayudas.registrar_movimiento({"tipo_codigo": "panal", "cantidad": -2, "motivo": "ajuste"})
        assert "origen" in desde_error_remoto(e.value).detalles
        with pytest.raises(RemoteError) as e:
            rpc.ayudas.registrar_movimiento({"tipo_codigo": "panal", "cantidad": -9, "motivo": "ajuste",
                                             "origen": "vencidos"})
        assert desde_error_remoto(e.value).codigo == "SIN_EXISTENCIAS"
        m = rpc.ayudas.registrar_movimiento({"tipo_codigo": "panal", "cantidad": -2, "motivo": "ajuste",
                                             "origen": "paquetes dañados"})
        assert m["existencia_resultante"] == 3


def test_presupuesto_anual_rechaza_la_entrega_que_lo_excede_con_lo_que_queda(ayudas, amqp_uri):
    with cliente_rpc(amqp_uri, token("coordinadora", "0309")) as rpc:
        rpc.ayudas.crear_tipo({"codigo": "med", "nombre": "Medicamentos", "categoria": "economica_medicamentos",
                               "unidad": "L", "frecuencia_dias": 30, "monto_maximo": 1500})
        rpc.ayudas.fijar_presupuesto({"anio": 2026, "monto": 2000})
        a, b = _beneficiarias(rpc, 2)
        rpc.ayudas.registrar_entrega({"beneficiaria_id": a, "tipo_codigo": "med", "cantidad": 1, "monto": 1500,
                                      "fecha": "2026-02-01"})
        with pytest.raises(RemoteError) as e:
            rpc.ayudas.registrar_entrega({"beneficiaria_id": b, "tipo_codigo": "med", "cantidad": 1, "monto": 600,
                                          "fecha": "2026-02-01"})
        err = desde_error_remoto(e.value)
        assert err.codigo == "PRESUPUESTO_EXCEDIDO" and err.detalles["restante"] == 500.0
        assert rpc.ayudas.obtener_presupuesto({"anio": 2026}) == {"anio": 2026, "monto": 2000.0,
                                                                  "ejecutado": 1500.0, "restante": 500.0}
    with cliente_rpc(amqp_uri, token("tecnica", "0309")) as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.ayudas.fijar_presupuesto({"anio": 2026, "monto": 99999})
        assert desde_error_remoto(e.value).codigo == "PROHIBIDO"


def test_misma_clave_de_idempotencia_en_paralelo_registra_una_entrega(ayudas, amqp_uri):
    tok = token("tecnica", "0309", usuario_id="7d9e0000-0000-4000-8000-000000000001")
    with cliente_rpc(amqp_uri, tok) as rpc:
        rpc.ayudas.crear_tipo({"codigo": "med", "nombre": "Medicamentos", "categoria": "economica_medicamentos",
                               "unidad": "L", "frecuencia_dias": 0, "monto_maximo": 1500})
        [b] = _beneficiarias(rpc, 1)

    def entregar(_):
        with cliente_rpc(amqp_uri, tok) as rpc:
            return rpc.ayudas.registrar_entrega({"beneficiaria_id": b, "tipo_codigo": "med", "cantidad": 1,
                                                 "monto": 100, "fecha": "2026-02-01"}, "clave-doble-clic")
    with ThreadPoolExecutor(5) as pool:
        respuestas = list(pool.map(entregar, range(5)))
    assert len({r["id"] for r in respuestas}) == 1


def test_misma_clave_en_una_donacion_la_suma_una_vez(ayudas, amqp_uri):
    tok = token("tecnica", "0309", usuario_id="7d9e0000-0000-4000-8000-000000000002")
    with cliente_rpc(amqp_uri, tok) as rpc:
        rpc.ayudas.crear_tipo({"codigo": "bolsa", "nombre": "Bolsa solidaria", "categoria": "alimentos",
                               "unidad": "bolsa", "frecuencia_dias": 30})

    def donar(_):
        with cliente_rpc(amqp_uri, tok) as rpc:
            return rpc.ayudas.registrar_movimiento({"tipo_codigo": "bolsa", "cantidad": 20, "motivo": "donacion",
                                                    "origen": "Iglesia"}, "donacion-reintentada")
    with ThreadPoolExecutor(5) as pool:
        respuestas = list(pool.map(donar, range(5)))
    assert len({r["id"] for r in respuestas}) == 1
    assert {r["existencia_resultante"] for r in respuestas} == {20}
    with cliente_rpc(amqp_uri, tok) as rpc:
        otra = rpc.ayudas.registrar_movimiento({"tipo_codigo": "bolsa", "cantidad": 5, "motivo": "compra"}, "otra")
        assert otra["existencia_resultante"] == 25
        assert {e["tipo_codigo"]: e["existencia"] for e in rpc.ayudas.inventario()}["bolsa"] == 25


def test_ocho_anulaciones_simultaneas_devuelven_una_sola_vez(ayudas, amqp_uri):
    tok = token("coordinadora", "0309")
    with cliente_rpc(amqp_uri, tok) as rpc:
        rpc.ayudas.crear_tipo({"codigo": "bolsa", "nombre": "Bolsa", "categoria": "alimentos", "unidad": "bolsa",
                               "frecuencia_dias": 30})
        rpc.ayudas.registrar_movimiento({"tipo_codigo": "bolsa", "cantidad": 5, "motivo": "donacion"})
        [b] = _beneficiarias(rpc, 1)
        e = rpc.ayudas.registrar_entrega({"beneficiaria_id": b, "tipo_codigo": "bolsa", "cantidad": 3,
                                          "fecha": "2026-03-01"})

    def anular(_):
        with cliente_rpc(amqp_uri, tok) as rpc:
            return rpc.ayudas.anular_entrega(e["id"], {"motivo": "Registrada por error"})["estado"]

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(anular, range(8))) == ["anulada"] * 8
    with cliente_rpc(amqp_uri, tok) as rpc:
        [inv] = rpc.ayudas.inventario()
        libro = rpc.ayudas.listar_movimientos({})["items"]
    assert inv["existencia"] == 5
    assert [m["motivo"] for m in libro].count("anulacion") == 1
    motor = sa.create_engine(ayudas)
    with motor.connect() as c:
        assert c.scalar(sa.text("SELECT count(*) FROM outbox WHERE tipo = 'EntregaAnulada'")) == 1
    motor.dispose()
