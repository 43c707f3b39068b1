"""Lo que el gateway, dueño de municipios y mancomunidades, responde a otro servicio por RPC.

Reportes decide qué puede ver cada usuaria (su municipio, o los de su mancomunidad) y pregunta aquí
quiénes son los miembros y cómo se llaman: la tabla no se copia a ningún otro servicio.

Reportes recuerda la respuesta un minuto; cuando la administración mueve un municipio de mancomunidad, el
gateway difunde `TerritorioCambiado` (un aviso para olvidar lo recordado, no un hecho del catálogo: sin
outbox, a toda instancia de reportes). Si el aviso se pierde, lo recordado vence igual en ese minuto.
"""
import logging

import sqlalchemy as sa
from nameko.events import EventDispatcher

from omm_common.contexto import ROL_SERVICIO, IdentidadLlamante
from omm_common.eventos import firmar_sobre
from omm_common.rpc import rpc

from .models import Mancomunidad, Municipio

TERRITORIO_CAMBIADO = "TerritorioCambiado"
log = logging.getLogger("omm.gateway")


class Territorio:
    """Mezcla del servicio gateway (necesita `uow`)."""

    llamante = IdentidadLlamante()
    avisar = EventDispatcher()

    def avisar_territorio_cambiado(self, municipio):
        """Después del commit: quien guardó los miembros de una mancomunidad los vuelve a pedir."""
        try:
            self.avisar(TERRITORIO_CAMBIADO, firmar_sobre({"municipio": municipio}, "gateway"))
        except Exception:
            log.warning("No se pudo avisar el cambio de territorio; reportes lo verá al vencer su copia",
                        exc_info=True)

    @rpc
    def ambito(self, mancomunidad=None, municipio=None):
        """{mancomunidad: {codigo, nombre} o None, municipios: [{codigo, nombre}]}: los miembros de la
        mancomunidad (por código), o solo el municipio pedido. Lo que no existe sale vacío."""
        self.llamante.exigir(ROL_SERVICIO)
        with self.uow() as uow:
            m = uow.sesion.get(Mancomunidad, mancomunidad) if mancomunidad else None
            condicion = Municipio.mancomunidad == mancomunidad if mancomunidad else Municipio.codigo == municipio
            filas = uow.sesion.execute(sa.select(Municipio.codigo, Municipio.nombre).where(condicion)
                                       .order_by(Municipio.codigo)).all()
            return {"mancomunidad": {"codigo": m.codigo, "nombre": m.nombre} if m else None,
                    "municipios": [{"codigo": c, "nombre": n} for c, n in filas]}
