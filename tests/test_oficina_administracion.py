"""Administración de personas y territorio por el sistema real (issue 19, punto 7), en San José del Potrero (0315).

Como lo jugarían la administración y quien ataca: buscar usuarias sin ver hashes, una coordinadora que solo
lee su municipio, la propia contraseña cambiada (los otros tokens dejan de valer), el restablecimiento que
obliga a cambiarla antes de cualquier otra cosa, mancomunidades nuevas y municipios movidos entre ellas.
"""
import json

import pytest
import requests
import sqlalchemy as sa

from omm_pruebas import CONTRASENA_PRUEBAS, esperar

pytestmark = pytest.mark.integracion

M = "0315"
PERSONAL = {"coordinadora": "Coordinadora de San José del Potrero",
            "tecnica": "Técnica de San José del Potrero",
            "promotora": "Promotora de San José del Potrero", "cis": "CIS de San José del Potrero"}


@pytest.fixture(scope="module")
def api(sistema):
    api = sistema.api
    for rol, nombre in PERSONAL.items():
        _crear(api, {"usuario": f"{rol}.{M}", "nombre": nombre, "contrasena": CONTRASENA_PRUEBAS, "rol": rol,
                     "municipio": M})
    return api


def _crear(api, cuerpo):
    r = api.post("/api/v1/usuarios", "admin", json=cuerpo)
    assert r.status_code in (201, 409), r.text
    if r.status_code == 409:
        assert r.json()["error"] == "DUPLICADO"


def _entrar(api, usuario, contrasena=CONTRASENA_PRUEBAS):
    return requests.post(f"{api.base}/api/v1/auth/token", json={"usuario": usuario, "contrasena": contrasena},
                         timeout=30)


def _con(api, metodo, ruta, token, **kw):
    return requests.request(metodo, f"{api.base}{ruta}", headers={"Authorization": f"Bearer {token}",
                                                                  **kw.pop("cabeceras", {})}, timeout=30, **kw)


def _id(api, usuario):
    r = api.get("/api/v1/usuarios", "admin", params={"q": usuario})
    return next(u["id"] for u in r.json()["items"] if u["usuario"] == usuario)


def _error(r, estado, codigo):
    assert r.status_code == estado, r.text
    cuerpo = r.json()
    assert cuerpo["error"] == codigo, cuerpo
    return cuerpo


def test_buscar_usuarias_admin_todas_coordinadora_solo_su_municipio(api):
    r = api.get("/api/v1/usuarios", "admin", params={"municipio": M})
    assert r.status_code == 200, r.text
    pagina = r.json()
    assert {"items", "total", "pagina", "por_pagina"} <= set(pagina)
    assert {u["usuario"] for u in pagina["items"]} >= {f"{rol}.{M}" for rol in PERSONAL}
    assert "hash" not in r.text and "argon2" not in r.text and CONTRASENA_PRUEBAS not in r.text
    # Búsqueda por parte del nombre sin distinguir mayúsculas (también con tilde), por rol y activas.
    r = api.get("/api/v1/usuarios", "admin", params={"q": "TÉCNICA DE SAN JOS", "rol": "tecnica", "activo": "true"})
    assert [u["usuario"] for u in r.json()["items"]] == [f"tecnica.{M}"]
    r = api.get("/api/v1/usuarios", "admin", params={"q": "tecnica de san jose del", "por_pagina": 1}).json()
    assert r["total"] >= 1 and r["items"][0]["nombre"].startswith("Técnica") and len(r["items"]) == 1
    r = api.get("/api/v1/usuarios", "admin", params={"q": "lejamani"}).json()
    assert {u["usuario"] for u in r["items"]} >= {"tecnica.0309", "coordinadora.0309", "cis.0309"}
    assert api.get("/api/v1/usuarios", "admin", params={"q": "100%_"}).json()["items"] == []
    # Paginado como las listas del contrato.
    r = api.get("/api/v1/usuarios", "admin", params={"municipio": M, "por_pagina": 1, "pagina": 2}).json()
    assert len(r["items"]) == 1 and r["total"] >= 4 and r["pagina"] == 2
    # Por mancomunidad: sus usuarias y las de sus municipios.
    r = api.get("/api/v1/usuarios", "admin", params={"mancomunidad": "MAMCOPAZ", "por_pagina": 200}).json()
    usuarios = {u["usuario"] for u in r["items"]}
    assert {"mancomunidad.mamcopaz", "tecnica.0309"} <= usuarios and "tecnica.0318" not in usuarios
    _error(api.get("/api/v1/usuarios", "admin", params={"activo": "quizas"}), 400, "VALIDACION")

    # La coordinadora lee el personal de su municipio (para asignar casos), nada más.
    r = api.get("/api/v1/usuarios", f"coordinadora.{M}")
    assert r.status_code == 200, r.text
    assert {u["municipio"] for u in r.json()["items"]} == {M}
    # Otros filtros se suman al de su municipio: nunca abren otro.
    r = api.get("/api/v1/usuarios", f"coordinadora.{M}", params={"mancomunidad": "MAMCOPAZ", "q": "0309"})
    assert r.status_code == 200 and r.json()["items"] == [] and r.json()["total"] == 0
    _error(api.get("/api/v1/usuarios", f"coordinadora.{M}", params={"municipio": "0309"}), 404, "NO_ENCONTRADO")
    _error(api.post("/api/v1/usuarios", f"coordinadora.{M}", json={
        "usuario": "intrusa.0315", "nombre": "Intrusa", "contrasena": CONTRASENA_PRUEBAS, "rol": "admin"}),
        403, "PROHIBIDO")
    _error(api.patch(f"/api/v1/usuarios/{_id(api, f'tecnica.{M}')}", f"coordinadora.{M}", json={"activo": False}),
           403, "PROHIBIDO")
    for usuaria in (f"tecnica.{M}", f"cis.{M}", "mancomunidad.mamcopaz"):
        _error(api.get("/api/v1/usuarios", usuaria), 403, "PROHIBIDO")


