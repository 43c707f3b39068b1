"""Las pantallas de ayudas como las usa una oficina, contra el sistema real y en un Chromium de verdad (Cabañas,
0402): la técnica registra a una mujer, ve su registro al repetir el DNI y le entrega una ayuda viendo existencias,
presupuesto y la próxima fecha antes de confirmar, hasta el recibo en 4 pantallas; la promotora confirma que una
parecida es otra persona; la coordinadora importa un Excel con una fila mala (progreso y error por fila), ve
inventario y presupuesto, autoriza una excepción y anula. Además: no-store, 403 por rol, CSRF, nada personal en
una URL, el recibo en PDF y la exportación en Excel."""
import io
import random
import re
from datetime import timedelta

import pytest
import requests
from openpyxl import Workbook, load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

import omm_pruebas
from omm_common.textos import fecha_larga
from omm_common.tiempo import hoy_honduras

from .navegador import ya_no_esta

pytestmark = pytest.mark.integracion

M = "0402"
ROLES = {"coordinadora": f"web.coordinadora.{M}", "tecnica": f"web.tecnica.{M}", "promotora": f"web.promotora.{M}",
         "cis": f"web.cis.{M}"}
COORD, TEC, PROM, CIS = (ROLES[r] for r in ("coordinadora", "tecnica", "promotora", "cis"))
B = "/api/v1/ayudas"
CLAVE = omm_pruebas.CONTRASENA_PRUEBAS
SUFIJO = random.randint(10000, 89999)  # DNI distintos si el mismo sistema corre esto dos veces


def _dni(n):
    return f"{M}-1985-{SUFIJO + n:05d}"


@pytest.fixture(scope="module")
def api(sistema):
    api = sistema.api
    nombres = {"coordinadora": "Coordinadora", "tecnica": "Técnica", "promotora": "Promotora", "cis": "CIS"}
    for rol, usuario in ROLES.items():
        r = api.post("/api/v1/usuarios", "admin", json={
            "usuario": usuario, "nombre": f"{nombres[rol]} de Cabañas", "rol": rol, "municipio": M,
            "contrasena": CLAVE})
        assert r.status_code in (201, 409), r.text
    for tipo in ({"codigo": "bolsa", "nombre": "Bolsa de alimentos", "categoria": "alimentos", "unidad": "bolsas",
                  "frecuencia_dias": 30, "existencia_minima": 5},
                 {"codigo": "panales", "nombre": "Paquete de pañales", "categoria": "panales", "unidad": "paquetes",
                  "frecuencia_dias": 15, "existencia_minima": 3},
                 {"codigo": "medicamentos", "nombre": "Ayuda para medicamentos", "categoria":
                  "economica_medicamentos", "unidad": "lempiras", "frecuencia_dias": 30, "monto_maximo": 2000}):
        r = api.post(f"{B}/tipos", COORD, json=tipo)
        assert r.status_code in (201, 409), r.text
        if r.status_code == 201 and tipo["codigo"] == "bolsa":
            r = api.post(f"{B}/inventario/movimientos", COORD, json={"tipo_codigo": "bolsa", "cantidad": 40,
                                                                      "motivo": "donacion", "origen": "Alcaldía"})
            assert r.status_code == 201, r.text
    r = api.put(f"{B}/presupuesto", COORD, json={"anio": hoy_honduras().year, "monto": 10000})
    assert r.status_code == 200, r.text
    return api


def _sesion(base, usuario):
    """Un navegador sin JavaScript: entra con el CSRF del formulario."""
    s = requests.Session()
    csrf = re.search(r'name="csrf" value="([^"]+)"', s.get(f"{base}/entrar").text).group(1)
    r = s.post(f"{base}/entrar", data={"csrf": csrf, "usuario": usuario, "contrasena": CLAVE}, allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return s


def _ocultos(html):
    clave = re.search(r'name="clave" value="([^"]+)"', html)
    return {"csrf": re.search(r'name="csrf" value="([^"]+)"', html).group(1),
            **({"clave": clave.group(1)} if clave else {})}


def _beneficiaria(api, usuario=TEC, **extra):
    datos = {"nombres": "Persona", "apellidos": "De Prueba", "fecha_nacimiento": "1985-03-04", "comunidad": "Centro",
             "consentimiento_salud": False, **extra}
    r = api.post(f"{B}/beneficiarias", usuario, json=datos)
    assert r.status_code == 201, r.text
    return r.json()


def _ruta(url):
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0]


