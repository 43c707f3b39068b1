"""textos del informe por periodo (año y trimestre) y logo de la oficina

Los textos que ya había se quedan con el año en que se escribieron (trimestre 0: el año entero), que es el
informe anual donde se vieron; ninguno se pierde.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 15:00:00.000000
"""
from datetime import datetime

from alembic import op
import sqlalchemy as sa

from omm_common.tiempo import HONDURAS, hoy_honduras


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _anio(cuando):
    if cuando is None:
        return hoy_honduras().year
    if isinstance(cuando, str):  # SQLite guarda texto
        cuando = datetime.fromisoformat(cuando)
    if cuando.tzinfo is not None:
        cuando = cuando.astimezone(HONDURAS)
    return cuando.year


def upgrade():
    with op.batch_alter_table('textos_informe', recreate='always') as b:
        b.add_column(sa.Column('anio', sa.Integer(), server_default='0', nullable=False))
        b.add_column(sa.Column('trimestre', sa.Integer(), server_default='0', nullable=False))
    conexion = op.get_bind()
    textos = sa.table('textos_informe', sa.column('municipio', sa.String), sa.column('anio', sa.Integer),
                      sa.column('actualizado_en', sa.DateTime(timezone=True)))
    for municipio, cuando in conexion.execute(sa.select(textos.c.municipio, textos.c.actualizado_en)).all():
        conexion.execute(textos.update().where(textos.c.municipio == municipio).values(anio=_anio(cuando)))
    if conexion.dialect.name == 'sqlite':
        with op.batch_alter_table('textos_informe', recreate='always') as b:
            b.create_primary_key('pk_textos_informe', ['municipio', 'anio', 'trimestre'])
    else:
        op.drop_constraint('textos_informe_pkey', 'textos_informe', type_='primary')
        op.create_primary_key('textos_informe_pkey', 'textos_informe', ['municipio', 'anio', 'trimestre'])
    op.create_table('logos',
    sa.Column('municipio', sa.String(length=4), nullable=False),
    sa.Column('ruta', sa.String(length=300), nullable=False),
    sa.Column('mime', sa.String(length=30), nullable=False),
    sa.Column('ancho', sa.Integer(), nullable=False),
    sa.Column('alto', sa.Integer(), nullable=False),
    sa.Column('actualizado_por', sa.String(length=36), nullable=True),
    sa.Column('actualizado_en', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('municipio')
    )


def downgrade():
    op.drop_table('logos')
    conexion = op.get_bind()
    # Vuelve a un texto por municipio: el del periodo escrito más recientemente.
    textos = sa.table('textos_informe', sa.column('municipio', sa.String), sa.column('anio', sa.Integer),
                      sa.column('trimestre', sa.Integer), sa.column('actualizado_en', sa.DateTime(timezone=True)))
    filas = conexion.execute(sa.select(textos.c.municipio, textos.c.anio, textos.c.trimestre).order_by(
        textos.c.municipio, textos.c.anio.desc(), textos.c.trimestre.desc())).all()
    vistos = set()
    for municipio, anio, trimestre in filas:
        if municipio in vistos:
            conexion.execute(textos.delete().where(textos.c.municipio == municipio, textos.c.anio == anio,
                                                   textos.c.trimestre == trimestre))
        vistos.add(municipio)
    if conexion.dialect.name == 'sqlite':
        with op.batch_alter_table('textos_informe', recreate='always') as b:
            b.drop_column('anio')
            b.drop_column('trimestre')
            b.create_primary_key('pk_textos_informe', ['municipio'])
    else:
        op.drop_constraint('textos_informe_pkey', 'textos_informe', type_='primary')
        op.drop_column('textos_informe', 'anio')
        op.drop_column('textos_informe', 'trimestre')
        op.create_primary_key('textos_informe_pkey', 'textos_informe', ['municipio'])
