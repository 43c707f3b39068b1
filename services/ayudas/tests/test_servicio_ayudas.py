"""El servicio real (nameko run) contra RabbitMQ y PostgreSQL reales, llamado por RPC."""
import pytest
from nameko.exceptions import RemoteError

from omm_common.errores import desde_error_remoto
from omm_common.migraciones import migrar
from omm_pruebas import cliente_rpc, token, token_de_servicio_prueba

pytestmark = pytest.mark.integracion


@pytest.fixture
def ayudas(base_pg, servicio_real):
    url = base_pg("ayudas")
    migrar("ayudas", url)
    servicio_real("ayudas", "Ayudas", AYUDAS_DB_URL=url)
    return url


def _error(exc_info):
    return desde_error_remoto(exc_info.value)


def test_entrega_emite_evento_en_outbox_y_numera_recibos(ayudas, amqp_uri):
    import sqlalchemy as sa
    with cliente_rpc(amqp_uri, token("tecnica", "0309")) as rpc:
        rpc.ayudas.crear_tipo({"codigo": "med", "nombre": "Medicamentos", "categoria": "economica_medicamentos",
                               "unidad": "L", "frecuencia_dias": 30, "monto_maximo": 1500})
        b = rpc.ayudas.crear_beneficiaria({"nombres": "Ana", "apellidos": "Díaz", "dni": "0309-1980-00011",
                                           "fecha_nacimiento": "1980-01-01", "comunidad": "Centro",
                                           "consentimiento_salud": False})
        e1 = rpc.ayudas.registrar_entrega({"beneficiaria_id": b["id"], "tipo_codigo": "med", "cantidad": 1,
                                           "monto": 300, "fecha": "2026-01-05"})
        e2 = rpc.ayudas.registrar_entrega({"beneficiaria_id": b["id"], "tipo_codigo": "med", "cantidad": 1,
                                           "monto": 300, "fecha": "2026-02-05"})
    assert (e1["numero_recibo"], e2["numero_recibo"]) == ("LEJ-2026-R0001", "LEJ-2026-R0002")
    motor = sa.create_engine(ayudas)
    with motor.connect() as c:
        eventos = c.execute(sa.text("SELECT tipo, datos FROM outbox ORDER BY ocurrido_en")).all()
    motor.dispose()
    assert [t for t, _ in eventos] == ["BeneficiariaRegistrada", "AyudaEntregada", "AyudaEntregada"]
    assert "Ana" not in str(eventos) and "0309198000011" not in str(eventos)


def test_el_servicio_rechaza_un_contexto_sin_firma_o_con_rol_ajeno(ayudas, amqp_uri):
    with cliente_rpc(amqp_uri, None) as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.ayudas.listar_tipos()
    assert _error(e).codigo == "NO_AUTENTICADO"
    with cliente_rpc(amqp_uri, "eyJhbGciOiJub25lIn0.eyJyb2wiOiJjb29yZGluYWRvcmEifQ.") as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.ayudas.listar_tipos()
    assert _error(e).codigo == "NO_AUTENTICADO"
    with cliente_rpc(amqp_uri, token("cis", "0309")) as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.ayudas.listar_tipos()
    assert _error(e).codigo == "PROHIBIDO"


def test_beneficiaria_de_otro_municipio_no_existe_para_mi(ayudas, amqp_uri):
    with cliente_rpc(amqp_uri, token("tecnica", "0309")) as rpc:
        b = rpc.ayudas.crear_beneficiaria({"nombres": "Rosa", "apellidos": "Mejía", "dni": "0309-1970-00022",
                                           "fecha_nacimiento": "1970-01-01", "comunidad": "Centro",
                                           "consentimiento_salud": True})
    with cliente_rpc(amqp_uri, token("tecnica", "0302")) as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.ayudas.obtener_beneficiaria(b["id"])
        assert _error(e).codigo == "NO_ENCONTRADO"
        assert rpc.ayudas.listar_beneficiarias({"q": "rosa"})["total"] == 0


def test_la_fila_guardada_no_tiene_dni_telefono_ni_condiciones_en_claro(ayudas, amqp_uri):
    """Issue 16: la fila tal cual (y la de su historial) no dice DNI, teléfono ni condiciones; la oficina busca
    por DNI, el DNI sigue siendo único y notificaciones recibe el teléfono con consentimiento."""
    import sqlalchemy as sa
    with cliente_rpc(amqp_uri, token("coordinadora", "0309")) as rpc:
        b = rpc.ayudas.crear_beneficiaria({"nombres": "Gloria", "apellidos": "Mejía", "dni": "0309-1985-04411",
                                           "fecha_nacimiento": "1985-04-04", "comunidad": "Centro",
                                           "telefono": "+504 9345-6789", "consentimiento_salud": True,
                                           "condiciones": ["embarazada", "enfermedad_base", "discapacidad"]})
        rpc.ayudas.corregir_beneficiaria(b["id"], {"telefono": "9456-7890", "motivo": "cambió de número"})
        assert [x["id"] for x in rpc.ayudas.listar_beneficiarias({"dni": "0309-1985-04411"})["items"]] == [b["id"]]
        with pytest.raises(RemoteError) as e:
            rpc.ayudas.crear_beneficiaria({"nombres": "Otra", "apellidos": "Persona", "dni": "0309-1985-04411",
                                           "fecha_nacimiento": "1990-01-01", "comunidad": "Norte",
                                           "consentimiento_salud": False})
        assert _error(e).codigo == "DUPLICADO"
    with cliente_rpc(amqp_uri, token_de_servicio_prueba("notificaciones")) as rpc:
        assert rpc.ayudas.contacto_para_salud(b["id"], "0309")["telefono"] == "9456-7890"
    motor = sa.create_engine(ayudas)
    with motor.connect() as c:
        crudas = " ".join(c.execute(sa.text(f"SELECT t::text FROM {tabla} t")).scalars().one()
                          for tabla in ("beneficiarias", "historial_beneficiarias"))
    motor.dispose()
    for dato in ("0309198504411", "0309-1985-04411", "9345-6789", "9456-7890", "embarazada", "enfermedad_base",
                 "discapacidad"):
        assert dato not in crudas, dato
    assert "Gloria" in crudas and "cambió de número" in crudas  # las filas sí están
