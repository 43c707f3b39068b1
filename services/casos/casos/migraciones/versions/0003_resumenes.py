"""resúmenes de la región por municipio y mes

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 12:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

from omm_common import resumenes
from omm_common.tablas import crear_tablas_de_resumen

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    crear_tablas_de_resumen(op)
    op.create_table(
        'resumen_casos',
        sa.Column('municipio', sa.String(length=4), nullable=False),
        sa.Column('mes', sa.Date(), nullable=False),
        sa.Column('dimension', sa.String(length=20), nullable=False),
        sa.Column('valor', sa.String(length=20), nullable=False),
        sa.Column('casos', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('municipio', 'mes', 'dimension', 'valor'),
    )
    # Lo ya registrado queda marcado: la primera lectura (o el temporizador) lo resume.
    resumenes.marcar_todo(op.get_bind(), "casos", "fecha_atencion")


def downgrade():
    op.drop_table('resumen_casos')
    op.drop_table('resumen_tramos')
    op.drop_table('resumen_pendiente')
