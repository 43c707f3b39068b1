"""Lo que otros usan de ayudas: los esquemas de entrada y salida, las categorías y su nombre para una
persona, y los eventos que publica.

Módulo público y estable: el gateway y reportes importan solo esto; dominio, modelos, operaciones y hojas
siguen siendo internos. Los eventos llevan referencias y categorías: nunca el nombre, el DNI, el teléfono
ni la comunidad de la beneficiaria.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from omm_common.eventos import Evento

from .dominio import (
    CATEGORIAS, CATEGORIAS_EN_ESPECIE, CONDICIONES, ESTADOS_ENTREGA, MOTIVOS_MOVIMIENTO, MOTIVOS_SIN_DNI,
    NOMBRES_CATEGORIA, NOMBRES_CONDICION, NOMBRES_MOTIVO_SIN_DNI, NOMBRES_MOVIMIENTO,
)
from .schemas import (
    AnulacionEntrada, BeneficiariaCorreccion, BeneficiariaDetalle, BeneficiariaEntrada, BeneficiariaSalida,
    BusquedaCandidatas, CandidataSalida, EntregaEntrada, EntregaSalida, ExistenciaSalida, FiltroBeneficiarias,
    FiltroEntregas, FiltroExportacion, FiltroListaEntregas, FiltroMovimientos, FiltroPresupuesto, FusionEntrada, HistorialSalida,
    ImportacionSalida, MovimientoEntrada, MovimientoSalida, PresupuestoEntrada, PresupuestoSalida, TipoAyudaEntrada,
    TipoAyudaSalida,
)

__all__ = [
    "CATEGORIAS", "NOMBRES_CATEGORIA", "CATEGORIAS_EN_ESPECIE", "CONDICIONES", "MOTIVOS_MOVIMIENTO",
    "TipoAyudaEntrada", "TipoAyudaSalida", "BeneficiariaEntrada", "FiltroBeneficiarias", "BeneficiariaSalida",
    "BeneficiariaDetalle", "EntregaEntrada", "FiltroEntregas", "EntregaSalida", "MovimientoEntrada",
    "MovimientoSalida", "ExistenciaSalida", "FiltroPresupuesto", "PresupuestoEntrada", "PresupuestoSalida",
    "FiltroExportacion", "ImportacionSalida",
    "MOTIVOS_SIN_DNI", "NOMBRES_MOTIVO_SIN_DNI", "NOMBRES_CONDICION", "ESTADOS_ENTREGA",
    "BeneficiariaCorreccion", "BusquedaCandidatas", "CandidataSalida", "HistorialSalida", "FusionEntrada",
    "AnulacionEntrada", "FiltroListaEntregas", "FiltroMovimientos", "NOMBRES_MOVIMIENTO",
    "BeneficiariaRegistrada", "AyudaEntregada", "ExistenciasBajas",
    "EntregaAnulada", "BeneficiariasFusionadas",
]


@dataclass(frozen=True, kw_only=True)
class BeneficiariaRegistrada(Evento):
    beneficiaria_id: str
    condiciones: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class AyudaEntregada(Evento):
    entrega_id: str
    beneficiaria_id: str
    tipo_codigo: str
    categoria: str
    cantidad: int
    monto: Decimal | None  # lempiras; en los datos, un número
    fecha: date
    # Solo la bandera: notificaciones decide si avisa al CIS sin recibir datos personales.
    consentimiento_salud: bool


@dataclass(frozen=True, kw_only=True)
class ExistenciasBajas(Evento):
    tipo_codigo: str
    cantidad: int  # lo que queda, ya bajo el mínimo
    tipo_nombre: str | None = None  # para el aviso: la coordinadora lee «Bolsa de alimentos», no un código

@dataclass(frozen=True, kw_only=True)
class EntregaAnulada(Evento):
    """La coordinadora anuló una entrega: existencias y presupuesto vuelven; la frecuencia se recalcula."""
    entrega_id: str
    beneficiaria_id: str
    tipo_codigo: str
    categoria: str
    cantidad: int
    monto: Decimal | None
    fecha: date  # la de la entrega anulada


@dataclass(frozen=True, kw_only=True)
class BeneficiariasFusionadas(Evento):
    """Dos registros de la misma persona quedan en uno; el absorbido conserva su historia y apunta al otro."""
    beneficiaria_id: str  # la que queda
    fusionada_id: str  # la absorbida
