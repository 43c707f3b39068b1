"""Pantallas de casos (técnica y coordinadora) contra el sistema real, en Santa Rosa de Copán (0401).

La técnica registra un caso de violencia sexual (primero el consentimiento, después los datos), ve el reloj de
72 horas y lo deriva al CIS (urgente); el CIS confirma y la página lo dice; la coordinadora lee la bitácora y
cierra el caso. Ninguna URL lleva el nombre ni el DNI; la lista, solo código e iniciales; no-store; la promotora
y el CIS no entran; un formulario sin CSRF se rechaza.
"""
import re
from datetime import timedelta

import pytest

import omm_pruebas
from omm_common.tiempo import hoy_honduras
from omm_pruebas import esperar
from .navegador import entrar_sin_javascript as _entrar

pytestmark = pytest.mark.integracion

M = "0401"
USUARIAS = {"tecnica": f"web.tecnica.{M}", "coordinadora": f"web.coordinadora.{M}", "cis": f"web.cis.{M}",
            "promotora": f"web.promotora.{M}"}
TEC, COORD, CIS = USUARIAS["tecnica"], USUARIAS["coordinadora"], USUARIAS["cis"]
CLAVE = omm_pruebas.CONTRASENA_PRUEBAS


@pytest.fixture(scope="module")
def api(sistema):
    api = sistema.api
    for rol, usuario in USUARIAS.items():
        r = api.post("/api/v1/usuarios", "admin", json={
            "usuario": usuario, "nombre": f"{rol.capitalize()} de Santa Rosa", "rol": rol, "municipio": M,
            "contrasena": CLAVE})
        assert r.status_code in (201, 409), r.text
    r = api.put("/api/v1/notificaciones/destinatarios", COORD, json={
        "clave": "cis", "nombre": "CIS Santa Rosa de Copán", "email": "cis.0401@salud.prueba.hn"})
    assert r.status_code == 200, r.text
    return api


def _dia(dias=0):
    return (hoy_honduras() - timedelta(days=dias)).isoformat()


def _caso(api, nombres, apellidos, dni=None, tipos=("fisica",), incidente=3, derivacion=True, riesgo="medio",
          atencion=0):
    r = api.post("/api/v1/casos", TEC, json={
        "fecha_atencion": _dia(atencion), "fecha_incidente": _dia(max(incidente, atencion)),
        "sobreviviente": {"nombres": nombres, "apellidos": apellidos, "dni": dni, "comunidad": "Barrio El Carmen"},
        "tipos_violencia": list(tipos), "contexto": "pareja", "relato": "relato de prueba", "nivel_riesgo": riesgo,
        "consentimiento": {"servicios": True, "derivacion": derivacion, "estadisticas": True}})
    assert r.status_code == 201, r.text
    return r.json()




def _ocultos(html):
    return {"csrf": re.search(r'name="csrf" value="([^"]+)"', html).group(1),
            "clave": re.search(r'name="clave" value="([^"]+)"', html).group(1)}


