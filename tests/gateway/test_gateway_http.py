"""El gateway real por HTTP, con el servicio de ayudas real detrás (RabbitMQ y PostgreSQL reales)."""
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from omm_common.migraciones import migrar

pytestmark = pytest.mark.integracion


@pytest.fixture(scope="module")
def api(base_pg_modulo, servicio_real_modulo, gateway_real_modulo):
    url = base_pg_modulo("ayudas")
    migrar("ayudas", url)
    servicio_real_modulo("ayudas", "Ayudas", AYUDAS_DB_URL=url)
    cliente = gateway_real_modulo()
    cliente.url_ayudas = url
    return cliente


def _es_error_del_contrato(r, estado, codigo=None):
    assert r.status_code == estado, r.text
    cuerpo = r.json()
    assert set(cuerpo) == {"error", "mensaje", "detalles"}, cuerpo
    if codigo:
        assert cuerpo["error"] == codigo, cuerpo
    return cuerpo


def _filas(url, tabla):
    motor = sa.create_engine(url)
    with motor.connect() as c:
        n = c.scalar(sa.text(f"SELECT count(*) FROM {tabla}"))
    motor.dispose()
    return n


_dni = iter(range(100, 999))


def _beneficiaria(**cambios):
    """Una beneficiaria válida con un DNI nuevo en cada llamada (las pruebas comparten la base)."""
    return {**BENEFICIARIA, "dni": f"0309-1955-00{next(_dni)}", **cambios}


def test_token_yo_y_municipios(api):
    r = api.post("/api/v1/auth/token", json={"usuario": "tecnica.0309", "contrasena": "contrasena-de-pruebas-123"})
    assert r.status_code == 200
    cuerpo = r.json()
    assert cuerpo["token_type"] == "bearer" and cuerpo["expira_en"] > 0
    assert cuerpo["usuario"]["rol"] == "tecnica" and cuerpo["usuario"]["municipio"] == "0309"
    texto = json.dumps(cuerpo)
    # Ni la contraseña ni su hash; sí el aviso de si debe cambiarla (tras un restablecimiento).
    assert "contrasena-de-pruebas" not in texto and "hash" not in texto and "argon2" not in texto
    assert cuerpo["debe_cambiar_contrasena"] is False and cuerpo["usuario"]["debe_cambiar_contrasena"] is False
    yo = api.get("/api/v1/yo", "tecnica.0309").json()
    assert yo["usuario"] == "tecnica.0309"
    municipios = api.get("/api/v1/municipios", "tecnica.0309").json()
    assert len(municipios) == 298
    lejamani = next(m for m in municipios if m["codigo"] == "0309")
    assert lejamani["nombre"] == "Lejamaní" and lejamani["mancomunidad"] == "MAMCOPAZ"


def test_credenciales_incorrectas_401_y_bloqueo_por_usuaria(api):
    for _ in range(5):
        r = api.post("/api/v1/auth/token", json={"usuario": "promotora.0302", "contrasena": "mala-contrasena"})
        _es_error_del_contrato(r, 401, "NO_AUTENTICADO")
    # Bloqueada: ni la contraseña correcta entra mientras dura la espera.
    r = api.post("/api/v1/auth/token", json={"usuario": "promotora.0302", "contrasena": "contrasena-de-pruebas-123"})
    cuerpo = _es_error_del_contrato(r, 429, "DEMASIADOS_INTENTOS")
    assert cuerpo["detalles"]["reintentar_en_segundos"] > 0


def test_sin_token_o_token_falso_es_401(api):
    _es_error_del_contrato(api.get("/api/v1/yo"), 401, "NO_AUTENTICADO")
    r = api.get("/api/v1/yo", cabeceras={"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJyb2wiOiJhZG1pbiJ9."})
    _es_error_del_contrato(r, 401, "NO_AUTENTICADO")


