"""Avisos a la coordinación de lo que la administración cambia en las cuentas de su oficina

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'avisos_oficina',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('municipio', sa.String(length=4), nullable=False),
        sa.Column('accion', sa.String(length=30), nullable=False),
        sa.Column('rol', sa.String(length=20), nullable=False),
        sa.Column('usuario', sa.String(length=60), nullable=False),
        sa.Column('campos', sa.JSON(), nullable=True),
        sa.Column('creado_en', sa.DateTime(timezone=True), nullable=True),
        sa.Column('entregado_en', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_avisos_oficina_entregado_en', 'avisos_oficina', ['entregado_en'])


def downgrade():
    op.drop_index('ix_avisos_oficina_entregado_en', table_name='avisos_oficina')
    op.drop_table('avisos_oficina')
