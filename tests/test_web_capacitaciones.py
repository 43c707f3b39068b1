"""Pantallas de actividades (capacitaciones) en la aplicación web, contra el sistema real y en un Chromium de verdad:
la promotora toma la asistencia de 20 inscritas en un teléfono de 360 px en una sola pantalla, la coordinadora crea
el club de embarazadas mensual con el CIS, programa, reprograma y cancela sesiones, inscribe y descarga la hoja de
asistencia y la constancia en PDF; la técnica abre la escuela de emprendimiento y ve el duplicado en español.

Municipio propio de este módulo: 0403 (Concepción, Copán).
"""
import re
import uuid
from datetime import timedelta

import pytest
import requests

import omm_pruebas
from omm_common.tiempo import hoy_honduras
from .navegador import entrar_sin_javascript as _entrar

pytestmark = pytest.mark.integracion

M = "0403"
ROLES = {r: f"web.{r}.{M}" for r in ("coordinadora", "tecnica", "promotora", "cis")}
COORDINADORA, TECNICA, PROMOTORA, CIS = (ROLES[r] for r in ("coordinadora", "tecnica", "promotora", "cis"))
CLAVE = omm_pruebas.CONTRASENA_PRUEBAS
CAMINO = "/api/v1/capacitaciones"
HOY = hoy_honduras()
PRONTO = HOY + timedelta(days=15)

NOMBRES = ["Ana Lucía", "Blanca Rosa", "Carmen", "Dilcia", "Elsa Marina", "Fátima", "Glenda", "Héctor",
           "Iris Yolanda", "Juana", "Karla Patricia", "Lesbia", "Marta Julia", "Nelly", "Olga", "Petrona",
           "Reina Isabel", "Sandra", "Teresa", "Xiomara"]
APELLIDOS = ["Aguilar", "Bonilla", "Castellanos", "Domínguez", "Espinoza", "Fúnez", "García", "Hernández",
             "Izaguirre", "Juárez", "Lagos", "Mejía", "Núñez", "Orellana", "Paz", "Quintanilla", "Rivera",
             "Sabillón", "Tróchez", "Zelaya"]
DNI = "0403199000777"


@pytest.fixture(scope="module")
def api(sistema):
    api = sistema.api
    for rol, usuario in ROLES.items():
        r = api.post("/api/v1/usuarios", "admin", json={
            "usuario": usuario, "nombre": f"{rol.capitalize()} de Concepción", "rol": rol, "municipio": M,
            "contrasena": CLAVE})
        assert r.status_code in (201, 409), r.text
    return api


def _actividad(api, usuario=TECNICA, **extra):
    cuerpo = {"titulo": f"Taller de autoestima {uuid.uuid4().hex[:6]}", "tipo": "taller", "institucion": "OMM",
              "lugar": "Salón comunal de Concepción", "sesiones": [{"fecha": HOY.isoformat(), "hora": "09:00"}]}
    cuerpo.update(extra)
    r = api.post(CAMINO, usuario, json=cuerpo)
    assert r.status_code == 201, r.text
    return r.json()


def _inscribir(api, cid, nombres, apellidos, usuario=TECNICA, **extra):
    r = api.post(f"{CAMINO}/{cid}/inscripciones", usuario, json={"participante": {
        "nombres": nombres, "apellidos": apellidos, "comunidad": "El Zapote", **extra}, "consentimiento_salud": False})
    assert r.status_code == 201, r.text
    return r.json()




def _csrf(s, base, ruta="/"):
    return re.search(r'name="csrf" value="([^"]+)"', s.get(f"{base}{ruta}").text).group(1)


def _fijar(n, selector, valor):
    """Fecha u hora en su campo sin depender del formato del idioma del navegador."""
    n.driver.execute_script("arguments[0].value = arguments[1];", n.encontrar(selector), valor)


