"""POA por municipio y año, y los textos propios del informe

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
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
    sa.ForeignKeyConstraint(['municipio'], ['municipios.codigo'], ),
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
    sa.ForeignKeyConstraint(['municipio'], ['municipios.codigo'], ),
    sa.PrimaryKeyConstraint('municipio')
    )


def downgrade():
    op.drop_table('textos_informe')
    op.drop_table('poa_metas')
