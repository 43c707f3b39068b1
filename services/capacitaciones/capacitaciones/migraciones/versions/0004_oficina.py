"""sesiones canceladas y reprogramadas con historia, conteo de participantes, fotos de actividades

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 15:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

from omm_common import nombres, resumenes
from omm_common.tiempo import FechaHoraUTC

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sesiones', schema=None) as b:
        b.add_column(sa.Column('cancelada_en', FechaHoraUTC(), nullable=True))
        b.add_column(sa.Column('cancelada_por', sa.String(length=60), nullable=True))
        b.add_column(sa.Column('cancelada_por_nombre', sa.String(length=200), nullable=True))
        b.add_column(sa.Column('motivo_cancelacion', sa.String(length=500), nullable=True))
        b.add_column(sa.Column('conteo_mujeres', sa.Integer(), nullable=True))
        b.add_column(sa.Column('conteo_hombres', sa.Integer(), nullable=True))
        b.add_column(sa.Column('conteo_total', sa.Integer(), nullable=True))
        b.add_column(sa.Column('conteo_grupos', sa.JSON(), nullable=True))
        b.add_column(sa.Column('conteo_por', sa.String(length=60), nullable=True))
    op.create_table(
        'cambios_sesion',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('sesion_id', sa.String(length=36), nullable=False),
        sa.Column('capacitacion_id', sa.String(length=36), nullable=False),
        sa.Column('accion', sa.String(length=20), nullable=False),
        sa.Column('fecha_anterior', sa.Date(), nullable=True),
        sa.Column('hora_anterior', sa.String(length=5), nullable=True),
        sa.Column('tema_anterior', sa.String(length=300), nullable=True),
        sa.Column('fecha_nueva', sa.Date(), nullable=True),
        sa.Column('hora_nueva', sa.String(length=5), nullable=True),
        sa.Column('tema_nuevo', sa.String(length=300), nullable=True),
        sa.Column('motivo', sa.String(length=500), nullable=False),
        sa.Column('usuario_id', sa.String(length=60), nullable=False),
        sa.Column('usuario_nombre', sa.String(length=200), nullable=True),
        sa.Column('creado_en', FechaHoraUTC(), nullable=True),
        sa.ForeignKeyConstraint(['capacitacion_id'], ['capacitaciones.id']),
        sa.ForeignKeyConstraint(['sesion_id'], ['sesiones.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_cambios_sesion_sesion_id', 'cambios_sesion', ['sesion_id'], unique=False)
    op.create_table(
        'fotos',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('capacitacion_id', sa.String(length=36), nullable=False),
        sa.Column('sesion_id', sa.String(length=36), nullable=True),
        sa.Column('municipio', sa.String(length=4), nullable=False),
        sa.Column('leyenda', sa.String(length=300), nullable=False),
        sa.Column('fecha', sa.Date(), nullable=False),
        sa.Column('ruta', sa.String(length=300), nullable=False),
        sa.Column('mime', sa.String(length=30), nullable=False),
        sa.Column('bytes', sa.Integer(), nullable=False),
        sa.Column('ancho', sa.Integer(), nullable=False),
        sa.Column('alto', sa.Integer(), nullable=False),
        sa.Column('subida_por', sa.String(length=60), nullable=False),
        sa.Column('subida_por_nombre', sa.String(length=200), nullable=True),
        sa.Column('clave_idempotencia', sa.String(length=100), nullable=True),
        sa.Column('creado_en', FechaHoraUTC(), nullable=True),
        sa.ForeignKeyConstraint(['capacitacion_id'], ['capacitaciones.id']),
        sa.ForeignKeyConstraint(['sesion_id'], ['sesiones.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('subida_por', 'clave_idempotencia'),
    )
    op.create_index('ix_fotos_capacitacion_id', 'fotos', ['capacitacion_id'], unique=False)
    op.create_index('ix_fotos_municipio', 'fotos', ['municipio'], unique=False)
    with op.batch_alter_table('resumen_sesiones', schema=None) as b:
        b.add_column(sa.Column('sin_nombre', sa.Integer(), nullable=False, server_default='0'))
        b.add_column(sa.Column('mujeres', sa.Integer(), nullable=False, server_default='0'))
        b.add_column(sa.Column('hombres', sa.Integer(), nullable=False, server_default='0'))
    # Inscritas sin DNI: el nombre se compara como omm_common.nombres (sin tildes, partículas ni orden).
    conexion = op.get_bind()
    filas = conexion.execute(sa.text(
        "SELECT id, capacitacion_id, nombres, apellidos, dni, fecha_nacimiento, clave_persona FROM inscripciones")).all()
    usadas = {(c, p) for _, c, _, _, _, _, p in filas}
    for id_, capacitacion, n, a, dni, nacimiento, anterior in filas:
        clave = nombres.clave(n, a)
        if isinstance(nacimiento, str):
            nacimiento_txt = nacimiento[:10]
        else:
            nacimiento_txt = nacimiento.isoformat() if nacimiento else ""
        persona = f"dni:{dni}" if dni else f"nombre:{clave}|{nacimiento_txt}"
        if persona != anterior and (capacitacion, persona) in usadas:
            # Dos inscritas que ahora serían la misma persona: se dejan como estaban (no se pierde ninguna).
            continue
        usadas.add((capacitacion, persona))
        conexion.execute(sa.text("UPDATE inscripciones SET nombre_normalizado = :n, clave_persona = :c "
                                 "WHERE id = :i"), {"n": clave, "c": persona, "i": id_})
    resumenes.marcar_todo(conexion, "sesiones", "fecha")


def downgrade():
    with op.batch_alter_table('resumen_sesiones', schema=None) as b:
        b.drop_column('hombres')
        b.drop_column('mujeres')
        b.drop_column('sin_nombre')
    op.drop_index('ix_fotos_municipio', table_name='fotos')
    op.drop_index('ix_fotos_capacitacion_id', table_name='fotos')
    op.drop_table('fotos')
    op.drop_index('ix_cambios_sesion_sesion_id', table_name='cambios_sesion')
    op.drop_table('cambios_sesion')
    with op.batch_alter_table('sesiones', schema=None) as b:
        for c in ('conteo_por', 'conteo_grupos', 'conteo_total', 'conteo_hombres', 'conteo_mujeres',
                  'motivo_cancelacion', 'cancelada_por_nombre', 'cancelada_por', 'cancelada_en'):
            b.drop_column(c)
