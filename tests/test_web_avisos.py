"""Pantallas de avisos en un Chromium de verdad contra el sistema real, en el municipio de prueba 0404.

La coordinadora ve un envío que falló porque faltaba el contacto del CIS, lo registra (con el error del correo
junto a su campo), reintenta y el correo llega; cambia las reglas y ve lo que fallaría antes de que falle. El CIS
encuentra la derivación urgente arriba y resaltada, aunque haya una más nueva, y la confirma con un toque: la API
(notificaciones y casos) la ve confirmada. Además: no-store, 403 por rol, un POST sin CSRF rechazado.
"""
import re

import pytest

import omm_pruebas
from omm_common.tiempo import hoy_honduras
from omm_pruebas import esperar
from .navegador import entrar_sin_javascript as _entrar, ya_no_esta

pytestmark = pytest.mark.integracion

M = "0404"
CIS, COORD, TEC, PROM = (f"web.{rol}.{M}" for rol in ("cis", "coordinadora", "tecnica", "promotora"))
CORREO_CIS = "enfermeria.cis.0404@salud.prueba.hn"
URGENTE = {"nombres": "Lucía Esperanza", "apellidos": "Zelaya Orellana", "dni": f"{M}-1990-00417"}
NORMAL = {"nombres": "Marta Lidia", "apellidos": "Cruz Banegas", "dni": f"{M}-1985-00288"}
TERCERA = {"nombres": "Reina Isabel", "apellidos": "Amaya Flores", "dni": None}


@pytest.fixture(scope="module")
def api(sistema):
    api = sistema.api
    for rol, usuario in (("cis", CIS), ("coordinadora", COORD), ("tecnica", TEC), ("promotora", PROM)):
        r = api.post("/api/v1/usuarios", "admin", json={
            "usuario": usuario, "nombre": f"{rol.capitalize()} de Avisos", "rol": rol, "municipio": M,
            "contrasena": omm_pruebas.CONTRASENA_PRUEBAS})
        assert r.status_code in (201, 409), r.text
    return api


def _derivar(api, persona, tipos):
    """Una técnica registra el caso por la API y lo deriva al CIS (violencia sexual de hoy: urgente)."""
    hoy = hoy_honduras().isoformat()
    r = api.post("/api/v1/casos", TEC, json={
        "fecha_atencion": hoy, "fecha_incidente": hoy,
        "sobreviviente": {**persona, "comunidad": "Centro", "telefono": "+504 9404-0101"},
        "tipos_violencia": list(tipos), "contexto": "pareja", "relato": "relato de prueba", "nivel_riesgo": "alto",
        "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": True}})
    assert r.status_code == 201, r.text
    caso = r.json()
    d = api.post(f"/api/v1/casos/{caso['id']}/derivaciones", TEC,
                 json={"destino": "cis", "motivo": "Atención en salud", "urgente": False})
    assert d.status_code == 201, d.text
    return caso, d.json()


def _notificaciones(api, usuaria=COORD, **filtro):
    items = api.get("/api/v1/notificaciones", usuaria, params={"por_pagina": 200}).json()["items"]
    return [n for n in items if all(n.get(k) == v for k, v in filtro.items())]




def _pulsar(n, elemento, nombre):
    """Pulsa un enlace o botón ya encontrado y espera la página nueva (que se revisa como toda página)."""
    from selenium.webdriver.support.ui import WebDriverWait
    viejo = n.driver.find_element("tag name", "html")
    elemento.click()
    WebDriverWait(n.driver, 60).until(ya_no_esta(viejo))
    return n.revisar(nombre)


def _bandeja_de(api, caso):
    """La notificación de bandeja al CIS de la derivación de ese caso (su mensaje lleva el código del caso)."""
    return [n for n in _notificaciones(api, CIS, evento_tipo="CasoDerivado", canal="bandeja")
            if caso["codigo"] in (n.get("mensaje") or "")]


