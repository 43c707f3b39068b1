"""Pantallas de administración en la aplicación web, contra el sistema real, en Dolores (Copán, 0407).

La administración crea, cambia, desactiva y reactiva cuentas, restablece contraseñas (la temporal se ve una sola
vez, nunca en una URL) y pone municipios en mancomunidades; quien entra con una temporal no hace nada más hasta
cambiarla; la coordinadora lee el personal de su oficina y nada de esto otro.
"""
import re

import pytest
import requests

from omm_pruebas import CONTRASENA_PRUEBAS

from .navegador import Navegador
from .navegador import entrar_sin_javascript as _entrar

pytestmark = pytest.mark.integracion

M = "0407"
MANC = "WEB-ADM"
PERSONAL = {"coordinadora": ("adm.coordinadora.0407", "Coordinadora de Dolores"),
            "tecnica": ("adm.tecnica.0407", "Técnica de Dolores"),
            "promotora": ("adm.promotora.0407", "Promotora de Dolores")}


@pytest.fixture(scope="module")
def api(sistema):
    api = sistema.api
    for rol, (usuario, nombre) in PERSONAL.items():
        _crear_api(api, usuario, nombre, rol)
    return api


def _crear_api(api, usuario, nombre, rol="tecnica", contrasena=CONTRASENA_PRUEBAS):
    r = api.post("/api/v1/usuarios", "admin", json={"usuario": usuario, "nombre": nombre, "rol": rol,
                                                    "municipio": M, "contrasena": contrasena})
    assert r.status_code in (201, 409), r.text
    return _id(api, usuario)


def _id(api, usuario):
    r = api.get("/api/v1/usuarios", "admin", params={"q": usuario})
    return next(u["id"] for u in r.json()["items"] if u["usuario"] == usuario)




def _formulario(s, base, ruta):
    """El csrf y la clave de un formulario de la página."""
    html = s.get(f"{base}{ruta}").text
    clave = re.search(r'name="clave" value="([^"]+)"', html)
    return {"csrf": re.search(r'name="csrf" value="([^"]+)"', html).group(1), **({"clave": clave.group(1)} if clave else {})}


def _token(api, usuario, contrasena):
    return requests.post(f"{api.base}/api/v1/auth/token", json={"usuario": usuario, "contrasena": contrasena},
                         timeout=30)


# --- la API que la pantalla de una cuenta necesita ---

def test_la_api_busca_una_usuaria_por_su_id(api):
    uid = _id(api, PERSONAL["tecnica"][0])
    r = api.get("/api/v1/usuarios", "admin", params={"id": uid})
    assert r.status_code == 200 and [u["usuario"] for u in r.json()["items"]] == [PERSONAL["tecnica"][0]]
    # La coordinadora solo halla a las de su municipio, también por id.
    assert api.get("/api/v1/usuarios", PERSONAL["coordinadora"][0], params={"id": uid}).json()["total"] == 1
    ajena = _id(api, "tecnica.0309")
    assert api.get("/api/v1/usuarios", PERSONAL["coordinadora"][0], params={"id": ajena}).json()["items"] == []
    r = api.get("/api/v1/usuarios", "admin", params={"id": "no-es-un-id"})
    assert r.status_code == 400 and "id" in r.json()["detalles"]


# --- por HTTP: permisos, cabeceras, CSRF, errores en su campo ---

