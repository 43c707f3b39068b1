"""Las 23:30 en Tegucigalpa son las 05:30 UTC del día siguiente: cada regla usa la fecha de Honduras.

El reloj del proceso se detiene en ese instante (time-machine) y las reglas corren de verdad: los casos de
uso de ayudas contra una base SQLite migrada, y el periodo por omisión del informe. El recordatorio del
club a esa hora corre por el worker de Celery real en tests/test_camino_por_omision.py.
"""
import uuid
from datetime import date, datetime, timezone

import pytest
import time_machine

from ayudas import operaciones as ayudas
from omm_common.contexto import Identidad
from omm_common.db import crear_motor, unidad_de_trabajo
from omm_common.errores import ErrorOMM
from omm_common.migraciones import migrar
from omm_common.tiempo import ahora_utc, hoy_honduras
from reportes import dominio as informe

# 3 de diciembre, 23:30 en Honduras.
NOCHE = datetime(2026, 12, 4, 5, 30, tzinfo=timezone.utc)


def test_a_las_2330_en_honduras_hoy_sigue_siendo_hoy():
    with time_machine.travel(NOCHE, tick=False):
        assert datetime.now(timezone.utc).date() == date(2026, 12, 4)  # el servidor ya está en mañana
        assert hoy_honduras() == date(2026, 12, 3)
        assert ahora_utc().tzinfo is not None


@pytest.fixture
def motor(tmp_path):
    url = f"sqlite:///{tmp_path}/ayudas.db"
    migrar("ayudas", url)
    m = crear_motor(url)
    yield m
    m.dispose()


def _correr(motor, funcion, *args):
    with unidad_de_trabajo(motor) as uow:
        return funcion(uow, *args)


def test_ventana_de_frecuencia_y_fecha_de_entrega_con_el_dia_de_honduras(motor):
    yo = Identidad(usuario_id=str(uuid.uuid4()), usuario="tecnica.0309", rol="tecnica", municipio="0309")
    _correr(motor, ayudas.crear_tipo, yo, {"codigo": "bolsa", "nombre": "Bolsa", "categoria": "otro",
                                           "unidad": "bolsa", "frecuencia_dias": 30})
    b = _correr(motor, ayudas.crear_beneficiaria, yo, {
        "nombres": "Rosa", "apellidos": "Prueba", "dni": "0309-1960-00011", "fecha_nacimiento": "1960-05-01",
        "comunidad": "Centro", "consentimiento_salud": False})

    def entregar(fecha):
        return _correr(motor, ayudas.registrar_entrega, yo, {
            "beneficiaria_id": b["id"], "tipo_codigo": "bolsa", "cantidad": 1, "fecha": fecha})

    with time_machine.travel(NOCHE, tick=False):
        entregar("2026-11-03")
        # Mañana en UTC, hoy no: una entrega no puede ser de una fecha que en Honduras aún no llega.
        with pytest.raises(ErrorOMM) as futura:
            entregar("2026-12-04")
        assert futura.value.codigo == "VALIDACION" and "fecha" in futura.value.detalles
        # La ventana de 30 días se abre hoy en Honduras (3 de diciembre): la entrega de hoy pasa.
        assert entregar("2026-12-03")["fecha"] == "2026-12-03"
        with pytest.raises(ErrorOMM) as repetida:
            entregar("2026-12-03")
        assert repetida.value.codigo == "FRECUENCIA_EXCEDIDA"
        assert repetida.value.detalles["proxima_fecha_permitida"] == "2027-01-02"


def test_el_informe_sin_fechas_es_del_anio_de_honduras():
    with time_machine.travel(datetime(2027, 1, 1, 5, 30, tzinfo=timezone.utc), tick=False):
        # 31 de diciembre a las 23:30 en Tegucigalpa: el informe del año es el de 2026, completo.
        assert informe.periodo(None, None, hoy_honduras()) == (date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(ErrorOMM) as invertido:
        informe.periodo(date(2026, 3, 1), date(2026, 2, 1), date(2026, 12, 3))
    assert "hasta" in invertido.value.detalles
