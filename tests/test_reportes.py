"""Informe de actividades y POA por el sistema real: el año de demostración de Lejamaní, leído de vuelta.

El PDF se lee con pypdf y el .xlsx con openpyxl: lo que se afirma es lo que una persona vería.
"""
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from omm_demo import ClienteDemo, anio as demo_anio, ayudas as demo_ayudas, notificaciones as demo_notificaciones
from omm_pruebas import CONTRASENA_PRUEBAS
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.integracion

M = "0309"  # Lejamaní
HOY = hoy_honduras()
PERIODO = f"desde={HOY.year}-01-01&hasta={HOY.isoformat()}"
# Las seis actividades del informe de la OMM de Lejamaní (../shared/seed/informe-omm-lejamani.txt).
DEL_INFORME = ("asesoría técnica por la mancomunidad", "club de embarazadas", "ayuda social de alimentos",
               "ayuda social de pañales", "medicamentos", "escuela de emprendimiento",
               "socialización del plan operativo anual")


def _plano(texto):
    return re.sub(r"\s+", " ", texto).lower()


@pytest.fixture(scope="module")
def lejamani(sistema):
    cliente = ClienteDemo(sistema.api.base, CONTRASENA_PRUEBAS)
    for modulo in (demo_notificaciones, demo_ayudas, demo_anio):
        modulo.cargar(cliente, M)
    return sistema.api


@pytest.fixture(scope="module")
def personales(lejamani):
    """Nombres, DNI y teléfonos que la demo sembró en Lejamaní: ninguno puede salir en un informe."""
    api, valores = lejamani, set()
    for b in api.get("/api/v1/ayudas/beneficiarias?por_pagina=200", f"tecnica.{M}").json()["items"]:
        valores |= {b["nombres"], b["apellidos"], b["dni"], b.get("telefono")}
    for c in api.get("/api/v1/capacitaciones?por_pagina=200", f"tecnica.{M}").json()["items"]:
        for i in api.get(f"/api/v1/capacitaciones/{c['id']}", f"tecnica.{M}").json()["inscripciones"]:
            valores |= {i["nombres"], i["apellidos"], i.get("dni"), i.get("telefono")}
    valores = {v for v in valores if v}
    assert len(valores) > 40
    return valores | {"Ficticia", "Sobreviviente"}


def _informe(api, usuaria, formato, extra=""):
    r = api.get(f"/api/v1/reportes/informe?{PERIODO}&formato={formato}{extra}", usuaria)
    assert r.status_code == 200, r.text
    return r


def test_el_pdf_de_lejamani_tiene_las_seis_actividades_del_informe(lejamani):
    r = _informe(lejamani, f"coordinadora.{M}", "pdf")
    assert r.headers["Content-Type"] == "application/pdf"
    texto = _plano(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages))
    faltan = [a for a in DEL_INFORME if a not in texto]
    assert not faltan, faltan
    for seccion in ("introducción", "objetivo general", "objetivos específicos", "actividades realizadas",
                    "ayuda social entregada", "casos atendidos", "capacitaciones y asistencia",
                    "avance del plan operativo anual", "desafíos y líneas de acción"):
        assert seccion in texto, seccion


def test_el_json_y_el_xlsx_dicen_lo_mismo(lejamani):
    datos = _informe(lejamani, f"coordinadora.{M}", "json").json()
    assert datos["ambito"] == {"tipo": "municipio", "codigo": M, "nombre": "Oficina Municipal de la Mujer de Lejamaní",
                               "municipios": [M]}
    tipos = {a["tipo"] for a in datos["actividades"]}
    assert {"asesoria_tecnica", "club_embarazadas", "escuela_emprendimiento", "socializacion", "ayuda_alimentos",
            "ayuda_panales", "ayuda_economica_medicamentos"} <= tipos
    assert all(a["desde"] and a["institucion"] and a["participantes"] >= 0 for a in datos["actividades"])
    # Fechas de verdad (una persona las lee en el PDF), dentro del periodo del informe.
    for a in datos["actividades"]:
        assert f"{HOY.year}-01-01" <= date.fromisoformat(a["desde"]).isoformat() <= date.fromisoformat(
            a["hasta"] or a["desde"]).isoformat() <= HOY.isoformat(), a
    libro = load_workbook(io.BytesIO(_informe(lejamani, f"coordinadora.{M}", "xlsx").content), read_only=True)
    filas = list(libro["Actividades"].iter_rows(values_only=True))
    assert len(filas) == len(datos["actividades"]) + 1
    ayudas = {f[0]: f[1] for f in list(libro["Ayudas"].iter_rows(values_only=True))[1:]}
    assert ayudas["Total"] == datos["ayudas"]["total"]["entregas"] > 0