def test_coordinadora_ve_el_envio_fallido_registra_el_contacto_reintenta_y_cambia_reglas(api, navegador, smtp):
    # Sin contacto del CIS en el municipio, el correo de la derivación no puede salir: queda fallido.
    caso, _ = _derivar(api, NORMAL, ("fisica",))
    esperar(lambda: _bandeja_de(api, caso), 60, mensaje="la derivación llegó a la bandeja del CIS")
    evento = _bandeja_de(api, caso)[0]["evento_id"]
    fallida = esperar(lambda: _notificaciones(api, evento_id=evento, canal="email", estado="fallida"), 60,
                      mensaje="correo al CIS fallido")[0]
    assert "no tiene registrado el contacto" in fallida["ultimo_error"]

    n = navegador
    n.entrar(COORD, omm_pruebas.CONTRASENA_PRUEBAS)
    inicio = n.encontrar("ul.tarjetas").text
    assert "Envío de aviso que falló" in inicio or "Envíos de avisos que fallaron" in inicio
    n.clic("Avisos", nombre="avisos")
    assert n.titulo == "Avisos · OMM"
    fila = n.encontrar(f"#reintentar-{fallida['id']}").find_element("xpath", "ancestor::tr")
    assert "Una técnica deriva un caso al CIS" in fila.text
    assert "Correo" in fila.text and "no tiene registrado el contacto" in fila.text
    assert "Avisos al CIS sin confirmar" in n.texto

    # Desde la fila, registrar el contacto que falta: el CIS ya viene elegido; un correo mal escrito se dice
    # junto a su campo y arriba, sin perder lo escrito.
    _pulsar(n, fila.find_element("link text", "Registrar el contacto"), "contacto-nuevo")
    assert n.titulo == "Nuevo contacto · OMM"
    assert n.encontrar("#institucion option:checked").get_attribute("value") == "cis"
    n.escribir("#nombre", "CIS de prueba, enfermería")
    n.escribir("#email", "enfermeria-sin-arroba")
    n.enviar(nombre="contacto-con-error")
    assert "Correo electrónico inválido" in n.encontrar(".campo.con-error").text
    assert n.encontrar("#resumen-errores").is_displayed()
    assert n.encontrar("#nombre").get_attribute("value") == "CIS de prueba, enfermería"
    n.escribir("#email", CORREO_CIS)
    n.enviar(nombre="contactos")
    assert "Contacto guardado" in n.texto and CORREO_CIS in n.texto
    [cis] = [c for c in api.get("/api/v1/notificaciones/destinatarios", COORD).json() if c["clave"] == "cis"]
    assert cis["email"] == CORREO_CIS and cis["telefono"] is None
    # Lo que fallará antes de que falle: la derivación urgente sale también por SMS y el CIS no tiene teléfono.
    assert "Hay reglas que avisan por SMS al CIS, pero su contacto no tiene teléfono" in n.texto

    # Reintentar el correo fallido: queda por enviar y el correo llega al CIS.
    n.clic("Volver a Avisos", nombre="avisos-otra-vez")
    n.enviar(f"#reintentar-{fallida['id']}", nombre="tras-reintentar")
    assert "se volverá a intentar" in n.texto
    [r] = [x for x in _notificaciones(api, evento_id=evento, canal="email")]
    assert r["estado"] in ("pendiente", "enviada"), r
    esperar(lambda: _notificaciones(api, evento_id=evento, canal="email", estado="enviada"), 150,
            mensaje="el correo reintentado salió")
    assert any(caso["codigo"] in t for t in smtp.textos(CORREO_CIS))

    # Completar el teléfono del contacto: el aviso de lo que fallaría desaparece.
    n.ir("/avisos/contactos", "contactos-lista")
    _pulsar(n, n.encontrar("a[href='/avisos/contactos/cis']"), "contacto-cis")
    n.escribir("#telefono", "+504 2404-0000")
    n.enviar(nombre="contactos-con-telefono")
    assert "+504 2404-0000" in n.texto and "no tiene teléfono" not in n.texto

    # Reglas: cuándo, a quién y por dónde, en palabras; desactivar una y alargar el plazo del urgente.
    n.ir("/avisos/reglas", "reglas")
    assert "Una técnica deriva un caso al CIS con urgencia" in n.texto
    assert "si no lo confirman en 60 minutos, se avisa a la coordinación" in n.texto
    assert "derivacion_cis" not in n.texto and "CasoDerivado" not in n.texto
    _pulsar(n, n.encontrar("a[href='/avisos/reglas/sesion_club_cis']"), "regla-club")
    for casilla in n.todos("input[name=canales]:checked"):
        casilla.click()
    n.enviar(nombre="regla-sin-medios")
    assert "Elija al menos un medio" in n.texto
    n.encontrar("input[name=canales][value=bandeja]").click()
    n.encontrar("#activa").click()
    n.enviar(nombre="reglas-guardada")
    assert "Regla guardada" in n.texto
    _pulsar(n, n.encontrar("a[href='/avisos/reglas/derivacion_cis_urgente']"), "regla-urgente")
    n.escribir("#minutos_escalamiento", "2")
    n.enviar(nombre="regla-plazo-corto")
    assert "mayor o igual que 5" in n.encontrar(".campo.con-error").text
    n.escribir("#minutos_escalamiento", "45")
    n.enviar(nombre="reglas-plazo")
    reglas = {r["codigo"]: r for r in api.get("/api/v1/notificaciones/reglas", COORD).json()}
    assert reglas["sesion_club_cis"]["activa"] is False and reglas["sesion_club_cis"]["canales"] == ["bandeja"]
    assert reglas["derivacion_cis_urgente"]["minutos_escalamiento"] == 45
    assert reglas["derivacion_cis_urgente"]["canales"] == ["sms", "email", "bandeja"]
    n.sin_datos_en_urls(NORMAL["nombres"], NORMAL["apellidos"], NORMAL["dni"], NORMAL["dni"].replace("-", ""))


