"""Entradas nameko de reportes: quién llama, unidad de trabajo, caso de uso.

Reportes no tiene datos de personas: compone los agregados de casos, ayudas, capacitaciones y
notificaciones (que pide con su propia identidad de servicio) dentro del ámbito que el gateway, dueño
de municipios y mancomunidades, le dice que la usuaria puede ver.
"""
import json
import logging
import time

from eventlet import tpool
from nameko.events import BROADCAST
from nameko.rpc import RpcProxy

from omm_common.contexto import ROL_SERVICIO, IdentidadLlamante, PropagarIdentidad, token_de_servicio
from omm_common.consumidor import event_handler
from omm_common.db import BaseDeDatos
from omm_common.observabilidad import ContextoDeRegistro
from omm_common import rpc as rpc_omm
from omm_common.rpc import rpc

from . import operaciones as op

log = logging.getLogger("omm.reportes")

# Por debajo de lo que el gateway espera a reportes (20 s): así el error que llega es el de reportes.
TIEMPO_RPC = 18
# Municipios y mancomunidades casi nunca cambian: se recuerdan un minuto. Evita además que cada informe
# vuelva a ocupar un worker del gateway mientras el gateway espera a reportes.
VIGENCIA_TERRITORIO = 60
_territorios = {}


class Fuentes:
    """Lo que reportes pide a otros servicios, siempre como servicio (los agregados no se dan a usuarias)."""

    def __init__(self, servicio):
        self.servicio = servicio
        servicio.propagar_identidad(token_de_servicio("reportes"))

    def llamar(self, destino, metodo, *args):
        return rpc_omm.llamar(getattr(self.servicio, destino), destino, metodo, *args, tiempo=TIEMPO_RPC)

    def en_paralelo(self, llamadas):
        """Varias RPC a la vez [(servicio, metodo, *args)]: tarda lo que la más lenta."""
        return rpc_omm.en_paralelo(self.llamar, llamadas)

    def opcional(self, destino, metodo, *args):
        """Una RPC de la que el informe puede prescindir (p. ej. las fotos): si falla, None y queda en el log."""
        try:
            return self.llamar(destino, metodo, *args)
        except Exception as exc:  # noqa: BLE001 - el informe sale igual, sin esa parte
            log.warning("%s.%s no respondió para el informe: %s", destino, metodo, exc)
            return None

    def territorio(self, mancomunidad=None, municipio=None):
        clave = (mancomunidad, municipio)
        guardado = _territorios.get(clave)
        if guardado and time.monotonic() - guardado[0] < VIGENCIA_TERRITORIO:
            return guardado[1]
        valor = self.llamar("gateway", "ambito", mancomunidad, municipio)
        _territorios[clave] = (time.monotonic(), valor)
        return valor


class Reportes:
    name = "reportes"

    uow = BaseDeDatos()
    llamante = IdentidadLlamante()
    propagar_identidad = PropagarIdentidad()
    contexto_de_registro = ContextoDeRegistro()

    gateway = RpcProxy("gateway", expiration=TIEMPO_RPC)
    casos = RpcProxy("casos", expiration=TIEMPO_RPC)
    ayudas = RpcProxy("ayudas", expiration=TIEMPO_RPC)
    capacitaciones = RpcProxy("capacitaciones", expiration=TIEMPO_RPC)
    notificaciones = RpcProxy("notificaciones", expiration=TIEMPO_RPC)

    @rpc
    def ping(self):
        return self.uow.ping()

    @event_handler("gateway", "TerritorioCambiado", handler_type=BROADCAST, reliable_delivery=False)
    def olvidar_territorios(self, datos):
        """La administración movió un municipio de mancomunidad: los miembros recordados ya no valen."""
        _territorios.clear()

    @rpc
    def estado_operativo(self, con_metricas=False):
        # Sin outbox ni relay (reportes no emite eventos): su estado es que responde y su base también.
        self.llamante.exigir(ROL_SERVICIO)
        self.uow.ping()
        return {"latidos": {}}

    @rpc
    def region(self, desde=None, hasta=None, clasificacion=None):
        yo = self.llamante.exigir(*op.ROLES_REGION)
        return op.region(Fuentes(self), yo, desde, hasta, clasificacion)

    @rpc
    def region_json(self, desde=None, hasta=None, clasificacion=None):
        """La misma respuesta ya en texto JSON, para el gateway: la de un país en una década pesa 16 MB, y
        decodificarla y volver a codificarla en el gateway costaba unos 2 s."""
        return json.dumps(self.region(desde, hasta, clasificacion), ensure_ascii=False, default=str)

    @rpc
    def informe(self, desde=None, hasta=None, formato=None, municipio=None, clasificacion=None):
        yo = self.llamante.exigir(*op.ROLES_INFORME)
        # El PDF es trabajo de CPU: en un hilo real, para no detener a los demás workers.
        return op.informe(self.uow, Fuentes(self), yo, desde, hasta, formato, municipio, generar=tpool.execute,
                          clasificacion=clasificacion)

    @rpc
    def obtener_poa(self, anio, municipio=None):
        yo = self.llamante.exigir(*op.ROLES_POA)
        return op.obtener_poa(self.uow, Fuentes(self), yo, anio, municipio)

    @rpc
    def fijar_poa(self, anio, cuerpo):
        yo = self.llamante.exigir("coordinadora")
        return op.fijar_poa(self.uow, Fuentes(self), yo, anio, cuerpo)

    @rpc
    def obtener_textos(self, anio=None, trimestre=None):
        yo = self.llamante.exigir(*op.ROLES_TEXTOS)
        return op.obtener_textos(self.uow, yo, anio, trimestre)

    @rpc
    def fijar_textos(self, cuerpo, anio=None, trimestre=None):
        yo = self.llamante.exigir(*op.ROLES_TEXTOS)
        return op.fijar_textos(self.uow, yo, cuerpo, anio, trimestre)

    @rpc
    def fijar_logo(self, contenido_base64):
        yo = self.llamante.exigir(*op.ROLES_LOGO)
        # Volver a codificar la imagen es trabajo de CPU: en un hilo real.
        return op.fijar_logo(self.uow, yo, contenido_base64, procesar=tpool.execute)

    @rpc
    def obtener_logo(self, municipio=None):
        yo = self.llamante.exigir(*op.ROLES_VER_LOGO)
        return op.obtener_logo(self.uow, Fuentes(self), yo, municipio)
