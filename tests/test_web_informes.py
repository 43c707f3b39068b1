"""Pantallas de informes en la aplicación web, contra el sistema real y en un Chromium de verdad: la coordinadora ve
el informe del trimestre con sus gráficos, descarga el PDF, escribe los desafíos y fija una meta del POA con su
barra de avance; la mancomunidad lee las cifras de su región por municipio y mes, con gráficos, la completitud y
el informe consolidado; las cifras pequeñas de casos salen como «<5», nunca como un número.

Municipios propios de este módulo: 0405 (Corquín) y 0406 (Cucuyagua, Copán), en una mancomunidad de prueba.
"""
import io
import re
from datetime import timedelta

import pytest
import requests
from PIL import Image

import omm_pruebas
from omm_common.tiempo import hoy_honduras
from .navegador import entrar_sin_javascript

pytestmark = pytest.mark.integracion

M1, M2 = "0405", "0406"
MANC = "MANWEB-INF"
COORDINADORA, TECNICA, COORDINADORA2 = f"web.coordinadora.{M1}", f"web.tecnica.{M1}", f"web.coordinadora.{M2}"
MANCOMUNIDAD = f"web.mancomunidad.{MANC.lower()}"
CLAVE = omm_pruebas.CONTRASENA_PRUEBAS
HOY = hoy_honduras()
T = (HOY.month - 1) // 3 + 1
NOMBRES_T = {1: "primer trimestre", 2: "segundo trimestre", 3: "tercer trimestre", 4: "cuarto trimestre"}
# Lo sembrado que nunca puede salir en una URL.
PERSONAS = [("Dilcia Marisol", "Informe Uno", f"{M1}-1988-01001"), ("Reina Yolanda", "Informe Dos", f"{M1}-1979-01002"),
            ("Olga Patricia", "Informe Tres", f"{M1}-1990-01003")]


def _crear_usuaria(api, usuario, nombre, rol, **donde):
    r = api.post("/api/v1/usuarios", "admin", json={"usuario": usuario, "nombre": nombre, "rol": rol,
                                                    "contrasena": CLAVE, **donde})
    assert r.status_code in (201, 409), r.text


