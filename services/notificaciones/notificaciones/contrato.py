"""Lo que otros usan de notificaciones: los esquemas de entrada y salida, los canales, estados y claves de
destinatario, y los eventos que publica.

Módulo público y estable: el gateway importa solo esto; dominio, modelos, operaciones, envío, canales y
plantillas siguen siendo internos. Los eventos llevan ids y el canal: nunca a quién ni qué se dijo.
"""
from dataclasses import dataclass

from omm_common.eventos import Evento

from .dominio import CANALES, CLAVES_DESTINATARIO, ESTADOS
from .schemas import (
    DestinatarioEntrada, DestinatarioSalida, FiltroDestinatarios, FiltroNotificaciones, NotificacionSalida,
    ReglaCambio, ReglaSalida, Resumen,
)

__all__ = [
    "CANALES", "ESTADOS", "CLAVES_DESTINATARIO",
    "FiltroNotificaciones", "NotificacionSalida", "FiltroDestinatarios", "DestinatarioEntrada",
    "DestinatarioSalida", "ReglaCambio", "ReglaSalida", "Resumen",
    "NotificacionEnviada", "NotificacionFallida", "NotificacionConfirmada",
]


@dataclass(frozen=True, kw_only=True)
class NotificacionEnviada(Evento):
    notificacion_id: str
    evento_id: str  # el evento que la originó
    canal: str


@dataclass(frozen=True, kw_only=True)
class NotificacionFallida(Evento):
    notificacion_id: str
    evento_id: str
    canal: str


@dataclass(frozen=True, kw_only=True)
class NotificacionConfirmada(Evento):
    notificacion_id: str
    evento_id: str
    canal: str
