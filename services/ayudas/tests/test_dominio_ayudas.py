from datetime import date

import pytest

from ayudas import dominio
from omm_common.errores import Conflicto, ErrorValidacion


def test_edad_cumple_el_dia_de_su_cumpleanos():
    assert dominio.edad(date(1966, 5, 10), hoy=date(2026, 5, 9)) == 59
    assert dominio.edad(date(1966, 5, 10), hoy=date(2026, 5, 10)) == 60


def test_tercera_edad_se_deriva_y_no_se_escribe():
    hoy = date(2026, 1, 1)
    assert dominio.condiciones_con_edad(["tercera_edad", "jefa_hogar"], date(1990, 1, 1), hoy) == ["jefa_hogar"]
    assert dominio.condiciones_con_edad(["jefa_hogar"], date(1960, 1, 1), hoy) == ["tercera_edad", "jefa_hogar"]


def test_frecuencia_excedida_dice_la_ultima_y_la_proxima_fecha():
    with pytest.raises(Conflicto) as e:
        dominio.verificar_frecuencia(date(2026, 3, 1), date(2026, 3, 15), 30)
    assert e.value.codigo == "FRECUENCIA_EXCEDIDA"
    assert e.value.detalles["ultima_entrega"] == "2026-03-01"
    assert e.value.detalles["proxima_fecha_permitida"] == "2026-03-31"
    dominio.verificar_frecuencia(date(2026, 3, 1), date(2026, 3, 31), 30)


def test_solo_la_coordinadora_autoriza_la_excepcion():
    dominio.verificar_frecuencia(date(2026, 3, 1), date(2026, 3, 2), 30, "urgencia médica", "coordinadora")
    with pytest.raises(Conflicto):
        dominio.verificar_frecuencia(date(2026, 3, 1), date(2026, 3, 2), 30, "urgencia médica", "tecnica")


def test_monto_sobre_el_maximo_es_error_de_validacion():
    with pytest.raises(ErrorValidacion) as e:
        dominio.verificar_monto("economica_medicamentos", 2000, 1500)
    assert "monto" in e.value.detalles
    with pytest.raises(ErrorValidacion):
        dominio.verificar_monto("economica_medicamentos", None, 1500)
    dominio.verificar_monto("economica_medicamentos", 1500, 1500)


def test_existencias_bajas_se_avisa_al_cruzar_el_minimo_una_vez():
    assert dominio.cruza_minimo(5, 4, 5)
    assert not dominio.cruza_minimo(4, 3, 5)
    assert not dominio.cruza_minimo(9, 6, 5)
    assert not dominio.cruza_minimo(1, 0, 0)


def test_presupuesto_dice_cuanto_queda():
    dominio.verificar_presupuesto(None, 10**6, 500)  # sin presupuesto, sin tope
    dominio.verificar_presupuesto(2000, 1500, 500)
    with pytest.raises(Conflicto) as e:
        dominio.verificar_presupuesto(2000, 1500, 501)
    assert e.value.codigo == "PRESUPUESTO_EXCEDIDO" and e.value.detalles["restante"] == 500.0


def test_una_sola_regla_de_existencias_para_entregas_y_movimientos():
    dominio.verificar_existencias("panales", 3, -3)  # se puede llegar a cero
    with pytest.raises(Conflicto) as entrega:
        dominio.verificar_existencias("panales", 3, -4)
    assert entrega.value.codigo == "SIN_EXISTENCIAS"
    assert entrega.value.detalles == {"tipo_codigo": "panales", "disponible": 3, "solicitada": 4}
    with pytest.raises(Conflicto) as ajuste:
        dominio.verificar_movimiento("panales", "ajuste", -5, "vencidas", 3)
    assert ajuste.value.detalles == entrega.value.detalles | {"solicitada": 5}