def _archivo(n, ruta):
    """Lo que el navegador descargaría desde esa ruta, con su misma sesión."""
    cookies = {c["name"]: c["value"] for c in n.driver.get_cookies()}
    return requests.get(n.base + ruta, cookies=cookies, allow_redirects=False, timeout=30)


# --- HTTP: permisos, CSRF, no-store, URL ---

def test_permisos_csrf_y_no_store(api):
    club = _actividad(api, COORDINADORA, titulo="Club de embarazadas con el CIS", tipo="club_embarazadas",
                      institucion="CIS", lugar="CIS de Concepción")
    taller = _actividad(api)
    _inscribir(api, taller["id"], "Rosa Amelia", "Guevara")
    base = api.base

    cis = _entrar(base, CIS)
    # El CIS no crea actividades: ni la pantalla ni el formulario (aun con su CSRF válido).
    r = cis.get(f"{base}/actividades/nueva", allow_redirects=False)
    assert r.status_code == 403 and "Sin permiso" in r.text
    r = cis.post(f"{base}/actividades/nueva", data={"csrf": _csrf(cis, base, "/actividades"), "clave": "x",
                                                    "titulo": "No", "tipo": "taller", "lugar": "x",
                                                    "fecha": HOY.isoformat()}, allow_redirects=False)
    assert r.status_code == 403
    for ruta in (f"/actividades/{club['id']}/inscribir", f"/actividades/{club['id']}/sesiones/nueva",
                 f"/actividades/{club['id']}/sesiones/{club['sesiones'][0]['id']}/asistencia",
                 f"/actividades/{club['id']}/sesiones/{club['sesiones'][0]['id']}/hoja"):
        assert cis.get(base + ruta, allow_redirects=False).status_code == 403, ruta
    # Lee el club (calendario), no el taller de la oficina.
    r = cis.get(f"{base}/actividades")
    assert r.status_code == 200 and club["titulo"] in r.text and taller["titulo"] not in r.text
    r = cis.get(f"{base}/actividades/{club['id']}")
    assert r.status_code == 200 and "Inscribir participante" not in r.text
    assert cis.get(f"{base}/actividades/{taller['id']}").status_code == 404

    tecnica = _entrar(base, TECNICA)
    r = tecnica.get(f"{base}/actividades/{taller['id']}")
    assert r.status_code == 200 and "Rosa Amelia Guevara" in r.text
    assert r.headers["Cache-Control"] == "no-store" and "Rosa" not in r.headers.get("Content-Disposition", "")
    # Un formulario sin el CSRF se rechaza y no inscribe a nadie.
    r = tecnica.post(f"{base}/actividades/{taller['id']}/inscribir",
                     data={"nombres": "Sin", "apellidos": "Token", "comunidad": "X"}, allow_redirects=False)
    assert r.status_code == 403 and "venció" in r.text
    assert api.get(f"{CAMINO}/{taller['id']}", TECNICA).json()["inscritas"] == 1
    # Un id que no existe, o de otro municipio: 404 en español, no un 500.
    r = tecnica.get(f"{base}/actividades/no-es-un-id")
    assert r.status_code == 404 and "No se encontró" in r.text
    otra = api.post(CAMINO, "tecnica.0309", json={"titulo": "Ajena", "tipo": "taller", "lugar": "x",
                                                   "sesiones": [{"fecha": HOY.isoformat()}]}).json()
    assert tecnica.get(f"{base}/actividades/{otra['id']}").status_code == 404
    # Los PDF de la API, tal cual y sin caché.
    r = tecnica.get(f"{base}/actividades/{taller['id']}/sesiones/{taller['sesiones'][0]['id']}/hoja")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and r.headers["Cache-Control"] == "no-store"
    # Una constancia sin el 75 % de asistencia: el motivo en español, no un 500.
    inscrita = api.get(f"{CAMINO}/{taller['id']}", TECNICA).json()["inscripciones"][0]
    r = tecnica.get(f"{base}/actividades/{taller['id']}/constancias/{inscrita['id']}")
    assert r.status_code == 409 and "75 %" in r.text