def _caso(api, usuaria, municipio, i, tipos, fecha):
    r = api.post("/api/v1/casos", usuaria, cabeceras={"Idempotency-Key": f"web-informes-caso-{municipio}-{i}"}, json={
        "fecha_atencion": fecha.isoformat(),
        "sobreviviente": {"nombres": "Sobreviviente", "apellidos": f"Informe{i}", "dni": f"{municipio}-1985-{i:05d}",
                          "comunidad": "Centro", "telefono": "+504 9000-0405"},
        "tipos_violencia": tipos, "contexto": "pareja", "relato": "relato de prueba de las pantallas de informes",
        "nivel_riesgo": "medio", "consentimiento": {"servicios": True, "derivacion": False, "estadisticas": True}})
    assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def datos(sistema):
    api = sistema.api
    _crear_usuaria(api, COORDINADORA, "Coordinadora de Corquín (web)", "coordinadora", municipio=M1)
    _crear_usuaria(api, TECNICA, "Técnica de Corquín (web)", "tecnica", municipio=M1)
    _crear_usuaria(api, COORDINADORA2, "Coordinadora de Cucuyagua (web)", "coordinadora", municipio=M2)
    r = api.post("/api/v1/mancomunidades", "admin", json={"codigo": MANC, "nombre": "Mancomunidad de Prueba de Copán"},
                 cabeceras={"Idempotency-Key": "web-informes-manc"})
    assert r.status_code in (201, 409), r.text
    for m in (M1, M2):
        assert api.put(f"/api/v1/municipios/{m}", "admin", json={"mancomunidad": MANC}).status_code == 200
    _crear_usuaria(api, MANCOMUNIDAD, "Analista de la Mancomunidad de Prueba", "mancomunidad", mancomunidad=MANC)

    # Corquín: 6 casos de violencia psicológica y 2 de sexual (esta cifra sale «<5»), una charla y tres entregas.
    for i in range(6):
        _caso(api, TECNICA, M1, i, ["psicologica"], HOY)
    for i in range(6, 8):
        _caso(api, TECNICA, M1, i, ["sexual"], HOY)
    ayer = max(HOY - timedelta(days=1), HOY.replace(day=1))
    r = api.post("/api/v1/capacitaciones", TECNICA, cabeceras={"Idempotency-Key": "web-informes-charla"}, json={
        "titulo": "Charla sobre la ruta de denuncia en Corquín", "tipo": "sensibilizacion", "institucion": "OMM",
        "lugar": "Escuela del centro", "sesiones": [{"fecha": ayer.isoformat(), "hora": "09:00"}]})
    assert r.status_code == 201, r.text
    charla = r.json()
    r = api.put(f"/api/v1/capacitaciones/{charla['id']}/sesiones/{charla['sesiones'][0]['id']}/conteo", TECNICA,
                json={"mujeres": 25, "hombres": 3})
    assert r.status_code == 200, r.text
    r = api.post("/api/v1/ayudas/tipos", COORDINADORA, json={"codigo": "bolsa_web", "nombre": "Bolsa de alimentos",
                                                             "categoria": "alimentos", "unidad": "bolsas",
                                                             "frecuencia_dias": 30})
    assert r.status_code in (201, 409), r.text
    assert api.post("/api/v1/ayudas/inventario/movimientos", COORDINADORA, json={
        "tipo_codigo": "bolsa_web", "cantidad": 20, "motivo": "donacion"},
        cabeceras={"Idempotency-Key": "web-informes-donacion"}).status_code == 201
    for n, (nombres, apellidos, dni) in enumerate(PERSONAS):
        r = api.post("/api/v1/ayudas/beneficiarias", TECNICA, json={
            "nombres": nombres, "apellidos": apellidos, "dni": dni, "fecha_nacimiento": f"19{80 + n}-03-0{n + 1}",
            "comunidad": "Centro", "condiciones": ["bajos_recursos"], "consentimiento_salud": False})
        assert r.status_code in (201, 409), r.text  # 409: ya registrada (otro módulo de pruebas usó este fixture)
        beneficiaria = r.json()["id"] if r.status_code == 201 else r.json()["detalles"]["id"]
        r = api.post("/api/v1/ayudas/entregas", TECNICA, cabeceras={"Idempotency-Key": f"web-informes-entrega-{n}"},
                     json={"beneficiaria_id": beneficiaria, "tipo_codigo": "bolsa_web", "cantidad": 1,
                           "fecha": HOY.isoformat()})
        assert r.status_code == 201, r.text
    # Cucuyagua: 2 casos este mes (en la región, «<5») y nada más: sus meses anteriores quedan sin registros.
    for i in range(2):
        _caso(api, COORDINADORA2, M2, 100 + i, ["fisica"], HOY)
    return api


# --- sin navegador: sesión como la de un formulario sin JavaScript ---

def _entrar(base, usuario):
    return entrar_sin_javascript(base, usuario, destino="/")


def _csrf(s, url):
    return re.search(r'name="csrf" value="([^"]+)"', s.get(url).text).group(1)


