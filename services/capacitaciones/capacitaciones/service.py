"""Entradas nameko del servicio de capacitaciones: quién llama, unidad de trabajo, caso de uso."""
from omm_common.rpc import rpc

from omm_common.contexto import ROL_SERVICIO, IdentidadLlamante
from omm_common.db import BaseDeDatos
from omm_common.observabilidad import Observable
from omm_common.resumenes import ConResumen

from . import operaciones as op
from .operaciones import ROLES


class Capacitaciones(Observable, ConResumen):  # estado para /health y /metrics del gateway; id de solicitud en el log
    name = "capacitaciones"
    resumen = op.RESUMEN  # ConResumen: la RPC `agregados` de la región y el temporizador que resume

    uow = BaseDeDatos()
    llamante = IdentidadLlamante()

    @rpc
    def ping(self):
        return self.uow.ping()

    @rpc
    def crear_capacitacion(self, cuerpo, clave_idempotencia=None):
        yo = self.llamante.exigir(*ROLES)
        return self.uow.repetible(op.crear_capacitacion, yo, cuerpo, clave_idempotencia)

    @rpc
    def listar_capacitaciones(self, filtros):
        yo = self.llamante.exigir(*ROLES, "cis")
        with self.uow() as uow:
            if yo.rol == "cis":  # el CIS: solo el club de embarazadas
                return op.listar_club(uow, yo, filtros)
            return op.listar_capacitaciones(uow, yo, filtros)

    @rpc
    def obtener_capacitacion(self, capacitacion_id):
        yo = self.llamante.exigir(*ROLES, "cis")
        with self.uow() as uow:
            if yo.rol == "cis":  # calendario y nombres solo con consentimiento de salud
                return op.obtener_club(uow, yo, capacitacion_id)
            return op.obtener_capacitacion(uow, yo, capacitacion_id)

    @rpc
    def reprogramar_sesion(self, capacitacion_id, sesion_id, cuerpo):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.reprogramar_sesion(uow, yo, capacitacion_id, sesion_id, cuerpo)

    @rpc
    def cancelar_sesion(self, capacitacion_id, sesion_id, cuerpo):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.cancelar_sesion(uow, yo, capacitacion_id, sesion_id, cuerpo)

    @rpc
    def registrar_conteo(self, capacitacion_id, sesion_id, cuerpo):
        yo = self.llamante.exigir(*ROLES)
        return self.uow.repetible(op.registrar_conteo, yo, capacitacion_id, sesion_id, cuerpo)

    @rpc
    def subir_foto(self, capacitacion_id, contenido_base64, campos, clave_idempotencia=None):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.subir_foto(uow, yo, capacitacion_id, contenido_base64, campos, clave_idempotencia)

    @rpc
    def listar_fotos(self, capacitacion_id):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.listar_fotos(uow, yo, capacitacion_id)

    @rpc
    def obtener_foto(self, capacitacion_id, foto_id):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.obtener_foto(uow, yo, capacitacion_id, foto_id)

    @rpc
    def borrar_foto(self, capacitacion_id, foto_id):
        yo = self.llamante.exigir("coordinadora")
        with self.uow() as uow:
            return op.borrar_foto(uow, yo, capacitacion_id, foto_id)

    @rpc
    def agregar_sesion(self, capacitacion_id, cuerpo, clave_idempotencia=None):
        yo = self.llamante.exigir(*ROLES)
        return self.uow.repetible(op.agregar_sesion, yo, capacitacion_id, cuerpo, clave_idempotencia)

    @rpc
    def inscribir(self, capacitacion_id, cuerpo, clave_idempotencia=None):
        yo = self.llamante.exigir(*ROLES)
        return self.uow.repetible(op.inscribir, yo, capacitacion_id, cuerpo, clave_idempotencia)

    @rpc
    def registrar_asistencia(self, capacitacion_id, sesion_id, cuerpo):
        yo = self.llamante.exigir(*ROLES)
        return self.uow.repetible(op.registrar_asistencia, yo, capacitacion_id, sesion_id, cuerpo)

    @rpc
    def constancia(self, capacitacion_id, inscripcion_id):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.constancia(uow, yo, capacitacion_id, inscripcion_id)

    @rpc
    def hoja_asistencia(self, capacitacion_id, sesion_id):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.hoja_asistencia(uow, yo, capacitacion_id, sesion_id)

    # --- para notificaciones y la región: sin datos personales salvo consentimiento ---

    @rpc
    def contacto_participante(self, inscripcion_id, municipio):
        self.llamante.exigir_servicio("notificaciones")
        with self.uow() as uow:
            return op.contacto_participante(uow, inscripcion_id, municipio)

    @rpc
    def telefonos_sesion(self, sesion_id, municipio):
        self.llamante.exigir_servicio("notificaciones")
        with self.uow() as uow:
            return op.telefonos_sesion(uow, sesion_id, municipio)

    @rpc
    def sesiones_de_manana(self, fecha):
        self.llamante.exigir(ROL_SERVICIO)
        with self.uow() as uow:
            return op.sesiones_de_manana(uow, fecha)

    @rpc
    def actividades(self, desde=None, hasta=None, municipios=None):
        # Para el informe de reportes, que ya decidió qué municipios puede ver quien lo pide.
        self.llamante.exigir(ROL_SERVICIO)
        with self.uow() as uow:
            return op.actividades(uow, {"desde": desde, "hasta": hasta, "municipios": municipios})

    @rpc
    def fotos_informe(self, desde=None, hasta=None, municipios=None, maximo=24, con_imagen=True):
        # Para el informe de reportes: fotos con leyenda, reducidas para el PDF.
        self.llamante.exigir(ROL_SERVICIO)
        with self.uow() as uow:
            return op.fotos_informe(uow, desde, hasta, municipios, maximo, con_imagen)
