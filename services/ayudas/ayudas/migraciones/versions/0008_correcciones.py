"""correcciones con historial: sin DNI con motivo, clave de nombre para candidatas, fusiones, anulación de
entregas y el nombre de quien entrega

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 15:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

from omm_common import nombres
from omm_common.tiempo import FechaHoraUTC

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("beneficiarias") as tabla:
        tabla.alter_column("dni", existing_type=sa.String(13), nullable=True)
        tabla.add_column(sa.Column("motivo_sin_dni", sa.String(20), nullable=True))
        tabla.add_column(sa.Column("clave_nombre", sa.String(250), nullable=True))
        tabla.add_column(sa.Column("fusionada_con", sa.String(36), nullable=True))
        tabla.create_index("ix_beneficiarias_clave_nombre", ["clave_nombre"])
        tabla.create_index("ix_beneficiarias_municipio_nacimiento", ["municipio", "fecha_nacimiento"])
    # La clave de las ya registradas: en Python (la misma función que al registrar), por lotes.
    conexion = op.get_bind()
    b = sa.table("beneficiarias", sa.column("id"), sa.column("nombres"), sa.column("apellidos"),
                 sa.column("clave_nombre"))
    filas = conexion.execute(sa.select(b.c.id, b.c.nombres, b.c.apellidos)).all()
    cambio = sa.update(b).where(b.c.id == sa.bindparam("b_id")).values(clave_nombre=sa.bindparam("b_clave"))
    for i in range(0, len(filas), 5000):
        lote = [{"b_id": f.id, "b_clave": nombres.clave(f.nombres, f.apellidos)} for f in filas[i:i + 5000]]
        conexion.execute(cambio, lote)
    op.create_table(
        "historial_beneficiarias",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("beneficiaria_id", sa.String(36), sa.ForeignKey("beneficiarias.id"), nullable=False),
        sa.Column("municipio", sa.String(4), nullable=False),
        sa.Column("accion", sa.String(20), nullable=False),
        sa.Column("cambios", sa.JSON, nullable=True),
        sa.Column("motivo", sa.String(1000), nullable=False),
        sa.Column("usuario_id", sa.String(60), nullable=False),
        sa.Column("usuario_nombre", sa.String(120), nullable=True),
        sa.Column("creado_en", FechaHoraUTC, nullable=True),
    )
    op.create_index("ix_historial_beneficiarias_beneficiaria_id", "historial_beneficiarias", ["beneficiaria_id"])
    with op.batch_alter_table("entregas") as tabla:
        tabla.add_column(sa.Column("registrada_por_nombre", sa.String(120), nullable=True))
        tabla.add_column(sa.Column("anulada_en", FechaHoraUTC, nullable=True))
        tabla.add_column(sa.Column("anulada_por", sa.String(60), nullable=True))
        tabla.add_column(sa.Column("anulada_por_nombre", sa.String(120), nullable=True))
        tabla.add_column(sa.Column("motivo_anulacion", sa.String(1000), nullable=True))
        tabla.add_column(sa.Column("beneficiaria_original_id", sa.String(36), nullable=True))


def downgrade():
    with op.batch_alter_table("entregas") as tabla:
        for c in ("beneficiaria_original_id", "motivo_anulacion", "anulada_por_nombre", "anulada_por", "anulada_en",
                  "registrada_por_nombre"):
            tabla.drop_column(c)
    op.drop_index("ix_historial_beneficiarias_beneficiaria_id", "historial_beneficiarias")
    op.drop_table("historial_beneficiarias")
    with op.batch_alter_table("beneficiarias") as tabla:
        tabla.drop_index("ix_beneficiarias_municipio_nacimiento")
        tabla.drop_index("ix_beneficiarias_clave_nombre")
        for c in ("fusionada_con", "clave_nombre", "motivo_sin_dni"):
            tabla.drop_column(c)
        tabla.alter_column("dni", existing_type=sa.String(13), nullable=False)
