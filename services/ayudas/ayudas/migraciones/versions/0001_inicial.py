"""inicial

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 04:30:27.673776
"""
from alembic import op
import sqlalchemy as sa

from omm_common.tablas import crear_tablas_comunes


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    crear_tablas_comunes(op)
    op.create_table('beneficiarias',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('municipio', sa.String(length=4), nullable=False),
    sa.Column('nombres', sa.String(length=120), nullable=False),
    sa.Column('apellidos', sa.String(length=120), nullable=False),
    sa.Column('nombre_normalizado', sa.String(length=250), nullable=False),
    sa.Column('dni', sa.String(length=13), nullable=False),
    sa.Column('fecha_nacimiento', sa.Date(), nullable=True),
    sa.Column('telefono', sa.String(length=30), nullable=True),
    sa.Column('comunidad', sa.String(length=120), nullable=False),
    sa.Column('condiciones', sa.JSON(), nullable=True),
    sa.Column('consentimiento_salud', sa.Boolean(), nullable=False),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('municipio', 'dni')
    )
    with op.batch_alter_table('beneficiarias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_beneficiarias_municipio'), ['municipio'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiarias_nombre_normalizado'), ['nombre_normalizado'], unique=False)

    op.create_table('tipos_ayuda',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('municipio', sa.String(length=4), nullable=False),
    sa.Column('codigo', sa.String(length=40), nullable=False),
    sa.Column('nombre', sa.String(length=120), nullable=False),
    sa.Column('categoria', sa.String(length=40), nullable=False),
    sa.Column('unidad', sa.String(length=40), nullable=False),
    sa.Column('frecuencia_dias', sa.Integer(), nullable=False),
    sa.Column('monto_maximo', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('existencia_minima', sa.Integer(), nullable=False),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('municipio', 'codigo')
    )
    with op.batch_alter_table('tipos_ayuda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tipos_ayuda_municipio'), ['municipio'], unique=False)

    op.create_table('entregas',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('municipio', sa.String(length=4), nullable=False),
    sa.Column('beneficiaria_id', sa.String(length=36), nullable=False),
    sa.Column('tipo_codigo', sa.String(length=40), nullable=False),
    sa.Column('categoria', sa.String(length=40), nullable=False),
    sa.Column('cantidad', sa.Integer(), nullable=False),
    sa.Column('monto', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('fecha', sa.Date(), nullable=True),
    sa.Column('observaciones', sa.String(length=1000), nullable=True),
    sa.Column('justificacion_excepcion', sa.String(length=1000), nullable=True),
    sa.Column('anio', sa.Integer(), nullable=False),
    sa.Column('numero', sa.Integer(), nullable=False),
    sa.Column('registrada_por', sa.String(length=60), nullable=False),
    sa.Column('clave_idempotencia', sa.String(length=100), nullable=True),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['beneficiaria_id'], ['beneficiarias.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('municipio', 'anio', 'numero'),
    sa.UniqueConstraint('registrada_por', 'clave_idempotencia')
    )
    with op.batch_alter_table('entregas', schema=None) as batch_op:
        batch_op.create_index('ix_entregas_beneficiaria_tipo', ['beneficiaria_id', 'tipo_codigo', 'fecha'], unique=False)
        batch_op.create_index(batch_op.f('ix_entregas_fecha'), ['fecha'], unique=False)
        batch_op.create_index(batch_op.f('ix_entregas_municipio'), ['municipio'], unique=False)



def downgrade():
    with op.batch_alter_table('entregas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entregas_municipio'))
        batch_op.drop_index(batch_op.f('ix_entregas_fecha'))
        batch_op.drop_index('ix_entregas_beneficiaria_tipo')

    op.drop_table('entregas')
    with op.batch_alter_table('tipos_ayuda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tipos_ayuda_municipio'))

    op.drop_table('tipos_ayuda')
    with op.batch_alter_table('beneficiarias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_beneficiarias_nombre_normalizado'))
        batch_op.drop_index(batch_op.f('ix_beneficiarias_municipio'))

    op.drop_table('beneficiarias')
    for tabla in ('consecutivos', 'eventos_aplicados', 'outbox'):
        op.drop_table(tabla)