def test_el_cis_ve_lo_urgente_primero_y_lo_confirma_con_un_toque(api, navegador):
    urgente, derivacion = _derivar(api, URGENTE, ("sexual", "psicologica"))
    assert derivacion["urgente"] is True
    normal, _ = _derivar(api, TERCERA, ("psicologica",))  # más nueva, no urgente
    esperar(lambda: _bandeja_de(api, urgente) and _bandeja_de(api, normal), 60,
            mensaje="las dos derivaciones en la bandeja del CIS")

    n = navegador
    n.entrar(CIS, omm_pruebas.CONTRASENA_PRUEBAS)
    # La inicio dice cuántos hay por confirmar y pone la urgente primero.
    primera = n.encontrar("ul.tarjetas > li")
    assert "urgente" in primera.get_attribute("class").split() and "Urgente" in primera.text
    assert "confirme que lo recibió" in primera.text
    pendientes = [li for li in n.todos("ul.tarjetas > li") if "por confirmar en la bandeja" in li.text]
    assert pendientes and int(pendientes[0].find_element("css selector", ".cifra").text) >= 2

    n.clic("Bandeja", nombre="bandeja")
    assert n.titulo == "Bandeja del CIS · OMM"
    tarjetas = n.todos("#por-confirmar + ul > li")
    textos = [t.text for t in tarjetas]
    assert urgente["codigo"] in textos[0], textos
    assert "urgente" in tarjetas[0].get_attribute("class").split() and "Urgente" in textos[0]
    assert "Tipo de violencia: Sexual y Psicológica" in textos[0]
    i_normal = next(i for i, t in enumerate(textos) if normal["codigo"] in t)
    assert i_normal > 0 and "urgente" not in tarjetas[i_normal].get_attribute("class").split()
    assert "Urgente" not in textos[i_normal]
    # Un aviso que salió por bandeja, correo y SMS es uno solo en pantalla, con un solo botón.
    assert sum(urgente["codigo"] in t for t in textos) == 1
    assert len(tarjetas[0].find_elements("css selector", "form.acuse button")) == 1
    assert "Llegó por: Bandeja de la aplicación" in textos[0]

    # Un toque.
    n.enviar("#por-confirmar + ul > li:first-child form.acuse button", nombre="bandeja-confirmada")
    assert "quedó confirmado" in n.texto
    assert all(urgente["codigo"] not in t.text for t in n.todos("#por-confirmar + ul > li"))
    confirmada = [t for t in n.todos("#confirmados + ul > li") if urgente["codigo"] in t.text]
    assert confirmada and "Confirmado" in confirmada[0].text
    assert any(normal["codigo"] in t.text for t in n.todos("#por-confirmar + ul > li"))

    # La API lo ve: la notificación y sus hermanas confirmadas, y el caso sabe que el CIS recibió la derivación.
    [bandeja] = _bandeja_de(api, urgente)
    assert bandeja["estado"] == "confirmada"

    def derivacion_confirmada():
        d = api.get(f"/api/v1/casos/{urgente['id']}", TEC).json()
        return [x for x in d["derivaciones"] if x["id"] == derivacion["id"] and x["aviso"] == "confirmada"]
    esperar(derivacion_confirmada, 60, mensaje="casos ve la derivación confirmada")

    n.ir("/", "inicio-tras-confirmar")
    assert not any(urgente["codigo"] in li.text for li in n.todos("ul.tarjetas > li.urgente"))
    for persona in (URGENTE, TERCERA):
        assert persona["apellidos"] not in n.titulo
    n.sin_datos_en_urls(URGENTE["nombres"], URGENTE["apellidos"], URGENTE["dni"], URGENTE["dni"].replace("-", ""),
                        TERCERA["apellidos"])


