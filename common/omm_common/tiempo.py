"""El reloj del sistema en un solo lugar: instantes en UTC con zona, fechas de Honduras.

- Un instante (creado_en, bloqueado_hasta, escalar_en...) siempre es UTC con zona: `ahora_utc()`.
  Las columnas usan `FechaHoraUTC`, que lo devuelve así en PostgreSQL y en SQLite (SQLite no guarda
  la zona: sin esto un valor leído no se puede comparar con `ahora_utc()`).
- Una fecha de la vida de la oficina (una entrega, una sesión, «mañana» del recordatorio, el año del
  informe) es la de Honduras: `hoy_honduras()`. A las 23:30 en Tegucigalpa ya es mañana en UTC.
"""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

HONDURAS = ZoneInfo("America/Tegucigalpa")


def ahora_utc():
    return datetime.now(timezone.utc)


def como_utc(momento):
    """Un instante con zona en UTC; uno sin zona se guardó en UTC."""
    if momento is None:
        return None
    return momento.replace(tzinfo=timezone.utc) if momento.tzinfo is None else momento.astimezone(timezone.utc)


def iso_utc(momento):
    return como_utc(momento).isoformat()


def hoy_honduras(ahora=None) -> date:
    """La fecha en Honduras en este instante (o en `ahora`)."""
    return como_utc(ahora or ahora_utc()).astimezone(HONDURAS).date()


class FechaHoraUTC(sa.types.TypeDecorator):
    """DateTime con zona que entra y sale en UTC con zona en cualquier base."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, valor, dialecto):
        if valor is None:
            return None
        if not isinstance(valor, datetime):
            raise TypeError(f"se esperaba un datetime, llegó {type(valor).__name__}")
        valor = como_utc(valor)
        # SQLite compara texto: sin zona y siempre en UTC, para que el orden del texto sea el del tiempo.
        return valor.replace(tzinfo=None) if dialecto.name == "sqlite" else valor

    def process_result_value(self, valor, dialecto):
        return como_utc(valor)
