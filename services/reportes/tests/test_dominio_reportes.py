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
                    "municipio": "0309", "sesiones_realizadas": 4, "participantes": 11}]
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
    assert r["completitud"] == {"ultima_actividad": {"0302": None, "0309": "2026-03-25"}, "sin_registros": ["0302"]}
    assert r["ayudas"]["region"]["total"]["entregas"] == 15 and r["ayudas"]["por_municipio"]["0302"] == {}
    assert r["casos"]["casos"]["total"] == 9
