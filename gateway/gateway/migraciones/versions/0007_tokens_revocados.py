"""Tokens de la API cerrados con POST /api/v1/auth/salida (hasta que vencen)

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'tokens_revocados',
        sa.Column('jti', sa.String(length=64), nullable=False),
        sa.Column('usuario_id', sa.String(length=36), nullable=False),
        sa.Column('vence_en', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('jti'),
    )
    op.create_index('ix_tokens_revocados_usuario_id', 'tokens_revocados', ['usuario_id'])


def downgrade():
    op.drop_index('ix_tokens_revocados_usuario_id', table_name='tokens_revocados')
    op.drop_table('tokens_revocados')
