"""inicial

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 04:32:41.978640
"""
from alembic import op
import sqlalchemy as sa

from omm_common import municipios


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('intentos_fallidos',
    sa.Column('clave', sa.String(length=120), nullable=False),
    sa.Column('fallos', sa.Integer(), nullable=False),
    sa.Column('bloqueado_hasta', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actualizado_en', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('clave')
    )
    op.create_table('mancomunidades',
    sa.Column('codigo', sa.String(length=20), nullable=False),
    sa.Column('nombre', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('codigo')
    )
    op.create_table('respuestas_idempotentes',
    sa.Column('usuario_id', sa.String(length=36), nullable=False),
    sa.Column('clave', sa.String(length=100), nullable=False),
    sa.Column('ruta', sa.String(length=200), nullable=False),
    sa.Column('estado_http', sa.Integer(), nullable=True),
    sa.Column('cuerpo', sa.JSON(), nullable=True),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('usuario_id', 'ruta', 'clave')
    )
    op.create_table('municipios',
    sa.Column('codigo', sa.String(length=4), nullable=False),
    sa.Column('nombre', sa.String(length=120), nullable=False),
    sa.Column('departamento', sa.String(length=60), nullable=False),
    sa.Column('mancomunidad', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['mancomunidad'], ['mancomunidades.codigo'], ),
    sa.PrimaryKeyConstraint('codigo')
    )
    with op.batch_alter_table('municipios', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipios_mancomunidad'), ['mancomunidad'], unique=False)

    op.create_table('usuarios',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('usuario', sa.String(length=60), nullable=False),
    sa.Column('nombre', sa.String(length=120), nullable=False),
    sa.Column('hash_contrasena', sa.String(length=200), nullable=False),
    sa.Column('rol', sa.String(length=20), nullable=False),
    sa.Column('municipio', sa.String(length=4), nullable=True),
    sa.Column('mancomunidad', sa.String(length=20), nullable=True),
    sa.Column('activo', sa.Boolean(), nullable=False),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['mancomunidad'], ['mancomunidades.codigo'], ),
    sa.ForeignKeyConstraint(['municipio'], ['municipios.codigo'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('usuario')
    )

    # Datos de referencia oficiales: los 298 municipios (las mancomunidades las define el despliegue).
    tabla = sa.table("municipios", sa.column("codigo"), sa.column("nombre"), sa.column("departamento"))
    op.bulk_insert(tabla, [{"codigo": m.codigo, "nombre": m.nombre, "departamento": m.departamento}
                           for m in municipios.todos().values()])


def downgrade():
    op.drop_table('usuarios')
    with op.batch_alter_table('municipios', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipios_mancomunidad'))

    op.drop_table('municipios')
    op.drop_table('respuestas_idempotentes')
    op.drop_table('mancomunidades')
    op.drop_table('intentos_fallidos')