def _entregas(api, categoria):
    tipos = [t["codigo"] for t in api.get("/api/v1/ayudas/tipos", f"tecnica.{M}").json()
             if t["categoria"] == categoria]
    return [e for codigo in tipos for e in api.get(
        f"/api/v1/ayudas/entregas?{PERIODO}&tipo_codigo={codigo}&por_pagina=200", f"tecnica.{M}").json()["items"]]


def test_el_avance_del_poa_es_lo_registrado(lejamani):
    api = lejamani
    poa = api.get(f"/api/v1/poa/{HOY.year}", f"coordinadora.{M}").json()
    lineas = {a["nombre"]: a for a in poa["actividades"]}
    # Contado aparte, por la API de cada servicio; el POA mide por categoría, no por tipo.
    assert lineas["Bolsas de alimentos entregadas"]["logrado_anual"] == len(_entregas(api, "alimentos")) > 0
    club = next(c for c in api.get("/api/v1/capacitaciones?tipo=club_embarazadas&por_pagina=200",
                                   f"tecnica.{M}").json()["items"])
    sesiones = api.get(f"/api/v1/capacitaciones/{club['id']}", f"tecnica.{M}").json()["sesiones"]
    for t, meses in (("t1", (1, 2, 3)), ("t2", (4, 5, 6)), ("t3", (7, 8, 9)), ("t4", (10, 11, 12))):
        hechas = sum(1 for s in sesiones if date.fromisoformat(s["fecha"]).month in meses
                     and s["fecha"] <= HOY.isoformat())
        assert lineas["Club de embarazadas con el CIS"]["trimestres"][t]["logrado"] == hechas
    assert lineas["Fondos para medicamentos (L)"]["logrado_anual"] == pytest.approx(
        sum(float(e["monto"]) for e in _entregas(api, "economica_medicamentos")))
    assert lineas["Club de embarazadas con el CIS"]["meta_anual"] == 12


def test_fijar_el_poa_dos_veces_deja_lo_mismo_y_los_errores_nombran_el_campo(lejamani):
    api, coordinadora = lejamani, f"coordinadora.{M}"
    plan = {"actividades": demo_anio.metas_poa()[:2]}
    primera = api.put("/api/v1/poa/2031", coordinadora, json=plan)
    segunda = api.put("/api/v1/poa/2031", coordinadora, json=plan)
    assert primera.status_code == segunda.status_code == 200
    assert primera.json()["actividades"] == segunda.json()["actividades"]
    assert len(segunda.json()["actividades"]) == 2
    malo = {"actividades": [{"nombre": "x", "indicador": "sesiones", "categoria_ayuda": "alimentos",
                             "metas": {"t1": 1, "t2": 1, "t3": 1, "t4": -1}}]}
    r = api.put("/api/v1/poa/2031", coordinadora, json=malo)
    assert r.status_code == 400 and "actividades" in r.json()["detalles"]
    malo["actividades"][0]["metas"]["t4"] = 1
    r = api.put("/api/v1/poa/2031", coordinadora, json=malo)
    assert r.status_code == 400
    assert set(r.json()["detalles"]) == {"actividades.0.tipo_capacitacion", "actividades.0.categoria_ayuda"}
    assert api.get("/api/v1/poa/2031", coordinadora).json()["actividades"] == segunda.json()["actividades"]
    r = api.get("/api/v1/poa/dos-mil", coordinadora)
    assert r.status_code == 400 and "anio" in r.json()["detalles"]
    # Fechas al revés: para la coordinadora se ordenan (issue 18), el informe es el mismo periodo.
    r = api.get(f"/api/v1/reportes/informe?desde={HOY.year}-05-01&hasta={HOY.year}-01-01", coordinadora)
    assert r.status_code == 200, r.text
    r = api.get("/api/v1/reportes/informe?formato=doc", coordinadora)
    assert r.status_code == 400 and "formato" in r.json()["detalles"]


