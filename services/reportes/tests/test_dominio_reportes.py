"""Reglas de reportes sin infraestructura: ámbito de cada usuaria, periodo, informe compuesto y sus archivos."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from omm_common.contexto import Identidad
from omm_common.errores import ErrorOMM, NoEncontrado, Prohibido
from reportes import documentos, dominio

MAMCOPAZ = {"mancomunidad": {"codigo": "MAMCOPAZ", "nombre": "Mancomunidad MAMCOPAZ"},
            "municipios": [{"codigo": "0302", "nombre": "Ajuterique"}, {"codigo": "0306", "nombre": "La Libertad"},
                           {"codigo": "0309", "nombre": "Lejamaní"}]}
LEJAMANI = {"mancomunidad": None, "municipios": [{"codigo": "0309", "nombre": "Lejamaní"}]}


def _yo(rol, municipio=None, mancomunidad=None):
    return Identidad(usuario_id="u-1", usuario=f"{rol}.prueba", rol=rol, municipio=municipio, mancomunidad=mancomunidad)


def test_la_coordinadora_ve_solo_su_municipio():
    ambito, nombres = dominio.ambito(_yo("coordinadora", "0309"), None, LEJAMANI)
    assert ambito == {"tipo": "municipio", "codigo": "0309", "nombre": "Oficina Municipal de la Mujer de Lejamaní",
                      "municipios": ["0309"]}
    assert nombres == {"0309": "Lejamaní"}
    assert dominio.ambito(_yo("coordinadora", "0309"), "0309", LEJAMANI)[0] == ambito
    with pytest.raises(NoEncontrado):  # otro municipio: 404, no se revela que existe
        dominio.ambito(_yo("coordinadora", "0309"), "0302", LEJAMANI)


def test_la_mancomunidad_ve_el_consolidado_o_un_miembro_y_nunca_otro():
    yo = _yo("mancomunidad", mancomunidad="MAMCOPAZ")
    ambito, nombres = dominio.ambito(yo, None, MAMCOPAZ)
    assert ambito == {"tipo": "mancomunidad", "codigo": "MAMCOPAZ", "nombre": "Mancomunidad MAMCOPAZ",
                      "municipios": ["0302", "0306", "0309"]}
    assert set(nombres) == {"0302", "0306", "0309"}
    ambito, nombres = dominio.ambito(yo, "0306", MAMCOPAZ)
    assert ambito["municipios"] == ["0306"] and nombres == {"0306": "La Libertad"}
    with pytest.raises(NoEncontrado):
        dominio.ambito(yo, "0318", MAMCOPAZ)
    with pytest.raises(Prohibido):  # una mancomunidad que el gateway no conoce
        dominio.ambito(_yo("mancomunidad", mancomunidad="OTRA"), None, {"mancomunidad": None, "municipios": []})


def test_el_anio_del_poa_y_el_periodo_del_informe_se_validan():
    assert dominio.anio("2026") == 2026
    for malo in ("dos-mil", "1999", "2101", "20 26"):
        with pytest.raises(ErrorOMM) as e:
            dominio.anio(malo)
        assert "anio" in e.value.detalles
    assert dominio.periodo(None, date(2026, 5, 3), date(2026, 12, 1)) == (date(2026, 1, 1), date(2026, 5, 3))


def _agregados():
    casos = [{"dimension": d, "valor": v, "municipio": "0309", "mes": "2026-02", "casos": n}
             for d, v, n in (("total", "total", 9), ("tipo_violencia", "fisica", 7), ("tipo_violencia", "sexual", 2),
                             ("nivel_riesgo", "medio", 9), ("contexto", "pareja", 9))]
    ayudas = {"por_municipio": {"0309": {"alimentos": {"entregas": 12, "personas": 8, "unidades": 12, "monto": 0.0},
                                         "economica_medicamentos": {"entregas": 3, "personas": 3, "unidades": 3,
                                                                    "monto": 2400.5}}},
              "por_mes": {"0309": {"2026-02": {"alimentos": {"entregas": 5}},
                                   "2026-03": {"alimentos": {"entregas": 7}, "economica_medicamentos": {"entregas": 3}}}},
              "totales": {"0309": {"entregas": 15, "monto": 2400.5, "personas": 10}},
              "ultima_fecha": {"0309": "2026-03-20"}}
    capacitaciones = {"por_municipio": {"0309": {"por_tipo": {"club_embarazadas": {
                          "actividades": 1, "sesiones_realizadas": 4, "participantes": 11, "asistencias": 40}},
                          "ultima_fecha": "2026-03-25"}},
                      "total": {"actividades": 1, "sesiones_realizadas": 4, "participantes": 11, "asistencias": 40,
                                "por_tipo": {"club_embarazadas": {"actividades": 1, "sesiones_realizadas": 4,
                                                                  "participantes": 11, "asistencias": 40}}}}
    actividades = [{"desde": "2026-02-10", "hasta": "2026-03-25", "tipo": "club_embarazadas",
                    "titulo": "Club de embarazadas con el CIS", "institucion": None, "lugar": "CIS",
                    "municipio": "0309", "sesiones_realizadas": 4, "participantes": 11},
                   {"desde": "2026-03-08", "hasta": "2026-03-08", "tipo": "sensibilizacion",
                    "titulo": "Charla del 8 de marzo", "institucion": "OMM", "lugar": "Parque central",
                    "municipio": "0309", "sesiones_realizadas": 1, "participantes": 35, "capacitacion_id": "c-2",
                    "conteo": {"mujeres": 30, "hombres": 5, "por_grupo_edad": None}}]
    return casos, ayudas, capacitaciones, actividades


def _informe(textos_propios=None):
    casos, ayudas, capacitaciones, actividades = _agregados()
    ambito, nombres = dominio.ambito(_yo("coordinadora", "0309"), None, LEJAMANI)
    periodo = {"desde": "2026-02-15", "hasta": "2026-03-31"}
    textos = dominio.textos_del_ambito(ambito, {"0309": textos_propios or {}}, nombres, *periodo.values())
    plan = [{"nombre": "Club", "indicador": "sesiones", "tipo_capacitacion": "club_embarazadas",
             "categoria_ayuda": None, "metas": {"t1": 6, "t2": 6, "t3": 0, "t4": 0}}]
    por_periodo = {p: (capacitaciones, ayudas) for p in dominio.periodos(2026)}
    poa = [dominio.poa_de("0309", "Lejamaní", 2026, {"0309": plan}, por_periodo, date(2026, 3, 31))]
    return dominio.componer(ambito, periodo, textos,
                            {"casos": casos, "ayudas": ayudas, "capacitaciones": capacitaciones}, actividades, poa,
                            nombres, date(2026, 4, 1))


def test_el_informe_junta_actividades_ayudas_casos_suprimidos_y_poa():
    inf = _informe()
    assert inf["titulo"] == "Informe de actividades — Oficina Municipal de la Mujer de Lejamaní"
    assert "Lejamaní" in inf["introduccion"] and inf["desafios"] == dominio.SIN_DESAFIOS
    # Las ayudas son actividades de la oficina, del primer al último mes con entregas, dentro del periodo.
    alimentos = next(a for a in inf["actividades"] if a["tipo"] == "ayuda_alimentos")
    assert (alimentos["desde"], alimentos["hasta"]) == ("2026-02-15", "2026-03-31")
    club = next(a for a in inf["actividades"] if a["tipo"] == "club_embarazadas")
    assert club["institucion"] == "OMM" and club["tipo_nombre"] == "Club de embarazadas"
    assert inf["ayudas"]["total"] == {"entregas": 15, "personas": 11, "unidades": 15, "monto": 2400.5}
    # 7 y 2 con el total de la fila visible: el 2 se oculta y también el 7, o la resta lo revelaría.
    assert inf["casos"]["tipo_violencia"]["total_columna"] == {"fisica": "<5", "sexual": "<5"}
    assert inf["poa"][0]["actividades"][0]["logrado_anual"] == 4
    assert dominio.nombre_de_archivo(inf, "pdf") == "informe-omm-0309-2026-02-15-2026-03-31.pdf"


def test_el_pdf_y_el_xlsx_dicen_lo_del_informe_y_una_formula_queda_texto():
    formula = '=HYPERLINK("http://malo.example","clic")'
    inf = _informe({"desafios": formula, "lineas_accion": ["<b>& sin marcado</b>"]})
    texto = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(documentos.pdf(inf))).pages)
    for seccion in ("Introducción", "Actividades realizadas", "Ayuda social entregada", "Casos atendidos",
                    "Capacitaciones y asistencia", "Avance del plan operativo anual", "<b>& sin marcado</b>"):
        assert seccion in texto, seccion
    libro = load_workbook(io.BytesIO(documentos.xlsx(inf)))
    celdas = {c.value: c.data_type for fila in libro["Informe"].iter_rows() for c in fila}
    assert celdas[formula] == "s"
    assert [f[0] for f in libro["Ayudas"].iter_rows(values_only=True)][-1] == "Total"


def test_las_cifras_de_la_region_dicen_la_ultima_actividad_de_cada_municipio():
    casos, ayudas, capacitaciones, _ = _agregados()
    r = dominio.cifras_de_region("MAMCOPAZ", ["0302", "0309"], "2026-01-01", "2026-03-31", casos, ayudas,
                                 capacitaciones, {"enviadas": 0})
    c = r["completitud"]
    assert c["ultima_actividad"] == {"0302": None, "0309": "2026-03-25"} and c["sin_registros"] == ["0302"]
    # Cada municipio y cada mes del periodo, también los vacíos; los casos (9 en febrero) van suprimidos.
    assert c["meses"] == ["2026-01", "2026-02", "2026-03"]
    assert c["por_mes"]["0302"]["2026-02"] == {"casos": "<5", "entregas": 0, "actividades": 0, "sin_registros": True}
    assert c["por_mes"]["0309"]["2026-01"]["sin_registros"] is True
    # El 9 se ve: el 0 de Ajuterique en febrero se sabe (su mes dice «sin registros») y, con el total del mes
    # visible, ocultar el 9 no protegería nada (antes se ocultaba y la resta lo daba igual).
    assert c["por_mes"]["0309"]["2026-02"] == {"casos": 9, "entregas": 5, "actividades": 0,
                                               "sin_registros": False}
    assert c["por_mes"]["0309"]["2026-03"]["entregas"] == 10
    assert r["ayudas"]["region"]["total"]["entregas"] == 15 and r["ayudas"]["por_municipio"]["0302"] == {}
    assert r["casos"]["casos"]["total"] == 9


def _casos_con_atendidos():
    """16 atendidos en Lejamaní (4 sin consentimiento para estadísticas), 12 con consentimiento."""
    filas = [{"municipio": "0309", "mes": "2026-02", "dimension": "total", "valor": "casos", "casos": 5},
             {"municipio": "0309", "mes": "2026-03", "dimension": "total", "valor": "casos", "casos": 7},
             {"municipio": "0309", "mes": "2026-02", "dimension": "atendidos", "valor": "casos", "casos": 7},
             {"municipio": "0309", "mes": "2026-03", "dimension": "atendidos", "valor": "casos", "casos": 9}]
    filas += [{"municipio": "0309", "mes": None, "dimension": d, "valor": v, "casos": n} for d, v, n in (
        ("tipo_violencia", "psicologica", 8), ("tipo_violencia", "economica", 6), ("tipo_violencia", "fisica", 3),
        ("gbvims", "abuso_psicologico_emocional", 8), ("gbvims", "negacion_de_recursos", 6),
        ("gbvims", "agresion_fisica", 3), ("nivel_riesgo", "medio", 12), ("contexto", "pareja", 12))]
    return filas


def test_el_informe_de_la_oficina_cuenta_todos_sus_casos_y_el_desglose_solo_los_consentidos():
    casos, ayudas, capacitaciones, actividades = _agregados()
    ambito, nombres = dominio.ambito(_yo("coordinadora", "0309"), None, LEJAMANI)
    periodo = {"desde": "2026-01-01", "hasta": "2026-03-31"}
    agregados = {"casos": _casos_con_atendidos(), "ayudas": ayudas, "capacitaciones": capacitaciones}
    inf = dominio.componer(ambito, periodo, dominio.textos({}, "Lejamaní", *periodo.values()), agregados,
                           actividades, [], nombres, date(2026, 4, 1))
    assert inf["casos"]["atendidos"]["total"] == 16 and inf["casos"]["atendidos"]["completo"] is True
    assert inf["casos"]["casos"]["total"] == 12
    assert "solo los casos con consentimiento para estadísticas" in inf["casos"]["nota"]
    tipos = inf["casos"]["tipo_violencia"]
    assert tipos["total_columna"]["fisica"] == "<5" and tipos["nombres"]["economica"] == "Económica"
    assert tipos["nombres"]["psicologica"] == "Psicológica"
    # Fechas en letras en lo que se lee; los meses vacíos del periodo, explícitos.
    assert "1 de enero de 2026" in inf["introduccion"] and "2026-01-01" not in inf["introduccion"]
    assert inf["periodo"]["texto"] == "del 1 de enero de 2026 al 31 de marzo de 2026"
    enero = inf["completitud"]["por_municipio"]["0309"]["2026-01"]
    assert enero == {"casos": 0, "entregas": 0, "actividades": 0, "sin_registros": True}
    assert inf["completitud"]["por_municipio"]["0309"]["2026-02"]["casos"] == 7
    assert inf["completitud"]["nombres_meses"]["2026-01"] == "enero de 2026"
    # La mancomunidad que mira el mismo municipio no recibe el total de atendidos.
    ajeno = dominio.componer(ambito, periodo, dominio.textos({}, "Lejamaní", *periodo.values()), agregados,
                             actividades, [], nombres, date(2026, 4, 1), propio=False)
    assert "atendidos" not in ajeno["casos"] and ajeno["casos"]["casos"]["total"] == 12
    assert ajeno["completitud"]["por_municipio"]["0309"]["2026-01"]["casos"] == "<5"
    texto = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(documentos.pdf(ajeno))).pages).split())
    assert "Casos con consentimiento para estadísticas: 12" in texto and "atendidos: 16" not in texto
    # Sin la dimensión «atendidos» (casos aún no la da) el total es el de los consentidos, y se sabe.
    sin = dominio.atendidos([f for f in _casos_con_atendidos() if f["dimension"] != "atendidos"], ["0309"])
    assert sin["total"] == 12 and sin["completo"] is False


def test_la_clasificacion_gbvims_es_otra_tabla_con_sus_nombres_y_suprimida():
    filas = _casos_con_atendidos() + [
        {"municipio": "0309", "mes": None, "dimension": "gbvims", "valor": "sin_clasificar", "casos": 1}]
    ley = dominio.tablas_de_casos(filas, ["0309"])
    assert "tipo_violencia" in ley and "gbvims" not in ley
    g = dominio.tablas_de_casos(filas, ["0309"], "gbvims")
    assert "tipo_violencia" not in g
    assert g["gbvims"]["total_columna"]["abuso_psicologico_emocional"] == 8
    assert g["gbvims"]["total_columna"]["agresion_fisica"] == "<5"
    assert g["gbvims"]["nombres"]["negacion_de_recursos"] == "Negación de recursos, oportunidades o servicios"
    assert g["gbvims"]["nombres"]["sin_clasificar"] == "Sin clasificar"
    r = dominio.cifras_de_region("M", ["0309"], "2026-01-01", "2026-03-31", filas, _agregados()[1],
                                 _agregados()[2], {}, "gbvims")
    assert r["clasificacion"] == "gbvims" and "gbvims" in r["casos"]


def test_los_textos_son_del_trimestre_o_del_anio_del_informe():
    assert dominio.periodo_de_textos(date(2026, 1, 1), date(2026, 3, 31)) == (2026, 1)
    assert dominio.periodo_de_textos(date(2026, 4, 2), date(2026, 6, 1)) == (2026, 2)
    assert dominio.periodo_de_textos(date(2026, 1, 1), date(2026, 12, 3)) == (2026, 0)
    assert dominio.periodo_de_textos(date(2025, 10, 1), date(2026, 3, 31)) is None
    # Lo del trimestre manda; lo que no escribió para él, del año.
    guardados = {0: {"desafios": "Del año.", "lineas_accion": ["Una del año."]}, 1: {"desafios": "Del primero."}}
    assert dominio.textos_de_periodo(guardados, 1)["desafios"] == "Del primero."
    assert dominio.textos_de_periodo(guardados, 1)["lineas_accion"] == ["Una del año."]
    assert dominio.textos_de_periodo(guardados, 2)["desafios"] == "Del año."
    assert dominio.textos_de_periodo({1: {"desafios": "Del primero."}}, 0)["desafios"] is None
    assert dominio.nombre_periodo_textos(2026, 0) == "Año 2026"
    assert dominio.nombre_periodo_textos(2026, 3) == "Tercer trimestre de 2026"


def test_los_meses_del_periodo_incluyen_los_vacios():
    assert dominio.meses_del_periodo("2025-11-15", "2026-02-01") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert dominio.nombre_de_mes("2026-12") == "diciembre de 2026"
    # Sin fechas, la región va del primer mes con registros hasta hoy.
    casos, ayudas, capacitaciones, _ = _agregados()
    r = dominio.cifras_de_region("M", ["0309"], None, None, casos, ayudas, capacitaciones, {}, hoy=date(2026, 5, 2))
    assert r["completitud"]["meses"] == ["2026-02", "2026-03", "2026-04", "2026-05"]


def _png(color=(200, 30, 90), tamano=(40, 30)):
    from PIL import Image
    salida = io.BytesIO()
    Image.new("RGB", tamano, color).save(salida, "PNG")
    return salida.getvalue()


def test_el_pdf_lleva_logo_fotos_con_leyenda_etiquetas_y_fechas_en_letras():
    import base64
    casos, ayudas, capacitaciones, actividades = _agregados()
    ambito, nombres = dominio.ambito(_yo("coordinadora", "0309"), None, LEJAMANI)
    periodo = {"desde": "2026-01-01", "hasta": "2026-03-31"}
    fotos = [{"capacitacion_id": "c-1", "titulo": "Club de embarazadas con el CIS", "tipo": "club_embarazadas",
              "fecha": "2026-02-10", "leyenda": "Primera sesión del club", "mime": "image/png",
              "contenido_base64": base64.b64encode(_png()).decode()},
             {"capacitacion_id": "c-1", "titulo": "Club", "tipo": "club_embarazadas", "fecha": "2026-03-10",
              "leyenda": "Imagen dañada", "mime": "image/png", "contenido_base64": "bm8gZXMgdW5hIGltYWdlbg=="}]
    agregados = {"casos": _casos_con_atendidos(), "ayudas": ayudas, "capacitaciones": capacitaciones}
    inf = dominio.componer(ambito, periodo, dominio.textos({}, "Lejamaní", *periodo.values()), agregados,
                           actividades, [], nombres, date(2026, 4, 1), fotos=fotos, hay_logo=True)
    # En el JSON, las fotos sin la imagen.
    assert inf["fotos"][0]["leyenda"] == "Primera sesión del club" and "contenido_base64" not in inf["fotos"][0]
    contenido = documentos.pdf({**inf, "imagenes": fotos, "imagen_logo": _png((10, 10, 10), (300, 200))})
    lector = PdfReader(io.BytesIO(contenido))
    texto = " ".join(p.extract_text() for p in lector.pages)
    plano = " ".join(texto.split())
    charla = next(a for a in inf["actividades"] if a["tipo"] == "sensibilizacion")
    assert charla["participantes"] == 35 and charla["conteo"]["mujeres"] == 30
    for esperado in ("Total de casos atendidos: 16", "Psicológica", "Económica", "Primera sesión del club",
                     "35 (30 mujeres, 5 hombres)", "Sensibilización",
                     "10 de febrero de 2026", "Memoria fotográfica", "enero de 2026", "Sin registros",
                     "del 1 de enero de 2026 al 31 de marzo de 2026", "Registros por mes"):
        assert esperado in plano, esperado
    for codigo in ("psicologica", "economica", "2026-02-10", "2026-01-01"):
        assert codigo not in plano, codigo
    imagenes = sum(len(p.images) for p in lector.pages)
    assert imagenes == 2  # el logo y la foto sana; la dañada no rompe el informe
    libro = load_workbook(io.BytesIO(documentos.xlsx(inf)))
    valores = {c for h in libro.worksheets for f in h.iter_rows(values_only=True) for c in f if c is not None}
    assert "Psicológica" in valores and "1 de enero de 2026" in valores and "2026-01-01" not in valores
    assert "Sin registros" in valores and "Primera sesión del club" in valores

