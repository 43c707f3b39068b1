from datetime import date
from decimal import Decimal

import pytest

from capacitaciones import dominio
from omm_common.errores import Conflicto, ErrorOMM, ErrorValidacion

HOY = date(2026, 6, 15)


def _persona(id_, dni=None, nombre="maria lopez", nacimiento=None):
    return {"id": id_, "dni": dni, "nombre_normalizado": nombre, "fecha_nacimiento": nacimiento}


def test_cupo_lleno_con_codigo_y_detalles():
    dominio.verificar_cupo(None, 500)
    dominio.verificar_cupo(3, 2)
    with pytest.raises(Conflicto) as e:
        dominio.verificar_cupo(3, 3)
    assert e.value.codigo == "CUPO_LLENO"
    assert e.value.detalles == {"cupo": 3, "inscritas": 3}


def test_duplicado_por_dni_cuando_lo_hay():
    existentes = [_persona("a", dni="0309198500123")]
    with pytest.raises(Conflicto) as e:
        dominio.verificar_duplicado(_persona("b", dni="0309198500123", nombre="otra"), existentes)
    assert e.value.codigo == "DUPLICADO" and e.value.detalles["id"] == "a"
    # Homónimas con DNI distinto son dos personas.
    dominio.verificar_duplicado(_persona("b", dni="0309199000456"), existentes)


def test_duplicado_sin_dni_por_nombre_y_nacimiento():
    existentes = [_persona("a", nacimiento=date(1990, 1, 1))]
    with pytest.raises(Conflicto):
        dominio.verificar_duplicado(_persona("b", nacimiento=date(1990, 1, 1)), existentes)
    dominio.verificar_duplicado(_persona("b", nacimiento=date(1991, 1, 1)), existentes)
    # A una le falta el DNI: decide el nombre y el nacimiento.
    with pytest.raises(Conflicto):
        dominio.verificar_duplicado(_persona("b", dni="0309199000456", nacimiento=date(1990, 1, 1)), existentes)


def test_clave_persona_respaldo_de_la_restriccion_unica():
    assert dominio.clave_persona("0309198500123", "ana", None) == "dni:0309198500123"
    assert dominio.clave_persona(None, "ana diaz", date(1990, 2, 3)) == "nombre:ana diaz|1990-02-03"
    assert dominio.clave_persona(None, "ana diaz", None) == "nombre:ana diaz|"


def test_asistencia_solo_de_inscritas_y_nombra_el_campo():
    dominio.verificar_presentes(["a", "b"], ["a", "b", "c"])
    with pytest.raises(ErrorOMM) as e:  # bien formada, nombra a quien no está inscrita: 409 (issue 18)
        dominio.verificar_presentes(["a", "z"], ["a", "b"])
    assert e.value.codigo == "REFERENCIA_INEXISTENTE"
    assert "presentes" in e.value.detalles and "z" in e.value.detalles["presentes"][0]


def test_porcentaje_sobre_sesiones_realizadas():
    sesiones = [{"id": str(n), "fecha": date(2026, n, 1)} for n in range(3, 11)]  # marzo..octubre
    # Realizadas a mediados de junio: marzo, abril, mayo, junio.
    assert len(dominio.sesiones_realizadas(sesiones, HOY)) == 4
    assert dominio.porcentaje_asistencia(sesiones, {"3", "4", "5"}, HOY) == 75.0
    assert dominio.porcentaje_asistencia(sesiones, {"3", "4", "9"}, HOY) == 50.0  # la futura no cuenta
    assert dominio.porcentaje_asistencia(sesiones, set(), date(2026, 1, 1)) == 0.0


def test_sesion_de_hoy_cuenta_como_realizada():
    assert dominio.porcentaje_asistencia([{"id": "x", "fecha": HOY}], {"x"}, HOY) == 100.0