def _titulo(html):
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_quien_entra_y_quien_no_no_store_y_csrf(api):
    for rol in ("promotora", "cis"):
        s = _entrar(api.base, USUARIAS[rol])
        for ruta in ("/casos", "/casos/nuevo", "/casos/agenda"):
            r = s.get(f"{api.base}{ruta}", allow_redirects=False)
            assert r.status_code == 403, (rol, ruta, r.status_code)
            assert "Sin permiso" in r.text
        assert 'href="/casos"' not in s.get(f"{api.base}/").text  # ni el menú se lo ofrece
    caso = _caso(api, "Marleny", "Zúniga Paz")
    s = _entrar(api.base, TEC)
    assert 'href="/casos"' in s.get(f"{api.base}/").text
    r = s.get(f"{api.base}/casos/{caso['id']}")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert "Marleny Zúniga Paz" in r.text and "Marleny" not in _titulo(r.text)
    assert caso["codigo"] in _titulo(r.text)
    # Solo la coordinadora: la bitácora y la reapertura.
    assert s.get(f"{api.base}/casos/{caso['id']}/bitacora").status_code == 403
    datos = _ocultos(r.text)
    assert s.post(f"{api.base}/casos/{caso['id']}/reapertura", data={**datos, "reapertura_motivo": "x"},
                  allow_redirects=False).status_code == 403
    # Sin el CSRF de la sesión, nada se escribe.
    for ruta, campos in ((f"/casos/{caso['id']}/cierre", {"cierre_motivo": "Se mudó"}),
                         ("/casos", {"q": "Marleny"})):
        r = s.post(f"{api.base}{ruta}", data=campos, allow_redirects=False)
        assert r.status_code == 403 and "venció" in r.text
        r = s.post(f"{api.base}{ruta}", data={**campos, "csrf": "otro"}, allow_redirects=False)
        assert r.status_code == 403
    assert api.get(f"/api/v1/casos/{caso['id']}", TEC).json()["estado"] == "abierto"
    # Un caso de otro municipio (o un id cualquiera) es «no encontrado», no un error.
    assert s.get(f"{api.base}/casos/no-es-un-id").status_code == 404
    otro = api.post("/api/v1/usuarios", "admin", json={"usuario": "web.tecnica.0402", "nombre": "Otra", "rol": "tecnica",
                                                      "municipio": "0402", "contrasena": CLAVE})
    assert otro.status_code in (201, 409)
    r = _entrar(api.base, "web.tecnica.0402").get(f"{api.base}/casos/{caso['id']}")
    assert r.status_code == 404 and "Marleny" not in r.text


def test_la_lista_muestra_codigo_e_iniciales_y_busca_por_post(api):
    caso = _caso(api, "Ana Gabriela", "Rosales Tábora", dni="0401-1988-01234", riesgo="extremo")
    otro = _caso(api, "Brenda", "Mejía", tipos=("psicologica",))
    s = _entrar(api.base, TEC)
    r = s.get(f"{api.base}/casos")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert caso["codigo"] in r.text and "A. G. R. T." in r.text and "B. M." in r.text
    for dato in ("Ana Gabriela", "Rosales", "Tábora", "Brenda", "Mejía", "0401198801234", "0401-1988-01234"):
        assert dato not in r.text, dato
    assert f"por ejemplo SAN-{hoy_honduras().year}-0007" in r.text  # la sigla de Santa Rosa de Copán
    assert "Extremo" in r.text and "extremo" not in re.sub(r"<[^>]+>", " ", r.text).replace("Extremo", "")

    def buscar(q, **filtros):
        r = s.post(f"{api.base}/casos", data={**_ocultos(s.get(f"{api.base}/casos").text), "q": q, **filtros},
                   allow_redirects=False)
        assert r.status_code == 200, r.text[:500]
        assert "Rosales" not in r.text  # ni siquiera en el resultado de buscarla por su nombre
        return r.text
    for q, por in (("rosales", "nombre"), ("Ana Gabriela Rosales", "nombre"), ("0401-1988-01234", "DNI"),
                   ("0401198801234", "DNI"), (caso["codigo"].lower(), "código")):
        html = buscar(q)
        assert caso["id"] in html and otro["id"] not in html, q
        assert f"1 caso encontrado por {por}" in html, q
        assert "0401" not in html.replace(caso["codigo"], "") or por == "código", q  # lo buscado no vuelve
    assert caso["id"] not in buscar("Gabriel")  # palabras completas
    # Filtros (por GET no nombran a nadie) y «mis casos».
    html = s.get(f"{api.base}/casos", params={"tipo_violencia": "psicologica"}).text
    assert otro["id"] in html and caso["id"] not in html
    html = s.get(f"{api.base}/casos", params={"nivel_riesgo": "extremo", "responsable": "yo"}).text
    assert caso["id"] in html and otro["id"] not in html
    assert caso["id"] not in _entrar(api.base, COORD).get(f"{api.base}/casos", params={"mios": "1"}).text
    html = buscar("", estado="cerrado")
    assert caso["id"] not in html and "No hay casos con estos filtros" in html


