"""El sobre único de todo evento: id, tipo, municipio, ocurrido_en, version, datos.

Opcional: `solicitud`, el X-Request-Id que lo originó (para seguirlo en los logs); un sobre sin él es válido.

Los `datos` salen de un `Evento`: una dataclass congelada que cada servicio declara en su `contrato.py`
(el catálogo de CONTRACT.md); nadie arma el diccionario a mano.
"""
import json
import uuid
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from . import claves
from .tiempo import ahora_utc, como_utc, iso_utc  # noqa: F401  (los eventos se fechan en UTC con zona)

CAMPOS_SOBRE = ("id", "tipo", "municipio", "ocurrido_en", "version", "datos")


class SobreInvalido(ValueError):
    pass


def crear_sobre(tipo, municipio, datos, version=1, ocurrido_en=None, solicitud=None):
    sobre = {
        "id": str(uuid.uuid4()),
        "tipo": tipo,
        "municipio": municipio,
        "ocurrido_en": (ocurrido_en or ahora_utc()).isoformat(),
        "version": version,
        "datos": datos,
    }
    if solicitud:
        sobre["solicitud"] = solicitud
    return sobre


def _canonico(sobre):
    return json.dumps({k: v for k, v in sobre.items() if k != "firma"}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def firmar_sobre(sobre, emisor):
    """El sobre con `emisor` y su `firma` Ed25519: quien lo recibe sabe que lo publicó ese servicio, tal cual."""
    firmado = {**{k: v for k, v in sobre.items() if k != "firma"}, "emisor": emisor}
    firmado["firma"] = claves.firmar(emisor, _canonico(firmado))
    return firmado


def verificar_firma(sobre, emisor):
    """Que lo haya firmado `emisor` (el dueño del intercambio del que llegó) y nadie lo haya cambiado."""
    if not isinstance(sobre, dict) or sobre.get("emisor") != emisor:
        raise SobreInvalido(f"el evento no viene firmado por {emisor}")
    if not claves.verificar(emisor, _canonico(sobre), sobre.get("firma")):
        raise SobreInvalido(f"la firma del evento no es de {emisor} o el evento fue alterado")
    return sobre


def validar_sobre(sobre):
    if not isinstance(sobre, dict):
        raise SobreInvalido("el evento no es un objeto")
    faltan = [c for c in CAMPOS_SOBRE if c not in sobre]
    if faltan:
        raise SobreInvalido(f"faltan campos del sobre: {', '.join(faltan)}")
    try:
        uuid.UUID(str(sobre["id"]))
    except ValueError:
        raise SobreInvalido("id no es un UUID") from None
    if not isinstance(sobre["datos"], dict):
        raise SobreInvalido("datos no es un objeto")
    return sobre


def _a_json(valor):
    # Lo mismo que los datos llevaban antes a mano: fechas ISO, montos como número, listas.
    if isinstance(valor, (date, datetime)):
        return valor.isoformat()
    if isinstance(valor, Decimal):
        return float(valor)
    if isinstance(valor, (tuple, list)):
        return [_a_json(v) for v in valor]
    return valor


@dataclass(frozen=True)
class Evento:
    """Base de los eventos del catálogo. Cada subclase es `@dataclass(frozen=True, kw_only=True)` con
    exactamente los campos que viajan (referencias y categorías, nunca datos de una persona).

    `tipo_evento` es el nombre de la clase (no `tipo`: varios eventos llevan un campo `tipo`, la
    categoría de la actividad o del seguimiento); `version` sube si cambia el significado de un campo.
    """
    tipo_evento: ClassVar[str] = "Evento"
    version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.tipo_evento = cls.__name__

    def __post_init__(self):
        # Una lista que llega (p. ej. de una columna JSON) queda tupla: el evento no cambia después de creado.
        for campo in fields(self):
            valor = getattr(self, campo.name)
            if isinstance(valor, list):
                object.__setattr__(self, campo.name, tuple(valor))

    def datos(self):
        """El diccionario que viaja en el sobre, listo para JSON."""
        return {campo.name: _a_json(getattr(self, campo.name)) for campo in fields(self)}