def test_constancia_desde_75_por_ciento():
    assert dominio.puede_recibir_constancia(75.0)
    assert not dominio.puede_recibir_constancia(74.9)
    dominio.verificar_constancia(80)
    with pytest.raises(Conflicto) as e:
        dominio.verificar_constancia(66.7)
    assert e.value.codigo == "ESTADO_INVALIDO"
    assert e.value.detalles["porcentaje_asistencia"] == 66.7


def test_recurrencia_mensual_desde_la_primera_fecha():
    sesiones = dominio.sesiones_mensuales({"fecha": date(2026, 1, 31), "hora": "09:00"}, 4)
    assert [s["fecha"] for s in sesiones] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31),
                                             date(2026, 4, 30)]
    assert all(s["hora"] == "09:00" for s in sesiones)
    assert dominio.sumar_meses(date(2026, 11, 15), 3) == date(2027, 2, 15)
    with pytest.raises(ErrorValidacion):
        dominio.sesiones_mensuales({"fecha": date(2026, 1, 1)}, 0)


def test_expandir_sesiones_suma_las_extra_y_quita_repetidas():
    pedidas = [{"fecha": date(2026, 1, 10)}, {"fecha": date(2026, 1, 20)}, {"fecha": date(2026, 2, 10)}]
    fechas = [s["fecha"] for s in dominio.expandir_sesiones(pedidas, {"meses": 3})]
    assert fechas == [date(2026, 1, 10), date(2026, 1, 20), date(2026, 2, 10), date(2026, 3, 10)]
    assert len(dominio.expandir_sesiones(pedidas)) == 3


def test_semanas_de_gestacion_y_fecha_probable_de_parto():
    registro = date(2026, 3, 1)
    assert dominio.semanas_gestacion_actual(10, registro, hoy=registro) == 10
    assert dominio.semanas_gestacion_actual(10, registro, hoy=date(2026, 3, 29)) == 14
    assert dominio.semanas_gestacion_actual(40, registro, hoy=date(2026, 5, 1)) is None  # ya dio a luz
    assert dominio.semanas_gestacion_actual(None, registro) is None
    # FPP = registro − 10 semanas + 280 días = 2026-03-01 − 70 d + 280 d
    assert dominio.fecha_probable_parto(10, registro) == date(2026, 9, 27)
    assert dominio.fecha_probable_parto(None, registro) is None


def test_embarazo_por_defecto_en_el_club_y_semanas_solo_si_embarazada():
    assert dominio.verificar_embarazo("club_embarazadas", None, None) is True
    assert dominio.verificar_embarazo("taller", None, None) is False
    assert dominio.verificar_embarazo("taller", None, 20) is True
    with pytest.raises(ErrorValidacion) as e:
        dominio.verificar_embarazo("taller", False, 20)
    assert "semanas_gestacion" in e.value.detalles["participante"]


def test_horas_asistidas_solo_de_realizadas():
    sesiones = [{"id": "a", "fecha": date(2026, 6, 1), "duracion_horas": Decimal("3")},
                {"id": "b", "fecha": date(2026, 6, 8), "duracion_horas": None},
                {"id": "c", "fecha": date(2026, 7, 1), "duracion_horas": Decimal("2")}]
    assert dominio.horas_asistidas(sesiones, {"a", "b", "c"}, HOY) == (2, Decimal("5"))


def test_codigo_de_verificacion_depende_del_secreto():
    a = dominio.codigo_verificacion("s" * 32, "id-1")
    assert a == dominio.codigo_verificacion("s" * 32, "id-1")
    assert a != dominio.codigo_verificacion("t" * 32, "id-1")
    assert a != dominio.codigo_verificacion("s" * 32, "id-2")
    assert len(a) == 14 and a.count("-") == 2


# --- sesiones canceladas y reprogramadas, asistencia no futura, avisos ---

def _sesion(id_, fecha, cancelada=False):
    return {"id": id_, "fecha": fecha, "estado": "cancelada" if cancelada else None}


