"""La aplicación web: entrar con cada rol, la sesión (cookie, CSRF, inactividad, salida), cabeceras de seguridad,
contra el sistema real y en un Chromium de verdad."""
import re

import pytest
import requests
import sqlalchemy as sa

import omm_pruebas

pytestmark = pytest.mark.integracion

M = "0317"
ROLES = {"coordinadora": f"web.coordinadora.{M}", "tecnica": f"web.tecnica.{M}", "promotora": f"web.promotora.{M}",
         "cis": f"web.cis.{M}"}


@pytest.fixture(scope="module")
def api(sistema):
    api = sistema.api
    for rol, usuario in ROLES.items():
        r = api.post("/api/v1/usuarios", "admin", json={
            "usuario": usuario, "nombre": f"{rol.capitalize()} de Prueba Web", "rol": rol, "municipio": M,
            "contrasena": omm_pruebas.CONTRASENA_PRUEBAS})
        assert r.status_code in (201, 409), r.text
    return api


def _entrar(base, usuario, contrasena=omm_pruebas.CONTRASENA_PRUEBAS):
    """Como un navegador sin JavaScript: pide el formulario y lo envía con su CSRF."""
    s = requests.Session()
    r = s.get(f"{base}/entrar")
    csrf = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    r = s.post(f"{base}/entrar", data={"csrf": csrf, "usuario": usuario, "contrasena": contrasena},
               allow_redirects=False)
    return s, r


def _csrf(s, base, ruta="/"):
    return re.search(r'name="csrf" value="([^"]+)"', s.get(f"{base}{ruta}").text).group(1)


def test_sin_sesion_la_raiz_lleva_a_entrar(api):
    r = requests.get(f"{api.base}/", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/entrar"
    r = requests.get(f"{api.base}/entrar")
    assert r.status_code == 200 and 'lang="es"' in r.text and "Usuario" in r.text
    assert r.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"] and "unsafe-inline" not in \
        r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("rol", list(ROLES))
def test_cada_rol_entra_y_llega_a_su_inicio(api, rol):
    s, r = _entrar(api.base, ROLES[rol])
    assert r.status_code == 303 and r.headers["Location"] == "/", r.text[:500]
    cookie = r.headers["Set-Cookie"]
    assert "omm_sesion=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    r = s.get(f"{api.base}/")
    assert r.status_code == 200 and "Para hoy" in r.text
    assert r.headers["Cache-Control"] == "no-store"
    assert f"{rol.capitalize()} de Prueba Web" in r.text


def test_contrasena_equivocada_dice_por_que_en_espanol(api):
    _, r = _entrar(api.base, ROLES["tecnica"], "no-es-la-contrasena")
    assert r.status_code == 401 and "Usuario o contraseña incorrectos" in r.text
    assert "omm_sesion=" not in r.headers.get("Set-Cookie", "")


def test_un_formulario_sin_el_csrf_se_rechaza(api):
    s, _ = _entrar(api.base, ROLES["coordinadora"])
    # Otro sitio que hace enviar el formulario de salida (o cualquier otro) no conoce el token.
    r = s.post(f"{api.base}/salir", data={}, allow_redirects=False)
    assert r.status_code == 403 and "venció" in r.text
    r = s.post(f"{api.base}/salir", data={"csrf": "falso"}, allow_redirects=False)
    assert r.status_code == 403
    assert s.get(f"{api.base}/", allow_redirects=False).status_code == 200  # la sesión sigue
    # Entrar tampoco acepta un formulario que no salió de esta aplicación.
    r = requests.post(f"{api.base}/entrar", data={"usuario": ROLES["tecnica"],
                                                  "contrasena": omm_pruebas.CONTRASENA_PRUEBAS},
                      allow_redirects=False)
    assert r.status_code == 403 and "omm_sesion=" not in r.headers.get("Set-Cookie", "")


def test_salir_cierra_la_sesion_en_el_servidor(api):
    s, _ = _entrar(api.base, ROLES["promotora"])
    robada = s.cookies.get("omm_sesion")
    r = s.post(f"{api.base}/salir", data={"csrf": _csrf(s, api.base)}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/entrar")
    # La cookie copiada antes de salir ya no vale.
    r = requests.get(f"{api.base}/", cookies={"omm_sesion": robada}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/entrar")


def test_la_sesion_inactiva_vence(api, sistema):
    s, _ = _entrar(api.base, ROLES["cis"])
    assert s.get(f"{api.base}/", allow_redirects=False).status_code == 200
    motor = sa.create_engine(sistema.urls["gateway"])
    with motor.begin() as c:  # 16 minutos sin actividad (el límite es 15)
        c.execute(sa.text("UPDATE sesiones_web SET ultima_actividad = ultima_actividad - interval '16 minutes' "
                          "WHERE usuario_id = (SELECT id FROM usuarios WHERE usuario = :u)"), {"u": ROLES["cis"]})
    motor.dispose()
    r = s.get(f"{api.base}/", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/entrar?motivo=sesion"


def test_desactivar_a_la_usuaria_cierra_su_sesion_web(api):
    r = api.post("/api/v1/usuarios", "admin", json={
        "usuario": f"web.temporal.{M}", "nombre": "Temporal", "rol": "tecnica", "municipio": M,
        "contrasena": omm_pruebas.CONTRASENA_PRUEBAS})
    assert r.status_code in (201, 409)
    uid = r.json()["id"] if r.status_code == 201 else None
    s, _ = _entrar(api.base, f"web.temporal.{M}")
    assert s.get(f"{api.base}/", allow_redirects=False).status_code == 200
    if uid:
        assert api.patch(f"/api/v1/usuarios/{uid}", "admin", json={"activo": False}).status_code == 200
        r = s.get(f"{api.base}/", allow_redirects=False)
        assert r.status_code == 303


def test_el_api_sigue_con_tokens_y_sin_cookies(api):
    r = api.get("/api/v1/yo", ROLES["tecnica"])
    assert r.status_code == 200 and r.json()["rol"] == "tecnica"
    # Una cookie de sesión no abre la API: solo el token Bearer.
    s, _ = _entrar(api.base, ROLES["tecnica"])
    assert s.get(f"{api.base}/api/v1/yo").status_code == 401


def test_los_estaticos_se_guardan_un_ano(api):
    r = requests.get(f"{api.base}/entrar")
    css = re.search(r'href="(/estatico/omm\.css\?v=[0-9a-f]+)"', r.text).group(1)
    r = requests.get(f"{api.base}{css}", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and "immutable" in r.headers["Cache-Control"]
    assert r.headers.get("Content-Encoding") == "gzip"
    assert requests.get(f"{api.base}/estatico/../service.py").status_code == 404


def test_en_el_navegador_entrar_cambiar_contrasena_y_salir(api, navegador):
    n = navegador
    n.entrar(ROLES["coordinadora"], omm_pruebas.CONTRASENA_PRUEBAS)
    assert "Para hoy" in n.texto and n.titulo == "Inicio · OMM"
    n.ir("/contrasena")
    n.escribir("#contrasena_actual", "equivocada-123")
    n.escribir("#contrasena_nueva", "una-nueva-larga-1")
    n.escribir("#confirmacion", "otra-distinta-22")
    n.enviar(nombre="contrasena-con-error")
    assert "La confirmación no coincide" in n.texto
    n.salir()
    assert "Salió de la aplicación" in n.texto
    assert n.driver.current_url.endswith("/entrar?motivo=salida")