def _n(evento, canal, estado, creado, regla="derivacion_cis", destinatario="cis", urgente=False, **extra):
    return {"id": f"{evento}-{canal}-{regla}", "evento_id": evento, "evento_tipo": "CasoDerivado", "regla": regla,
            "destinatario": destinatario, "canal": canal, "urgente": urgente, "estado": estado,
            "asunto": f"Asunto {evento}" if estado in ("enviada", "confirmada") else None,
            "mensaje": f"Mensaje {evento}" if canal == "bandeja" else None,
            "creado_en": f"2026-12-03T1{creado}:00:00+00:00", "confirmada_en": None, **extra}


def test_un_aviso_por_evento_lo_urgente_sin_confirmar_primero():
    from gateway.web.avisos import agrupar, sin_acuse_del_cis
    items = [
        _n("viejo-urgente", "sms", "enviada", 1, urgente=True),
        _n("viejo-urgente", "email", "fallida", 1, urgente=True),
        _n("viejo-urgente", "bandeja", "enviada", 1, urgente=True),
        _n("nuevo", "bandeja", "enviada", 5),
        _n("nuevo", "email", "pendiente", 5),
        _n("confirmado-urgente", "bandeja", "confirmada", 8, urgente=True, confirmada_en="2026-12-03T19:00:00+00:00"),
        # El correo salió después del acuse: el aviso sigue confirmado.
        _n("confirmado-urgente", "email", "enviada", 8, urgente=True),
        _n("sin-llegar", "email", "fallida", 9),
        _n("confirmado-urgente", "bandeja", "enviada", 9, regla="escalamiento", destinatario="coordinadora",
           urgente=True),
        _n("viejo-urgente", "bandeja", "enviada", 2, regla="escalamiento", destinatario="coordinadora", urgente=True),
    ]
    cis = agrupar([x for x in items if x["destinatario"] == "cis"])
    assert [v["evento_id"] for v in cis] == ["viejo-urgente", "confirmado-urgente", "nuevo"]
    urgente, confirmado, nuevo = cis
    assert urgente["acusable"] == "viejo-urgente-bandeja-derivacion_cis" and not urgente["confirmada"]
    assert urgente["medios"] == "Bandeja de la aplicación, SMS" and urgente["mensaje"] == "Mensaje viejo-urgente"
    assert confirmado["confirmada"] and confirmado["confirmada_en"].startswith("2026-12-03T19")
    assert nuevo["medios"] == "Bandeja de la aplicación" and nuevo["tipo"] == "Derivación de un caso"
    # La coordinación: solo sigue urgente el escalamiento cuya derivación el CIS no confirmó.
    [abierto] = sin_acuse_del_cis(agrupar(items, por_regla=True))
    assert abierto["evento_id"] == "viejo-urgente" and abierto["destinatario"] == "coordinadora"


