"""inicial: POA y textos del informe, con lo que ya había en la base del gateway

Revision ID: 0001
Revises: 
Create Date: 2026-12-03 13:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

from reportes.migraciones.traspaso import copiar_del_gateway


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('poa_metas',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('municipio', sa.String(length=4), nullable=False),
    sa.Column('anio', sa.Integer(), nullable=False),
    sa.Column('orden', sa.Integer(), nullable=False),
    sa.Column('nombre', sa.String(length=200), nullable=False),
    sa.Column('indicador', sa.String(length=30), nullable=False),
    sa.Column('tipo_capacitacion', sa.String(length=40), nullable=True),
    sa.Column('categoria_ayuda', sa.String(length=40), nullable=True),
    sa.Column('meta_t1', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('meta_t2', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('meta_t3', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('meta_t4', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('actualizado_por', sa.String(length=36), nullable=True),
    sa.Column('actualizado_en', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('municipio', 'anio', 'orden')
    )
    op.create_table('textos_informe',
    sa.Column('municipio', sa.String(length=4), nullable=False),
    sa.Column('introduccion', sa.Text(), nullable=True),
    sa.Column('objetivo_general', sa.Text(), nullable=True),
    sa.Column('objetivos_especificos', sa.JSON(), nullable=True),
    sa.Column('desafios', sa.Text(), nullable=True),
    sa.Column('lineas_accion', sa.JSON(), nullable=True),
    sa.Column('actualizado_por', sa.String(length=36), nullable=True),
    sa.Column('actualizado_en', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('municipio')
    )
    # El POA y los textos vivían en el gateway: se traen aquí para que ninguna oficina pierda lo escrito.
    copiar_del_gateway(op.get_bind())


def downgrade():
    op.drop_table('textos_informe')
    op.drop_table('poa_metas')