# --- la promotora: asistencia de 20 en un teléfono ---

def test_promotora_toma_la_asistencia_de_20_en_un_telefono(api, navegador):
    c = _actividad(api, titulo="Capacitación en derechos de las mujeres", tipo="capacitacion",
                   sesiones=[{"fecha": HOY.isoformat(), "hora": "08:00", "tema": "Ley contra la violencia"},
                             {"fecha": PRONTO.isoformat(), "hora": "08:00"}])
    inscritas = [_inscribir(api, c["id"], NOMBRES[k], APELLIDOS[k], **({"dni": DNI} if k == 0 else {}))
                 for k in range(20)]
    hoy = c["sesiones"][0]["id"]
    n = navegador
    n.entrar(PROMOTORA, CLAVE)
    # Desde el inicio: la sesión de hoy, un toque para tomar asistencia.
    assert "Tomar asistencia: Capacitación en derechos de las mujeres a las 08:00" in n.texto, n.texto
    n.clic("Tomar asistencia: Capacitación en derechos de las mujeres", nombre="asistencia")
    assert n.driver.current_url.endswith(f"/actividades/{c['id']}/sesiones/{hoy}/asistencia")
    assert n.titulo == "Asistencia · OMM"

    n.driver.set_window_size(360, 780)
    casillas = n.todos("ul.asistencia input[type=checkbox]")
    assert len(casillas) == 20 and all(x.is_displayed() and x.is_enabled() for x in casillas)
    filas = n.todos("ul.asistencia label")
    assert all(f.size["height"] >= 48 and f.size["width"] >= 300 for f in filas), [f.size for f in filas]
    # Una sola pantalla: un solo formulario, un solo botón, sin páginas; la página no se desplaza a lo ancho.
    assert len(n.todos("main form")) == 1 and len(n.todos("main form button[type=submit]")) == 1
    assert n.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;") <= 1
    boton = n.encontrar("main form button[type=submit]")
    assert boton.text == "Guardar asistencia" and boton.size["height"] >= 44
    # El botón queda a mano (fijo abajo) mientras se marca la lista.
    assert n.driver.execute_script("const r = arguments[0].getBoundingClientRect(); "
                                   "return r.bottom <= window.innerHeight && r.top >= 0;", boton)
    ausentes = {inscritas[3]["id"], inscritas[17]["id"]}
    for casilla, fila in zip(casillas, filas):
        if casilla.get_attribute("value") not in ausentes:
            n.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", fila)
            fila.click()  # toca el nombre: toda la fila es la casilla
    assert sum(x.is_selected() for x in casillas) == 18
    n.enviar(nombre="asistencia-guardada")  # un toque
    assert "Asistencia guardada: 18 de 20 presentes." in n.texto

    sesion = next(s for s in api.get(f"{CAMINO}/{c['id']}", TECNICA).json()["sesiones"] if s["id"] == hoy)
    assert set(sesion["presentes"]) == {i["id"] for i in inscritas} - ausentes
    # Al volver, las presentes siguen marcadas; la inicio lo dice.
    assert sum(x.is_selected() for x in n.todos("ul.asistencia input[type=checkbox]")) == 18
    n.ir("/", "inicio-tras-asistencia")
    assert "Asistencia tomada: 18 presentes" in n.texto

    # La sesión de dentro de 15 días: todavía no se toma asistencia, se puede imprimir la hoja.
    n.ir(f"/actividades/{c['id']}/sesiones/{c['sesiones'][1]['id']}/asistencia", "asistencia-futura")
    assert "la asistencia se toma ese día o después" in n.texto and not n.todos("ul.asistencia input")

    # Llegó alguien sin inscribir: se inscribe y se vuelve a la misma lista.
    n.ir(f"/actividades/{c['id']}/sesiones/{hoy}/asistencia", "asistencia-otra-vez")
    n.clic("Llegó alguien sin inscribir", nombre="inscribir-desde-asistencia")
    n.escribir("#nombres", "Yesenia")
    n.escribir("#apellidos", "Alvarado")
    n.escribir("#comunidad", "San José")
    n.enviar(nombre="vuelta-a-asistencia")
    assert n.driver.current_url.endswith(f"/sesiones/{hoy}/asistencia?aviso=inscrita")
    assert len(n.todos("ul.asistencia input[type=checkbox]")) == 21 and "Alvarado, Yesenia" in n.texto

    n.sin_datos_en_urls(*NOMBRES, *APELLIDOS, "Yesenia", "Alvarado", DNI)


