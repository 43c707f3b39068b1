"""índice para los agregados de la región

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:30:00.000000
"""
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # Los agregados de un país se cuentan leyendo solo este índice, sin las filas con lo cifrado.
    with op.batch_alter_table('casos', schema=None) as batch_op:
        batch_op.create_index('ix_casos_agregados', ['municipio', 'fecha_atencion', 'consentimiento_estadisticas',
                                                     'nivel_riesgo', 'contexto'], unique=False,
                              postgresql_include=['tipos_violencia'])


def downgrade():
    with op.batch_alter_table('casos', schema=None) as batch_op:
        batch_op.drop_index('ix_casos_agregados')
