"""resúmenes de la región por municipio y mes

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 12:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

from omm_common import resumenes
from omm_common.tablas import crear_tablas_de_resumen

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    crear_tablas_de_resumen(op)
    op.create_table(
        'resumen_sesiones',
        sa.Column('municipio', sa.String(length=4), nullable=False),
        sa.Column('mes', sa.Date(), nullable=False),
        sa.Column('tipo', sa.String(length=40), nullable=False),
        sa.Column('actividades', sa.Integer(), nullable=False),
        sa.Column('sesiones_realizadas', sa.Integer(), nullable=False),
        sa.Column('asistencias', sa.Integer(), nullable=False),
        sa.Column('personas', sa.Integer(), nullable=False),
        sa.Column('ultima_fecha', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('municipio', 'mes', 'tipo'),
    )
    with op.batch_alter_table('inscripciones', schema=None) as batch_op:
        batch_op.create_index('ix_inscripciones_persona', ['municipio', 'clave_persona'], unique=False)
    # Lo ya registrado queda marcado: la primera lectura (o el temporizador) lo resume.
    resumenes.marcar_todo(op.get_bind(), "sesiones", "fecha")


def downgrade():
    with op.batch_alter_table('inscripciones', schema=None) as batch_op:
        batch_op.drop_index('ix_inscripciones_persona')
    op.drop_table('resumen_sesiones')
    op.drop_table('resumen_tramos')
    op.drop_table('resumen_pendiente')