def test_cambiar_la_propia_contrasena_invalida_los_otros_tokens(api, sistema):
    usuario = f"promotora2.{M}"
    _crear(api, {"usuario": usuario, "nombre": "Promotora Segunda de San José del Potrero",
                 "contrasena": CONTRASENA_PRUEBAS,
                 "rol": "promotora", "municipio": M})
    robado = _entrar(api, usuario).json()["access_token"]  # otro dispositivo, o quien lo robó
    propio = _entrar(api, usuario).json()["access_token"]
    nueva = "una-contrasena-nueva-de-esquias"

    # La actual equivocada: 400 que nombra el campo, y cuenta como intento fallido para el bloqueo.
    r = _con(api, "POST", "/api/v1/yo/contrasena", propio,
             json={"contrasena_actual": "no-es-la-actual", "contrasena_nueva": nueva})
    assert "contrasena_actual" in _error(r, 403, "PROHIBIDO")["detalles"]
    motor = sa.create_engine(sistema.urls["gateway"])
    with motor.connect() as c:
        fallos = c.scalar(sa.text("SELECT fallos FROM intentos_fallidos WHERE clave = :c"), {"c": f"u:{usuario}"})
    motor.dispose()
    assert fallos == 1
    # La misma política que al crear una usuaria; y la nueva no puede ser la actual.
    r = _con(api, "POST", "/api/v1/yo/contrasena", propio,
             json={"contrasena_actual": CONTRASENA_PRUEBAS, "contrasena_nueva": "corta"})
    assert "contrasena_nueva" in _error(r, 400, "VALIDACION")["detalles"]
    r = _con(api, "POST", "/api/v1/yo/contrasena", propio,
             json={"contrasena_actual": CONTRASENA_PRUEBAS, "contrasena_nueva": CONTRASENA_PRUEBAS})
    assert "contrasena_nueva" in _error(r, 400, "VALIDACION")["detalles"]
    assert _con(api, "GET", "/api/v1/yo", robado).status_code == 200  # nada cambió todavía

    r = _con(api, "POST", "/api/v1/yo/contrasena", propio,
             json={"contrasena_actual": CONTRASENA_PRUEBAS, "contrasena_nueva": nueva})
    assert r.status_code == 200, r.text
    nuevo = r.json()["access_token"]
    assert nueva not in r.text and r.json()["debe_cambiar_contrasena"] is False
    # Los tokens de antes del cambio (también el de quien lo pidió) dejan de valer; el nuevo vale.
    for viejo in (robado, propio):
        assert "inicie sesión" in _error(_con(api, "GET", "/api/v1/yo", viejo), 401, "NO_AUTENTICADO")["mensaje"]
    assert _con(api, "GET", "/api/v1/yo", nuevo).json()["usuario"] == usuario
    _error(_entrar(api, usuario), 401, "NO_AUTENTICADO")
    assert _entrar(api, usuario, nueva).status_code == 200


