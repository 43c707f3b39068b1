"""correcciones con historia: valoraciones de riesgo, consentimientos, responsable, GBVIMS exacto, aviso de
derivaciones al CIS, campos y motivo (cifrado, en su tabla) de la bitácora, resumen con valores más largos (gbvims, atendidos)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 15:00:00.000000
"""
import json
import uuid

import sqlalchemy as sa
from alembic import op

from omm_common import resumenes

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_GRUPO = 1000


def upgrade():
    op.create_table(
        'valoraciones_riesgo',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('caso_id', sa.String(length=36), nullable=False),
        sa.Column('municipio', sa.String(length=4), nullable=False),
        sa.Column('fecha', sa.Date(), nullable=False),
        sa.Column('nivel_riesgo', sa.String(length=10), nullable=False),
        sa.Column('motivo_cifrado', sa.Text(), nullable=True),
        sa.Column('registrada_por', sa.String(length=60), nullable=False),
        sa.Column('registrada_por_nombre', sa.String(length=120), nullable=True),
        sa.Column('clave_idempotencia', sa.String(length=100), nullable=True),
        sa.Column('creado_en', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['caso_id'], ['casos.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('registrada_por', 'clave_idempotencia'),
    )
    op.create_index('ix_valoraciones_riesgo_caso_id', 'valoraciones_riesgo', ['caso_id'])
    op.create_table(
        'consentimientos',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('caso_id', sa.String(length=36), nullable=False),
        sa.Column('municipio', sa.String(length=4), nullable=False),
        sa.Column('fecha', sa.Date(), nullable=False),
        sa.Column('servicios', sa.Boolean(), nullable=False),
        sa.Column('derivacion', sa.Boolean(), nullable=False),
        sa.Column('estadisticas', sa.Boolean(), nullable=False),
        sa.Column('motivo_cifrado', sa.Text(), nullable=True),
        sa.Column('registrado_por', sa.String(length=60), nullable=False),
        sa.Column('registrado_por_nombre', sa.String(length=120), nullable=True),
        sa.Column('clave_idempotencia', sa.String(length=100), nullable=True),
        sa.Column('creado_en', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['caso_id'], ['casos.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('registrado_por', 'clave_idempotencia'),
    )
    op.create_index('ix_consentimientos_caso_id', 'consentimientos', ['caso_id'])
    # Columnas nuevas, todas admiten NULL: ADD COLUMN sin recrear las tablas (la bitácora conserva sus
    # disparadores de solo agregar, que una recreación por lotes de SQLite perdería).
    op.add_column('casos', sa.Column('tipo_gbvims', sa.String(length=30), nullable=True))
    op.add_column('casos', sa.Column('responsable_id', sa.String(length=60), nullable=True))
    op.add_column('casos', sa.Column('responsable_nombre', sa.String(length=120), nullable=True))
    op.create_index('ix_casos_responsable_id', 'casos', ['responsable_id'])
    op.add_column('derivaciones', sa.Column('evento_id', sa.String(length=36), nullable=True))
    op.add_column('derivaciones', sa.Column('aviso', sa.String(length=12), nullable=True))
    op.add_column('derivaciones', sa.Column('aviso_enviado_en', sa.DateTime(timezone=True), nullable=True))
    op.add_column('derivaciones', sa.Column('aviso_confirmado_en', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_derivaciones_evento_id', 'derivaciones', ['evento_id'])
    op.add_column('auditoria', sa.Column('campos', sa.JSON(), nullable=True))
    op.create_table(
        'motivos_auditoria',
        sa.Column('auditoria_id', sa.Integer(), nullable=False),
        sa.Column('municipio', sa.String(length=4), nullable=False),
        sa.Column('motivo_cifrado', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['auditoria_id'], ['auditoria.id']),
        sa.PrimaryKeyConstraint('auditoria_id'),
    )
    with op.batch_alter_table('resumen_casos') as batch_op:
        batch_op.alter_column('valor', type_=sa.String(length=40), existing_type=sa.String(length=20),
                              existing_nullable=False)

    conexion = op.get_bind()
    # Lo que ya había: la responsable es quien registró; la valoración y el consentimiento del registro son
    # la primera entrada de cada historia; agresión física se clasifica sola (dominio.gbvims_derivado).
    conexion.execute(sa.text("UPDATE casos SET responsable_id = creado_por"))
    casos = conexion.execute(sa.text(
        "SELECT id, municipio, fecha_atencion, nivel_riesgo, consentimiento_servicios, consentimiento_derivacion, "
        "consentimiento_estadisticas, creado_por, creado_en, tipos_violencia FROM casos")).all()
    valoraciones, consentimientos, fisicos = [], [], []
    for c in casos:
        valoraciones.append({"id": str(uuid.uuid4()), "caso_id": c.id, "municipio": c.municipio,
                             "fecha": c.fecha_atencion, "nivel_riesgo": c.nivel_riesgo,
                             "registrada_por": c.creado_por, "creado_en": c.creado_en})
        consentimientos.append({"id": str(uuid.uuid4()), "caso_id": c.id, "municipio": c.municipio,
                                "fecha": c.fecha_atencion, "servicios": bool(c.consentimiento_servicios),
                                "derivacion": bool(c.consentimiento_derivacion),
                                "estadisticas": bool(c.consentimiento_estadisticas),
                                "registrado_por": c.creado_por, "creado_en": c.creado_en})
        tipos = c.tipos_violencia if isinstance(c.tipos_violencia, list) else json.loads(c.tipos_violencia or "[]")
        if "fisica" in tipos and "sexual" not in tipos:
            fisicos.append({"i": c.id})
    t_val = sa.table('valoraciones_riesgo', *[sa.column(k) for k in (
        "id", "caso_id", "municipio", "fecha", "nivel_riesgo", "registrada_por", "creado_en")])
    t_con = sa.table('consentimientos', *[sa.column(k) for k in (
        "id", "caso_id", "municipio", "fecha", "servicios", "derivacion", "estadisticas", "registrado_por",
        "creado_en")])
    for inicio in range(0, len(casos), _GRUPO):
        conexion.execute(t_val.insert(), valoraciones[inicio:inicio + _GRUPO])
        conexion.execute(t_con.insert(), consentimientos[inicio:inicio + _GRUPO])
    if fisicos:
        conexion.execute(sa.text("UPDATE casos SET tipo_gbvims = 'agresion_fisica' WHERE id = :i"), fisicos)
    # Derivaciones al CIS ya hechas: su evento está en el outbox; el aviso queda pendiente hasta el siguiente
    # evento de notificaciones (los ya enviados antes de esta versión no se reconstruyen).
    enlaces = []
    for e in conexion.execute(sa.text("SELECT id, datos FROM outbox WHERE tipo = 'CasoDerivado'")).all():
        datos = e.datos if isinstance(e.datos, dict) else json.loads(e.datos)
        if datos.get("destino") == "cis":
            enlaces.append({"e": e.id, "d": datos.get("derivacion_id")})
    if enlaces:
        conexion.execute(sa.text("UPDATE derivaciones SET evento_id = :e WHERE id = :d"), enlaces)
    conexion.execute(sa.text("UPDATE derivaciones SET aviso = 'pendiente' WHERE destino = 'cis'"))
    # Las dimensiones nuevas (gbvims, atendidos): cada mes con casos se rehace en la próxima lectura.
    resumenes.marcar_todo(conexion, "casos", "fecha_atencion")


def downgrade():
    with op.batch_alter_table('resumen_casos') as batch_op:
        batch_op.alter_column('valor', type_=sa.String(length=20), existing_type=sa.String(length=40),
                              existing_nullable=False)
    op.drop_table('motivos_auditoria')
    op.drop_column('auditoria', 'campos')
    op.drop_index('ix_derivaciones_evento_id', 'derivaciones')
    for c in ('aviso_confirmado_en', 'aviso_enviado_en', 'aviso', 'evento_id'):
        op.drop_column('derivaciones', c)
    op.drop_index('ix_casos_responsable_id', 'casos')
    for c in ('responsable_nombre', 'responsable_id', 'tipo_gbvims'):
        op.drop_column('casos', c)
    op.drop_table('consentimientos')
    op.drop_table('valoraciones_riesgo')