def test_paginas_de_administracion_no_store_y_solo_para_admin(api):
    uid = _id(api, PERSONAL["tecnica"][0])
    paginas = ["/admin/usuarias", "/admin/usuarias/nueva", f"/admin/usuarias/{uid}", "/admin/municipios",
               f"/admin/municipios/{M}", "/admin/mancomunidades", "/admin/usuarias?rol=tecnica&municipio=0407"]
    admin = _entrar(api.base, "admin")
    for ruta in paginas:
        r = admin.get(f"{api.base}{ruta}", allow_redirects=False)
        assert r.status_code == 200, (ruta, r.text[:300])
        assert r.headers["Cache-Control"] == "no-store" and r.headers["X-Frame-Options"] == "DENY"
    assert "Técnica de Dolores" in admin.get(f"{api.base}/admin/usuarias?municipio={M}").text
    # Una cuenta que no existe, o un id que no lo es: 404 en español, no un 500.
    for ruta in ("/admin/usuarias/00000000-0000-4000-8000-000000000000", "/admin/usuarias/x", "/admin/municipios/9999"):
        r = admin.get(f"{api.base}{ruta}")
        assert r.status_code == 404 and "No se encontró" in r.text
    # Un filtro inválido en la URL se dice junto a su campo.
    r = admin.get(f"{api.base}/admin/usuarias?rol=jefa")
    assert r.status_code == 200 and 'id="rol-error"' in r.text

    coordinadora = _entrar(api.base, PERSONAL["coordinadora"][0])
    ocultos = _formulario(coordinadora, api.base, "/personal")
    for ruta in paginas:
        r = coordinadora.get(f"{api.base}{ruta}", allow_redirects=False)
        assert r.status_code == 403 and "Sin permiso" in r.text, ruta
        assert r.headers["Cache-Control"] == "no-store"
    for ruta, datos in ((f"/admin/usuarias/{uid}/activo", {"activo": "no"}),
                        (f"/admin/usuarias/{uid}/restablecimiento", {}),
                        ("/admin/usuarias/nueva", {"usuario": "intrusa.0407", "nombre": "Intrusa", "rol": "admin",
                                                   "contrasena": "una-contrasena-larga"}),
                        (f"/admin/municipios/{M}", {"mancomunidad": ""}),
                        ("/admin/mancomunidades", {"codigo": "INTRUSA", "nombre": "Intrusa"})):
        r = coordinadora.post(f"{api.base}{ruta}", data={**ocultos, **datos}, allow_redirects=False)
        assert r.status_code == 403, ruta
    assert _token(api, PERSONAL["tecnica"][0], CONTRASENA_PRUEBAS).status_code == 200  # nada cambió
    assert api.get("/api/v1/usuarios", "admin", params={"q": "intrusa.0407"}).json()["total"] == 0

    # El personal de su oficina, de solo lectura; otros roles no lo ven.
    r = coordinadora.get(f"{api.base}/personal")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert all(nombre in r.text for _, nombre in PERSONAL.values())
    assert "Técnica de Lejamaní" not in r.text and "<form" not in r.text.split("<main", 1)[1]
    tecnica = _entrar(api.base, PERSONAL["tecnica"][0])
    for ruta in ("/personal", "/admin/usuarias"):
        assert tecnica.get(f"{api.base}{ruta}").status_code == 403


def test_un_formulario_de_administracion_sin_csrf_se_rechaza(api):
    admin = _entrar(api.base, "admin")
    datos = {"usuario": "sin-csrf.0407", "nombre": "Sin CSRF", "rol": "tecnica", "municipio": M,
             "contrasena": "una-contrasena-larga"}
    for csrf in ({}, {"csrf": "falso"}):
        r = admin.post(f"{api.base}/admin/usuarias/nueva", data={**datos, **csrf}, allow_redirects=False)
        assert r.status_code == 403 and "venció" in r.text
    r = admin.post(f"{api.base}/admin/mancomunidades", data={"codigo": "SIN-CSRF", "nombre": "Sin CSRF"},
                   allow_redirects=False)
    assert r.status_code == 403
    assert api.get("/api/v1/usuarios", "admin", params={"q": "sin-csrf.0407"}).json()["total"] == 0
    assert "SIN-CSRF" not in {m["codigo"] for m in api.get("/api/v1/mancomunidades", "admin").json()}


