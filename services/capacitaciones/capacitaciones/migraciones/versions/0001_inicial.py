"""inicial

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 06:47:55.321499
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
    op.create_table('capacitaciones',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('municipio', sa.String(length=4), nullable=False),
    sa.Column('titulo', sa.String(length=200), nullable=False),
    sa.Column('tipo', sa.String(length=40), nullable=False),
    sa.Column('institucion', sa.String(length=200), nullable=True),
    sa.Column('facilitador', sa.String(length=200), nullable=True),
    sa.Column('lugar', sa.String(length=200), nullable=False),
    sa.Column('cupo', sa.Integer(), nullable=True),
    sa.Column('creada_por', sa.String(length=60), nullable=False),
    sa.Column('clave_idempotencia', sa.String(length=100), nullable=True),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('creada_por', 'clave_idempotencia')
    )
    with op.batch_alter_table('capacitaciones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capacitaciones_municipio'), ['municipio'], unique=False)
        batch_op.create_index(batch_op.f('ix_capacitaciones_tipo'), ['tipo'], unique=False)

    op.create_table('inscripciones',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('capacitacion_id', sa.String(length=36), nullable=False),
    sa.Column('municipio', sa.String(length=4), nullable=False),
    sa.Column('nombres', sa.String(length=120), nullable=False),
    sa.Column('apellidos', sa.String(length=120), nullable=False),
    sa.Column('nombre_normalizado', sa.String(length=250), nullable=False),
    sa.Column('clave_persona', sa.String(length=300), nullable=False),
    sa.Column('dni', sa.String(length=13), nullable=True),
    sa.Column('fecha_nacimiento', sa.Date(), nullable=True),
    sa.Column('telefono', sa.String(length=30), nullable=True),
    sa.Column('comunidad', sa.String(length=120), nullable=False),
    sa.Column('embarazada', sa.Boolean(), nullable=False),
    sa.Column('semanas_gestacion', sa.Integer(), nullable=True),
    sa.Column('fecha_registro', sa.Date(), nullable=False),
    sa.Column('consentimiento_salud', sa.Boolean(), nullable=False),
    sa.Column('registrada_por', sa.String(length=60), nullable=False),
    sa.Column('clave_idempotencia', sa.String(length=100), nullable=True),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['capacitacion_id'], ['capacitaciones.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('capacitacion_id', 'clave_persona'),
    sa.UniqueConstraint('capacitacion_id', 'dni'),
    sa.UniqueConstraint('registrada_por', 'clave_idempotencia')
    )
    with op.batch_alter_table('inscripciones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inscripciones_capacitacion_id'), ['capacitacion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inscripciones_municipio'), ['municipio'], unique=False)
        batch_op.create_index(batch_op.f('ix_inscripciones_nombre_normalizado'), ['nombre_normalizado'], unique=False)

    op.create_table('sesiones',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('capacitacion_id', sa.String(length=36), nullable=False),
    sa.Column('municipio', sa.String(length=4), nullable=False),
    sa.Column('fecha', sa.Date(), nullable=False),
    sa.Column('hora', sa.String(length=5), nullable=True),
    sa.Column('tema', sa.String(length=300), nullable=True),
    sa.Column('duracion_horas', sa.Numeric(precision=4, scale=1), nullable=True),
    sa.Column('creada_por', sa.String(length=60), nullable=False),
    sa.Column('clave_idempotencia', sa.String(length=100), nullable=True),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['capacitacion_id'], ['capacitaciones.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('creada_por', 'clave_idempotencia')
    )
    with op.batch_alter_table('sesiones', schema=None) as batch_op:
        batch_op.create_index('ix_sesiones_capacitacion_fecha', ['capacitacion_id', 'fecha'], unique=False)
        batch_op.create_index(batch_op.f('ix_sesiones_fecha'), ['fecha'], unique=False)
        batch_op.create_index(batch_op.f('ix_sesiones_municipio'), ['municipio'], unique=False)

    op.create_table('asistencias',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('capacitacion_id', sa.String(length=36), nullable=False),
    sa.Column('sesion_id', sa.String(length=36), nullable=False),
    sa.Column('inscripcion_id', sa.String(length=36), nullable=False),
    sa.Column('registrada_por', sa.String(length=60), nullable=False),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['capacitacion_id'], ['capacitaciones.id'], ),
    sa.ForeignKeyConstraint(['inscripcion_id'], ['inscripciones.id'], ),
    sa.ForeignKeyConstraint(['sesion_id'], ['sesiones.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sesion_id', 'inscripcion_id')
    )
    with op.batch_alter_table('asistencias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asistencias_capacitacion_id'), ['capacitacion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asistencias_inscripcion_id'), ['inscripcion_id'], unique=False)



def downgrade():
    with op.batch_alter_table('asistencias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asistencias_inscripcion_id'))
        batch_op.drop_index(batch_op.f('ix_asistencias_capacitacion_id'))

    op.drop_table('asistencias')
    with op.batch_alter_table('sesiones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sesiones_municipio'))
        batch_op.drop_index(batch_op.f('ix_sesiones_fecha'))
        batch_op.drop_index('ix_sesiones_capacitacion_fecha')

    op.drop_table('sesiones')
    with op.batch_alter_table('inscripciones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inscripciones_nombre_normalizado'))
        batch_op.drop_index(batch_op.f('ix_inscripciones_municipio'))
        batch_op.drop_index(batch_op.f('ix_inscripciones_capacitacion_id'))

    op.drop_table('inscripciones')
    with op.batch_alter_table('capacitaciones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capacitaciones_tipo'))
        batch_op.drop_index(batch_op.f('ix_capacitaciones_municipio'))

    op.drop_table('capacitaciones')
    for tabla in ('consecutivos', 'eventos_aplicados', 'outbox'):
        op.drop_table(tabla)