def test_admin_crea_usuaria_duplicado_409_y_desactivar_corta_su_token(api):
    nueva = {"usuario": "tecnica2.0309", "nombre": "Técnica Dos", "contrasena": "una-contrasena-larga",
             "rol": "tecnica", "municipio": "0309"}
    _es_error_del_contrato(api.post("/api/v1/usuarios", "coordinadora.0309", json=nueva), 403, "PROHIBIDO")
    r = api.post("/api/v1/usuarios", "admin", json=nueva)
    assert r.status_code == 201, r.text
    creada = r.json()
    assert "contrasena" not in creada and creada["rol"] == "tecnica"
    _es_error_del_contrato(api.post("/api/v1/usuarios", "admin", json=nueva), 409, "DUPLICADO")
    token = api.token("tecnica2.0309", "una-contrasena-larga")
    assert api.get("/api/v1/yo", cabeceras={"Authorization": f"Bearer {token}"}).status_code == 200
    assert api.patch(f"/api/v1/usuarios/{creada['id']}", "admin", json={"activo": False}).status_code == 200
    r = api.get("/api/v1/yo", cabeceras={"Authorization": f"Bearer {token}"})
    _es_error_del_contrato(r, 401, "NO_AUTENTICADO")


@pytest.mark.parametrize("cuerpo, campo, estado, codigo", [
    ({"nombre": "X", "rol": "tecnica", "municipio": "0309", "contrasena": "una-contrasena-larga"}, "usuario",
     400, "VALIDACION"),
    ({"usuario": "abc", "nombre": "X", "rol": "jefa", "contrasena": "una-contrasena-larga"}, "rol",
     400, "VALIDACION"),
    # Un municipio bien escrito que no existe: 409 con el campo (issue 18).
    ({"usuario": "abc", "nombre": "X", "rol": "tecnica", "municipio": "9999", "contrasena": "una-contrasena-larga"},
     "municipio", 409, "REFERENCIA_INEXISTENTE"),
    ({"usuario": "abc", "nombre": "X", "rol": "tecnica", "municipio": "0309", "contrasena": "corta"}, "contrasena",
     400, "VALIDACION"),
])
def test_usuaria_invalida_nombra_el_campo(api, cuerpo, campo, estado, codigo):
    cuerpo_error = _es_error_del_contrato(api.post("/api/v1/usuarios", "admin", json=cuerpo), estado, codigo)
    assert campo in cuerpo_error["detalles"]


BENEFICIARIA = {"nombres": "Juana", "apellidos": "Pérez", "dni": "0309-1955-00042", "fecha_nacimiento": "1955-04-01",
                "comunidad": "El Centro", "condiciones": ["enfermedad_base"], "consentimiento_salud": True}


@pytest.mark.parametrize("cambio, campo", [
    ({"nombres": None}, "nombres"),
    ({"dni": "0309-1955"}, "dni"),
    ({"dni": "9909-1955-00042"}, "dni"),
    ({"fecha_nacimiento": "1955-02-30"}, "fecha_nacimiento"),
    ({"consentimiento_salud": "quizas"}, "consentimiento_salud"),
    ({"condiciones": ["rica"]}, "condiciones"),
    ({"municipio": "0302"}, "municipio"),
])
def test_beneficiaria_invalida_400_nombra_el_campo_y_no_guarda_nada(api, cambio, campo):
    antes = _filas(api.url_ayudas, "beneficiarias")
    cuerpo = {k: v for k, v in _beneficiaria(**cambio).items() if v is not None}
    error = _es_error_del_contrato(api.post("/api/v1/ayudas/beneficiarias", "tecnica.0309", json=cuerpo),
                                   400, "VALIDACION")
    assert campo in error["detalles"]
    assert _filas(api.url_ayudas, "beneficiarias") == antes


def test_entrega_con_tipo_desconocido_o_beneficiaria_ajena(api):
    antes = _filas(api.url_ayudas, "entregas")
    b = api.post("/api/v1/ayudas/beneficiarias", "tecnica.0309", json=_beneficiaria()).json()
    entrega = {"beneficiaria_id": b["id"], "tipo_codigo": "no_existe", "cantidad": 1, "fecha": "2026-05-01"}
    # Bien formada pero nombra lo que no existe: 409 REFERENCIA_INEXISTENTE con el campo (issue 18; 400 es para
    # lo que el documento ya dice que no es válido).
    error = _es_error_del_contrato(api.post("/api/v1/ayudas/entregas", "tecnica.0309", json=entrega), 409,
                                   "REFERENCIA_INEXISTENTE")
    assert "tipo_codigo" in error["detalles"]
    # La beneficiaria de Lejamaní no existe para Ajuterique: ni su detalle ni entregarle.
    _es_error_del_contrato(api.get(f"/api/v1/ayudas/beneficiarias/{b['id']}", "tecnica.0302"), 404, "NO_ENCONTRADO")
    api.post("/api/v1/ayudas/tipos", "tecnica.0302", json={
        "codigo": "bolsa", "nombre": "Bolsa", "categoria": "otro", "unidad": "bolsa", "frecuencia_dias": 30})
    error = _es_error_del_contrato(api.post("/api/v1/ayudas/entregas", "tecnica.0302", json={
        **entrega, "tipo_codigo": "bolsa"}), 409, "REFERENCIA_INEXISTENTE")
    assert "beneficiaria_id" in error["detalles"]
    assert _filas(api.url_ayudas, "entregas") == antes