def test_errores_junto_al_campo_y_los_de_la_api_en_espanol(api):
    caso = _caso(api, "Carmen", "Lara", derivacion=False)
    s = _entrar(api.base, TEC)
    # Paso 1 sin confirmar que se leyó el consentimiento: no pasa a los datos.
    r = s.post(f"{api.base}/casos/nuevo", data={**_ocultos(s.get(f"{api.base}/casos/nuevo").text),
                                                "consentimiento_servicios": "si"})
    assert r.status_code == 400 and 'id="resumen-errores"' in r.text
    assert "Consentimiento informado: confirme" in r.text and "Derivación: marque Sí o No." in r.text
    assert 'name="nombres"' not in r.text
    # Paso 2 con datos que faltan: cada error junto a su campo y resumido arriba; lo escrito se conserva.
    datos = {**_ocultos(r.text), "paso": "datos", "informada": "si", "consentimiento_servicios": "si",
             "consentimiento_derivacion": "si", "consentimiento_estadisticas": "no", "fecha_atencion": _dia(1),
             "fecha_incidente": _dia(0), "nombres": "Wendy", "dni": "1234", "contexto": "pareja"}
    r = s.post(f"{api.base}/casos/nuevo", data=datos)
    assert r.status_code == 400, r.text[:300]
    for texto in ("Apellidos: Este campo es obligatorio.", "Comunidad: Este campo es obligatorio.",
                  "Tipos de violencia:", "Relato: Este campo es obligatorio.", "DNI:"):
        assert texto in r.text, texto
    assert 'id="apellidos-error"' in r.text and 'value="Wendy"' in r.text
    assert 'name="consentimiento_estadisticas" value="no"' in r.text
    # Completo, pero con el incidente después de la atención: la regla entre fechas, junto a su campo.
    datos = {**datos, **_ocultos(r.text), "apellidos": "Suazo", "dni": "", "comunidad": "Centro",
             "tipos_violencia": ["fisica", "psicologica"], "nivel_riesgo": "bajo", "relato": "Relato"}
    r = s.post(f"{api.base}/casos/nuevo", data=datos)
    assert r.status_code == 400, r.text[:300]
    assert "Fecha del incidente: El incidente no puede ser posterior a la atención." in r.text
    assert 'id="fecha_incidente-error"' in r.text
    assert re.search(r'name="tipos_violencia" value="psicologica" checked', r.text)
    assert api.get("/api/v1/casos", TEC, params={"q": "Wendy"}).json()["total"] == 0
    # En la página del caso: la próxima fecha antes del seguimiento, junto a su campo.
    pagina = s.get(f"{api.base}/casos/{caso['id']}").text
    assert "no consintió la derivación" in pagina and 'action="/casos/' + caso["id"] + '/derivaciones"' not in pagina
    r = s.post(f"{api.base}/casos/{caso['id']}/seguimientos", data={
        **_ocultos(pagina), "seg_fecha": _dia(0), "seg_tipo": "llamada", "seg_nota": "Llamé",
        "seg_proxima_fecha": _dia(1)})
    # El mismo código que la API (409 DATOS_INCOHERENTES: cada fecha es válida, su orden no), junto al campo.
    assert r.status_code == 409 and 'id="seg_proxima_fecha-error"' in r.text
    assert "Próximo seguimiento: La próxima fecha no puede ser anterior" in r.text and "Llamé" in r.text
    # La nueva valoración, plegada, se abre sola con su error.
    assert not re.search(r"<details open>\s*<summary>Registrar una nueva valoración", pagina)
    r = s.post(f"{api.base}/casos/{caso['id']}/valoraciones", data={**_ocultos(pagina), "val_nivel_riesgo": "alto"})
    assert r.status_code == 400 and 'id="val_motivo-error"' in r.text
    assert "Motivo de la valoración: Este campo es obligatorio." in r.text
    assert re.search(r"<details open>\s*<summary>Registrar una nueva valoración", r.text)
    assert 'value="alto" selected' in r.text
    # Un 409 de la API (sin consentimiento para derivar) sale en español en la misma pantalla.
    r = s.post(f"{api.base}/casos/{caso['id']}/derivaciones", data={
        **_ocultos(pagina), "der_destino": "policia", "der_motivo": "Denuncia"})
    assert r.status_code == 409 and "no dio su consentimiento para derivar" in r.text
    assert caso["codigo"] in _titulo(r.text)
    # Cerrado dos veces (otra pestaña): el segundo dice por qué.
    assert api.post(f"/api/v1/casos/{caso['id']}/cierre", TEC, json={"motivo": "Se mudó"}).status_code == 200
    r = s.post(f"{api.base}/casos/{caso['id']}/cierre", data={**_ocultos(pagina), "cierre_motivo": "Otra vez"})
    assert r.status_code == 409 and "El caso ya está cerrado." in r.text


