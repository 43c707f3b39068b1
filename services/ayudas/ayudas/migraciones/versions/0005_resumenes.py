"""resúmenes de la región por municipio y mes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 12:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

from omm_common import resumenes
from omm_common.tablas import crear_tablas_de_resumen

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    crear_tablas_de_resumen(op)
    op.create_table(
        'resumen_entregas',
        sa.Column('municipio', sa.String(length=4), nullable=False),
        sa.Column('mes', sa.Date(), nullable=False),
        sa.Column('categoria', sa.String(length=40), nullable=False),
        sa.Column('entregas', sa.Integer(), nullable=False),
        sa.Column('unidades', sa.Integer(), nullable=False),
        sa.Column('monto', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('personas', sa.Integer(), nullable=False),
        sa.Column('ultima_fecha', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('municipio', 'mes', 'categoria'),
    )
    # Lo ya registrado queda marcado: la primera lectura (o el temporizador) lo resume.
    resumenes.marcar_todo(op.get_bind(), "entregas", "fecha")


def downgrade():
    op.drop_table('resumen_entregas')
    op.drop_table('resumen_tramos')
    op.drop_table('resumen_pendiente')