def test_json_roto_cuerpo_enorme_y_utf8_invalido(api):
    h = {"Content-Type": "application/json"}
    _es_error_del_contrato(api.post("/api/v1/ayudas/beneficiarias", "tecnica.0309", data="{", cabeceras=h), 400)
    _es_error_del_contrato(api.post("/api/v1/ayudas/beneficiarias", "tecnica.0309", data=b"\xff\xfe{}",
                                    cabeceras=h), 400)
    grande = json.dumps({"nombres": "a" * (2 * 1024 * 1024)})
    _es_error_del_contrato(api.post("/api/v1/ayudas/beneficiarias", "tecnica.0309", data=grande, cabeceras=h),
                           413, "DEMASIADO_GRANDE")
    profundo = "[" * 5000 + "]" * 5000
    _es_error_del_contrato(api.post("/api/v1/ayudas/beneficiarias", "tecnica.0309", data=profundo, cabeceras=h),
                           400, "VALIDACION")
    _es_error_del_contrato(api.get("/api/v1/no-existe", "tecnica.0309"), 404, "NO_ENCONTRADO")


def test_rol_sin_permiso_403(api):
    _es_error_del_contrato(api.get("/api/v1/ayudas/tipos", "cis.0309"), 403, "PROHIBIDO")
    _es_error_del_contrato(api.get("/api/v1/ayudas/tipos", "mancomunidad.mamcopaz"), 403, "PROHIBIDO")


def test_idempotency_key_devuelve_la_primera_respuesta(api):
    antes = _filas(api.url_ayudas, "beneficiarias")
    h = {"Idempotency-Key": "clave-unica-1"}
    cuerpo = _beneficiaria()
    r1 = api.post("/api/v1/ayudas/beneficiarias", "tecnica.0309", json=cuerpo, cabeceras=h)
    r2 = api.post("/api/v1/ayudas/beneficiarias", "tecnica.0309", json=cuerpo, cabeceras=h)
    assert r1.status_code == r2.status_code == 201
    assert r1.json() == r2.json()
    assert _filas(api.url_ayudas, "beneficiarias") == antes + 1


def _abandonar(url_db, clave):
    """Deja la clave «en curso» desde hace un minuto, como la dejaría un gateway que murió (o una base que
    cayó) después de que el servicio guardó y antes de guardar la respuesta."""
    motor = sa.create_engine(url_db)
    with motor.begin() as c:
        n = c.execute(sa.text("UPDATE respuestas_idempotentes SET estado_http = NULL, cuerpo = NULL, "
                              "creado_en = now() - interval '1 minute' WHERE clave = :c"), {"c": clave})
    motor.dispose()
    assert n.rowcount == 1