def _llenar_registro(n, nombres, apellidos, dni="", fecha="", comunidad="Centro", motivo=None):
    n.escribir("#nombres", nombres)
    n.escribir("#apellidos", apellidos)
    n.escribir("#dni", dni)
    if motivo:
        n.elegir("#motivo_sin_dni", valor=motivo)
    if fecha:  # <input type=date> en Chromium: se escribe como mm/dd/aaaa con el teclado; mejor el valor
        n.driver.execute_script("document.getElementById('fecha_nacimiento').value = arguments[0];", fecha)
    n.escribir("#comunidad", comunidad)


def _fijar(n, selector, valor):
    n.driver.execute_script("document.querySelector(arguments[0]).value = arguments[1];", selector, valor)


def test_tecnica_registra_ve_el_dni_existente_y_entrega_hasta_el_recibo_en_4_pantallas(api, navegador):
    n = navegador
    nombres, apellidos, dni = "Marta Lidia", "Guevara Sosa", _dni(1)
    n.entrar(TEC, CLAVE)
    n.clic("Entregar una ayuda", "beneficiarias")
    n.clic("Registrar una beneficiaria", "registrar")
    _llenar_registro(n, nombres, apellidos, dni, "1985-03-04", "El Rosario")
    n.encontrar("input[name=condiciones][value=jefa_hogar]").click()
    n.enviar(nombre="registrada")
    assert "Beneficiaria registrada" in n.texto and f"{nombres} {apellidos}" in n.texto
    assert "Jefa de hogar" in n.texto and n.titulo == "Beneficiaria · OMM"  # el nombre no va en el título
    marta = _ruta(n.driver.current_url).rsplit("/", 1)[1]

    # El mismo DNI otra vez (aun con otro nombre): se muestra ESE registro, con el enlace a su página.
    n.ir("/beneficiarias/nueva", "registrar-otra-vez")
    _llenar_registro(n, "Marta", "Guevara", dni.replace("-", ""), "1985-03-04", "El Rosario")
    n.enviar(nombre="dni-existente")
    assert "Ya está registrada con ese DNI" in n.texto and f"{nombres} {apellidos}" in n.texto
    enlace = n.encontrar("ul.tarjetas a.boton")
    assert enlace.get_attribute("href").endswith(f"/beneficiarias/{marta}")
    assert len(api.get(f"{B}/beneficiarias", TEC, params={"dni": dni}).json()["items"]) == 1

    # La entrega desde el inicio: inicio → buscar → su página (revisión y confirmación) → recibo.
    n.ir("/", "inicio")
    desde = len(n.urls) - 1
    n.clic("Entregar una ayuda", "buscar")
    n.escribir("#buscar", dni)
    n.enviar(nombre="persona-entrega")  # un DNI es de una sola persona: directo a su página
    assert _ruta(n.driver.current_url) == f"/beneficiarias/{marta}"
    anio = hoy_honduras().year
    # Antes de confirmar: existencias, presupuesto que queda y la próxima fecha que permite la frecuencia.
    bolsa = n.encontrar("input[name=tipo_codigo][value=bolsa]").find_element(By.XPATH, "ancestor::li[1]").text
    assert re.search(r"Existencias: \d+ bolsas", bolsa), bolsa
    assert "Próxima entrega permitida: desde hoy" in bolsa, bolsa
    medicina = n.encontrar("input[name=tipo_codigo][value=medicamentos]").find_element(
        By.XPATH, "ancestor::li[1]").text
    assert f"Presupuesto restante {anio}: L " in medicina and "máximo por entrega L 2,000.00" in medicina, medicina
    panales = n.encontrar("input[name=tipo_codigo][value=panales]")
    assert not panales.is_enabled() and "no hay para entregar" in panales.find_element(
        By.XPATH, "ancestor::li[1]").text
    existencias = int(re.search(r"Existencias: (\d+) bolsas", bolsa).group(1))
    n.encontrar("input[name=tipo_codigo][value=bolsa]").click()
    n.escribir("#cantidad", "2")
    n.enviar("form[action$='/entrega'] button[type=submit]", nombre="recibo")
    assert "Entrega registrada" in n.texto and "Recibo" in n.texto and "2 bolsas" in n.texto
    assert f"{nombres} {apellidos}" in n.texto and "Técnica de Cabañas" in n.texto
    assert n.encontrar("a[href$='/recibo.pdf']").is_displayed()
    assert n.encontrar("button[data-imprimir]").is_displayed()  # con JavaScript, también imprimir la página
    # Del inicio al recibo: inicio → buscar → su página (revisión y confirmación) → recibo.
    pantallas = [_ruta(u) for u in n.urls[desde:]]
    assert len(pantallas) <= 4, pantallas
    assert pantallas[:3] == ["/", "/beneficiarias", f"/beneficiarias/{marta}"], pantallas
    assert pantallas[-1].startswith(f"/beneficiarias/{marta}/entregas/")

    # De vuelta en su página: la entrega en el historial, menos existencias, y la bolsa ya no se permite hasta…
    n.clic("Volver a la beneficiaria", "persona-despues")
    proxima = fecha_larga(hoy_honduras() + timedelta(days=30))
    bolsa = n.encontrar("input[name=tipo_codigo][value=bolsa]")
    texto = bolsa.find_element(By.XPATH, "ancestor::li[1]").text
    assert f"desde el {proxima}" in texto and "Solo la coordinadora puede autorizar" in texto, texto
    assert f"Existencias: {existencias - 2} bolsas" in texto
    assert not bolsa.is_enabled()
    historial = n.encontrar("table.apilable tbody").text
    assert "Bolsa de alimentos" in historial and fecha_larga(hoy_honduras()) in historial
    n.sin_datos_en_urls(nombres, apellidos, "Guevara", dni, dni.replace("-", ""))