def test_salir_cierra_ese_token_y_no_los_otros(api, sistema):
    """Como lo jugaría quien copió un token: después de que su dueña sale, ninguna ruta lo acepta (tampoco
    las que van a un servicio: el gateway ya no emite el token corto de RPC); el de su otro dispositivo vale."""
    usuario = f"tecnica3.{M}"
    _crear(api, {"usuario": usuario, "nombre": "Técnica Tercera de San José del Potrero",
                 "contrasena": CONTRASENA_PRUEBAS, "rol": "tecnica", "municipio": M})
    copiado = _entrar(api, usuario).json()["access_token"]
    otro = _entrar(api, usuario).json()["access_token"]
    assert _con(api, "GET", "/api/v1/casos", copiado).status_code == 200
    r = _con(api, "POST", "/api/v1/auth/salida", copiado)
    assert r.status_code == 200 and r.json() == {"mensaje": "Sesión cerrada."}, r.text
    for metodo, ruta in (("GET", "/api/v1/yo"), ("GET", "/api/v1/casos"), ("GET", "/api/v1/ayudas/beneficiarias"),
                         ("POST", "/api/v1/auth/salida")):
        assert "sesión se cerró" in _error(_con(api, metodo, ruta, copiado), 401, "NO_AUTENTICADO")["mensaje"]
    assert _con(api, "GET", "/api/v1/casos", otro).status_code == 200
    motor = sa.create_engine(sistema.urls["gateway"])
    with motor.connect() as c:
        cerrados = c.scalar(sa.text("SELECT count(*) FROM tokens_revocados WHERE usuario_id = :u"),
                            {"u": _id(api, usuario)})
    motor.dispose()
    assert cerrados == 1