def test_promotora_registra_el_conteo_de_una_charla_abierta(api, navegador):
    c = _actividad(api, PROMOTORA, titulo="Charla de sensibilización en la escuela", tipo="sensibilizacion",
                   lugar="Escuela de El Zapote", sesiones=[{"fecha": HOY.isoformat(), "hora": "10:00"}])
    n = navegador
    n.entrar(PROMOTORA, CLAVE)
    n.ir(f"/actividades/{c['id']}", "charla")
    assert "Nadie inscrita todavía" in n.texto
    n.clic("Conteo por sexo y edad", nombre="conteo")
    n.escribir("#mujeres", "30")
    n.escribir("#hombres", "5")
    n.escribir("#adultez", "30")
    n.enviar(nombre="conteo-con-error")
    # La regla del servicio junto al campo y arriba, en la misma pantalla.
    assert "debe ser igual al total de mujeres y hombres (35)" in n.encontrar("#ninez-error").text
    assert n.encontrar("#resumen-errores").is_displayed()
    for campo, valor in (("adolescencia", "8"), ("juventud", "12"), ("adultez", "12"), ("adulto_mayor", "3")):
        n.escribir(f"#{campo}", valor)
    n.enviar(nombre="conteo-guardado")
    assert "Conteo guardado" in n.texto and "30 mujeres y 5 hombres" in n.texto
    conteo = api.get(f"{CAMINO}/{c['id']}", TECNICA).json()["sesiones"][0]["conteo"]
    assert conteo["mujeres"] == 30 and conteo["hombres"] == 5 and conteo["total"] == 35
    assert conteo["por_grupo_edad"] == {"ninez": 0, "adolescencia": 8, "juventud": 12, "adultez": 12,
                                        "adulto_mayor": 3}


# --- la coordinadora: el club de embarazadas con el CIS ---

