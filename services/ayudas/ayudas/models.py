import uuid

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from omm_common.cifrado import Boveda, CampoCifrado
from omm_common.eventos import ahora_utc
from omm_common.tiempo import FechaHoraUTC

from . import dominio


# DNI, teléfono, condiciones (salud) y el historial de sus correcciones, cifrados en reposo con la clave de ayudas
# (AYUDAS_CLAVE_DATOS) por municipio y atados a su fila; el DNI, además, con índice ciego para buscar y ser único.
BOVEDA = Boveda("AYUDAS_CLAVE_DATOS", b"omm-ayudas")


def nuevo_id():
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class TipoAyuda(Base):
    __tablename__ = "tipos_ayuda"
    __table_args__ = (sa.UniqueConstraint("municipio", "codigo"),
                      sa.CheckConstraint("existencia >= 0", name="ck_tipos_ayuda_existencia_no_negativa"))

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    municipio: Mapped[str] = mapped_column(sa.String(4), index=True)
    codigo: Mapped[str] = mapped_column(sa.String(40))
    nombre: Mapped[str] = mapped_column(sa.String(120))
    categoria: Mapped[str] = mapped_column(sa.String(40))
    unidad: Mapped[str] = mapped_column(sa.String(40))
    frecuencia_dias: Mapped[int] = mapped_column(sa.Integer)
    monto_maximo = mapped_column(sa.Numeric(12, 2), nullable=True)
    existencia_minima: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Existencia actual (solo en especie); se descuenta con un UPDATE condicionado, nunca bajo cero.
    existencia: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)


class Beneficiaria(Base):
    __tablename__ = "beneficiarias"
    __table_args__ = (sa.UniqueConstraint("municipio", "dni_indice"),
                      # Candidatas a duplicado: misma fecha de nacimiento en el municipio, luego el nombre.
                      sa.Index("ix_beneficiarias_municipio_nacimiento", "municipio", "fecha_nacimiento"))

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    municipio: Mapped[str] = mapped_column(sa.String(4), index=True)
    nombres: Mapped[str] = mapped_column(sa.String(120))
    apellidos: Mapped[str] = mapped_column(sa.String(120))
    nombre_normalizado: Mapped[str] = mapped_column(sa.String(250), index=True)
    # Sin DNI se registra con el motivo (dominio.MOTIVOS_SIN_DNI); la restricción única ignora los nulos.
    dni_cifrado = mapped_column(sa.Text, nullable=True)
    dni_indice = mapped_column(sa.String(64), nullable=True)  # HMAC: buscar por DNI y unicidad
    dni = CampoCifrado(BOVEDA, "dni_cifrado", indice="dni_indice")
    motivo_sin_dni = mapped_column(sa.String(20), nullable=True)
    # omm_common.nombres.clave: sin tildes, partículas ni orden; para encontrar a la misma persona.
    clave_nombre = mapped_column(sa.String(250), nullable=True, index=True)
    # Fusionada en otra (la que queda): conserva su historia, ya no se lista ni recibe entregas.
    fusionada_con = mapped_column(sa.String(36), nullable=True)
    fecha_nacimiento = mapped_column(sa.Date)
    telefono_cifrado = mapped_column(sa.Text, nullable=True)
    telefono = CampoCifrado(BOVEDA, "telefono_cifrado")
    comunidad: Mapped[str] = mapped_column(sa.String(120))
    condiciones_cifradas = mapped_column(sa.Text, nullable=True)
    condiciones = CampoCifrado(BOVEDA, "condiciones_cifradas", vacio=list)
    consentimiento_salud: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)

    entregas = relationship("Entrega", back_populates="beneficiaria", order_by="Entrega.fecha.desc()")


class HistorialBeneficiaria(Base):
    """Correcciones y fusiones de una beneficiaria: quién, cuándo, por qué y qué campos (con el valor anterior)."""
    __tablename__ = "historial_beneficiarias"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    beneficiaria_id: Mapped[str] = mapped_column(sa.ForeignKey("beneficiarias.id"), index=True)
    municipio: Mapped[str] = mapped_column(sa.String(4))
    accion: Mapped[str] = mapped_column(sa.String(20))  # correccion | fusion | absorbida
    # {campo: {"antes": v, "despues": v}} o ids de la fusión; cifrado: lleva DNI, teléfonos y condiciones de antes.
    cambios_cifrados = mapped_column(sa.Text, nullable=True)
    cambios = CampoCifrado(BOVEDA, "cambios_cifrados", vacio=dict)
    motivo: Mapped[str] = mapped_column(sa.String(1000))
    usuario_id: Mapped[str] = mapped_column(sa.String(60))
    usuario_nombre = mapped_column(sa.String(120), nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)


