"""Reglas del POA en Python puro: sin RPC ni base."""
from datetime import date

import pytest

from omm_common.errores import ErrorOMM
from reportes import dominio as poa


def _agregados(capacitaciones=None, ayudas=None, municipio="0309"):
    return ({"por_municipio": {municipio: {"por_tipo": capacitaciones or {}}}},
            {"por_municipio": {municipio: dict(ayudas or {})}})


def test_los_trimestres_cubren_el_anio_sin_huecos():
    p = poa.periodos(2026)
    assert p["t1"] == (date(2026, 1, 1), date(2026, 3, 31))
    assert p["t2"] == (date(2026, 4, 1), date(2026, 6, 30))
    assert p["t4"] == (date(2026, 10, 1), date(2026, 12, 31))
    for a, b in (("t1", "t2"), ("t2", "t3"), ("t3", "t4")):
        assert (p[b][0] - p[a][1]).days == 1


def _error(actividades):
    with pytest.raises(ErrorOMM) as e:
        poa.validar_plan(actividades)
    return e.value


def test_el_indicador_pide_la_fuente_que_le_corresponde():
    bien = {"nombre": "Club", "indicador": "sesiones", "tipo_capacitacion": "club_embarazadas"}
    poa.validar_plan([bien])
    e = _error([{"nombre": "Club", "indicador": "sesiones", "categoria_ayuda": "alimentos"},
                {"nombre": "club ", "indicador": "monto"}])
    # Lo que el documento OpenAPI dice de cada actividad es un 400, y lleva también el nombre repetido.
    assert e.codigo == "VALIDACION" and set(e.detalles) == {
        "actividades.0.tipo_capacitacion", "actividades.0.categoria_ayuda", "actividades.1.categoria_ayuda",
        "actividades.1.nombre"}


def test_un_nombre_repetido_solo_es_datos_incoherentes():
    # Cada actividad cumple el documento; juntas no (JSON Schema no compara elementos por un campo): 409.
    e = _error([bien := {"nombre": "Club", "indicador": "sesiones", "tipo_capacitacion": "club_embarazadas"},
                {**bien, "nombre": " club"}])
    assert (e.codigo, e.estado_http, list(e.detalles)) == ("DATOS_INCOHERENTES", 409, ["actividades.1.nombre"])


def test_el_avance_sale_de_los_agregados_de_cada_periodo():
    linea = {"nombre": "Alimentos", "indicador": "personas", "categoria_ayuda": "alimentos",
             "metas": {"t1": 5, "t2": 5, "t3": 0, "t4": 0}}
    club = {"nombre": "Club", "indicador": "sesiones", "tipo_capacitacion": "club_embarazadas",
            "metas": {"t1": 3, "t2": 3, "t3": 3, "t4": 3}}
    periodos = {
        "t1": _agregados({"club_embarazadas": {"sesiones_realizadas": 3}}, {"alimentos": {"personas": 4}}),
        "t2": _agregados({"club_embarazadas": {"sesiones_realizadas": 2}}, {"alimentos": {"personas": 4}}),
        "t3": _agregados(), "t4": _agregados(),
        # Las mismas 6 personas en dos trimestres: en el año son 6, no 8.
        "anio": _agregados({"club_embarazadas": {"sesiones_realizadas": 5}}, {"alimentos": {"personas": 6}}),
    }
    alimentos, sesiones = poa.avance([linea, club], periodos, "0309")
    assert alimentos["trimestres"]["t1"] == {"meta": 5.0, "logrado": 4, "porcentaje": 80.0}
    assert alimentos["trimestres"]["t3"]["porcentaje"] is None
    assert (alimentos["meta_anual"], alimentos["logrado_anual"], alimentos["porcentaje_anual"]) == (10, 6, 60.0)
    assert sesiones["trimestres"]["t2"]["logrado"] == 2 and sesiones["porcentaje_anual"] == round(500 / 12, 1)
    # Otro municipio no suma nada a este.
    assert poa.avance([club], {k: _agregados(municipio="0302") for k in periodos}, "0309")[0]["logrado_anual"] == 0
