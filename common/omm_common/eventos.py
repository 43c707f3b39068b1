"""El sobre único de todo evento: id, tipo, municipio, ocurrido_en, version, datos.

Opcional: `solicitud`, el X-Request-Id que lo originó (para seguirlo en los logs); un sobre sin él es válido.
"""
import uuid

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