def test_coordinadora_crea_el_club_de_embarazadas_con_el_cis(api, navegador):
    n = navegador
    n.entrar(COORDINADORA, CLAVE)
    n.clic("Actividades", nombre="actividades")
    # Todo tipo del informe de la oficina, con su nombre y tildes.
    opciones = n.driver.execute_script("return Array.from(document.querySelectorAll('#tipo option'))"
                                       ".map(o => o.textContent);")
    for nombre in ("Club de embarazadas", "Escuela de emprendimiento", "Sensibilización", "Socialización",
                   "Asesoría técnica", "Capacitación", "Taller"):
        assert nombre in opciones, opciones
    n.clic("Club de embarazadas con el CIS", nombre="nuevo-club")
    assert n.encontrar("#tipo").get_attribute("value") == "club_embarazadas"
    assert n.encontrar("#institucion").get_attribute("value") == "CIS"
    assert n.encontrar("#meses").get_attribute("value") == "12"
    assert n.encontrar("#lugar").get_attribute("value") == "CIS de Concepción"
    # Sin nombre: el error junto al campo, en la misma pantalla.
    n.escribir("#titulo", " ")
    n.enviar(nombre="club-sin-nombre")
    assert n.encontrar("#titulo-error").is_displayed() and n.encontrar("#resumen-errores").is_displayed()
    titulo = f"Club de embarazadas de Concepción {uuid.uuid4().hex[:4]}"
    n.escribir("#titulo", titulo)
    n.escribir("#facilitador", "Enfermera del CIS")
    _fijar(n, "#fecha", (HOY - timedelta(days=10)).isoformat())  # la del mes siguiente aún no llega
    _fijar(n, "#hora", "09:00")
    n.escribir("#tema", "Control prenatal")
    n.escribir("#meses", "6")
    n.enviar(nombre="club-creado")
    assert "Actividad creada con sus sesiones" in n.texto and n.titulo == f"{titulo} · OMM"
    cid = n.driver.current_url.split("/actividades/")[1].split("?")[0]
    club = api.get(f"{CAMINO}/{cid}", COORDINADORA).json()
    assert club["tipo"] == "club_embarazadas" and club["institucion"] == "CIS" and len(club["sesiones"]) == 6

    # Una sesión más, fuera del calendario mensual.
    n.clic("Programar una sesión", nombre="programar-sesion")
    extra = HOY + timedelta(days=3)
    _fijar(n, "#fecha", extra.isoformat())
    _fijar(n, "#hora", "14:30")
    n.escribir("#tema", "Lactancia materna")
    n.enviar(nombre="sesion-programada")
    assert "Sesión programada" in n.texto and "Lactancia materna" in n.texto
    club = api.get(f"{CAMINO}/{cid}", COORDINADORA).json()
    nueva = next(s for s in club["sesiones"] if s["fecha"] == extra.isoformat())
    assert nueva["hora"] == "14:30" and len(club["sesiones"]) == 7

    # Reprogramarla: el motivo es obligatorio y se ve después.
    n.ir(f"/actividades/{cid}/sesiones/{nueva['id']}/reprogramar", "reprogramar")
    _fijar(n, "#fecha", (extra + timedelta(days=2)).isoformat())
    n.enviar(nombre="reprogramar-sin-motivo")
    assert n.encontrar("#motivo-error").is_displayed()
    _fijar(n, "#fecha", (extra + timedelta(days=2)).isoformat())
    n.escribir("#motivo", "El salón del CIS está ocupado")
    n.enviar(nombre="reprogramada")
    assert "Sesión reprogramada" in n.texto and "El salón del CIS está ocupado" in n.texto
    s = next(x for x in api.get(f"{CAMINO}/{cid}", COORDINADORA).json()["sesiones"] if x["id"] == nueva["id"])
    assert s["fecha"] == (extra + timedelta(days=2)).isoformat() and s["cambios"][0]["accion"] == "reprogramacion"

    # Cancelar la última del calendario.
    ultima = club["sesiones"][-1]
    n.ir(f"/actividades/{cid}/sesiones/{ultima['id']}/cancelar", "cancelar")
    n.driver.execute_script("document.querySelector('main form').removeAttribute('data-confirmar');")
    n.escribir("#motivo", "Jornada de vacunación en el CIS")
    n.enviar(nombre="cancelada")
    assert "Sesión cancelada" in n.texto and "Jornada de vacunación en el CIS" in n.texto
    s = next(x for x in api.get(f"{CAMINO}/{cid}", COORDINADORA).json()["sesiones"] if x["id"] == ultima["id"])
    assert s["estado"] == "cancelada"

    # Inscribir a una embarazada con consentimiento para el CIS.
    n.clic("Inscribir participante", nombre="inscribir")
    n.escribir("#nombres", "Lesly Marisol")
    n.escribir("#apellidos", "Cárcamo Pineda")
    n.escribir("#comunidad", "El Pedernal")
    n.escribir("#dni", DNI)
    n.escribir("#telefono", "9988-7766")
    n.escribir("#semanas_gestacion", "20")
    n.encontrar("input[name=consentimiento_salud]").click()
    n.enviar(nombre="inscrita")
    assert "Participante inscrita" in n.texto
    # La misma otra vez: el duplicado en español, en la misma pantalla.
    n.escribir("#nombres", "Lesly")
    n.escribir("#apellidos", "Cárcamo")
    n.escribir("#comunidad", "El Pedernal")
    n.escribir("#dni", DNI)
    n.enviar(nombre="inscrita-duplicada")
    assert "ya está inscrita en la actividad" in n.texto and n.encontrar("#nombres").get_attribute("value") == "Lesly"
    club = api.get(f"{CAMINO}/{cid}", COORDINADORA).json()
    i = club["inscripciones"][0]
    assert club["inscritas"] == 1 and i["consentimiento_salud"] and i["semanas_gestacion"] == 20

    # La asistencia de la primera sesión (ya ocurrió) y entonces la constancia (100 %).
    primera = club["sesiones"][0]
    n.ir(f"/actividades/{cid}/sesiones/{primera['id']}/asistencia", "asistencia-club")
    n.encontrar("ul.asistencia label").click()
    n.enviar(nombre="asistencia-club-guardada")
    assert "1 de 1 presentes" in n.texto
    n.clic("Volver a la actividad", nombre="club")
    assert "Semanas de gestación" in n.texto and "Fecha probable de parto" in n.texto

    # La hoja de asistencia y la constancia: los PDF de la API, desde los enlaces de la pantalla.
    hoja = n.encontrar(f"a[href='/actividades/{cid}/sesiones/{primera['id']}/hoja']").get_attribute("href")
    r = _archivo(n, hoja.replace(n.base, ""))
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf", r.text[:300]
    assert r.content.startswith(b"%PDF") and r.headers["Cache-Control"] == "no-store"
    constancia = n.encontrar(f"a[href='/actividades/{cid}/constancias/{i['id']}']").get_attribute("href")
    r = _archivo(n, constancia.replace(n.base, ""))
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"

    # La lista lo muestra con su tipo; el CIS lo ve con el nombre de quien consintió.
    n.ir("/actividades?tipo=club_embarazadas", "club-en-la-lista")
    assert titulo in n.texto and "Club de embarazadas" in n.texto
    n.sin_datos_en_urls("Lesly", "Cárcamo", "Pineda", DNI, "9988")

    cis = _entrar(api.base, CIS)
    r = cis.get(f"{api.base}/actividades/{cid}")
    assert r.status_code == 200 and "Lesly Marisol Cárcamo Pineda" in r.text and "9988-7766" not in r.text


