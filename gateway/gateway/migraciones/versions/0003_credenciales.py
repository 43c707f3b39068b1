"""Usuarias: desde cuándo valen sus tokens y si deben cambiar la contraseña (restablecimiento)

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('usuarios', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credenciales_desde', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('debe_cambiar_contrasena', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('usuarios', schema=None) as batch_op:
        batch_op.drop_column('debe_cambiar_contrasena')
        batch_op.drop_column('credenciales_desde')