def test_restablecimiento_obliga_a_cambiar_y_corta_los_tokens_anteriores(api, sistema):
    usuario = f"tecnica2.{M}"
    _crear(api, {"usuario": usuario, "nombre": "Técnica Segunda de San José del Potrero",
                 "contrasena": CONTRASENA_PRUEBAS,
                 "rol": "tecnica", "municipio": M})
    uid = _id(api, usuario)
    viejo = _entrar(api, usuario).json()["access_token"]
    assert _con(api, "GET", "/api/v1/casos", viejo).status_code == 200

    # Solo la administración restablece; un id que no existe es 404.
    _error(api.post(f"/api/v1/usuarios/{uid}/restablecimiento", f"coordinadora.{M}", json={}), 403, "PROHIBIDO")
    _error(api.post("/api/v1/usuarios/00000000-0000-4000-8000-000000000000/restablecimiento", "admin", json={}),
           404, "NO_ENCONTRADO")
    # Generada y devuelta una sola vez; un doble clic (misma Idempotency-Key) no genera otra.
    r = api.post(f"/api/v1/usuarios/{uid}/restablecimiento", "admin", json={},
                 cabeceras={"Idempotency-Key": "restablecer-tecnica2-0315"})
    assert r.status_code == 200, r.text
    temporal = r.json()["contrasena_temporal"]
    assert len(temporal) >= 10 and r.json()["usuario"]["debe_cambiar_contrasena"] is True
    otra = api.post(f"/api/v1/usuarios/{uid}/restablecimiento", "admin", json={},
                    cabeceras={"Idempotency-Key": "restablecer-tecnica2-0315"})
    assert otra.json()["contrasena_temporal"] == temporal

    # El token de antes ya no vale; la contraseña de antes tampoco.
    _error(_con(api, "GET", "/api/v1/yo", viejo), 401, "NO_AUTENTICADO")
    _error(_entrar(api, usuario), 401, "NO_AUTENTICADO")
    r = _entrar(api, usuario, temporal)
    assert r.status_code == 200 and r.json()["debe_cambiar_contrasena"] is True
    temporal_token = r.json()["access_token"]
    # Hasta cambiarla: /yo sí (y dice por qué), cualquier otra ruta 403 con un mensaje claro.
    assert _con(api, "GET", "/api/v1/yo", temporal_token).json()["debe_cambiar_contrasena"] is True
    for metodo, ruta in (("GET", "/api/v1/casos"), ("GET", "/api/v1/municipios"), ("GET", "/api/v1/ayudas/tipos")):
        cuerpo = _error(_con(api, metodo, ruta, temporal_token), 403, "CAMBIO_DE_CONTRASENA_REQUERIDO")
        assert "cambiar la contraseña" in cuerpo["mensaje"]
    r = _con(api, "POST", "/api/v1/yo/contrasena", temporal_token,
             json={"contrasena_actual": temporal, "contrasena_nueva": "la-mia-propia-de-esquias"})
    assert r.status_code == 200, r.text
    definitivo = r.json()["access_token"]
    assert _con(api, "GET", "/api/v1/casos", definitivo).status_code == 200
    assert _con(api, "GET", "/api/v1/yo", definitivo).json()["debe_cambiar_contrasena"] is False
    _error(_con(api, "GET", "/api/v1/yo", temporal_token), 401, "NO_AUTENTICADO")

    # Con una temporal dada por la administración (dictada por teléfono): no se devuelve.
    r = api.post(f"/api/v1/usuarios/{uid}/restablecimiento", "admin",
                 json={"contrasena_temporal": "temporal-dictada-0315"})
    assert r.status_code == 200 and "contrasena_temporal" not in r.json()
    assert "contrasena_temporal" in _error(api.post(f"/api/v1/usuarios/{uid}/restablecimiento", "admin",
                                                    json={"contrasena_temporal": "corta"}),
                                           400, "VALIDACION")["detalles"]
    assert _entrar(api, usuario, "temporal-dictada-0315").json()["debe_cambiar_contrasena"] is True

    # Queda en el log JSON quién restableció a quién, sin la contraseña.
    lineas = [json.loads(linea) for linea in sistema.log("gateway").splitlines() if '"omm.auditoria"' in linea]
    admin_id = _id(api, "admin")
    assert any(x["accion"] == "restablecer_contrasena" and x["objetivo_id"] == uid and x["actor_id"] == admin_id
               and x["generada"] is True for x in lineas)
    assert any(x["accion"] == "cambiar_contrasena" and x["actor_id"] == uid for x in lineas)
    assert temporal not in sistema.log("gateway") and "temporal-dictada-0315" not in sistema.log("gateway")
    # Una cuenta de administración pide 12 caracteres, como omm-admin.
    r = api.post("/api/v1/usuarios", "admin", json={"usuario": "admin.0315", "nombre": "Administración de prueba",
                                                    "contrasena": "once-letras", "rol": "admin"})
    assert "12 caracteres" in _error(r, 400, "VALIDACION")["detalles"]["contrasena"][0]


def test_cambiar_rol_o_municipio_de_una_usuaria_corta_sus_tokens(api):
    usuario = f"cis2.{M}"
    _crear(api, {"usuario": usuario, "nombre": "CIS Segundo de San José del Potrero", "contrasena": CONTRASENA_PRUEBAS,
                 "rol": "cis", "municipio": M})
    uid = _id(api, usuario)
    viejo = _entrar(api, usuario).json()["access_token"]
    r = api.patch(f"/api/v1/usuarios/{uid}", "admin", json={"nombre": "CIS de San José del Potrero (turno tarde)"})
    assert r.status_code == 200 and r.json()["nombre"] == "CIS de San José del Potrero (turno tarde)"
    assert _con(api, "GET", "/api/v1/yo", viejo).status_code == 200  # el nombre no toca los permisos
    assert "municipio" in _error(api.patch(f"/api/v1/usuarios/{uid}", "admin", json={"municipio": "9999"}),
                                 409, "REFERENCIA_INEXISTENTE")["detalles"]
    r = api.patch(f"/api/v1/usuarios/{uid}", "admin", json={"rol": "promotora"})
    assert r.status_code == 200 and r.json()["rol"] == "promotora" and r.json()["municipio"] == M
    # El token decía «cis»: ya no vale; uno nuevo dice «promotora».
    _error(_con(api, "GET", "/api/v1/yo", viejo), 401, "NO_AUTENTICADO")
    assert _entrar(api, usuario).json()["usuario"]["rol"] == "promotora"
    r = api.patch(f"/api/v1/usuarios/{uid}", "admin", json={"activo": False})
    assert r.json()["activo"] is False
    assert uid not in json.dumps(api.get("/api/v1/usuarios", "admin", params={"municipio": M, "activo": "true"})
                                 .json())


