"""Lo que otros usan de notificaciones: los esquemas de entrada y salida, los canales, estados y claves de
destinatario, y los eventos que publica.

Módulo público y estable: el gateway importa solo esto; dominio, modelos, operaciones, envío, canales y
plantillas siguen siendo internos. Los eventos llevan ids y el canal: nunca a quién ni qué se dijo.
"""
from dataclasses import dataclass

from omm_common.eventos import Evento

from .dominio import ACCIONES_ADMINISTRACION, CANALES, CLAVES_DESTINATARIO, ESTADOS
from .schemas import (
    AvisoOficina, DestinatarioEntrada, DestinatarioSalida, FiltroDestinatarios, FiltroNotificaciones, NotificacionSalida,
    ReglaCambio, ReglaSalida, Resumen,
)

__all__ = [
    "CANALES", "ESTADOS", "CLAVES_DESTINATARIO", "ACCIONES_ADMINISTRACION", "AvisoOficina",
    "FiltroNotificaciones", "NotificacionSalida", "FiltroDestinatarios", "DestinatarioEntrada",
    "DestinatarioSalida", "ReglaCambio", "ReglaSalida", "Resumen",
    "NotificacionEnviada", "NotificacionFallida", "NotificacionConfirmada",
]


# Los tres llevan, además de lo que el catálogo nombra, el tipo del evento de origen (`evento_tipo`, p. ej.
# "CasoDerivado") y la clave de quien recibe (`destinatario`: "cis", "coordinadora", "participantes"): con
# eso casos sabe, por `evento_id`, que su derivación llegó al CIS o que el CIS la confirmó, sin preguntar.
@dataclass(frozen=True, kw_only=True)
class NotificacionEnviada(Evento):
    notificacion_id: str
    evento_id: str  # el id del sobre del evento que la originó
    canal: str
    evento_tipo: str | None = None
    destinatario: str | None = None


@dataclass(frozen=True, kw_only=True)
class NotificacionFallida(Evento):
    notificacion_id: str
    evento_id: str
    canal: str
    evento_tipo: str | None = None
    destinatario: str | None = None


@dataclass(frozen=True, kw_only=True)
class NotificacionConfirmada(Evento):
    notificacion_id: str
    evento_id: str
    canal: str
    evento_tipo: str | None = None
    destinatario: str | None = None
