"""Lo que reportes guarda: el plan (metas) del POA y los textos propios del informe de cada oficina.

Lo logrado nunca se guarda: se calcula cada vez de los agregados de los servicios. Los municipios son del
gateway: aquí solo el código, sin llave foránea a una tabla ajena.
"""
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from omm_common.tiempo import FechaHoraUTC, ahora_utc


def nuevo_id():
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class MetaPoa(Base):
    """Una línea del plan operativo anual: qué se medirá (indicador y fuente) y la meta de cada trimestre."""
    __tablename__ = "poa_metas"
    __table_args__ = (sa.UniqueConstraint("municipio", "anio", "orden"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    municipio: Mapped[str] = mapped_column(sa.String(4))
    anio: Mapped[int] = mapped_column(sa.Integer)
    orden: Mapped[int] = mapped_column(sa.Integer)
    nombre: Mapped[str] = mapped_column(sa.String(200))
    indicador: Mapped[str] = mapped_column(sa.String(30))
    tipo_capacitacion = mapped_column(sa.String(40), nullable=True)
    categoria_ayuda = mapped_column(sa.String(40), nullable=True)
    meta_t1 = mapped_column(sa.Numeric(14, 2), nullable=False, default=0)
    meta_t2 = mapped_column(sa.Numeric(14, 2), nullable=False, default=0)
    meta_t3 = mapped_column(sa.Numeric(14, 2), nullable=False, default=0)
    meta_t4 = mapped_column(sa.Numeric(14, 2), nullable=False, default=0)
    actualizado_por = mapped_column(sa.String(36), nullable=True)
    actualizado_en = mapped_column(FechaHoraUTC, default=ahora_utc)


class TextoInforme(Base):
    """Lo que la oficina escribe de su puño en el informe de un periodo: presentación, objetivos y desafíos.

    El periodo es un trimestre (1 a 4) o el año entero (trimestre 0); ver dominio.periodo_de_textos.
    """
    __tablename__ = "textos_informe"

    municipio: Mapped[str] = mapped_column(sa.String(4), primary_key=True)
    anio: Mapped[int] = mapped_column(sa.Integer, primary_key=True, server_default="0")
    trimestre: Mapped[int] = mapped_column(sa.Integer, primary_key=True, server_default="0")
    introduccion = mapped_column(sa.Text, nullable=True)
    objetivo_general = mapped_column(sa.Text, nullable=True)
    objetivos_especificos = mapped_column(sa.JSON, nullable=True)
    desafios = mapped_column(sa.Text, nullable=True)
    lineas_accion = mapped_column(sa.JSON, nullable=True)
    actualizado_por = mapped_column(sa.String(36), nullable=True)
    actualizado_en = mapped_column(FechaHoraUTC, default=ahora_utc)


class Logo(Base):
    """El logo de la oficina para el encabezado de su informe: la imagen limpia vive fuera de la base
    (omm_common.archivos); aquí, dónde está."""
    __tablename__ = "logos"

    municipio: Mapped[str] = mapped_column(sa.String(4), primary_key=True)
    ruta: Mapped[str] = mapped_column(sa.String(300))
    mime: Mapped[str] = mapped_column(sa.String(30))
    ancho: Mapped[int] = mapped_column(sa.Integer)
    alto: Mapped[int] = mapped_column(sa.Integer)
    actualizado_por = mapped_column(sa.String(36), nullable=True)
    actualizado_en = mapped_column(FechaHoraUTC, default=ahora_utc)