@pytest.mark.parametrize("ruta, cuerpo, tabla", [
    ("/api/v1/ayudas/entregas", None, "entregas"),
    ("/api/v1/ayudas/inventario/movimientos", {"tipo_codigo": "bolsa_abandono", "cantidad": 20,
                                               "motivo": "donacion", "origen": "Iglesia"}, "movimientos_inventario"),
])
def test_clave_abandonada_en_curso_la_toma_el_reintento_sin_repetir(api, ruta, cuerpo, tabla):
    """El reintento no espera para siempre (409 EN_PROCESO): pasado el plazo toma la clave y vuelve a llamar
    al servicio, que reconoce la misma clave y responde lo que ya guardó, sin guardarlo otra vez."""
    if api.post("/api/v1/ayudas/tipos", "tecnica.0309", json={
            "codigo": "bolsa_abandono", "nombre": "Bolsa", "categoria": "alimentos", "unidad": "bolsa",
            "frecuencia_dias": 0}).status_code == 201:
        api.post("/api/v1/ayudas/inventario/movimientos", "tecnica.0309",
                 json={"tipo_codigo": "bolsa_abandono", "cantidad": 50, "motivo": "compra"})
    if cuerpo is None:
        b = api.post("/api/v1/ayudas/beneficiarias", "tecnica.0309", json=_beneficiaria()).json()["id"]
        cuerpo = {"beneficiaria_id": b, "tipo_codigo": "bolsa_abandono", "cantidad": 1, "fecha": "2026-02-01"}
    h = {"Idempotency-Key": f"abandonada-{tabla}"}
    r1 = api.post(ruta, "tecnica.0309", json=cuerpo, cabeceras=h)
    assert r1.status_code == 201, r1.text
    antes = _filas(api.url_ayudas, tabla)
    _abandonar(api.url_db, h["Idempotency-Key"])
    r2 = api.post(ruta, "tecnica.0309", json=cuerpo, cabeceras=h)
    assert r2.status_code == 201, r2.text
    assert r2.json() == r1.json()
    assert _filas(api.url_ayudas, tabla) == antes
    r3 = api.post(ruta, "tecnica.0309", json=cuerpo, cabeceras=h)  # y la respuesta quedó guardada otra vez
    assert r3.status_code == 201 and r3.json() == r1.json()


def test_openapi_generado_de_los_esquemas(api):
    doc = api.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    post = doc["paths"]["/api/v1/ayudas/entregas"]["post"]
    esquema = post["requestBody"]["content"]["application/json"]["schema"]
    nombre = esquema["$ref"].rsplit("/", 1)[-1]
    propiedades = doc["components"]["schemas"][nombre]["properties"]
    assert {"beneficiaria_id", "tipo_codigo", "cantidad", "monto", "fecha"} <= set(propiedades)
    assert "/api/v1/auth/token" in doc["paths"] and "/health" in doc["paths"]


def test_salud_hace_ping_real(api):
    r = api.get("/health")
    cuerpo = r.json()
    assert cuerpo["servicios"]["ayudas"] == "ok"
    assert cuerpo["servicios"]["casos"] == "caido"  # no arrancado en esta prueba
    assert cuerpo["estado"] == "degradado" and r.status_code == 503


