"""El servicio real contra RabbitMQ y PostgreSQL: acceso, cifrado en reposo, códigos, eventos y bitácora."""
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from nameko.exceptions import RemoteError

from omm_common.errores import desde_error_remoto
from omm_common.migraciones import migrar
from omm_pruebas import cliente_rpc, token, token_de_servicio_prueba
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.integracion

PERSONAS = [("Dolores", "Zelaya Bonilla", "0309-1990-00321", "+504 9911-2233", "aldea Las Flores"),
            ("Gladys", "Orellana Matute", "0309-1988-00654", "+504 9877-6655", "caserío El Pino")]
RELATO = "la amenazó con un machete junto al río Guacirope"


@pytest.fixture
def casos(base_pg, servicio_real):
    url = base_pg("casos")
    migrar("casos", url)
    servicio_real("casos", "Casos", CASOS_DB_URL=url)
    return url


def _cuerpo(persona=PERSONAS[0], tipos=("sexual",), derivacion=True, incidente=None, **extra):
    nombres, apellidos, dni, telefono, comunidad = persona
    return {"fecha_atencion": hoy_honduras().isoformat(),
            "fecha_incidente": (incidente or hoy_honduras() - timedelta(days=1)).isoformat(),
            "sobreviviente": {"nombres": nombres, "apellidos": apellidos, "dni": dni, "telefono": telefono,
                              "comunidad": comunidad},
            "tipos_violencia": list(tipos), "contexto": "pareja", "relato": RELATO, "nivel_riesgo": "alto",
            "consentimiento": {"servicios": True, "derivacion": derivacion, "estadisticas": True}, **extra}


def _codigo(exc_info):
    return desde_error_remoto(exc_info.value).codigo


def test_solo_coordinadora_y_tecnica_del_municipio(casos, amqp_uri):
    with cliente_rpc(amqp_uri, token("tecnica", "0309")) as rpc:
        caso = rpc.casos.crear_caso(_cuerpo())
    for t in (None, "eyJhbGciOiJub25lIn0.eyJyb2wiOiJ0ZWNuaWNhIn0."):
        with cliente_rpc(amqp_uri, t) as rpc:
            with pytest.raises(RemoteError) as e:
                rpc.casos.obtener_caso(caso["id"])
            assert _codigo(e) == "NO_AUTENTICADO"
    for rol in ("promotora", "cis", "mancomunidad", "admin", "servicio"):
        with cliente_rpc(amqp_uri, token(rol, "0309")) as rpc:
            with pytest.raises(RemoteError) as e:
                rpc.casos.obtener_caso(caso["id"])
            assert _codigo(e) == "PROHIBIDO", rol
    with cliente_rpc(amqp_uri, token("coordinadora", "0302")) as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.casos.obtener_caso(caso["id"])
        assert _codigo(e) == "NO_ENCONTRADO"
        assert rpc.casos.listar_casos({})["total"] == 0


def test_nada_legible_en_la_base_y_la_busqueda_funciona(casos, amqp_uri):
    with cliente_rpc(amqp_uri, token("tecnica", "0309")) as rpc:
        for p in PERSONAS:
            c = rpc.casos.crear_caso(_cuerpo(p))
            rpc.casos.registrar_seguimiento(c["id"], {"fecha": hoy_honduras().isoformat(), "tipo": "visita",
                                                      "nota": f"visita a {p[0]} en {p[4]}"})
            rpc.casos.registrar_derivacion(c["id"], {"destino": "cis", "motivo": f"{p[0]} necesita atención"})
        assert rpc.casos.listar_casos({"q": "dolores zelaya"})["total"] == 1
        assert rpc.casos.listar_casos({"q": "Gladys"})["total"] == 1
        assert rpc.casos.listar_casos({"q": "0309-1990-00321"})["total"] == 1
        detalle = rpc.casos.obtener_caso(rpc.casos.listar_casos({"q": "dolores"})["items"][0]["id"])
        assert detalle["sobreviviente"]["telefono"] == "+504 9911-2233" and detalle["relato"] == RELATO
        # La lista lleva las iniciales (para la pantalla de casos), nunca el nombre; se busca también por código.
        lista = rpc.casos.listar_casos({})
        assert sorted(x["iniciales"] for x in lista["items"]) == ["D. Z. B.", "G. O. M."]
        for dato in ("Dolores", "Zelaya", "Gladys", "Orellana", "0309199000321"):
            assert dato not in str(lista), dato
        codigo = detalle["codigo"]
        for buscado in (codigo, codigo.lower()):
            assert [x["id"] for x in rpc.casos.listar_casos({"codigo": buscado})["items"]] == [detalle["id"]]
        assert rpc.casos.listar_casos({"codigo": "LEJ-1999-0001"})["total"] == 0
    volcado = subprocess.run(["pg_dump", "--data-only", casos], capture_output=True, text=True,
                             check=True).stdout.lower()
    for nombres, apellidos, dni, telefono, comunidad in PERSONAS:
        for dato in (nombres, apellidos.split()[0], dni.replace("-", ""), dni, telefono, "9911-2233",
                     comunidad, "machete", "guacirope", "necesita atención"):
            assert dato.lower() not in volcado, dato
    assert "lej-" in volcado  # el volcado sí tiene datos: los códigos de caso