def test_promotora_confirma_que_una_parecida_es_otra_persona_y_entrega(api, navegador):
    n = navegador
    existente = _beneficiaria(api, PROM, nombres="Dilcia Marleny", apellidos="Portillo Cáceres",
                              motivo_sin_dni="sin_documento", fecha_nacimiento="1979-08-21", comunidad="San Isidro")
    n.entrar(PROM, CLAVE)
    assert "Entregar una ayuda" in n.texto and "Inventario" not in n.encontrar("nav.menu").text
    # Buscar por nombre (sin tildes, en desorden): la lista de resultados, y de ahí a su página.
    n.clic("Entregar una ayuda", "buscar")
    n.escribir("#buscar", "portillo dilcia")
    n.enviar(nombre="resultados")
    assert _ruta(n.driver.current_url) == "/beneficiarias" and "1 beneficiaria encontrada" in n.texto
    n.clic("Dilcia Marleny Portillo Cáceres", "persona")
    assert _ruta(n.driver.current_url) == f"/beneficiarias/{existente['id']}" and "Sin documento" in n.texto
    n.ir("/beneficiarias/nueva", "registrar")
    # Otra escritura del mismo nombre, la misma fecha: candidatas, no un alta muda.
    _llenar_registro(n, "Dilcia Marlene", "Portillo Caceres", "", "1979-08-21", "San Isidro", motivo="en_tramite")
    n.enviar(nombre="candidatas")
    assert "¿Es alguna de estas personas?" in n.texto and "Dilcia Marleny Portillo Cáceres" in n.texto
    enlace = n.encontrar("ul.tarjetas a.boton")
    assert enlace.get_attribute("href").endswith(f"/beneficiarias/{existente['id']}")
    # Los datos siguen escritos: confirma que es otra persona.
    assert n.encontrar("#nombres").get_attribute("value") == "Dilcia Marlene"
    n.enviar("button[name=confirmar_nueva]", nombre="otra-persona")
    assert "Beneficiaria registrada" in n.texto and "Documento en trámite" in n.texto
    nueva = _ruta(n.driver.current_url).rsplit("/", 1)[1]
    assert nueva != existente["id"]

    # La promotora entrega pañales sin existencias: no puede elegirlos; la ayuda en dinero no le muestra el
    # presupuesto (la API no se lo da) pero sí el máximo; la bolsa sí.
    assert "Presupuesto: lo consulta la coordinadora o la técnica" in n.texto
    assert not n.encontrar("input[name=tipo_codigo][value=panales]").is_enabled()
    n.encontrar("input[name=tipo_codigo][value=medicamentos]").click()
    n.escribir("#cantidad", "1")
    n.escribir("#monto", "2500")
    n.enviar("form[action$='/entrega'] button[type=submit]", nombre="monto-excedido")
    # El error en español junto a su campo, en la misma pantalla.
    assert "El monto supera el máximo de este tipo de ayuda (L 2,000.00)" in n.texto
    assert n.encontrar("#monto").get_attribute("aria-invalid") == "true"
    assert n.encontrar("#resumen-errores a[href='#monto']")
    n.encontrar("input[name=tipo_codigo][value=medicamentos]").click()
    n.escribir("#monto", "1,250.00")
    n.enviar("form[action$='/entrega'] button[type=submit]", nombre="recibo")
    assert "Entrega registrada" in n.texto and "L 1,250.00" in n.texto and "Ayuda para medicamentos" in n.texto
    n.sin_datos_en_urls("Dilcia", "Portillo", "Marlene")


