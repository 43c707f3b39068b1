"""Lo que otros usan de capacitaciones: los esquemas de entrada y salida, los tipos de actividad y su
nombre para una persona, y los eventos que publica.

Módulo público y estable: el gateway, reportes y notificaciones importan solo esto; dominio, modelos,
operaciones y documentos siguen siendo internos. Los eventos llevan referencias y categorías: nunca el
nombre, el DNI, el teléfono ni la comunidad de una participante.
"""
from dataclasses import dataclass
from datetime import date

from omm_common.eventos import Evento

from .dominio import ESTADOS_SESION, GRUPOS_EDAD, NOMBRES_GRUPO_EDAD, NOMBRES_TIPO, TIPOS
from .schemas import (
    AsistenciaEntrada, AsistenciaSalida, CambioSesionEntrada, CancelacionEntrada, CapacitacionCIS,
    CapacitacionDetalle, CapacitacionEntrada, CapacitacionSalida, ConteoEntrada, ConteoRegistrado,
    FiltroCapacitaciones, FotoMetadatos, FotoSalida, InscripcionEntrada, InscripcionSalida, PaginaCapacitaciones, SesionEntrada,
    SesionSalida,
)

__all__ = [
    "TIPOS", "NOMBRES_TIPO", "GRUPOS_EDAD", "NOMBRES_GRUPO_EDAD", "ESTADOS_SESION",
    "CambioSesionEntrada", "CancelacionEntrada", "ConteoEntrada", "ConteoRegistrado", "FotoSalida", "FotoMetadatos",
    "CapacitacionCIS",
    "CapacitacionEntrada", "FiltroCapacitaciones", "CapacitacionSalida", "CapacitacionDetalle",
    "PaginaCapacitaciones", "SesionEntrada", "SesionSalida", "InscripcionEntrada", "InscripcionSalida",
    "AsistenciaEntrada", "AsistenciaSalida",
    "CapacitacionProgramada", "SesionProgramada", "ParticipanteInscrita", "AsistenciaRegistrada",
    "SesionReprogramada", "SesionCancelada",
]


@dataclass(frozen=True, kw_only=True)
class CapacitacionProgramada(Evento):
    capacitacion_id: str
    tipo: str
    fecha: date  # la de la primera sesión
    lugar: str
    sesiones: int


@dataclass(frozen=True, kw_only=True)
class SesionProgramada(Evento):
    capacitacion_id: str
    sesion_id: str
    tipo: str
    fecha: date
    hora: str | None
    lugar: str


@dataclass(frozen=True, kw_only=True)
class ParticipanteInscrita(Evento):
    capacitacion_id: str
    inscripcion_id: str
    tipo: str
    embarazada: bool
    # Solo la bandera: notificaciones pide los datos por RPC y solo los recibe con consentimiento.
    consentimiento_salud: bool


@dataclass(frozen=True, kw_only=True)
class AsistenciaRegistrada(Evento):
    capacitacion_id: str
    sesion_id: str
    tipo: str
    fecha: date
    presentes: int  # cuántas, no quiénes

@dataclass(frozen=True, kw_only=True)
class SesionReprogramada(Evento):
    """Una sesión cambió de fecha u hora: se avisa a las inscritas y, si es el club, al CIS."""
    capacitacion_id: str
    sesion_id: str
    tipo: str
    fecha: date
    hora: str | None
    lugar: str
    fecha_anterior: date


@dataclass(frozen=True, kw_only=True)
class SesionCancelada(Evento):
    """Una sesión no se realizará: se avisa a las inscritas y, si es el club, al CIS."""
    capacitacion_id: str
    sesion_id: str
    tipo: str
    fecha: date
    hora: str | None
    lugar: str