def test_bandeja_sin_cache_solo_para_el_cis_y_con_csrf(api):
    base = api.base
    s = _entrar(base, CIS)
    r = s.get(f"{base}/bandeja")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert "Bandeja del CIS" in r.text
    for ruta in ("/avisos", "/avisos/contactos", "/avisos/reglas"):
        r = s.get(f"{base}{ruta}")
        assert r.status_code == 403 and r.headers["Cache-Control"] == "no-store", ruta

    promotora = _entrar(base, PROM)
    r = promotora.get(f"{base}/bandeja")
    assert r.status_code == 403 and "Sin permiso" in r.text
    tecnica = _entrar(base, TEC)
    assert tecnica.get(f"{base}/avisos").status_code == 403
    assert tecnica.get(f"{base}/bandeja").status_code == 403

    coordinadora = _entrar(base, COORD)
    for ruta in ("/avisos", "/avisos/contactos", "/avisos/reglas", "/avisos/contactos/nuevo",
                 "/avisos/reglas/derivacion_cis"):
        r = coordinadora.get(f"{base}{ruta}")
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store", ruta
    assert coordinadora.get(f"{base}/avisos/reglas/no_existe").status_code == 404
    assert coordinadora.get(f"{base}/avisos/contactos/dinaf").status_code == 404

    # Un aviso por confirmar: sin el CSRF de la sesión el acuse se rechaza y el aviso sigue sin confirmar.
    caso, _ = _derivar(api, {"nombres": "Sofía", "apellidos": "Paz Mejía", "dni": None}, ("fisica",))
    [n] = esperar(lambda: [x for x in _bandeja_de(api, caso) if x["estado"] == "enviada"], 60,
                  mensaje="aviso enviado a la bandeja")
    r = s.post(f"{base}/bandeja/{n['id']}/acuse", data={}, allow_redirects=False)
    assert r.status_code == 403 and "venció" in r.text
    r = s.post(f"{base}/bandeja/{n['id']}/acuse", data={"csrf": "otro"}, allow_redirects=False)
    assert r.status_code == 403
    assert _bandeja_de(api, caso)[0]["estado"] == "enviada"
    csrf = re.search(r'name="csrf" value="([^"]+)"', s.get(f"{base}/bandeja").text).group(1)
    # La promotora, aun con su CSRF, no confirma nada.
    csrf_p = re.search(r'name="csrf" value="([^"]+)"', promotora.get(f"{base}/").text).group(1)
    assert promotora.post(f"{base}/bandeja/{n['id']}/acuse", data={"csrf": csrf_p},
                          allow_redirects=False).status_code == 403
    assert s.post(f"{base}/bandeja/no-es-un-id/acuse", data={"csrf": csrf}).status_code == 404
    # El CIS no reintenta envíos (es de la coordinadora).
    assert s.post(f"{base}/avisos/{n['id']}/reintento", data={"csrf": csrf}).status_code == 403
    # Con su CSRF, un toque confirma; repetirlo (doble toque) no es un error.
    for _ in range(2):
        r = s.post(f"{base}/bandeja/{n['id']}/acuse", data={"csrf": csrf, "clave": "x"}, allow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"] == "/bandeja?aviso=confirmada"
    assert _bandeja_de(api, caso)[0]["estado"] == "confirmada"