# --- la técnica: la escuela de emprendimiento ---

def test_tecnica_abre_la_escuela_de_emprendimiento_e_inscribe(api, navegador):
    n = navegador
    n.entrar(TECNICA, CLAVE)
    n.ir("/actividades", "actividades")
    n.clic("Escuela de emprendimiento", nombre="nueva-escuela")
    assert n.encontrar("#tipo").get_attribute("value") == "escuela_emprendimiento"
    n.escribir("#lugar", "Casa de la cultura")
    n.escribir("#cupo", "1")
    _fijar(n, "#fecha", PRONTO.isoformat())
    n.enviar(nombre="escuela-creada")
    assert "Escuela de emprendimiento" in n.texto and "Cupo" in n.texto
    n.clic("Inscribir participante", nombre="inscribir")
    n.escribir("#nombres", "Wendy")
    n.escribir("#apellidos", "Maradiaga")
    n.escribir("#comunidad", "Centro")
    _fijar(n, "#fecha_nacimiento", "1990-05-04")
    n.enviar(nombre="inscrita")
    assert "Participante inscrita" in n.texto
    # El cupo se llenó: se dice en español en la misma pantalla, no un error en blanco.
    n.escribir("#nombres", "Zoila")
    n.escribir("#apellidos", "Ramos")
    n.escribir("#comunidad", "Centro")
    n.escribir("#telefono", "abc")
    n.enviar(nombre="telefono-invalido")
    assert n.encontrar("#telefono-error").is_displayed() and "Teléfono inválido" in n.texto
    n.escribir("#telefono", "3344-5566")
    n.enviar(nombre="sin-cupo")
    assert "ya no tiene cupo" in n.texto
    n.sin_datos_en_urls("Wendy", "Maradiaga", "Zoila", "Ramos")