def test_permisos_no_store_csrf_y_archivos(datos):
    base = datos.base
    coordinadora, tecnica, mancomunidad = _entrar(base, COORDINADORA), _entrar(base, TECNICA), _entrar(base, MANCOMUNIDAD)
    r = coordinadora.get(f"{base}/informe")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert "<svg" in r.text and 'style="' not in r.text and "<script>" not in r.text
    for ruta in ("/poa", "/poa/editar", "/informe/textos"):
        r = coordinadora.get(f"{base}{ruta}")
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store", ruta
    # La API no deja a la técnica ver el informe ni escribir sus textos o el POA; sí leer el POA.
    for ruta in ("/informe", "/informe/textos", "/poa/editar", "/informe/descargar?formato=pdf", "/region"):
        r = tecnica.get(f"{base}{ruta}")
        assert r.status_code == 403 and "Sin permiso" in r.text, ruta
    assert tecnica.get(f"{base}/poa").status_code == 200
    # La región es solo de la mancomunidad; la mancomunidad no edita el POA de una oficina.
    assert coordinadora.get(f"{base}/region").status_code == 403
    assert mancomunidad.get(f"{base}/poa/editar").status_code == 403
    assert mancomunidad.get(f"{base}/informe/textos").status_code == 403
    r = mancomunidad.get(f"{base}/region")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    # Un municipio de otra mancomunidad no existe para ella.
    assert mancomunidad.get(f"{base}/informe?municipio=0309").status_code == 404
    assert mancomunidad.get(f"{base}/informe?municipio={M2}").status_code == 200
    # Sin el CSRF de la sesión, nada se escribe.
    for ruta, datos_ in (("/informe/textos", {"desafios": "sin csrf"}), ("/poa/editar", {"anio": HOY.year})):
        r = coordinadora.post(f"{base}{ruta}", data=datos_, allow_redirects=False)
        assert r.status_code == 403 and "venció" in r.text, ruta
    assert "sin csrf" not in datos.get(f"/api/v1/reportes/textos?anio={HOY.year}&trimestre={T}", COORDINADORA).text
    # El PDF y el Excel son los de la API: adjuntos y sin caché.
    r = coordinadora.get(f"{base}/informe/descargar?formato=pdf&anio={HOY.year}&trimestre={T}")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf" and r.content[:4] == b"%PDF"
    assert r.headers["Cache-Control"] == "no-store" and "attachment" in r.headers["Content-Disposition"]
    r = coordinadora.get(f"{base}/informe/descargar?formato=xlsx")
    assert r.status_code == 200 and "spreadsheetml" in r.headers["Content-Type"] and r.content[:2] == b"PK"
    assert coordinadora.get(f"{base}/informe/descargar?formato=doc").status_code == 404
    # La clasificación del GBVIMS, en el informe y en la región.
    r = coordinadora.get(f"{base}/informe?clasificacion=gbvims")
    assert r.status_code == 200 and "GBVIMS" in r.text
    assert mancomunidad.get(f"{base}/region?clasificacion=gbvims&trimestre={T}").status_code == 200
    # El logo: sin archivo, el error junto al campo; con una imagen, se guarda y sale en el informe.
    s = coordinadora
    r = s.post(f"{base}/informe/logo", data={"csrf": _csrf(s, f"{base}/informe/textos"), "clave": "logo-vacio"})
    assert r.status_code == 400 and 'id="archivo-error"' in r.text
    imagen = io.BytesIO()
    Image.new("RGB", (300, 120), (107, 44, 145)).save(imagen, "PNG")
    r = s.post(f"{base}/informe/logo", data={"csrf": _csrf(s, f"{base}/informe/textos"), "clave": "logo-1"},
               files={"archivo": ("logo.png", imagen.getvalue(), "image/png")}, allow_redirects=False)
    assert r.status_code == 303 and "aviso=logo" in r.headers["Location"], r.text[:300]
    assert 'src="/informe/logo"' in coordinadora.get(f"{base}/informe").text
    r = coordinadora.get(f"{base}/informe/logo")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("image/")
    # Un periodo raro no rompe la página: vuelve al de hoy.
    assert coordinadora.get(f"{base}/informe?anio=dos-mil&trimestre=9").status_code == 200


