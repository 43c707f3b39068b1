"""Tablas que todo servicio tiene igual: el outbox y el registro de eventos aplicados.

Viven en su propia MetaData; cada servicio las crea en su primera migración con
`crear_tablas_comunes(op)` y las usa por medio de la unidad de trabajo.
"""
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from .tiempo import FechaHoraUTC

metadata = sa.MetaData()

outbox = sa.Table(
    "outbox", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("tipo", sa.String(80), nullable=False),
    sa.Column("municipio", sa.String(4)),
    sa.Column("ocurrido_en", FechaHoraUTC, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, default=1),
    sa.Column("datos", sa.JSON, nullable=False),
    sa.Column("publicado_en", FechaHoraUTC),
    sa.Column("intentos", sa.Integer, nullable=False, default=0),
    sa.Column("ultimo_error", sa.String(500)),
    # El X-Request-Id que originó el evento (omm_common/registro.py); nulo si no vino de una solicitud.
    sa.Column("solicitud", sa.String(64)),
    sa.Index("ix_outbox_pendientes", "publicado_en", "ocurrido_en"),
)

eventos_aplicados = sa.Table(
    "eventos_aplicados", metadata,
    sa.Column("evento_id", sa.String(36), primary_key=True),
    sa.Column("tipo", sa.String(80), nullable=False),
    sa.Column("aplicado_en", FechaHoraUTC, nullable=False),
)

# Último latido de los procesos sin RPC propia (relay del outbox, beat de Celery), para /health del gateway.
latidos = sa.Table(
    "latidos", metadata,
    sa.Column("proceso", sa.String(40), primary_key=True),
    sa.Column("instancia", sa.String(120), primary_key=True),
    sa.Column("instante", FechaHoraUTC, nullable=False),
)

consecutivos = sa.Table(
    "consecutivos", metadata,
    sa.Column("municipio", sa.String(4), primary_key=True),
    sa.Column("serie", sa.String(20), primary_key=True),
    sa.Column("anio", sa.Integer, primary_key=True),
    sa.Column("ultimo", sa.Integer, nullable=False),
)


def siguiente_numero(sesion, municipio, serie, anio):
    """Número consecutivo por municipio, serie y año, seguro con registros simultáneos.

    El UPDATE bloquea la fila hasta el fin de la transacción: dos registros a la vez
    esperan su turno en vez de recibir el mismo número.
    """
    clave = (consecutivos.c.municipio == municipio) & (consecutivos.c.serie == serie) & (consecutivos.c.anio == anio)
    for _ in range(2):
        fila = sesion.execute(
            consecutivos.update().where(clave).values(ultimo=consecutivos.c.ultimo + 1)
            .returning(consecutivos.c.ultimo)).first()
        if fila:
            return fila[0]
        try:
            with sesion.begin_nested():
                sesion.execute(consecutivos.insert().values(municipio=municipio, serie=serie, anio=anio, ultimo=1))
            return 1
        except IntegrityError:
            continue  # otra transacción creó la fila: ahora el UPDATE la encuentra
    raise RuntimeError("no se pudo obtener un consecutivo")


def crear_tablas_comunes(op):
    """Para la primera migración Alembic de cada servicio."""
    for tabla in (outbox, eventos_aplicados, consecutivos):
        op.create_table(tabla.name, *tabla.columns)  # Alembic copia las columnas (Column.copy() está obsoleto)
    op.create_index("ix_outbox_pendientes", "outbox", ["publicado_en", "ocurrido_en"])


# Resúmenes de la región (omm_common/resumenes.py): qué (municipio, mes) hay que rehacer, y el primer y
# último día de cada persona o actividad por grupo, para contar distintas en un periodo sin recorrer filas.
resumen_pendiente = sa.Table(
    "resumen_pendiente", metadata,
    sa.Column("municipio", sa.String(4), primary_key=True),
    sa.Column("mes", sa.Date, primary_key=True),
)

resumen_tramos = sa.Table(
    "resumen_tramos", metadata,
    sa.Column("municipio", sa.String(4), primary_key=True),
    sa.Column("clase", sa.String(20), primary_key=True),
    sa.Column("grupo", sa.String(40), primary_key=True),
    sa.Column("clave", sa.String(300), primary_key=True),
    sa.Column("primera", sa.Date, nullable=False),
    sa.Column("ultima", sa.Date, nullable=False),
    # Contar un periodo leyendo solo el índice, en el orden del GROUP BY (municipio, grupo).
    sa.Index("ix_resumen_tramos_periodo", "clase", "municipio", "grupo", "primera", "ultima",
             postgresql_include=["clave"]),
)


def crear_tablas_de_resumen(op):
    """Para la migración que trae los resúmenes a un servicio."""
    for tabla in (resumen_pendiente, resumen_tramos):
        op.create_table(tabla.name, *tabla.columns)
    op.create_index("ix_resumen_tramos_periodo", "resumen_tramos", ["clase", "municipio", "grupo", "primera", "ultima"],
                    postgresql_include=["clave"])


def agregar_observabilidad(op):
    """Para la migración que trae el id de solicitud al outbox y la tabla de latidos.

    Una base creada con esta versión de `crear_tablas_comunes` ya tiene la columna (toma las de `outbox`):
    solo se agrega si falta.
    """
    columnas = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("outbox")}
    if "solicitud" not in columnas:
        with op.batch_alter_table("outbox") as batch_op:
            batch_op.add_column(sa.Column("solicitud", sa.String(64), nullable=True))
    op.create_table(latidos.name, *latidos.columns)


def quitar_observabilidad(op):
    op.drop_table("latidos")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("solicitud")
