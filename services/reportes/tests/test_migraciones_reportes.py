"""Las migraciones de reportes crean lo que declaran los modelos y traen el POA y los textos que guardaba el
gateway: una base del gateway con filas reales, migrada con sus propias migraciones, en SQLite y PostgreSQL."""
from datetime import datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from omm_common.db import crear_motor
from omm_common.migraciones import configuracion, migrar
from reportes.migraciones import traspaso
from reportes.models import Base

CUANDO = datetime(2026, 3, 2, 15, 30, tzinfo=timezone.utc)


def test_la_migracion_coincide_con_los_modelos(tmp_path, monkeypatch):
    monkeypatch.delenv("GATEWAY_DB_URL", raising=False)
    url = f"sqlite:///{tmp_path}/reportes.db"
    migrar("reportes", url)
    motor = crear_motor(url)
    with motor.connect() as c:
        diferencias = compare_metadata(MigrationContext.configure(c), Base.metadata)
        tablas = set(motor.dialect.get_table_names(c))
    motor.dispose()
    assert diferencias == []
    assert {"poa_metas", "textos_informe"} <= tablas


def _url(motor, tmp_path, base_pg, nombre):
    return f"sqlite:///{tmp_path}/{nombre}.db" if motor == "sqlite" else base_pg(nombre)


def _filas(url, sql):
    motor = crear_motor(url)
    try:
        with motor.connect() as c:
            return [tuple(f) for f in c.execute(sa.text(sql))]
    finally:
        motor.dispose()


def _gateway_con_poa_y_textos(url):
    migrar("gateway", url)
    motor = crear_motor(url)
    with motor.begin() as c:
        c.execute(traspaso.POA.insert(), [
            {"id": f"00000000-0000-4000-8000-00000000000{n}", "municipio": m, "anio": 2026, "orden": n,
             "nombre": nombre, "indicador": indicador, "tipo_capacitacion": tipo, "categoria_ayuda": categoria,
             "meta_t1": Decimal("3"), "meta_t2": Decimal("3.50"), "meta_t3": Decimal(0), "meta_t4": Decimal(1),
             "actualizado_por": "coordinadora-1", "actualizado_en": CUANDO}
            for n, (m, nombre, indicador, tipo, categoria) in enumerate([
                ("0309", "Club de embarazadas con el CIS", "sesiones", "club_embarazadas", None),
                ("0309", "Fondos para medicamentos (L)", "monto", None, "economica_medicamentos"),
                ("0302", "Bolsas de alimentos entregadas", "entregas", None, "alimentos")])])
        c.execute(traspaso.TEXTOS.insert(), [{
            "municipio": "0309", "introduccion": None, "objetivo_general": "Que ninguna mujer quede sola.",
            "objetivos_especificos": ["Acompañar", "Capacitar"], "desafios": "Falta transporte.",
            "lineas_accion": ["Gestionar un vehículo."], "actualizado_por": "coordinadora-1",
            "actualizado_en": CUANDO}])
    motor.dispose()


@pytest.mark.parametrize("motor", ["sqlite", "postgresql"])
def test_la_primera_migracion_trae_el_poa_y_los_textos_del_gateway(motor, tmp_path, base_pg, monkeypatch):
    gateway = _url(motor, tmp_path, base_pg, "gateway")
    reportes = _url(motor, tmp_path, base_pg, "reportes")
    _gateway_con_poa_y_textos(gateway)
    monkeypatch.setenv("GATEWAY_DB_URL", gateway)
    migrar("reportes", reportes)

    poa = "SELECT municipio, anio, orden, nombre, indicador, tipo_capacitacion, categoria_ayuda, meta_t2 " \
          "FROM poa_metas ORDER BY municipio, orden"
    esperado = [("0302", 2026, 2, "Bolsas de alimentos entregadas", "entregas", None, "alimentos", Decimal("3.50")),
                ("0309", 2026, 0, "Club de embarazadas con el CIS", "sesiones", "club_embarazadas", None,
                 Decimal("3.50")),
                ("0309", 2026, 1, "Fondos para medicamentos (L)", "monto", None, "economica_medicamentos",
                 Decimal("3.50"))]
    assert [f[:7] + (Decimal(str(f[7])),) for f in _filas(reportes, poa)] == esperado
    textos = _filas(reportes, "SELECT municipio, objetivo_general, desafios, anio, trimestre FROM textos_informe")
    # Los textos de antes quedan como los del año en que se escribieron (trimestre 0: el año entero).
    assert textos == [("0309", "Que ninguna mujer quede sola.", "Falta transporte.", 2026, 0)]
    # Las listas siguen siendo listas y la fecha la misma (con zona en cualquier base).
    motor_r = crear_motor(reportes)
    with motor_r.connect() as c:
        fila = c.execute(sa.select(traspaso.TEXTOS)).mappings().one()
    motor_r.dispose()
    assert fila["lineas_accion"] == ["Gestionar un vehículo."] and fila["objetivos_especificos"] == ["Acompañar",
                                                                                                   "Capacitar"]
    assert fila["actualizado_en"] == CUANDO
    # El gateway no pierde nada: sus tablas se quitan en otro cambio.
    assert len(_filas(gateway, "SELECT id FROM poa_metas")) == 3

    # Idempotente: volver a copiar no duplica, y rehacer la migración deja lo mismo.
    antes = _filas(reportes, poa)
    motor_r = crear_motor(reportes)
    with motor_r.begin() as c:
        assert traspaso.copiar(c, gateway) == {"poa_metas": 0, "textos_informe": 0}
    motor_r.dispose()
    command.downgrade(configuracion("reportes", reportes), "base")
    migrar("reportes", reportes)
    assert _filas(reportes, poa) == antes


def test_un_plan_que_reportes_ya_tiene_no_se_mezcla_con_el_del_gateway(tmp_path, monkeypatch):
    gateway, reportes = f"sqlite:///{tmp_path}/gateway.db", f"sqlite:///{tmp_path}/reportes.db"
    _gateway_con_poa_y_textos(gateway)
    monkeypatch.delenv("GATEWAY_DB_URL", raising=False)
    migrar("reportes", reportes)
    motor = crear_motor(reportes)
    with motor.begin() as c:
        c.execute(traspaso.POA.insert().values(
            id="11111111-0000-4000-8000-000000000000", municipio="0309", anio=2026, orden=0, nombre="Plan nuevo",
            indicador="sesiones", tipo_capacitacion="taller", meta_t1=1, meta_t2=1, meta_t3=1, meta_t4=1))
        assert traspaso.copiar(c, gateway) == {"poa_metas": 1, "textos_informe": 1}
    motor.dispose()
    assert _filas(reportes, "SELECT municipio, nombre FROM poa_metas ORDER BY municipio, orden") == [
        ("0302", "Bolsas de alimentos entregadas"), ("0309", "Plan nuevo")]


def test_sin_base_del_gateway_no_copia_nada_ni_crea_un_archivo(tmp_path, monkeypatch):
    falta = tmp_path / "no-existe" / "gateway.db"
    monkeypatch.setenv("GATEWAY_DB_URL", f"sqlite:///{falta}")
    migrar("reportes", f"sqlite:///{tmp_path}/reportes.db")
    assert not falta.exists()
    assert _filas(f"sqlite:///{tmp_path}/reportes.db", "SELECT count(*) FROM poa_metas") == [(0,)]
