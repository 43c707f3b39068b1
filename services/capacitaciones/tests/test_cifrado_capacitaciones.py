"""DNI, teléfono y embarazo de las participantes cifrados en reposo (issue 16): la migración 0005 cifra lo que
había (SQLite y PostgreSQL), la clave de persona deja de llevar el DNI y los duplicados por DNI siguen."""
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from capacitaciones import operaciones as op
from capacitaciones.models import Base, Capacitacion, Inscripcion
from omm_common.cifrado import DatoAjeno
from omm_common.contexto import Identidad
from omm_common.db import crear_motor, unidad_de_trabajo
from omm_common.errores import Conflicto
from omm_common.migraciones import migrar
from omm_common.tablas import metadata as metadata_comun

EN_CLARO = ("0309199000001", "0309198800002", "9911-2233", "9877-6655")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/capacitaciones.db"
    return request.getfixturevalue("base_pg")("capacitaciones")


def test_la_0005_cifra_dni_telefono_y_embarazo_y_los_duplicados_siguen(url):
    migrar("capacitaciones", url, "0004")
    motor = crear_motor(url)
    club = str(uuid.uuid4())
    ids = {n: str(uuid.uuid4()) for n in ("ana", "berta", "carla")}
    with unidad_de_trabajo(motor) as uow:
        uow.sesion.add(Capacitacion(id=club, municipio="0309", titulo="Club", tipo="club_embarazadas",
                                    lugar="CIS", creada_por="u1"))
    with motor.begin() as c:
        for nombre, dni, telefono, embarazada, semanas in (
                ("ana", "0309199000001", "+504 9911-2233", True, 12), ("berta", "0309198800002", "9877-6655",
                                                                      False, None),
                ("carla", None, None, True, None)):
            c.execute(sa.text(
                "INSERT INTO inscripciones (id, capacitacion_id, municipio, nombres, apellidos, nombre_normalizado, "
                "clave_persona, dni, telefono, comunidad, embarazada, semanas_gestacion, fecha_registro, "
                "consentimiento_salud, registrada_por) VALUES (:id, :club, '0309', :n, 'Paz', :n, :clave, :dni, :tel, "
                "'Centro', :emb, :sem, '2026-03-01', true, 'u1')"),
                {"id": ids[nombre], "club": club, "n": nombre, "dni": dni, "tel": telefono, "emb": embarazada,
                 "sem": semanas, "clave": f"dni:{dni}" if dni else f"nombre:{nombre}|"})
    migrar("capacitaciones", url)
    with motor.connect() as c:
        filas = c.execute(sa.text("SELECT * FROM inscripciones")).mappings().all()
        diferencias = compare_metadata(MigrationContext.configure(c), Base.metadata)
    crudas = " ".join(str(dict(f)) for f in filas)
    for dato in EN_CLARO:
        assert dato not in crudas, dato
    assert not {"dni", "telefono", "embarazada", "semanas_gestacion"} & set(filas[0])
    # Embarazada o no, con semanas o sin ellas: el cifrado del embarazo mide lo mismo.
    assert len({len(f["salud_cifrada"]) for f in filas}) == 1
    comunes = set(metadata_comun.tables)
    assert [d for d in diferencias if not (isinstance(d, tuple) and (
        (d[0] == "remove_table" and d[1].name in comunes)
        or (d[0] == "remove_index" and d[1].table.name in comunes)))] == []
    with unidad_de_trabajo(motor) as uow:
        ana, berta, carla = (uow.sesion.get(Inscripcion, ids[n]) for n in ("ana", "berta", "carla"))
        assert (ana.dni, ana.telefono, ana.embarazada, ana.semanas_gestacion) == (
            "0309199000001", "+504 9911-2233", True, 12)
        assert (berta.embarazada, berta.semanas_gestacion, carla.dni, carla.embarazada) == (False, None, None, True)
        assert ana.clave_persona == f"dni:{ana.dni_indice}" and carla.clave_persona == "nombre:carla|"
    # El mismo DNI con otro nombre sigue siendo la misma persona en la actividad.
    yo = Identidad(usuario_id="u1", usuario="tecnica.0309", rol="tecnica", municipio="0309")
    with pytest.raises(Conflicto) as e, unidad_de_trabajo(motor) as uow:
        op.inscribir(uow, yo, club, {"participante": {"nombres": "Otra", "apellidos": "Mas", "dni": "0309-1990-00001",
                                                      "comunidad": "Centro"}, "consentimiento_salud": False})
    assert e.value.codigo == "DUPLICADO"
    # El embarazo de una copiado en la fila de otra no se lee como suyo.
    with motor.begin() as c:
        c.execute(sa.text("UPDATE inscripciones SET salud_cifrada = (SELECT salud_cifrada FROM inscripciones "
                          "WHERE id = :a) WHERE id = :b"), {"a": ids["ana"], "b": ids["berta"]})
    with unidad_de_trabajo(motor) as uow, pytest.raises(DatoAjeno, match="inscripciones.salud"):
        uow.sesion.get(Inscripcion, ids["berta"]).embarazada
    motor.dispose()
