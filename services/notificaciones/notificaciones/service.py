"""Entradas nameko de notificaciones: eventos -> filas de notificación -> Celery; bandeja, acuses y contactos."""
from omm_common.rpc import rpc

from ayudas.contrato import AyudaEntregada, EntregaAnulada, ExistenciasBajas
from capacitaciones.contrato import ParticipanteInscrita, SesionCancelada, SesionProgramada, SesionReprogramada
from casos.contrato import CasoDerivado, SeguimientoVencido
from omm_common.consumidor import aplicar_una_vez, event_handler
from omm_common.contexto import ROL_SERVICIO, IdentidadLlamante
from omm_common.db import BaseDeDatos
from omm_common.observabilidad import Observable

from . import operaciones as op
from .dependencies import Despacho


def _manejador(origen, evento):
    # La clase del contrato del origen, no su nombre a mano: un evento renombrado rompe el import, no deja una cola muda.
    @event_handler(origen, evento.tipo_evento, requeue_on_error=True)
    def manejar(self, sobre):
        self.despachar(*(self._aplicar(sobre) or ([], ())))
    manejar.__name__ = f"al_{evento.tipo_evento}"
    return manejar


class Notificaciones(Observable):  # estado para /health y /metrics del gateway; id de solicitud en el log
    name = "notificaciones"

    uow = BaseDeDatos()
    llamante = IdentidadLlamante()
    despachar = Despacho()

    def metricas_propias(self, uow):
        return {"notificaciones": op.conteos_por_estado(uow)}

    @aplicar_una_vez
    def _aplicar(self, sobre, uow):
        urgentes = set()
        return op.aplicar_evento(uow, sobre, urgentes=urgentes) or [], urgentes

    # Un manejador (y una cola durable) por evento del catálogo que tiene reglas.
    al_caso_derivado = _manejador("casos", CasoDerivado)
    al_seguimiento_vencido = _manejador("casos", SeguimientoVencido)
    al_entregar_ayuda = _manejador("ayudas", AyudaEntregada)
    al_bajar_existencias = _manejador("ayudas", ExistenciasBajas)
    al_inscribir_participante = _manejador("capacitaciones", ParticipanteInscrita)
    al_programar_sesion = _manejador("capacitaciones", SesionProgramada)
    al_reprogramar_sesion = _manejador("capacitaciones", SesionReprogramada)
    al_cancelar_sesion = _manejador("capacitaciones", SesionCancelada)
    al_anular_entrega = _manejador("ayudas", EntregaAnulada)

    @rpc
    def ping(self):
        return self.uow.ping()

    @rpc
    def listar(self, filtros):
        yo = self.llamante.exigir("coordinadora", "cis")
        with self.uow() as uow:
            return op.listar(uow, yo, filtros)

    @rpc
    def acusar(self, notificacion_id):
        yo = self.llamante.exigir("cis")
        with self.uow() as uow:
            return op.acusar(uow, yo, notificacion_id)

    @rpc
    def listar_destinatarios(self, filtros=None):
        yo = self.llamante.exigir("coordinadora", "admin")
        with self.uow() as uow:
            return op.listar_destinatarios(uow, yo, filtros or {})

    @rpc
    def guardar_destinatario(self, cuerpo):
        yo = self.llamante.exigir("coordinadora", "admin")
        with self.uow() as uow:
            salida, avisos = op.guardar_destinatario(uow, yo, cuerpo)
        self.despachar(avisos)
        return salida

    @rpc
    def confirmar_destinatario(self, clave):
        yo = self.llamante.exigir("coordinadora")
        with self.uow() as uow:
            return op.confirmar_destinatario(uow, yo, clave)

    @rpc
    def avisar_oficina(self, aviso):
        self.llamante.exigir_servicio("gateway")
        with self.uow() as uow:
            ids = op.avisar_oficina(uow, aviso)
        self.despachar(ids)
        return len(ids)

    @rpc
    def listar_reglas(self):
        yo = self.llamante.exigir("coordinadora")
        with self.uow() as uow:
            return op.listar_reglas(uow, yo)

    @rpc
    def cambiar_regla(self, codigo, cuerpo):
        yo = self.llamante.exigir("coordinadora")
        with self.uow() as uow:
            return op.cambiar_regla(uow, yo, codigo, cuerpo)

    @rpc
    def resumen(self):
        yo = self.llamante.exigir("coordinadora")
        with self.uow() as uow:
            return op.resumen(uow, yo)

    @rpc
    def reintentar(self, notificacion_id):
        yo = self.llamante.exigir("coordinadora")
        with self.uow() as uow:
            salida = op.reintentar(uow, yo, notificacion_id)
        self.despachar([salida["id"]], {salida["id"]} if salida.get("urgente") else ())
        return salida

    @rpc
    def agregados(self, desde=None, hasta=None, municipios=None):
        self.llamante.exigir(ROL_SERVICIO)
        with self.uow() as uow:
            return op.agregados(uow, desde, hasta, municipios or [])