def _xlsx(filas):
    libro = Workbook()
    hoja = libro.active
    hoja.append(["Nombres", "Apellidos", "DNI", "Motivo sin DNI", "Fecha de nacimiento", "Comunidad", "Condiciones"])
    for fila in filas:
        hoja.append(fila)
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def test_coordinadora_importa_con_progreso_y_ve_el_error_de_cada_fila(api, navegador, tmp_path):
    n = navegador
    archivo = tmp_path / "lista.xlsx"
    archivo.write_bytes(_xlsx([
        ["Reina Isabel", "Mejía Orellana", _dni(20), None, "12/06/1990", "Copán Ruinas", "Jefa de hogar"],  # 2
        ["Olga Marina", "Zúniga", _dni(21), None, "1990/13/45", "Centro", None],  # 3: fecha ilegible
        ["Santos Lidia", "Chinchilla", None, "Sin documento", "02/02/1960", "Centro", None],  # 4
    ]))
    n.entrar(COORD, CLAVE)
    n.clic("Beneficiarias", "beneficiarias")
    n.clic("Importar una lista de Excel", "importar")
    barra = n.encontrar("#progreso-importacion")
    assert barra.tag_name == "progress" and not barra.is_displayed()
    # Se anota si la barra llegó a verse (window.name sobrevive al reemplazo de la página).
    n.driver.execute_script("""
        var b = document.getElementById('progreso-importacion'); window.name = '';
        new MutationObserver(function () { if (!b.hidden) { window.name = 'progreso-visto'; } })
          .observe(b, {attributes: true});""")
    n.encontrar("#archivo").send_keys(str(archivo))
    n.enviar(nombre="importado")
    assert n.driver.execute_script("return window.name;") == "progreso-visto"
    assert "Resultado de la importación" in n.texto
    assert [c.text for c in n.todos("ul.tarjetas .cifra")][:3] == ["2", "0", "1"]
    filas = n.encontrar("table.errores-filas tbody").text
    assert "Fila 3, «Fecha de nacimiento»: escriba la fecha como dd/mm/aaaa (por ejemplo 03/12/1985)." in filas
    assert "_" not in filas and "{" not in filas
    [reina] = api.get(f"{B}/beneficiarias", COORD, params={"q": "reina mejia"}).json()["items"]
    assert reina["condiciones"] == ["jefa_hogar"]
    # Un archivo que no es Excel: el error junto al campo, en español.
    otro = tmp_path / "lista.txt"
    otro.write_text("nombres;apellidos\n")
    n.encontrar("#archivo").send_keys(str(otro))
    n.enviar(nombre="no-es-excel")
    assert "No es un archivo .xlsx válido" in n.texto

    # Inventario: existencias, el libro de movimientos y una donación registrada desde la pantalla.
    n.clic("Inventario", "inventario")
    tabla = n.encontrar("table.apilable").text
    assert "Bolsa de alimentos" in tabla and "Paquete de pañales" in tabla and "Bajo el mínimo" in tabla
    antes = next(i for i in api.get(f"{B}/inventario", COORD).json() if i["tipo_codigo"] == "bolsa")["existencia"]
    n.elegir("#tipo_codigo", valor="bolsa")
    n.elegir("#motivo", valor="donacion")
    n.escribir("#cantidad", "12")
    n.escribir("#origen", "Iglesia de Cabañas")
    n.enviar("form[action='/inventario/movimiento'] button", nombre="movimiento")
    assert "Movimiento de inventario registrado" in n.texto
    assert f"{antes + 12} bolsas" in n.encontrar("table.apilable").text
    movimientos = n.encontrar("#movimientos ~ .tabla-envoltura table").text
    assert "Donación" in movimientos and "Iglesia de Cabañas" in movimientos and "+12" in movimientos
    # Un ajuste sin motivo: el error de la API junto a su campo.
    n.elegir("#tipo_codigo", valor="bolsa")
    n.elegir("#motivo", valor="ajuste")
    n.escribir("#cantidad", "-1")
    n.enviar("form[action='/inventario/movimiento'] button", nombre="ajuste-sin-motivo")
    assert "Un ajuste requiere el motivo" in n.texto and n.encontrar("#origen").get_attribute("aria-invalid")

    # Presupuesto: lo fijado, lo entregado, lo que queda y la barra; se cambia desde la pantalla.
    n.ir("/presupuesto", "presupuesto")
    assert "L 10,000.00" in n.texto and "Queda" in n.texto
    assert n.encontrar("figure.grafico svg")
    n.escribir("#monto", "12500")
    n.enviar(nombre="presupuesto-guardado")
    assert "Presupuesto guardado" in n.texto and "L 12,500.00" in n.texto
    # Inicio: las existencias bajas (pañales: 0 de un mínimo de 3), marcadas urgentes.
    n.ir("/", "inicio")
    urgentes = " ".join(t.text for t in n.todos("li.tarjeta.urgente"))
    assert "Existencias bajas de Paquete de pañales: quedan 0 paquetes (mínimo 3)" in urgentes