def test_un_cifrado_copiado_de_otro_caso_o_campo_da_error_y_no_los_datos_ajenos(casos, amqp_uri):
    """Issue 16: quien puede escribir en la base copia el cifrado de un caso (o de otro campo) a otro caso."""
    with cliente_rpc(amqp_uri, token("tecnica", "0309")) as rpc:
        dolores, gladys = (rpc.casos.crear_caso(_cuerpo(p)) for p in PERSONAS)
        rpc.casos.registrar_seguimiento(gladys["id"], {"fecha": hoy_honduras().isoformat(), "tipo": "visita",
                                                       "nota": "nota de Gladys"})
        rpc.casos.registrar_derivacion(dolores["id"], {"destino": "cis", "motivo": "Dolores en el río"})
    motor = sa.create_engine(casos)
    with motor.begin() as c:
        propio = c.execute(sa.text("SELECT datos_cifrados FROM casos WHERE id = :b"), {"b": gladys["id"]}).scalar()
        c.execute(sa.text("UPDATE casos SET datos_cifrados = (SELECT datos_cifrados FROM casos WHERE id = :a) "
                          "WHERE id = :b"), {"a": dolores["id"], "b": gladys["id"]})
    with cliente_rpc(amqp_uri, token("tecnica", "0309")) as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.casos.obtener_caso(gladys["id"])
        assert _codigo(e) == "ERROR_INTERNO" and "no pertenece a este registro" in str(e.value)
        assert "Dolores" not in str(e.value) and "machete" not in str(e.value)
        assert rpc.casos.obtener_caso(dolores["id"])["sobreviviente"]["nombres"] == "Dolores"
    # Otro campo: el motivo de la derivación de Dolores como nota del seguimiento, y el caso en su lugar.
    with motor.begin() as c:
        c.execute(sa.text("UPDATE casos SET datos_cifrados = :t WHERE id = :b"), {"t": propio, "b": gladys["id"]})
        c.execute(sa.text("UPDATE seguimientos SET nota_cifrada = (SELECT motivo_cifrado FROM derivaciones "
                          "WHERE caso_id = :a) WHERE caso_id = :b"), {"a": dolores["id"], "b": gladys["id"]})
    motor.dispose()
    with cliente_rpc(amqp_uri, token("tecnica", "0309")) as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.casos.obtener_caso(gladys["id"])
        assert _codigo(e) == "ERROR_INTERNO" and "seguimientos.nota_cifrada" in str(e.value)
        assert "río" not in str(e.value)


def test_veinte_registros_simultaneos_veinte_codigos_consecutivos(casos, amqp_uri):
    tok = token("tecnica", "0309")

    def registrar(i):
        with cliente_rpc(amqp_uri, tok) as rpc:
            return rpc.casos.crear_caso(_cuerpo())["codigo"]
    with ThreadPoolExecutor(10) as pool:
        codigos = list(pool.map(registrar, range(20)))
    anio = hoy_honduras().year
    assert sorted(codigos) == [f"LEJ-{anio}-{n:04d}" for n in range(1, 21)]


