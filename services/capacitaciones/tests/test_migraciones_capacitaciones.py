"""Las migraciones crean exactamente lo que declaran los modelos."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from capacitaciones.models import Base
from omm_common.db import crear_motor
from omm_common.tablas import metadata as metadata_comun
from omm_common.migraciones import migrar


def test_la_migracion_coincide_con_los_modelos(tmp_path):
    url = f"sqlite:///{tmp_path}/capacitaciones.db"
    migrar("capacitaciones", url)
    motor = crear_motor(url)
    with motor.connect() as c:
        diferencias = compare_metadata(MigrationContext.configure(c), Base.metadata)
        tablas = set(motor.dialect.get_table_names(c))
    motor.dispose()
    # Las tablas comunes (outbox...) no están en Base.metadata: aparecen como "sobran"; nada más.
    comunes = set(metadata_comun.tables)
    def comun(d):
        return (d[0] == "remove_table" and d[1].name in comunes) or (d[0] == "remove_index"
                                                                     and d[1].table.name in comunes)
    assert [d for d in diferencias if not comun(d)] == []
    assert {"capacitaciones", "sesiones", "inscripciones", "asistencias", "outbox"} <= tablas