def test_el_poa_y_los_textos_muestran_los_errores_en_su_campo(datos):
    base = datos.base
    s = _entrar(base, COORDINADORA)
    # Una meta negativa: el esquema la rechaza con el trimestre en palabras.
    r = s.post(f"{base}/poa/editar", data={
        "csrf": _csrf(s, f"{base}/poa/editar"), "clave": "poa-negativo", "anio": "2031",
        "a0-nombre": "Charlas", "a0-indicador": "actividades", "a0-tipo_capacitacion": "taller", "a0-t2": "-1",
        "a1-nombre": "", "a1-indicador": ""}, allow_redirects=False)
    assert r.status_code == 400, r.text[:500]
    assert "Meta 1, segundo trimestre" in r.text and 'id="a0-t2-error"' in r.text
    # Una meta que cuenta entregas sin decir de qué categoría (el tipo de actividad no le corresponde: no se envía).
    r = s.post(f"{base}/poa/editar", data={
        "csrf": _csrf(s, f"{base}/poa/editar"), "clave": "poa-sin-categoria", "anio": "2031",
        "a0-nombre": "Entregas sin categoría", "a0-indicador": "entregas", "a0-tipo_capacitacion": "taller",
        "a0-t1": "3"}, allow_redirects=False)
    assert r.status_code == 400, r.text[:500]
    assert "Elija la categoría de ayuda que cuenta esta meta." in r.text
    assert 'id="a0-categoria_ayuda-error"' in r.text and 'aria-invalid="true"' in r.text
    assert "Entregas sin categoría" in r.text  # lo escrito sigue en el formulario
    assert "categoria_ayuda (" not in r.text and "«entregas»" not in r.text  # sin códigos en pantalla
    assert datos.get("/api/v1/poa/2031", COORDINADORA).json()["actividades"] == []
    # Un texto demasiado largo: el error junto a su campo.
    r = s.post(f"{base}/informe/textos", data={"csrf": _csrf(s, f"{base}/informe/textos"), "clave": "t-largo",
                                               "anio": str(HOY.year), "trimestre": str(T), "desafios": "x" * 7000})
    assert r.status_code == 400 and 'id="desafios-error"' in r.text


def _descargar(n, texto_enlace):
    """Lo que el navegador descargaría de un enlace, con la misma sesión (su cookie)."""
    enlace = n.driver.find_element("partial link text", texto_enlace).get_attribute("href")
    s = requests.Session()
    for c in n.driver.get_cookies():
        s.cookies.set(c["name"], c["value"])
    return s.get(enlace, timeout=60)


def test_la_coordinadora_ve_el_informe_descarga_el_pdf_y_escribe_sus_textos(datos, navegador):
    n = navegador
    n.entrar(COORDINADORA, CLAVE)
    n.clic("Informe", "informe")
    assert n.titulo == "Informe de actividades · OMM"
    assert n.todos("main svg"), "el informe no tiene gráficos"
    texto = n.texto
    assert "Oficina Municipal de la Mujer de Corquín" in texto and f"{NOMBRES_T[T].capitalize()} de {HOY.year}" in texto
    assert "casos atendidos" in texto and "Psicológica" in texto
    assert "Entrega de ayuda social de alimentos" in texto and "Charla sobre la ruta de denuncia en Corquín" in texto
    # Los 2 casos de violencia sexual salen «<5», nunca «2».
    fila = next(f for f in n.todos("main table tr") if "Sexual" in f.text)
    assert "<5" in fila.text and "2" not in fila.text.replace("Sexual", "")
    assert not re.search(r"\bpsicologica\b|\bsensibilizacion\b", texto)  # nunca un código
    r = _descargar(n, "Descargar PDF")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf" and r.content[:4] == b"%PDF"
    r = _descargar(n, "Descargar Excel")
    assert r.status_code == 200 and "spreadsheetml" in r.headers["Content-Type"]

    n.clic("Editar los textos", "textos")
    assert n.titulo == "Textos del informe · OMM"
    n.escribir("#desafios", "Falta transporte para llegar a las aldeas de Corquín.")
    n.escribir("#lineas_accion", "Gestionar un vehículo con la alcaldía.\nVisitar dos aldeas por mes.")
    n.enviar("#form-textos button[type=submit]", "informe-con-textos")
    assert "Los textos del informe se guardaron." in n.texto
    assert "Falta transporte para llegar a las aldeas de Corquín." in n.texto
    assert "Visitar dos aldeas por mes." in n.texto
    guardado = datos.get(f"/api/v1/reportes/textos?anio={HOY.year}&trimestre={T}", COORDINADORA).json()
    assert guardado["lineas_accion"] == ["Gestionar un vehículo con la alcaldía.", "Visitar dos aldeas por mes."]
    # El formulario vuelve con lo guardado.
    n.ir(f"/informe/textos?anio={HOY.year}&trimestre={T}", "textos-guardados")
    assert n.encontrar("#desafios").get_attribute("value") == "Falta transporte para llegar a las aldeas de Corquín."
    n.sin_datos_en_urls(*[x for p in PERSONAS for x in p])