def test_cerrado_no_admite_y_sin_consentimiento_no_se_deriva_y_urgencia(casos, amqp_uri):
    with cliente_rpc(amqp_uri, token("tecnica", "0309")) as rpc:
        sin = rpc.casos.crear_caso(_cuerpo(derivacion=False))
        with pytest.raises(RemoteError) as e:
            rpc.casos.registrar_derivacion(sin["id"], {"destino": "cis", "motivo": "x"})
        assert _codigo(e) == "SIN_CONSENTIMIENTO"
        c = rpc.casos.crear_caso(_cuerpo())
        d = rpc.casos.registrar_derivacion(c["id"], {"destino": "cis", "motivo": "x", "urgente": False})
        assert d["urgente"] is True  # violencia sexual hace < 72 h: lo decide el sistema
        viejo = rpc.casos.crear_caso(_cuerpo(incidente=hoy_honduras() - timedelta(days=10)))
        assert rpc.casos.registrar_derivacion(viejo["id"], {"destino": "cis", "motivo": "x"})["urgente"] is False
        rpc.casos.cerrar_caso(c["id"], {"motivo": "Se mudó"})
        for llamada in (lambda: rpc.casos.registrar_seguimiento(c["id"], {"fecha": "2026-01-01", "tipo": "llamada",
                                                                          "nota": "x"}),
                        lambda: rpc.casos.registrar_derivacion(c["id"], {"destino": "policia", "motivo": "x"})):
            with pytest.raises(RemoteError) as e:
                llamada()
            assert _codigo(e) == "ESTADO_INVALIDO"
        with pytest.raises(RemoteError) as e:
            rpc.casos.crear_caso({**_cuerpo(), "tipos_violencia": []})
        assert "tipos_violencia" in desde_error_remoto(e.value).detalles
    motor = sa.create_engine(casos)
    with motor.connect() as c_:
        eventos = c_.execute(sa.text("SELECT tipo, datos FROM outbox")).all()
    motor.dispose()
    tipos = [t for t, _ in eventos]
    assert tipos.count("CasoRegistrado") == 3 and tipos.count("CasoDerivado") == 2 and "CasoCerrado" in tipos
    texto = str(eventos).lower()
    for dato in ("dolores", "zelaya", "0309199000321", "9911", "flores", "machete"):
        assert dato not in texto


def test_bitacora_y_datos_para_el_cis_con_consentimiento(casos, amqp_uri):
    with cliente_rpc(amqp_uri, token("tecnica", "0309")) as rpc:
        c = rpc.casos.crear_caso(_cuerpo())
        rpc.casos.obtener_caso(c["id"])
        d = rpc.casos.registrar_derivacion(c["id"], {"destino": "cis", "motivo": "x"})
        with pytest.raises(RemoteError) as e:
            rpc.casos.auditoria(c["id"])
        assert _codigo(e) == "PROHIBIDO"
    with cliente_rpc(amqp_uri, token("coordinadora", "0309")) as rpc:
        acciones = [a["accion"] for a in rpc.casos.auditoria(c["id"])]
    assert acciones == ["registrar", "leer", "derivar"]
    with cliente_rpc(amqp_uri, token_de_servicio_prueba()) as rpc:
        datos = rpc.casos.datos_derivacion(d["id"], "0309")
        assert datos["nombre"] == "Dolores Zelaya Bonilla" and datos["urgente"] is True
        assert rpc.casos.datos_derivacion(str(uuid.uuid4()), "0309") is None
        # Issue 16: un CasoDerivado inventado con otro municipio no saca sus datos hacia otro CIS.
        assert rpc.casos.datos_derivacion(d["id"], "0318") is None
    with cliente_rpc(amqp_uri, token_de_servicio_prueba("reportes")) as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.casos.datos_derivacion(d["id"], "0309")
        assert _codigo(e) == "PROHIBIDO"
    motor = sa.create_engine(casos)
    with motor.begin() as conexion:
        with pytest.raises(sa.exc.DBAPIError):
            conexion.execute(sa.text("DELETE FROM auditoria"))
    motor.dispose()


def test_seguimientos_vencidos_se_avisan_una_vez(casos, amqp_uri):
    with cliente_rpc(amqp_uri, token("tecnica", "0309")) as rpc:
        # El seguimiento no puede ser anterior a la atención: un caso atendido el 30 de diciembre de 2025.
        c = rpc.casos.crear_caso(_cuerpo(incidente=date(2025, 12, 29), fecha_atencion="2025-12-30"))
        rpc.casos.registrar_seguimiento(c["id"], {"fecha": "2026-01-01", "tipo": "llamada", "nota": "x",
                                                  "proxima_fecha": "2026-01-08"})
    with cliente_rpc(amqp_uri, token_de_servicio_prueba()) as rpc:
        assert rpc.casos.emitir_seguimientos_vencidos() == 1
        assert rpc.casos.emitir_seguimientos_vencidos() == 0
        filas = rpc.casos.agregados(None, None, ["0309"])
    # Cada dimensión en el periodo; el total también por mes.
    assert {"municipio": "0309", "mes": None, "dimension": "tipo_violencia", "valor": "sexual", "casos": 1} in filas
    assert {"municipio": "0309", "mes": "2025-12", "dimension": "total", "valor": "casos", "casos": 1} in filas
    assert "Dolores" not in str(filas)