def _aceptar_y_esperar(n, selector, nombre):
    """Un botón con data-confirmar: el navegador pregunta; se acepta y se espera la página nueva."""
    viejo = n.driver.find_element(By.TAG_NAME, "html")
    n.encontrar(selector).click()
    WebDriverWait(n.driver, 10).until(EC.alert_is_present()).accept()
    WebDriverWait(n.driver, 60).until(ya_no_esta(viejo))
    return n.revisar(nombre)


def test_coordinadora_autoriza_una_excepcion_y_anula(api, navegador):
    n = navegador
    rosa = _beneficiaria(api, TEC, nombres="Rosa Elvira", apellidos="Cárcamo Web", dni=_dni(30))
    r = api.post(f"{B}/entregas", TEC, json={"beneficiaria_id": rosa["id"], "tipo_codigo": "bolsa", "cantidad": 1,
                                             "fecha": hoy_honduras().isoformat()})
    assert r.status_code == 201, r.text
    n.entrar(COORD, CLAVE)
    n.ir(f"/beneficiarias/{rosa['id']}", "persona")
    bolsa = n.encontrar("input[name=tipo_codigo][value=bolsa]")
    assert bolsa.is_enabled() and "Puede entregarla antes como excepción" in bolsa.find_element(
        By.XPATH, "ancestor::li[1]").text
    bolsa.click()
    n.enviar("form[action$='/entrega'] button[type=submit]", nombre="sin-justificacion")
    assert "la próxima entrega se permite desde el" in n.texto
    assert n.encontrar("#justificacion_excepcion").get_attribute("aria-invalid") == "true"
    n.encontrar("input[name=tipo_codigo][value=bolsa]").click()
    n.escribir("#justificacion_excepcion", "Su casa se inundó; no tiene alimentos esta semana.")
    n.enviar("form[action$='/entrega'] button[type=submit]", nombre="excepcion")
    assert "Entrega registrada" in n.texto and "Excepción autorizada" in n.texto and "se inundó" in n.texto
    antes = next(i for i in api.get(f"{B}/inventario", COORD).json() if i["tipo_codigo"] == "bolsa")["existencia"]
    n.encontrar("details.anular summary").click()
    n.escribir("#motivo", "Se registró dos veces")
    _aceptar_y_esperar(n, "details.anular button[type=submit]", "anulada")
    assert "Entrega anulada" in n.texto and "ANULADA" in n.texto and "Se registró dos veces" in n.texto
    despues = next(i for i in api.get(f"{B}/inventario", COORD).json() if i["tipo_codigo"] == "bolsa")["existencia"]
    assert despues == antes + 1
    n.clic("Volver a la beneficiaria", "persona-con-anulada")
    assert "Anulada" in n.encontrar("table.apilable tbody").text
    # La lista de entregas del municipio la muestra tachada.
    n.clic("Entregas", "entregas")
    assert n.todos("tr.anulada")
    n.sin_datos_en_urls("Rosa Elvira", "Cárcamo", rosa["dni"])