def test_la_coordinadora_fija_una_meta_del_poa_y_ve_su_barra(datos, navegador):
    n = navegador
    n.entrar(COORDINADORA, CLAVE)
    n.clic("POA", "poa")
    assert n.titulo == "Plan operativo anual (POA) · OMM"
    n.clic("Editar las metas", "poa-editar")
    n.escribir("#a0-nombre", "Charlas de sensibilización en las aldeas")
    n.elegir("#a0-indicador", valor="actividades")
    n.elegir("#a0-tipo_capacitacion", valor="sensibilizacion")
    n.escribir(f"#a0-t{T}", "4")
    n.escribir("#a1-nombre", "Bolsas de alimentos")
    n.elegir("#a1-indicador", valor="entregas")
    n.enviar("#form-poa button[type=submit]", "poa-con-error")
    # Sin la categoría: el error en español junto a su campo, lo escrito sigue ahí.
    assert "Elija la categoría de ayuda que cuenta esta meta." in n.texto
    assert n.encontrar("#a0-nombre").get_attribute("value") == "Charlas de sensibilización en las aldeas"
    n.elegir("#a1-categoria_ayuda", valor="alimentos")
    n.escribir(f"#a1-t{T}", "3")
    n.enviar("#form-poa button[type=submit]", "poa-guardado")
    assert "Las metas del POA se guardaron." in n.texto
    assert "Charlas de sensibilización en las aldeas" in n.texto
    barra = n.encontrar(f"#poa-1-t{T}")
    assert barra.tag_name == "progress"
    assert float(barra.get_attribute("max")) == 4 and float(barra.get_attribute("value")) == 1
    etiqueta = n.encontrar(f"label[for='poa-1-t{T}']").text
    assert "1 de 4" in etiqueta and "25" in etiqueta
    # Las tres entregas cumplen la meta de 3 bolsas.
    barra = n.encontrar(f"#poa-2-t{T}")
    assert float(barra.get_attribute("value")) == 3 and "3 de 3" in n.encontrar(f"label[for='poa-2-t{T}']").text
    # En el inicio, el avance del trimestre.
    n.ir("/", "inicio-con-poa")
    assert f"POA del {NOMBRES_T[T]}: 1 de 2 metas cumplidas" in n.texto
    # La técnica lo lee, sin poder editarlo.
    n.salir()
    n.entrar(TECNICA, CLAVE)
    n.clic("POA", "poa-tecnica")
    assert "Charlas de sensibilización en las aldeas" in n.texto and "Editar las metas" not in n.texto


def test_la_mancomunidad_lee_su_region_con_graficos_y_completitud(datos, navegador):
    n = navegador
    n.entrar(MANCOMUNIDAD, CLAVE)
    # En el inicio: los municipios con meses cerrados sin registros (Cucuyagua solo tiene casos de este mes).
    if HOY.month > 1:
        assert "Cucuyagua:" in n.texto and "sin registros este año" in n.texto
    n.clic("Región", "region")
    assert n.titulo == "Cifras de la región · OMM"
    assert len(n.todos("main svg[role=img]")) >= 4
    texto = n.texto
    assert "Corquín" in texto and "Cucuyagua" in texto and "Completitud" in texto
    # Cucuyagua: 2 casos, que salen «<5» en su fila; Corquín sus 8 casos (y sus 3 entregas).
    fila = next(f for f in n.todos("main table tr") if f.text.startswith("Cucuyagua"))
    assert "<5" in fila.text
    corquin = next(f for f in n.todos("main table tr") if f.text.startswith("Corquín"))
    celdas = [c.text for c in corquin.find_elements("css selector", "td")]
    assert celdas[0] in ("8", "<5") and celdas[1] == "3"
    if HOY.month > 1:
        assert "sin registros" in texto
    assert n.todos("#completitud") and "Meses con y sin registros por municipio" in texto
    r = _descargar(n, "Informe consolidado (PDF)")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf" and r.content[:4] == b"%PDF"
    n.clic("Ver el informe consolidado", "informe-consolidado")
    assert "Mancomunidad de Prueba de Copán" in n.texto and n.todos("main svg")
    assert "casos atendidos" not in n.texto  # la cifra entera de cada oficina no es de la mancomunidad
    n.sin_datos_en_urls(*[x for p in PERSONAS for x in p])
