"""Migraciones de casos en SQLite y PostgreSQL: crean lo que declaran los modelos, y la 0005 da a los casos
que ya existían su primera valoración y consentimiento, su responsable, su GBVIMS exacto y el aviso al CIS."""
import uuid
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from casos.models import Base
from omm_common.db import crear_motor
from omm_common.migraciones import migrar
from omm_common.tablas import metadata as metadata_comun


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/casos.db"
    return request.getfixturevalue("base_pg")("casos")


def _tabla(conexion, nombre):
    return sa.Table(nombre, sa.MetaData(), autoload_with=conexion)


def test_la_0005_completa_lo_que_ya_habia_y_coincide_con_los_modelos(url):
    migrar("casos", url, "0004")
    motor = crear_motor(url)
    ahora = datetime(2026, 3, 1, 15, tzinfo=timezone.utc)
    casos = {"fisico": ["fisica", "psicologica"], "sexual": ["sexual", "fisica"]}
    ids = {k: str(uuid.uuid4()) for k in casos}
    derivacion, evento = str(uuid.uuid4()), str(uuid.uuid4())
    with motor.begin() as c:
        for n, (clave, tipos) in enumerate(casos.items(), 1):
            c.execute(_tabla(c, "casos").insert(), {
                "id": ids[clave], "municipio": "0311", "codigo": f"MO-2026-{n:04d}", "anio": 2026, "numero": n,
                "estado": "abierto", "fecha_atencion": date(2026, 3, 1), "tipos_violencia": tipos,
                "contexto": "pareja", "nivel_riesgo": "alto", "consentimiento_servicios": True,
                "consentimiento_derivacion": True, "consentimiento_estadisticas": n == 1, "datos_cifrados": "v1:x",
                "creado_por": "tecnica-1", "creado_en": ahora, "actualizado_en": ahora})
        c.execute(_tabla(c, "derivaciones").insert(), {
            "id": derivacion, "caso_id": ids["sexual"], "municipio": "0311", "destino": "cis", "motivo_cifrado": "v1:x",
            "urgente": True, "urgente_solicitado": False, "registrada_por": "tecnica-1", "creado_en": ahora})
        c.execute(_tabla(c, "outbox").insert(), {
            "id": evento, "tipo": "CasoDerivado", "municipio": "0311", "ocurrido_en": ahora, "version": 1,
            "datos": {"derivacion_id": derivacion, "destino": "cis"}, "intentos": 0})
    motor.dispose()
    migrar("casos", url)
    motor = crear_motor(url)
    with motor.connect() as c:
        caso = {r.id: r for r in c.execute(sa.text("SELECT id, tipo_gbvims, responsable_id FROM casos"))}
        assert caso[ids["fisico"]].tipo_gbvims == "agresion_fisica" and caso[ids["sexual"]].tipo_gbvims is None
        assert {r.responsable_id for r in caso.values()} == {"tecnica-1"}
        valoraciones = c.execute(sa.text("SELECT caso_id, nivel_riesgo, fecha, motivo_cifrado FROM "
                                         "valoraciones_riesgo")).all()
        assert sorted((v.caso_id, v.nivel_riesgo, v.motivo_cifrado) for v in valoraciones) == sorted(
            (i, "alto", None) for i in ids.values())
        consentimientos = dict(c.execute(sa.text("SELECT caso_id, estadisticas FROM consentimientos")).all())
        assert consentimientos == {ids["fisico"]: True, ids["sexual"]: False}
        d = c.execute(sa.text("SELECT evento_id, aviso FROM derivaciones")).one()
        assert (d.evento_id, d.aviso) == (evento, "pendiente")
        # Los meses con casos quedan por resumir (gbvims y atendidos, nuevas).
        assert c.execute(sa.text("SELECT count(*) FROM resumen_pendiente WHERE municipio = '0311'")).scalar() == 1
        diferencias = compare_metadata(MigrationContext.configure(c), Base.metadata)
    motor.dispose()
    comunes = set(metadata_comun.tables)

    def comun(d):
        return (d[0] == "remove_table" and d[1].name in comunes) or (d[0] == "remove_index"
                                                                     and d[1].table.name in comunes)
    assert [d for d in diferencias if not isinstance(d, tuple) or not comun(d)] == []