def test_la_agenda_y_el_inicio_ponen_primero_lo_urgente(api):
    vencido = _caso(api, "Dilcia", "Orellana", atencion=10, incidente=12)
    de_hoy = _caso(api, "Elvia", "Portillo")
    sin_derivar = _caso(api, "Gloria", "Amaya", tipos=("sexual",), incidente=1)
    for caso, fecha, proxima in ((vencido, _dia(5), _dia(2)), (de_hoy, _dia(0), _dia(0))):
        assert api.post(f"/api/v1/casos/{caso['id']}/seguimientos", TEC, json={
            "fecha": fecha, "tipo": "visita", "nota": "x", "proxima_fecha": proxima}).status_code == 201
    s = _entrar(api.base, TEC)
    inicio = s.get(f"{api.base}/").text
    tarjetas = re.findall(r'<li class="tarjeta( urgente)?">(.*?)</li>', inicio, re.S)
    textos = [(bool(u), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", t)).strip()) for u, t in tarjetas]
    urgentes = [t for u, t in textos if u]
    assert any("vencido" in t and "de mis casos" in t for t in urgentes), textos
    assert any(sin_derivar["codigo"] in t and "violencia sexual sin derivar" in t and "horas" in t
               for t in urgentes), textos
    assert any("para hoy de mis casos" in t for u, t in textos if not u), textos
    assert [u for u, _ in textos] == sorted((u for u, _ in textos), reverse=True)  # urgentes primero
    assert 'href="/casos/agenda?mios=1"' in inicio and f'href="/casos/{sin_derivar["id"]}"' in inicio
    assert "Gloria" not in inicio and "Amaya" not in inicio
    agenda = s.get(f"{api.base}/casos/agenda", params={"mios": "1"}).text
    assert agenda.index(vencido["codigo"]) < agenda.index(de_hoy["codigo"])
    assert "vencido hace 2 días" in agenda and "D. O." in agenda and "E. P." in agenda
    for dato in ("Dilcia", "Orellana", "Elvia", "Portillo"):
        assert dato not in agenda, dato
    # La coordinadora ve los de todo el municipio (sin «de mis casos»).
    inicio = _entrar(api.base, COORD).get(f"{api.base}/").text
    assert "Seguimiento" in inicio and "de mis casos" not in inicio and 'href="/casos/agenda"' in inicio


def test_una_tecnica_registra_un_caso_de_violencia_sexual_y_lo_deriva_al_cis(api, navegador):
    n = navegador
    nombres, apellidos, dni = "Xiomara Leticia", "Pacheco Orellana", "0401-1993-04567"
    n.entrar(TEC, CLAVE)
    n.clic("Casos", nombre="lista-de-casos")
    assert n.titulo == "Casos · OMM"
    n.clic("Registrar un caso nuevo", nombre="consentimiento")
    # Primero el consentimiento informado: sin él no hay formulario de datos.
    assert "Consentimiento informado" in n.texto and not n.todos("#nombres")
    n.encontrar("input[name=informada]").click()
    for k in ("servicios", "derivacion", "estadisticas"):
        n.encontrar(f"input[name=consentimiento_{k}][value=si]").click()
    n.enviar(nombre="datos-del-caso")
    assert n.titulo == "Caso nuevo: datos · OMM" and "Paso 2 de 2" in n.texto
    _fecha(n, "#fecha_incidente", _dia(1))
    n.escribir("#nombres", nombres)
    n.escribir("#apellidos", apellidos)
    n.escribir("#dni", dni)
    n.escribir("#telefono", "+504 9988-7766")
    n.escribir("#comunidad", "Aldea Miraflores")
    n.encontrar("input[name=tipos_violencia][value=sexual]").click()
    n.elegir("#contexto", valor="comunitaria")
    n.elegir("#nivel_riesgo", valor="alto")
    n.escribir("#relato", "Relató la agresión de anoche camino a su casa.")
    n.escribir("#agresor_relacion", "Desconocido")
    n.enviar(nombre="caso-registrado")
    # La página del caso: el nombre sí, pero nunca en el título; el reloj de 72 horas, resaltado.
    assert "Caso registrado." in n.texto
    codigo = re.match(r"Caso (SAN-\d{4}-\d{4}) · OMM$", n.titulo).group(1)
    assert f"{nombres} {apellidos}" in n.texto and "0401-1993-04567" in n.texto
    reloj = n.encontrar("#reloj")
    assert "vigente" in reloj.get_attribute("class")
    horas = int(re.search(r"Quedan (\d+) horas", reloj.text).group(1))
    assert 24 <= horas <= 48, reloj.text
    assert "Todavía no se deriva al CIS" in reloj.text
    caso_url = n.driver.current_url.split("?")[0]
    caso_id = caso_url.rsplit("/", 1)[1]

    # La deriva al CIS marcándola urgente: la derivación queda urgente y el aviso sale.
    n.elegir("#der_destino", valor="cis")
    n.escribir("#der_motivo", "Profilaxis post exposición y atención médica.")
    n.encontrar("#der_urgente").click()
    n.enviar("#derivaciones form button[type=submit]", nombre="derivada")
    assert "Derivación urgente registrada" in n.texto
    fila = n.encontrar("#derivaciones tr.urgente")
    assert "Urgente" in fila.text and "CIS" in fila.text
    assert "Derivado al CIS" in n.encontrar("#reloj").text

    # Un seguimiento para hoy y una nueva valoración del riesgo.
    n.elegir("#seg_tipo", valor="llamada")
    n.escribir("#seg_nota", "Confirmó que fue al CIS.")
    _fecha(n, "#seg_proxima_fecha", _dia(0))
    n.enviar("#seguimientos form button[type=submit]", nombre="seguimiento")
    assert "Seguimiento registrado." in n.texto and "Llamada" in n.encontrar("#seguimientos table").text
    n.encontrar("#riesgo summary").click()  # la nueva valoración se abre a pedido
    n.elegir("#val_nivel_riesgo", valor="extremo")
    n.escribir("#val_motivo", "El agresor la buscó en su casa.")
    n.enviar("#riesgo form button[type=submit]", nombre="valoracion")
    assert "Valoración del riesgo registrada." in n.texto
    assert "Extremo (vigente)" in n.encontrar("#riesgo table").text

    # El inicio lo pone en su lista del día; la agenda y la lista, con iniciales.
    n.ir("/", "inicio-con-seguimiento")
    assert "para hoy de mis casos" in n.texto
    n.clic("para hoy de mis casos", nombre="agenda")
    assert codigo in n.texto and "X. L. P. O." in n.texto and "Pacheco" not in n.texto
    n.ir("/casos", "lista-con-el-caso")
    assert codigo in n.texto and "X. L. P. O." in n.texto
    assert nombres not in n.texto and "Pacheco" not in n.texto and "0401-1993" not in n.texto
    n.escribir("#q", "pacheco orellana")
    n.enviar("form[role=search] button[type=submit]", nombre="busqueda-por-nombre")
    assert n.driver.current_url.endswith("/casos") and codigo in n.texto and "Pacheco" not in n.texto
    n.escribir("#q", dni)
    n.enviar("form[role=search] button[type=submit]", nombre="busqueda-por-dni")
    assert codigo in n.texto
    n.clic(codigo, nombre="caso-desde-la-busqueda")

    # El CIS confirma en su bandeja: la técnica lo ve en el caso.
    def aviso_del_cis():
        items = api.get("/api/v1/notificaciones", CIS, params={"por_pagina": 200}).json()["items"]
        return next((x for x in items if x["evento_tipo"] == "CasoDerivado" and x["canal"] == "bandeja"
                     and codigo in (x["mensaje"] or "")), None)
    nota = esperar(aviso_del_cis, 60, mensaje="aviso de la derivación en la bandeja del CIS")
    assert nota["urgente"] is True
    assert api.post(f"/api/v1/notificaciones/{nota['id']}/acuse", CIS).status_code == 200
    esperar(lambda: api.get(f"/api/v1/casos/{caso_id}", TEC).json()["derivaciones"][0]["aviso"] == "confirmada",
            60, mensaje="acuse del CIS en el caso")
    n.ir(f"/casos/{caso_id}", "caso-confirmado-por-el-cis")
    assert "El CIS confirmó" in n.encontrar("#derivaciones").text
    assert "El CIS confirmó el aviso" in n.encontrar("#reloj").text
    n.salir()

    # La coordinadora: la bitácora y el cierre.
    n.entrar(COORD, CLAVE)
    n.ir(f"/casos/{caso_id}", "caso-coordinadora")
    n.clic("Bitácora del caso", nombre="bitacora")
    assert n.titulo == f"Bitácora del caso {codigo} · OMM"
    bitacora = n.encontrar("main table").text
    for texto in ("Registró el caso", "Derivó el caso", "Registró un seguimiento", "Valoró el riesgo",
                  "nivel de riesgo", "El agresor la buscó en su casa.", TEC, "Técnica"):
        assert texto in bitacora, texto
    assert nombres not in n.texto
    n.clic("Volver al caso", nombre="caso-antes-del-cierre")
    n.escribir("#cierre_motivo", "Atención completa; se trasladó a otro municipio.")
    n.enviar("#cierre form button[type=submit]", nombre="caso-cerrado")
    assert "Caso cerrado." in n.texto and "se trasladó a otro municipio" in n.encontrar("#cierre-aviso").text
    assert not n.todos("#seg_nota") and not n.todos("#der_destino")  # cerrado: sin seguimientos ni derivaciones
    assert n.todos("#reapertura_motivo")
    assert api.get(f"/api/v1/casos/{caso_id}", COORD).json()["estado"] == "cerrado"
    n.clic("Bitácora del caso", nombre="bitacora-tras-el-cierre")
    assert "Cerró el caso" in n.texto and "se trasladó a otro municipio" in n.texto

    n.sin_datos_en_urls(nombres, apellidos, "Xiomara", "Pacheco", dni, dni.replace("-", ""), "9988-7766")


def test_la_coordinadora_reabre_un_caso_cerrado_en_el_navegador(api, navegador):
    caso = _caso(api, "Fátima", "Cruz Mendoza")
    assert api.post(f"/api/v1/casos/{caso['id']}/cierre", TEC, json={"motivo": "No volvió"}).status_code == 200
    n = navegador
    n.entrar(COORD, CLAVE)
    n.ir(f"/casos/{caso['id']}", "caso-cerrado")
    assert "Caso cerrado." in n.texto and "No volvió" in n.texto
    n.escribir("#reapertura_motivo", "Volvió a la oficina con nuevas amenazas.")
    n.enviar("#cierre form button[type=submit]", nombre="caso-reabierto")
    assert "Caso reabierto." in n.texto and n.todos("#seg_nota")
    assert api.get(f"/api/v1/casos/{caso['id']}", COORD).json()["estado"] == "abierto"
    n.sin_datos_en_urls("Fátima", "Cruz Mendoza")


def _fecha(n, selector, iso):
    """Un <input type=date> se llena con su valor ISO (el teclado depende del idioma del navegador)."""
    n.driver.execute_script("arguments[0].value = arguments[1];", n.encontrar(selector), iso)