def test_los_textos_propios_salen_en_el_informe(lejamani):
    api, coordinadora = lejamani, f"coordinadora.{M}"
    r = api.put("/api/v1/reportes/textos", coordinadora, json={
        "desafios": "Falta transporte para llegar a las aldeas.", "lineas_accion": ["Gestionar un vehículo."]})
    assert r.status_code == 200 and r.json()["introduccion"] is None
    datos = _informe(api, coordinadora, "json").json()
    assert datos["desafios"] == "Falta transporte para llegar a las aldeas."
    assert datos["lineas_accion"] == ["Gestionar un vehículo."]
    assert "Lejamaní" in datos["introduccion"]


def test_la_mancomunidad_recibe_el_consolidado_sin_un_solo_dato_personal(lejamani, personales):
    api, usuaria = lejamani, "mancomunidad.mamcopaz"
    datos = _informe(api, usuaria, "json")
    assert datos.json()["ambito"]["municipios"] == ["0302", "0306", "0309"]
    textos = {
        "json": datos.text,
        "pdf": " ".join(p.extract_text() for p in PdfReader(io.BytesIO(_informe(api, usuaria, "pdf").content)).pages),
        "xlsx": " ".join(str(c) for h in load_workbook(io.BytesIO(_informe(api, usuaria, "xlsx").content)).worksheets
                         for fila in h.iter_rows(values_only=True) for c in fila if c is not None),
        "municipio": _informe(api, usuaria, "json", f"&municipio={M}").text,
        "poa": api.get(f"/api/v1/poa/{HOY.year}?municipio={M}", usuaria).text,
    }
    for formato, texto in textos.items():
        fugas = [v for v in personales if v in texto]
        assert not fugas, (formato, fugas[:5])
    assert "escuela de emprendimiento" in _plano(textos["pdf"])
    # Otra mancomunidad: ni su informe ni su POA existen para esta usuaria.
    assert api.get("/api/v1/reportes/informe?municipio=0318", usuaria).status_code == 404
    assert api.get(f"/api/v1/poa/{HOY.year}?municipio=0318", usuaria).status_code == 404
    assert api.get("/api/v1/reportes/informe?municipio=0302", f"coordinadora.{M}").status_code == 404


def test_los_casos_del_informe_van_suprimidos(lejamani):
    casos = _informe(lejamani, f"coordinadora.{M}", "json").json()["casos"]
    total = casos["casos"]["total"]
    assert total == "<5" or total >= 5
    for dimension in ("tipo_violencia", "nivel_riesgo", "contexto"):
        visibles = [v for v in casos[dimension]["total_columna"].values() if v != "<5"]
        assert all(v >= 5 for v in visibles)
        ocultas = [v for v in casos[dimension]["total_columna"].values() if v == "<5"]
        # Nunca una sola celda oculta con su total a la vista: la resta la revelaría.
        assert len(ocultas) != 1 or casos[dimension]["total"] == "<5"


def test_el_informe_de_lejamani_cuenta_cada_caso_que_la_oficina_atendio(lejamani):
    """El total de la oficina son todos sus casos del periodo, con o sin consentimiento para estadísticas."""
    api, coordinadora = lejamani, f"coordinadora.{M}"
    datos = _informe(api, coordinadora, "json").json()
    listados = api.get(f"/api/v1/casos?{PERIODO}&por_pagina=1", coordinadora).json()["total"]
    casos = datos["casos"]
    assert casos["atendidos"]["total"] == listados > 0
    consentidos = casos["casos"]["total"]
    assert consentidos == "<5" or consentidos <= listados
    texto = _plano(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(
        _informe(api, coordinadora, "pdf").content)).pages))
    assert f"total de casos atendidos: {listados}" in texto
    assert "psicológica" in texto and "psicologica" not in texto


def test_la_region_da_el_anio_de_lejamani_mes_a_mes(lejamani):
    datos = lejamani.get(f"/api/v1/region/estadisticas?{PERIODO}", "mancomunidad.mamcopaz").json()
    meses = datos["ayudas"]["por_mes"][M]
    assert sum(c["entregas"] for mes in meses.values() for c in mes.values()) == datos["ayudas"]["totales"][M][
        "entregas"] > 0
    assert len(meses) >= min(HOY.month, 10)
    assert len(datos["capacitaciones"]["por_municipio"][M]["por_mes"]) >= min(HOY.month, 10)
    assert datos["ayudas"]["region"]["total"]["entregas"] == sum(t["entregas"] for t in datos["ayudas"][
        "totales"].values())
    assert datos["completitud"]["ultima_actividad"][M] >= f"{HOY.year}-{min(HOY.month, 10):02d}-01"