# --- HTTP: cabeceras, roles, CSRF, archivos ---

def test_la_pagina_de_la_persona_y_el_recibo_no_se_guardan(api):
    b = _beneficiaria(api, TEC, nombres="Norma", apellidos="Alvarado Web", dni=_dni(40))
    s = _sesion(api.base, TEC)
    r = s.get(f"{api.base}/beneficiarias/{b['id']}")
    assert r.status_code == 200 and "Norma Alvarado Web" in r.text
    assert r.headers["Cache-Control"] == "no-store" and "Norma" not in re.search(r"<title>(.*)</title>", r.text)[1]
    # La entrega por el formulario, sin JavaScript; repetir el mismo envío (misma clave) no entrega dos veces.
    datos = {**_ocultos(r.text), "tipo_codigo": "bolsa", "cantidad": "1", "fecha": hoy_honduras().isoformat()}
    r1 = s.post(f"{api.base}/beneficiarias/{b['id']}/entrega", data=datos, allow_redirects=False)
    r2 = s.post(f"{api.base}/beneficiarias/{b['id']}/entrega", data=datos, allow_redirects=False)
    assert r1.status_code == r2.status_code == 303 and r1.headers["Location"] == r2.headers["Location"]
    assert "/entregas/" in r1.headers["Location"] and "Norma" not in r1.headers["Location"]
    assert len(api.get(f"{B}/entregas", TEC, params={"beneficiaria_id": b["id"]}).json()["items"]) == 1
    r = s.get(f"{api.base}{r1.headers['Location']}")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store" and "Norma Alvarado Web" in r.text
    entrega = r1.headers["Location"].split("/entregas/")[1].split("?")[0]
    pdf = s.get(f"{api.base}/entregas/{entrega}/recibo.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"].startswith("application/pdf")
    assert pdf.headers["Cache-Control"] == "no-store" and pdf.content.startswith(b"%PDF")
    # Otra vez, con una clave nueva: la frecuencia lo impide y lo dice en español en la misma pantalla (409).
    r = s.get(f"{api.base}/beneficiarias/{b['id']}")
    r = s.post(f"{api.base}/beneficiarias/{b['id']}/entrega", data={**datos, **_ocultos(r.text)})
    assert r.status_code == 409 and "la próxima entrega se permite desde el" in r.text
    assert "Solo la coordinadora puede autorizar una excepción" in r.text


def test_buscar_por_nombre_va_en_el_cuerpo_y_sin_csrf_se_rechaza(api):
    _beneficiaria(api, TEC, nombres="Glenda Yolany", apellidos="Bustillo Web", dni=_dni(50))
    s = _sesion(api.base, PROM)
    r = s.get(f"{api.base}/beneficiarias")
    assert r.status_code == 200 and 'method="post" action="/beneficiarias"' in r.text
    r = s.post(f"{api.base}/beneficiarias", data={**_ocultos(r.text), "buscar": "glenda bustillo"})
    assert r.status_code == 200 and "Glenda Yolany Bustillo Web" in r.text and r.url.endswith("/beneficiarias")
    r = s.post(f"{api.base}/beneficiarias", data={"buscar": "glenda"}, allow_redirects=False)
    assert r.status_code == 403 and "Glenda" not in r.text
    r = s.post(f"{api.base}/beneficiarias/nueva", data={"csrf": "falso", "nombres": "X", "apellidos": "Y"})
    assert r.status_code == 403


