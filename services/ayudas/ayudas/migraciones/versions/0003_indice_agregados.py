"""índice para los agregados de la región

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:30:00.000000
"""
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Los agregados se cuentan leyendo solo este índice, ya ordenado por municipio y categoría.
    with op.batch_alter_table('entregas', schema=None) as batch_op:
        batch_op.create_index('ix_entregas_agregados', ['municipio', 'categoria', 'fecha', 'beneficiaria_id'],
                              unique=False, postgresql_include=['cantidad', 'monto'])


def downgrade():
    with op.batch_alter_table('entregas', schema=None) as batch_op:
        batch_op.drop_index('ix_entregas_agregados')
