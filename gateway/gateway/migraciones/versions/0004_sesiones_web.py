"""Sesiones de la aplicación web (cookie con secreto al azar; aquí su SHA-256)

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sesiones_web',
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('usuario_id', sa.String(length=36), nullable=False),
        sa.Column('csrf', sa.String(length=64), nullable=False),
        sa.Column('creada_en', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ultima_actividad', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id_hash'),
    )
    op.create_index('ix_sesiones_web_usuario_id', 'sesiones_web', ['usuario_id'])


def downgrade():
    op.drop_index('ix_sesiones_web_usuario_id', table_name='sesiones_web')
    op.drop_table('sesiones_web')