def test_crear_usuaria_errores_junto_al_campo_y_contrasena_inicial_temporal(api):
    admin = _entrar(api.base, "admin")
    base = {"nombre": "Ana Prueba Creada", "rol": "tecnica", "municipio": M, "contrasena": "inicial-de-ana-1",
            "cambiar": "si"}
    # Usuario repetido: 409 dicho junto al campo «usuario», con lo escrito todavía en el formulario.
    r = admin.post(f"{api.base}/admin/usuarias/nueva", allow_redirects=False, data={
        **_formulario(admin, api.base, "/admin/usuarias/nueva"), **base, "usuario": PERSONAL["tecnica"][0]})
    assert r.status_code == 409 and 'id="usuario-error"' in r.text and "Ya existe una usuaria" in r.text
    assert "Ana Prueba Creada" in r.text and "inicial-de-ana-1" not in r.text  # la contraseña no vuelve
    # Sin municipio para un rol de oficina; administración con contraseña corta.
    r = admin.post(f"{api.base}/admin/usuarias/nueva", data={
        **_formulario(admin, api.base, "/admin/usuarias/nueva"), **base, "usuario": "ana.0407", "municipio": ""})
    assert r.status_code == 400 and 'id="municipio-error"' in r.text and "requiere un municipio" in r.text
    r = admin.post(f"{api.base}/admin/usuarias/nueva", data={
        **_formulario(admin, api.base, "/admin/usuarias/nueva"), **base, "usuario": "ana.0407", "rol": "admin",
        "municipio": "", "contrasena": "once-letras"})
    assert r.status_code == 400 and 'id="contrasena-error"' in r.text and "12 caracteres" in r.text
    assert api.get("/api/v1/usuarios", "admin", params={"q": "ana.0407"}).json()["total"] == 0

    # Bien: la cuenta queda creada; un doble envío (misma clave) no crea otra ni falla.
    ocultos = _formulario(admin, api.base, "/admin/usuarias/nueva")
    for _ in range(2):
        r = admin.post(f"{api.base}/admin/usuarias/nueva", data={**ocultos, **base, "usuario": "Ana.0407"},
                       allow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"].endswith("?aviso=creada"), r.text[:300]
    assert api.get("/api/v1/usuarios", "admin", params={"q": "ana.0407"}).json()["total"] == 1
    # Con «que la cambie al entrar», la inicial es temporal.
    r = _token(api, "ana.0407", "inicial-de-ana-1")
    assert r.status_code == 200 and r.json()["debe_cambiar_contrasena"] is True


def test_buscar_por_nombre_va_por_post_y_los_filtros_en_la_url(api):
    admin = _entrar(api.base, "admin")
    ocultos = _formulario(admin, api.base, "/admin/usuarias")
    r = admin.post(f"{api.base}/admin/usuarias", data={**ocultos, "q": "tecnica de dolores", "rol": "",
                                                       "municipio": "", "mancomunidad": "", "activo": ""},
                   allow_redirects=False)
    assert r.status_code == 200 and "Técnica de Dolores" in r.text and "Coordinadora de Dolores" not in r.text
    assert r.headers["Cache-Control"] == "no-store"
    # Sin texto, los filtros (que no son datos de personas) quedan en una URL que se puede volver a abrir.
    r = admin.post(f"{api.base}/admin/usuarias", data={**ocultos, "q": "", "rol": "promotora", "municipio": M,
                                                       "activo": "si"}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == f"/admin/usuarias?rol=promotora&municipio={M}&activo=si"
    r = admin.get(f"{api.base}{r.headers['Location']}")
    assert "Promotora de Dolores" in r.text and "Técnica de Dolores" not in r.text


def test_restablecer_muestra_la_temporal_una_vez_y_sin_url(api):
    uid = _crear_api(api, "adm.restablecer.0407", "Marta Restablecida")
    admin = _entrar(api.base, "admin")
    ocultos = _formulario(admin, api.base, f"/admin/usuarias/{uid}")
    r = admin.post(f"{api.base}/admin/usuarias/{uid}/restablecimiento", data=ocultos, allow_redirects=False)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    temporal = re.search(r'id="temporal">([^<]+)<', r.text).group(1)
    assert len(temporal) >= 10 and temporal not in re.search(r"<title>(.*)</title>", r.text).group(1)
    # El mismo envío dos veces (doble toque): la misma temporal, no otra que la anule.
    otra = admin.post(f"{api.base}/admin/usuarias/{uid}/restablecimiento", data=ocultos)
    assert re.search(r'id="temporal">([^<]+)<', otra.text).group(1) == temporal
    # La página de la cuenta no la vuelve a mostrar; solo dice que debe cambiarla.
    r = admin.get(f"{api.base}/admin/usuarias/{uid}")
    assert temporal not in r.text and "debe cambiar su contraseña" in r.text
    assert _token(api, "adm.restablecer.0407", temporal).json()["debe_cambiar_contrasena"] is True
    # Una temporal dictada: corta se dice junto a su campo; bien, no se muestra.
    r = admin.post(f"{api.base}/admin/usuarias/{uid}/restablecimiento",
                   data={**_formulario(admin, api.base, f"/admin/usuarias/{uid}"), "contrasena_temporal": "corta"})
    assert r.status_code == 400 and 'id="contrasena_temporal-error"' in r.text
    r = admin.post(f"{api.base}/admin/usuarias/{uid}/restablecimiento",
                   data={**_formulario(admin, api.base, f"/admin/usuarias/{uid}"),
                         "contrasena_temporal": "dictada-por-telefono"})
    assert r.status_code == 200 and "dictada-por-telefono" not in r.text and 'id="temporal"' not in r.text
    assert _token(api, "adm.restablecer.0407", "dictada-por-telefono").status_code == 200


def test_el_inicio_de_la_administracion_cuenta_las_cuentas(api):
    admin = _entrar(api.base, "admin")
    r = admin.get(f"{api.base}/")
    assert r.status_code == 200 and "Técnicas activas" in r.text and "Cuentas desactivadas" in r.text
    tecnicas = api.get("/api/v1/usuarios", "admin", params={"rol": "tecnica", "activo": "true"}).json()["total"]
    assert re.search(rf'<span class="cifra">{tecnicas}</span>\s*<a href="/admin/usuarias\?rol=tecnica&amp;activo=si">'
                     r"Técnicas activas", r.text), r.text


# --- en el navegador, como lo hace una persona ---

def _otro_navegador(sistema, request, nombre):
    return Navegador(sistema.api.base, f"{request.node.name}-{nombre}")


def test_en_el_navegador_admin_crea_cambia_desactiva_y_reactiva(api, navegador, sistema, request):
    n = navegador
    n.entrar("admin", CONTRASENA_PRUEBAS)
    assert "Técnicas activas" in n.texto and "Cuentas desactivadas" in n.texto
    n.clic("Usuarias")
    n.clic("Nueva usuaria")
    n.escribir("#nombre", "Rosa Elvira Nueva")
    n.escribir("#usuario", "adm.nueva.0407")
    n.elegir("#rol", valor="tecnica")
    n.elegir("#municipio", valor=M)
    n.escribir("#contrasena", "inicial-de-rosa-1")
    n.encontrar("#cambiar").click()  # esta vez, sin obligarla a cambiarla
    n.enviar(nombre="usuaria-creada")
    assert "Usuaria creada" in n.texto and "Rosa Elvira Nueva" in n.texto and "Dolores" in n.texto
    ficha = n.driver.current_url.split("?")[0]

    # Ella entra en su propio navegador.
    t = _otro_navegador(sistema, request, "tecnica")
    try:
        t.entrar("adm.nueva.0407", "inicial-de-rosa-1")
        assert "Para hoy" in t.texto and "Rosa Elvira Nueva" in t.texto

        # La administración la desactiva: su sesión web deja de valer enseguida.
        n.enviar("form[action$='/activo'] button", nombre="desactivada")
        assert "Cuenta desactivada" in n.texto and "Desactivada" in n.texto
        t.ir("/", "tras-desactivar")
        assert "/entrar" in t.driver.current_url and "Su sesión terminó" in t.texto
        t.escribir("#usuario", "adm.nueva.0407")
        t.escribir("#contrasena", "inicial-de-rosa-1")
        t.enviar(nombre="entrar-desactivada")
        assert "/entrar" in t.driver.current_url and "Para hoy" not in t.texto

        # En la lista sale desactivada; se reactiva y vuelve a entrar.
        n.ir("/admin/usuarias?activo=no&municipio=" + M, "desactivadas")
        assert "Rosa Elvira Nueva" in n.texto
        n.clic("Rosa Elvira Nueva", nombre="ficha")
        n.enviar("form[action$='/activo'] button", nombre="reactivada")
        assert "Cuenta reactivada" in n.texto
        t.entrar("adm.nueva.0407", "inicial-de-rosa-1")
        assert "Para hoy" in t.texto

        # Otro rol: queda como promotora, y su sesión abierta (de técnica) se cierra.
        n.elegir("#rol", valor="promotora")
        n.enviar(nombre="cambiar-rol")
        assert "Cambios guardados" in n.texto and "Promotora" in n.encontrar("dl.datos").text
        assert n.driver.current_url.split("?")[0] == ficha
        t.ir("/", "tras-cambiar-rol")
        assert "/entrar" in t.driver.current_url
        t.entrar("adm.nueva.0407", "inicial-de-rosa-1")
        assert "Promotora" in t.encontrar(".barra .quien").text

        # Un cambio que la API rechaza se dice junto al campo, en la misma pantalla.
        n.escribir("#nombre", " ")
        n.enviar(nombre="nombre-vacio")
        assert "El nombre no puede quedar vacío" in n.encontrar("#nombre-error").text
        t.sin_datos_en_urls("Rosa Elvira", "inicial-de-rosa-1")
    finally:
        t.cerrar()
    n.sin_datos_en_urls("Rosa Elvira", "inicial-de-rosa-1")


def test_en_el_navegador_restablecer_obliga_a_cambiarla_al_entrar(api, navegador, sistema, request):
    _crear_api(api, "adm.olvido.0407", "Julia Olvidadiza")
    n = navegador
    n.entrar("admin", CONTRASENA_PRUEBAS)
    n.clic("Usuarias")
    n.escribir("#q", "Julia Olvid")
    n.enviar(nombre="buscar-por-nombre")
    assert "1 usuaria" in n.texto and "Julia Olvidadiza" in n.texto
    n.clic("Julia Olvidadiza", nombre="ficha")
    n.enviar("form[action$='/restablecimiento'] button", nombre="temporal")
    temporal = n.encontrar("#temporal").text.strip()
    assert len(temporal) >= 10 and "se muestra solo esta vez" in n.texto
    assert temporal not in n.titulo and temporal not in n.driver.current_url

    t = _otro_navegador(sistema, request, "olvidadiza")
    try:
        # Su contraseña de antes ya no sirve; con la temporal entra, pero solo a cambiarla.
        t.ir("/entrar", "entrar")
        t.escribir("#usuario", "adm.olvido.0407")
        t.escribir("#contrasena", CONTRASENA_PRUEBAS)
        t.enviar(nombre="contrasena-vieja")
        assert "Usuario o contraseña incorrectos" in t.texto
        t.entrar("adm.olvido.0407", temporal)
        assert t.driver.current_url.endswith("/contrasena") and "contraseña temporal" in t.texto
        for ruta in ("/", "/admin/usuarias", "/personal"):
            t.ir(ruta, "obligada")
            assert t.driver.current_url.endswith("/contrasena"), ruta
        t.escribir("#contrasena_actual", temporal)
        t.escribir("#contrasena_nueva", "la-mia-de-julia-1")
        t.escribir("#confirmacion", "la-mia-de-julia-1")
        t.enviar(nombre="cambiada")
        assert "Su contraseña se cambió" in t.texto and "Para hoy" in t.texto
        assert t.driver.current_url.endswith("/?aviso=contrasena")
        t.sin_datos_en_urls(temporal, "Julia", "la-mia-de-julia-1")
    finally:
        t.cerrar()
    # La administración ve la cuenta activa, ya sin cambio pendiente.
    n.ir("/admin/usuarias?municipio=" + M, "lista")
    n.clic("Julia Olvidadiza", nombre="ficha-tras-cambio")
    assert "debe cambiar" not in n.encontrar("dl.datos").text
    n.sin_datos_en_urls(temporal, "Julia", "Olvid")
    assert _token(api, "adm.olvido.0407", "la-mia-de-julia-1").json()["debe_cambiar_contrasena"] is False


def test_en_el_navegador_mancomunidad_nueva_con_dolores(api, navegador):
    n = navegador
    n.entrar("admin", CONTRASENA_PRUEBAS)
    n.clic("Municipios")
    # Primero, los que ya están en una mancomunidad (no los 298 de una vez).
    assert "en alguna mancomunidad" in n.texto and "Lejamaní" in n.texto and "Dolores" not in n.texto
    n.elegir("#departamento", valor="Copán")
    n.enviar(nombre="municipios-copan")
    assert "23 municipios" in n.texto and "Dolores" in n.texto and "Lejamaní" not in n.texto
    n.clic("Mancomunidades")
    n.escribir("#nombre", "Mancomunidad de Prueba de Dolores")
    n.escribir("#codigo", "web-adm")
    n.enviar(nombre="mancomunidad-creada")
    assert "Mancomunidad creada" in n.texto and MANC in n.texto and "Ninguno todavía" in n.texto
    # La misma otra vez: DUPLICADO dicho junto al campo, con lo escrito.
    n.escribir("#nombre", "Otra de Prueba")
    n.escribir("#codigo", MANC)
    n.enviar(nombre="mancomunidad-repetida")
    assert "Ya existe una mancomunidad con ese código" in n.encontrar("#codigo-error").text
    assert n.encontrar("#nombre").get_attribute("value") == "Otra de Prueba"

    n.ir("/admin/municipios?departamento=Cop%C3%A1n", "municipios-copan")
    n.encontrar(f"a[href='/admin/municipios/{M}']").click()
    n.revisar("municipio")
    assert "Dolores" in n.texto and "Copán" in n.texto
    n.elegir("#mancomunidad", valor=MANC)
    n.enviar(nombre="municipio-asignado")
    assert "Municipio asignado" in n.texto
    dolores = next(m for m in api.get("/api/v1/municipios", "admin").json() if m["codigo"] == M)
    assert dolores["mancomunidad"] == MANC
    n.ir("/admin/mancomunidades", "mancomunidades")
    fila = next(tr.text for tr in n.todos("tbody tr") if MANC in tr.text)
    assert "Dolores" in fila
    n.ir(f"/admin/municipios?mancomunidad={MANC}", "miembros")
    assert "1 municipio" in n.texto and "Dolores" in n.texto
    # Sacarlo de toda mancomunidad.
    n.ir(f"/admin/municipios/{M}", "municipio")
    n.elegir("#mancomunidad", valor="")
    n.enviar(nombre="municipio-sacado")
    assert "ya no pertenece a ninguna mancomunidad" in n.texto
    assert next(m for m in api.get("/api/v1/municipios", "admin").json() if m["codigo"] == M)["mancomunidad"] is None


def test_en_el_navegador_la_coordinadora_ve_su_personal_y_no_la_administracion(api, navegador):
    n = navegador
    n.entrar(PERSONAL["coordinadora"][0], CONTRASENA_PRUEBAS)
    assert "Usuarias" not in [a.text for a in n.todos("nav.menu a")]
    n.clic("Personal")
    assert all(nombre in n.texto for _, nombre in PERSONAL.values()) and "Técnica de Lejamaní" not in n.texto
    assert not n.todos("main form")
    n.ir("/admin/usuarias", "sin-permiso")
    assert "Sin permiso" in n.texto and n.titulo == "Sin permiso · OMM"