@pytest.mark.parametrize("usuario,ruta", [
    (CIS, "/beneficiarias"), (CIS, "/beneficiarias/nueva"), (CIS, "/entregas"), (CIS, "/inventario"),
    (CIS, "/presupuesto"), (CIS, "/beneficiarias/importar"), (CIS, "/beneficiarias/exportar"),
    (PROM, "/presupuesto"), (PROM, "/beneficiarias/importar"), (PROM, "/beneficiarias/exportar"),
    (TEC, "/beneficiarias/importar"), (PROM, "/entregas/lista.pdf"),
])
def test_un_rol_sin_permiso_recibe_403(api, usuario, ruta):
    s = _sesion(api.base, usuario)
    r = s.get(f"{api.base}{ruta}", allow_redirects=False)
    assert r.status_code == 403 and "Sin permiso" in r.text, (usuario, ruta, r.status_code)


def test_la_persona_y_el_recibo_son_403_para_el_cis_y_anular_solo_la_coordinadora(api):
    b = _beneficiaria(api, TEC, nombres="Iris", apellidos="Paredes Web", dni=_dni(60))
    e = api.post(f"{B}/entregas", TEC, json={"beneficiaria_id": b["id"], "tipo_codigo": "bolsa", "cantidad": 1,
                                             "fecha": hoy_honduras().isoformat()}).json()
    cis = _sesion(api.base, CIS)
    for ruta in (f"/beneficiarias/{b['id']}", f"/beneficiarias/{b['id']}/entregas/{e['id']}",
                 f"/entregas/{e['id']}/recibo.pdf"):
        r = cis.get(f"{api.base}{ruta}")
        assert r.status_code == 403 and "Iris" not in r.text, ruta
    tec = _sesion(api.base, TEC)
    r = tec.get(f"{api.base}/beneficiarias/{b['id']}/entregas/{e['id']}")
    assert r.status_code == 200 and "Anular" not in r.text
    r = tec.post(f"{api.base}/beneficiarias/{b['id']}/entregas/{e['id']}/anular",
                 data={**_ocultos(r.text), "motivo": "no"})
    assert r.status_code == 403
    # Un id que no existe (o no es un id): 404 en español, no un 500.
    r = tec.get(f"{api.base}/beneficiarias/no-es-un-id")
    assert r.status_code == 404 and "No encontrado" in r.text


def test_importar_sin_javascript_muestra_los_errores_por_fila(api):
    s = _sesion(api.base, COORD)
    r = s.get(f"{api.base}/beneficiarias/importar")
    assert r.status_code == 200 and 'enctype="multipart/form-data"' in r.text and "<progress" in r.text
    contenido = _xlsx([["Ana Gabriela", "Rápalo", None, "otra cosa", "01/01/1990", "Centro", None]])
    r = s.post(f"{api.base}/beneficiarias/importar", data=_ocultos(r.text),
               files={"archivo": ("lista.xlsx", contenido, "application/octet-stream")})
    assert r.status_code == 200 and "Resultado de la importación" in r.text
    assert "Fila 2, «Motivo sin DNI»: «otra cosa» no es un motivo conocido" in r.text
    r = s.post(f"{api.base}/beneficiarias/importar", data=_ocultos(s.get(f"{api.base}/beneficiarias/importar").text))
    assert r.status_code == 400 and "Elija el archivo de Excel" in r.text


def test_la_coordinadora_exporta_el_excel(api):
    s = _sesion(api.base, COORD)
    r = s.get(f"{api.base}/beneficiarias/exportar")
    assert r.status_code == 200 and 'action="/beneficiarias/exportar/ayudas.xlsx"' in r.text
    r = s.get(f"{api.base}/beneficiarias/exportar/ayudas.xlsx", params={"desde": "2020-01-01"})
    assert r.status_code == 200 and "spreadsheetml" in r.headers["Content-Type"], r.text[:300]
    assert r.headers["Cache-Control"] == "no-store" and "attachment" in r.headers["Content-Disposition"]
    libro = load_workbook(io.BytesIO(r.content), read_only=True)
    assert libro.sheetnames == ["Beneficiarias", "Entregas"]
    r = s.get(f"{api.base}/beneficiarias/exportar/ayudas.xlsx", params={"desde": "2026-05-01",
                                                                        "hasta": "2026-04-01"})
    assert r.status_code == 400 and "La fecha final no puede ser anterior a la inicial" in r.text