def test_una_sesion_cancelada_no_cuenta_como_realizada_ni_para_la_constancia():
    sesiones = [_sesion("a", date(2026, 6, 1)), _sesion("b", date(2026, 6, 8)),
                _sesion("c", date(2026, 6, 10), cancelada=True), _sesion("d", date(2026, 6, 20))]
    assert [s["id"] for s in dominio.sesiones_realizadas(sesiones, HOY)] == ["a", "b"]
    # Asistió a las dos realizadas: 100 %, aunque la cancelada no tenga su firma.
    assert dominio.porcentaje_asistencia(sesiones, {"a", "b"}, HOY) == 100.0
    assert [dominio.estado_sesion(s, HOY) for s in sesiones] == ["realizada", "realizada", "cancelada", "programada"]


def test_reprogramar_solo_lo_que_no_se_ha_realizado():
    dominio.verificar_reprogramable(_sesion("a", HOY), False, HOY)
    for sesion, con_registro in ((_sesion("a", date(2026, 6, 1)), False), (_sesion("a", HOY), True),
                                 (_sesion("a", date(2026, 7, 1), cancelada=True), False)):
        with pytest.raises(Conflicto) as e:
            dominio.verificar_reprogramable(sesion, con_registro, HOY)
        assert e.value.codigo == "ESTADO_INVALIDO"
    with pytest.raises(ErrorValidacion) as e:
        dominio.verificar_nueva_fecha(date(2026, 6, 14), HOY)
    assert "fecha" in e.value.detalles
    dominio.verificar_nueva_fecha(HOY, HOY)


def test_asistencia_y_conteo_ni_en_el_futuro_ni_en_una_sesion_cancelada():
    dominio.verificar_sesion_para_asistencia(_sesion("a", HOY), HOY)
    with pytest.raises(Conflicto) as e:
        dominio.verificar_sesion_para_asistencia(_sesion("a", date(2026, 6, 16)), HOY)
    assert e.value.codigo == "ESTADO_INVALIDO" and "todavía no" in e.value.mensaje
    with pytest.raises(Conflicto):
        dominio.verificar_sesion_para_asistencia(_sesion("a", date(2026, 6, 1), cancelada=True), HOY)


def test_solo_se_anuncia_una_sesion_de_hoy_en_adelante():
    assert dominio.se_avisa(HOY, HOY) and dominio.se_avisa(date(2026, 7, 1), HOY)
    assert not dominio.se_avisa(date(2026, 6, 14), HOY)


# --- conteo de participantes ---

def test_conteo_por_sexo_y_edad_debe_cuadrar():
    c = dominio.conteo_normalizado(30, 5, {"juventud": 10, "adultez": 20, "adulto_mayor": 5})
    assert c["total"] == 35 and c["por_grupo_edad"]["ninez"] == 0 and c["por_grupo_edad"]["adultez"] == 20
    assert dominio.conteo_normalizado(12, 0)["por_grupo_edad"] is None
    with pytest.raises(ErrorOMM) as e:
        dominio.conteo_normalizado(30, 5, {"adultez": 30})
    # Cada número es válido; la suma no (JSON Schema no suma): 409, con el campo.
    assert e.value.codigo == "DATOS_INCOHERENTES" and e.value.estado_http == 409
    assert "por_grupo_edad" in e.value.detalles
    assert "(30)" in e.value.detalles["por_grupo_edad"][0] and "(35)" in e.value.detalles["por_grupo_edad"][0]


def test_participantes_de_una_actividad_con_conteo_inscritas_o_ambos():
    assert dominio.participantes_actividad(0, [35]) == 35  # charla abierta: solo el conteo
    assert dominio.participantes_actividad(12, []) == 12  # curso con inscripción
    assert dominio.participantes_actividad(12, [20, 8]) == 20  # el conteo de la sala incluye a las inscritas
    assert dominio.participantes_actividad(12, [8, None]) == 12
    assert dominio.sin_nombre(12, 20) == 8 and dominio.sin_nombre(12, 8) == 0
    assert dominio.presentes_sesion(None, 4) == 4 and dominio.presentes_sesion(30, 4) == 30
