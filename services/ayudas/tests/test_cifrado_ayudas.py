"""DNI, teléfono, condiciones y el historial cifrados en reposo (issue 16): la migración 0009 cifra lo que había
(SQLite y PostgreSQL), la base no guarda ninguno en claro y el DNI se sigue buscando y sigue siendo único."""
import json

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from ayudas import operaciones as op
from ayudas.models import Base, Beneficiaria, HistorialBeneficiaria
from omm_common.cifrado import DatoAjeno
from omm_common.contexto import Identidad
from omm_common.db import crear_motor, unidad_de_trabajo
from omm_common.migraciones import migrar
from omm_common.tablas import metadata as metadata_comun

EN_CLARO = ("0309199000001", "0309198800002", "9911-2233", "9877-6655", "embarazada", "enfermedad_base",
            "discapacidad")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/ayudas.db"
    return request.getfixturevalue("base_pg")("ayudas")


def _filas_crudas(conexion):
    return [str(tuple(f)) for t in ("beneficiarias", "historial_beneficiarias")
            for f in conexion.execute(sa.text(f"SELECT * FROM {t}")).all()]


def test_la_0009_cifra_lo_que_habia_y_el_dni_sigue_unico_y_buscable(url):
    migrar("ayudas", url, "0008")
    motor = crear_motor(url)
    with motor.begin() as c:
        for id_, nombre, dni, telefono, condiciones in (
                ("b1", "Ana", "0309199000001", "+504 9911-2233", ["embarazada", "enfermedad_base"]),
                ("b2", "Berta", "0309198800002", "9877-6655", ["discapacidad"]),
                ("b3", "Carla", None, None, [])):
            c.execute(sa.text(
                "INSERT INTO beneficiarias (id, municipio, nombres, apellidos, nombre_normalizado, dni, motivo_sin_dni, "
                "fecha_nacimiento, telefono, comunidad, condiciones, consentimiento_salud) VALUES (:id, '0309', :n, "
                "'Paz', :n, :dni, :motivo, '1990-01-01', :tel, 'Centro', :cond, true)"),
                {"id": id_, "n": nombre, "dni": dni, "motivo": None if dni else "otro", "tel": telefono,
                 "cond": json.dumps(condiciones)})
        c.execute(sa.text(
            "INSERT INTO historial_beneficiarias (id, beneficiaria_id, municipio, accion, cambios, motivo, usuario_id) "
            "VALUES ('h1', 'b2', '0309', 'correccion', :cambios, 'era otro', 'u1')"),
            {"cambios": json.dumps({"telefono": {"antes": "9877-6655", "despues": "9911-2233"}})})
    migrar("ayudas", url)
    with motor.connect() as c:
        crudas = " ".join(_filas_crudas(c))
        diferencias = compare_metadata(MigrationContext.configure(c), Base.metadata)
    for dato in EN_CLARO:
        assert dato not in crudas, dato
    assert "Ana" in crudas  # las filas sí están
    comunes = set(metadata_comun.tables)
    assert [d for d in diferencias if not (isinstance(d, tuple) and (
        (d[0] == "remove_table" and d[1].name in comunes)
        or (d[0] == "remove_index" and d[1].table.name in comunes)))] == []
    yo = Identidad(usuario_id="u1", usuario="tecnica.0309", rol="tecnica", municipio="0309")
    with unidad_de_trabajo(motor) as uow:
        ana = uow.sesion.get(Beneficiaria, "b1")
        assert (ana.dni, ana.telefono, ana.condiciones) == ("0309199000001", "+504 9911-2233",
                                                           ["embarazada", "enfermedad_base"])
        assert uow.sesion.get(Beneficiaria, "b3").condiciones == []
        assert uow.sesion.scalars(sa.select(HistorialBeneficiaria)).one().cambios == {
            "telefono": {"antes": "9877-6655", "despues": "9911-2233"}}
        assert [b["id"] for b in op.listar_beneficiarias(uow, yo, {"dni": "0309-1990-00001"})["items"]] == ["b1"]
    # La restricción única sigue, ahora sobre el índice ciego.
    with pytest.raises(IntegrityError), unidad_de_trabajo(motor) as uow:
        uow.sesion.add(Beneficiaria(municipio="0309", nombres="Otra", apellidos="X", nombre_normalizado="otra x",
                                    dni="0309199000001", comunidad="Centro"))
    # Un cifrado copiado de otra fila no se lee como suyo.
    with motor.begin() as c:
        c.execute(sa.text("UPDATE beneficiarias SET telefono_cifrado = (SELECT telefono_cifrado FROM beneficiarias "
                          "WHERE id = 'b1') WHERE id = 'b2'"))
    with unidad_de_trabajo(motor) as uow, pytest.raises(DatoAjeno, match="beneficiarias.telefono"):
        uow.sesion.get(Beneficiaria, "b2").telefono
    motor.dispose()
