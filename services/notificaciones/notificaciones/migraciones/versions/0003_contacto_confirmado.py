"""Contactos cambiados por la administración: sin confirmar hasta que la coordinadora los vea

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
    with op.batch_alter_table('destinatarios') as t:
        t.add_column(sa.Column('confirmado', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('destinatarios') as t:
        t.drop_column('confirmado')
