"""Lo que otros usan de casos: los esquemas de entrada y salida, las categorías que pueden mostrar y los
eventos que publica.

Módulo público y estable: el gateway, reportes y notificaciones importan solo esto; dominio, modelos,
operaciones y cifrado siguen siendo internos. Los eventos llevan referencias y categorías: nunca el nombre,
el DNI, el teléfono, la comunidad ni el relato de la sobreviviente.
"""
from dataclasses import dataclass
from datetime import date

from omm_common.eventos import Evento

from .dominio import (
    CONTEXTOS, DESTINOS, ESTADOS, HORAS_URGENCIA_SEXUAL, NIVELES_RIESGO, NOMBRES_CONTEXTO, NOMBRES_GBVIMS,
    NOMBRES_NIVEL_RIESGO, NOMBRES_GBVIMS_CON_VACIO, NOMBRES_TIPO_VIOLENCIA, SIN_CLASIFICAR, TIPOS_GBVIMS, TIPOS_SEGUIMIENTO,
    TIPOS_VIOLENCIA, horas_desde_incidente,
)
from .schemas import (
    AgendaSalida, AuditoriaSalida, CasoEnLista, CasoEntrada, CasoResumen, CasoSalida, CierreEntrada, ConsentimientoEntrada,
    CorreccionEntrada, DerivacionEntrada, DerivacionSalida, FiltroAgenda, FiltroCasos, ReaperturaEntrada,
    ResponsableEntrada, SeguimientoEntrada, SeguimientoSalida, ValoracionEntrada,
)

__all__ = [
    "TIPOS_VIOLENCIA", "CONTEXTOS", "NIVELES_RIESGO", "ESTADOS", "TIPOS_SEGUIMIENTO", "DESTINOS",
    "NOMBRES_TIPO_VIOLENCIA", "NOMBRES_CONTEXTO", "NOMBRES_NIVEL_RIESGO", "TIPOS_GBVIMS", "NOMBRES_GBVIMS",
    "SIN_CLASIFICAR", "NOMBRES_GBVIMS_CON_VACIO", "HORAS_URGENCIA_SEXUAL", "horas_desde_incidente",
    "CorreccionEntrada", "ValoracionEntrada", "ConsentimientoEntrada", "ReaperturaEntrada", "ResponsableEntrada",
    "FiltroAgenda", "AgendaSalida",
    "CasoEntrada", "CasoEnLista", "FiltroCasos", "CasoResumen", "CasoSalida", "SeguimientoEntrada", "SeguimientoSalida",
    "DerivacionEntrada", "DerivacionSalida", "CierreEntrada", "AuditoriaSalida",
    "CasoRegistrado", "CasoDerivado", "SeguimientoRegistrado", "CasoCerrado", "SeguimientoVencido",
    "CasoReabierto", "RiesgoReevaluado",
]


@dataclass(frozen=True, kw_only=True)
class CasoRegistrado(Evento):
    caso_id: str
    codigo: str
    tipos_violencia: tuple[str, ...]
    nivel_riesgo: str
    fecha_incidente: date | None


@dataclass(frozen=True, kw_only=True)
class SeguimientoRegistrado(Evento):
    caso_id: str
    codigo: str
    seguimiento_id: str
    tipo: str
    proxima_fecha: date | None


@dataclass(frozen=True, kw_only=True)
class CasoDerivado(Evento):
    caso_id: str
    codigo: str
    derivacion_id: str
    destino: str
    urgente: bool
    # violencia_sexual_72h, criterio_oficina o None (dominio.motivo_urgencia): el aviso al CIS depende de él.
    motivo_urgencia: str | None
    tipos_violencia: tuple[str, ...]
    horas_desde_incidente: int | None


@dataclass(frozen=True, kw_only=True)
class CasoCerrado(Evento):
    caso_id: str
    codigo: str


@dataclass(frozen=True, kw_only=True)
class SeguimientoVencido(Evento):
    """Lo emite la tarea programada: `proxima_fecha` pasó sin seguimiento (una vez por caso y fecha)."""
    caso_id: str
    codigo: str
    proxima_fecha: date

@dataclass(frozen=True, kw_only=True)
class CasoReabierto(Evento):
    """La coordinadora reabrió un caso cerrado (el motivo queda en la bitácora, no en el evento)."""
    caso_id: str
    codigo: str


@dataclass(frozen=True, kw_only=True)
class RiesgoReevaluado(Evento):
    """Una nueva valoración del riesgo: el nivel vigente del caso es el de la última."""
    caso_id: str
    codigo: str
    nivel_riesgo: str
    nivel_anterior: str