def test_mancomunidades_nuevas_y_municipio_movido_se_ve_en_la_region(api):
    a, b = "MANESQ-A", "MANESQ-B"
    r = api.post("/api/v1/mancomunidades", "admin",
                 json={"codigo": "manesq-a", "nombre": "Mancomunidad San José del Potrero A"},
                 cabeceras={"Idempotency-Key": "manc-esq-a"})
    assert r.status_code == 201, r.text
    assert r.json() == {"codigo": a, "nombre": "Mancomunidad San José del Potrero A", "municipios": []}
    repetida = api.post("/api/v1/mancomunidades", "admin",
                        json={"codigo": "manesq-a", "nombre": "Mancomunidad San José del Potrero A"},
                        cabeceras={"Idempotency-Key": "manc-esq-a"})
    assert repetida.status_code == 201 and repetida.json() == r.json()
    _error(api.post("/api/v1/mancomunidades", "admin", json={"codigo": a, "nombre": "Otra"}), 409, "DUPLICADO")
    _error(api.post("/api/v1/mancomunidades", "admin",
                    json={"codigo": "MANESQ-Z", "nombre": "mancomunidad san josé del potrero a"}), 409, "DUPLICADO")
    assert "codigo" in _error(api.post("/api/v1/mancomunidades", "admin", json={"codigo": "Mañ Esq", "nombre": "X"}),
                              400, "VALIDACION")["detalles"]
    _error(api.post("/api/v1/mancomunidades", f"coordinadora.{M}", json={"codigo": "MANESQ-C", "nombre": "C"}),
           403, "PROHIBIDO")
    assert api.post("/api/v1/mancomunidades", "admin",
                    json={"codigo": b, "nombre": "Mancomunidad San José del Potrero B"},
                    cabeceras={"Idempotency-Key": "manc-esq-b"}).status_code == 201
    for codigo in (a, b):
        _crear(api, {"usuario": f"mancomunidad.{codigo.lower()}", "nombre": f"Técnica de la {codigo}",
                     "contrasena": CONTRASENA_PRUEBAS, "rol": "mancomunidad", "mancomunidad": codigo})

    # Asignar: errores en español; la lista de municipios y la de mancomunidades lo reflejan.
    assert "mancomunidad" in _error(api.put(f"/api/v1/municipios/{M}", "admin", json={"mancomunidad": "NOEXISTE"}),
                                    409, "REFERENCIA_INEXISTENTE")["detalles"]
    _error(api.put("/api/v1/municipios/9999", "admin", json={"mancomunidad": a}), 404, "NO_ENCONTRADO")
    _error(api.put(f"/api/v1/municipios/{M}", f"coordinadora.{M}", json={"mancomunidad": a}), 403, "PROHIBIDO")
    r = api.put(f"/api/v1/municipios/{M}", "admin", json={"mancomunidad": a})
    assert r.status_code == 200 and r.json()["mancomunidad"] == a, r.text
    esquias = next(m for m in api.get("/api/v1/municipios", f"tecnica.{M}").json() if m["codigo"] == M)
    assert esquias["mancomunidad"] == a and esquias["nombre"] == "San José del Potrero"
    mancs = {m["codigo"]: m for m in api.get("/api/v1/mancomunidades", f"tecnica.{M}").json()}
    assert mancs[a]["municipios"] == [M] and mancs[b]["municipios"] == []
    assert mancs["MAMCOPAZ"]["municipios"] == ["0302", "0306", "0309"]

    def region(codigo):
        r = api.get("/api/v1/region/estadisticas", f"mancomunidad.{codigo.lower()}")
        assert r.status_code == 200, r.text
        return r.json()["municipios"]
    assert region(a) == [M]
    assert region(b) == []  # reportes recuerda ahora a B sin miembros
    # Mover: las cifras de las dos mancomunidades lo reflejan enseguida, no al minuto de la copia de reportes.
    assert api.put(f"/api/v1/municipios/{M}", "admin", json={"mancomunidad": b}).status_code == 200
    esperar(lambda: region(b) == [M] and region(a) == [], 10, mensaje="la región ve el municipio movido")
    # Sacarlo de toda mancomunidad.
    r = api.put(f"/api/v1/municipios/{M}", "admin", json={"mancomunidad": None})
    assert r.status_code == 200 and r.json()["mancomunidad"] is None
    esperar(lambda: region(b) == [], 10, mensaje="la región ya no lo ve")