class Entrega(Base):
    __tablename__ = "entregas"
    __table_args__ = (
        sa.UniqueConstraint("municipio", "anio", "numero"),
        sa.UniqueConstraint("registrada_por", "clave_idempotencia"),
        sa.Index("ix_entregas_beneficiaria_tipo", "beneficiaria_id", "tipo_codigo", "fecha"),
        # Cubre los agregados de la región (personas distintas por municipio, categoría y mes).
        sa.Index("ix_entregas_agregados", "municipio", "categoria", "fecha", "beneficiaria_id",
                 postgresql_include=["cantidad", "monto"]),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    municipio: Mapped[str] = mapped_column(sa.String(4), index=True)
    beneficiaria_id: Mapped[str] = mapped_column(sa.ForeignKey("beneficiarias.id"))
    tipo_codigo: Mapped[str] = mapped_column(sa.String(40))
    categoria: Mapped[str] = mapped_column(sa.String(40))
    cantidad: Mapped[int] = mapped_column(sa.Integer)
    monto = mapped_column(sa.Numeric(12, 2), nullable=True)
    fecha = mapped_column(sa.Date, index=True)
    observaciones = mapped_column(sa.String(1000), nullable=True)
    justificacion_excepcion = mapped_column(sa.String(1000), nullable=True)
    anio: Mapped[int] = mapped_column(sa.Integer)
    numero: Mapped[int] = mapped_column(sa.Integer)
    registrada_por: Mapped[str] = mapped_column(sa.String(60))
    registrada_por_nombre = mapped_column(sa.String(120), nullable=True)
    clave_idempotencia = mapped_column(sa.String(100), nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)
    # Anulación (solo la coordinadora): la fila queda, marcada; no cuenta para frecuencia, presupuesto ni cifras.
    anulada_en = mapped_column(FechaHoraUTC, nullable=True)
    anulada_por = mapped_column(sa.String(60), nullable=True)
    anulada_por_nombre = mapped_column(sa.String(120), nullable=True)
    motivo_anulacion = mapped_column(sa.String(1000), nullable=True)
    # Si la entrega pasó a otra beneficiaria por una fusión: a quién se registró originalmente.
    beneficiaria_original_id = mapped_column(sa.String(36), nullable=True)

    beneficiaria = relationship("Beneficiaria", back_populates="entregas")

    @property
    def numero_recibo(self):
        return dominio.numero_recibo(self.municipio, self.anio, self.numero)

    @property
    def estado(self):
        return "anulada" if self.anulada_en is not None else "vigente"


class MovimientoInventario(Base):
    """Entrada o salida de existencias: donación, compra, ajuste (con motivo) o entrega."""
    __tablename__ = "movimientos_inventario"
    __table_args__ = (sa.Index("ix_movimientos_municipio_tipo", "municipio", "tipo_codigo", "creado_en"),
                      sa.UniqueConstraint("registrada_por", "clave_idempotencia"))

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    municipio: Mapped[str] = mapped_column(sa.String(4))
    tipo_codigo: Mapped[str] = mapped_column(sa.String(40))
    cantidad: Mapped[int] = mapped_column(sa.Integer)  # positiva entra, negativa sale
    motivo: Mapped[str] = mapped_column(sa.String(20))
    origen = mapped_column(sa.String(200), nullable=True)
    entrega_id = mapped_column(sa.String(36), nullable=True)
    existencia_resultante: Mapped[int] = mapped_column(sa.Integer)
    registrada_por: Mapped[str] = mapped_column(sa.String(60))
    # Una donación repetida por un reintento sumaría dos veces: la clave la reconoce.
    clave_idempotencia = mapped_column(sa.String(100), nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)


class Presupuesto(Base):
    """Presupuesto anual del municipio para ayudas económicas."""
    __tablename__ = "presupuestos"

    municipio: Mapped[str] = mapped_column(sa.String(4), primary_key=True)
    anio: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    monto = mapped_column(sa.Numeric(14, 2))
    actualizado_por: Mapped[str] = mapped_column(sa.String(60))
    actualizado_en = mapped_column(FechaHoraUTC, default=ahora_utc, onupdate=ahora_utc)


class ResumenEntregas(Base):
    """Entregas por municipio, mes y categoría; personas: distintas en ese mes.

    Se rehace desde `entregas` (omm_common/resumenes.py); nunca se escribe a mano.
    """
    __tablename__ = "resumen_entregas"

    municipio: Mapped[str] = mapped_column(sa.String(4), primary_key=True)
    mes = mapped_column(sa.Date, primary_key=True)
    categoria: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    entregas: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    unidades: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    monto = mapped_column(sa.Numeric(14, 2), nullable=False)
    personas: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    ultima_fecha = mapped_column(sa.Date, nullable=False)
