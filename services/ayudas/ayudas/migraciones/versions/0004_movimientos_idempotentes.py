"""clave de idempotencia en los movimientos de inventario

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:00:00.000000
"""
import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('movimientos_inventario', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clave_idempotencia', sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint('uq_movimientos_inventario_registrada_por',
                                          ['registrada_por', 'clave_idempotencia'])


def downgrade():
    with op.batch_alter_table('movimientos_inventario', schema=None) as batch_op:
        batch_op.drop_constraint('uq_movimientos_inventario_registrada_por', type_='unique')
        batch_op.drop_column('clave_idempotencia')