def test_las_usuarias_de_la_demo_se_leen_como_personas_con_tildes(api):
    r = api.get("/api/v1/usuarios", "admin", params={"mancomunidad": "MAMCOPAZ", "por_pagina": 200}).json()
    nombres = {u["usuario"]: u["nombre"] for u in r["items"]}
    assert nombres["tecnica.0309"] == "Técnica de Lejamaní"
    assert nombres["coordinadora.0309"] == "Coordinadora de Lejamaní"
    assert nombres["cis.0302"] == "CIS de Ajuterique" and nombres["promotora.0306"] == "Promotora de La Libertad"
    assert nombres["mancomunidad.mamcopaz"] == "Técnica de la Mancomunidad de Municipios del Centro de La Paz y Comayagua"
    assert not any(n.endswith(("0309", "0302", "0306")) for n in nombres.values())
    # El token lleva el mismo nombre (recibos y listas firmadas dicen quién entregó).
    assert api.get("/api/v1/yo", "promotora.0306").json()["nombre"] == "Promotora de La Libertad"


def test_una_cuenta_desactivada_deja_de_valer_en_otra_instancia_del_gateway_por_el_aviso(api, sistema, tmp_path):
    # Issue 17: el estado de la cuenta se responde de memoria (sin consulta por petición) y se mantiene al día
    # por el aviso CuentaCambiada que difunde la instancia que la cambió. Una segunda instancia del gateway
    # recuerda la cuenta activa; la admin la desactiva en la primera; la segunda rechaza el token mucho antes
    # de que venza lo recordado (auth.ACTIVAS.segundos = 30).
    from omm_pruebas import proceso_nameko, puerto_libre
    usuario = f"tecnica3.{M}"
    _crear(api, {"usuario": usuario, "nombre": "Técnica Tercera de San José del Potrero",
                 "contrasena": CONTRASENA_PRUEBAS, "rol": "tecnica", "municipio": M})
    uid = _id(api, usuario)
    puerto = puerto_libre()
    otra = proceso_nameko("gateway", "Gateway", {**sistema.env, "AMQP_URI": sistema.uri("gateway"),
                                                   "GATEWAY_DIRECCION": f"127.0.0.1:{puerto}"}, tmp_path).iniciar()
    try:
        base = f"http://127.0.0.1:{puerto}"
        esperar(lambda: requests.get(f"{base}/health/gateway", timeout=5).status_code == 200, 60,
                mensaje="la segunda instancia del gateway")
        token = _entrar(api, usuario).json()["access_token"]
        # Una ruta que no lee la cuenta (/yo sí la lee de la base): solo lo recordado decide si el token vale.
        def tipos():
            return requests.get(f"{base}/api/v1/ayudas/tipos", headers={"Authorization": f"Bearer {token}"},
                                timeout=30).status_code
        assert tipos() == 200  # la recuerda activa
        assert api.patch(f"/api/v1/usuarios/{uid}", "admin", json={"activo": False}).json()["activo"] is False
        # 20 s: antes de los 30 que dura lo recordado; lo rechaza por el aviso, no por el vencimiento.
        esperar(lambda: tipos() == 401, 20, 0.1, "la otra instancia rechaza el token")
    finally:
        otra.detener()