@pytest.mark.parametrize("metodo", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_ruta_inexistente_es_404_del_contrato_con_cualquier_metodo(api, metodo):
    r = api.pedir(metodo, "/api/v1/no-existe/ni-aqui", "tecnica.0309")
    _es_error_del_contrato(r, 404, "NO_ENCONTRADO")
    assert r.headers["X-Request-Id"]


@pytest.mark.parametrize("metodo, ruta, permitidos", [
    ("PUT", "/api/v1/ayudas/beneficiarias", {"GET", "POST"}),
    ("PATCH", "/api/v1/ayudas/beneficiarias", {"GET", "POST"}),
    ("DELETE", "/api/v1/ayudas/beneficiarias", {"GET", "POST"}),
    ("GET", "/api/v1/auth/token", {"POST"}),
    ("DELETE", "/health", {"GET"}),
])
def test_metodo_no_permitido_es_405_del_contrato_con_allow(api, metodo, ruta, permitidos):
    r = api.pedir(metodo, ruta, "tecnica.0309")
    cuerpo = _es_error_del_contrato(r, 405, "METODO_NO_PERMITIDO")
    assert permitidos <= {m.strip() for m in r.headers["Allow"].split(",")}
    assert permitidos <= set(cuerpo["detalles"]["metodos_permitidos"])


def _sql(url, *sentencias):
    motor = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with motor.connect() as c:
        for s in sentencias:
            c.exec_driver_sql(s)
    motor.dispose()


def test_error_inesperado_es_500_del_contrato_con_la_referencia_en_el_log(api):
    # Una falla de verdad en el servicio (su tabla desaparece) y otra en el propio gateway.
    _sql(api.url_ayudas, "ALTER TABLE beneficiarias RENAME TO beneficiarias_fuera")
    try:
        r = api.get("/api/v1/ayudas/beneficiarias", "tecnica.0309", cabeceras={"X-Request-Id": "solicitud-de-prueba-500"})
    finally:
        _sql(api.url_ayudas, "ALTER TABLE beneficiarias_fuera RENAME TO beneficiarias")
    cuerpo = _es_error_del_contrato(r, 500, "ERROR_INTERNO")
    assert cuerpo["detalles"]["referencia"] == r.headers["X-Request-Id"] == "solicitud-de-prueba-500"
    assert "referencia" in cuerpo["mensaje"]
    _sql(api.url_db, "ALTER TABLE respuestas_idempotentes RENAME TO respuestas_fuera")
    try:
        r = api.post("/api/v1/ayudas/beneficiarias", "tecnica.0309", json=_beneficiaria(),
                     cabeceras={"Idempotency-Key": "gateway-sin-tabla"})
    finally:
        _sql(api.url_db, "ALTER TABLE respuestas_fuera RENAME TO respuestas_idempotentes")
    referencia = _es_error_del_contrato(r, 500, "ERROR_INTERNO")["detalles"]["referencia"]
    log = Path(api.proceso.log).read_text(errors="replace")
    for ref in ("solicitud-de-prueba-500", referencia):
        linea = next(linea for linea in log.splitlines() if ref in linea and "Error interno" in linea)
        assert "Traceback" in linea or "Traceback" in log.split(linea, 1)[1][:200], linea


def test_respuesta_que_no_se_pudo_guardar_tras_el_commit_responde_y_el_reintento_da_lo_mismo(api):
    """La base del gateway rechaza guardar la respuesta (un disparador) después de que ayudas confirmó la
    entrega: quien la pidió recibe su 201 igual, y un reintento con la misma clave recibe la misma entrega."""
    api.post("/api/v1/ayudas/tipos", "tecnica.0309", json={
        "codigo": "bolsa_guardar", "nombre": "Bolsa", "categoria": "otro", "unidad": "bolsa", "frecuencia_dias": 0})
    b = api.post("/api/v1/ayudas/beneficiarias", "tecnica.0309", json=_beneficiaria()).json()["id"]
    cuerpo = {"beneficiaria_id": b, "tipo_codigo": "bolsa_guardar", "cantidad": 1, "fecha": "2026-02-01"}
    h = {"Idempotency-Key": "respuesta-sin-guardar"}
    antes = _filas(api.url_ayudas, "entregas")
    _sql(api.url_db,
         "CREATE FUNCTION negar_respuesta() RETURNS trigger AS $$ BEGIN "
         "RAISE EXCEPTION 'falla de prueba al guardar la respuesta'; END $$ LANGUAGE plpgsql",
         "CREATE TRIGGER negar_respuesta BEFORE UPDATE ON respuestas_idempotentes "
         "FOR EACH ROW EXECUTE FUNCTION negar_respuesta()")
    try:
        r1 = api.post("/api/v1/ayudas/entregas", "tecnica.0309", json=cuerpo, cabeceras=h)
    finally:
        _sql(api.url_db, "DROP TRIGGER negar_respuesta ON respuestas_idempotentes",
             "DROP FUNCTION negar_respuesta()")
    assert r1.status_code == 201, r1.text
    r2 = api.post("/api/v1/ayudas/entregas", "tecnica.0309", json=cuerpo, cabeceras=h)
    assert r2.status_code == 201 and r2.json() == r1.json(), r2.text
    assert _filas(api.url_ayudas, "entregas") == antes + 1


def test_toda_respuesta_de_la_api_lleva_las_cabeceras_de_seguridad(api):
    # Issue 16: datos de personas que un proxy o el navegador guardaban, o que se podían interpretar como HTML.
    for r in (api.get("/api/v1/yo", "tecnica.0309"), api.get("/api/v1/municipios", "tecnica.0309"),
              api.get("/api/v1/yo"), api.get("/api/v1/no-existe"),
              api.post("/api/v1/auth/token", json={"usuario": "x", "contrasena": "y"})):
        assert r.headers["Cache-Control"] == "no-store", (r.url, r.headers)
        assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["X-Frame-Options"] == "DENY"
