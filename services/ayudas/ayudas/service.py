"""Entradas nameko del servicio de ayudas: quién llama, unidad de trabajo, caso de uso."""
from omm_common.rpc import rpc

from omm_common.contexto import IdentidadLlamante
from omm_common.db import BaseDeDatos
from omm_common.observabilidad import Observable
from omm_common.resumenes import ConResumen

from . import operaciones as op
from .operaciones import ROLES


class Ayudas(Observable, ConResumen):  # estado para /health y /metrics del gateway; id de solicitud en el log
    name = "ayudas"
    resumen = op.RESUMEN  # ConResumen: la RPC `agregados` de la región y el temporizador que resume

    uow = BaseDeDatos()
    llamante = IdentidadLlamante()

    @rpc
    def ping(self):
        return self.uow.ping()

    @rpc
    def crear_tipo(self, cuerpo):
        yo = self.llamante.exigir("coordinadora", "tecnica")
        return self.uow.repetible(op.crear_tipo, yo, cuerpo)

    @rpc
    def listar_tipos(self):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.listar_tipos(uow, yo)

    @rpc
    def crear_beneficiaria(self, cuerpo):
        yo = self.llamante.exigir(*ROLES)
        return self.uow.repetible(op.crear_beneficiaria, yo, cuerpo)

    @rpc
    def listar_beneficiarias(self, filtros):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.listar_beneficiarias(uow, yo, filtros)

    @rpc
    def obtener_beneficiaria(self, beneficiaria_id):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.obtener_beneficiaria(uow, yo, beneficiaria_id)

    @rpc
    def buscar_candidatas(self, cuerpo):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.buscar_candidatas(uow, yo, cuerpo)

    @rpc
    def corregir_beneficiaria(self, beneficiaria_id, cuerpo):
        yo = self.llamante.exigir(*ROLES)
        # Un DNI que otra corrección simultánea acaba de tomar: la segunda vuelta responde DUPLICADO.
        return self.uow.repetible(op.corregir_beneficiaria, yo, beneficiaria_id, cuerpo)

    @rpc
    def historial_beneficiaria(self, beneficiaria_id):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.historial_beneficiaria(uow, yo, beneficiaria_id)

    @rpc
    def fusionar_beneficiarias(self, beneficiaria_id, cuerpo):
        yo = self.llamante.exigir("coordinadora")
        with self.uow() as uow:
            return op.fusionar_beneficiarias(uow, yo, beneficiaria_id, cuerpo)

    @rpc
    def anular_entrega(self, entrega_id, cuerpo):
        yo = self.llamante.exigir("coordinadora")
        with self.uow() as uow:
            return op.anular_entrega(uow, yo, entrega_id, cuerpo)

    @rpc
    def recibo(self, entrega_id):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.recibo(uow, yo, entrega_id)

    @rpc
    def lista_entregas(self, filtros):
        yo = self.llamante.exigir("coordinadora", "tecnica")
        with self.uow() as uow:
            return op.lista_entregas(uow, yo, filtros)

    @rpc
    def registrar_entrega(self, cuerpo, clave_idempotencia=None):
        yo = self.llamante.exigir(*ROLES)
        return self.uow.repetible(op.registrar_entrega, yo, cuerpo, clave_idempotencia)

    @rpc
    def listar_entregas(self, filtros):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.listar_entregas(uow, yo, filtros)

    @rpc
    def contacto_para_salud(self, beneficiaria_id, municipio):
        self.llamante.exigir_servicio("notificaciones")
        with self.uow() as uow:
            return op.contacto_para_salud(uow, beneficiaria_id, municipio)

    @rpc
    def inventario(self):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.inventario(uow, yo)

    @rpc
    def listar_movimientos(self, filtros):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.listar_movimientos(uow, yo, filtros)

    @rpc
    def registrar_movimiento(self, cuerpo, clave_idempotencia=None):
        yo = self.llamante.exigir("coordinadora", "tecnica")
        return self.uow.repetible(op.registrar_movimiento, yo, cuerpo, clave_idempotencia)

    @rpc
    def obtener_presupuesto(self, filtros):
        yo = self.llamante.exigir("coordinadora", "tecnica")
        with self.uow() as uow:
            return op.obtener_presupuesto(uow, yo, filtros)

    @rpc
    def fijar_presupuesto(self, cuerpo):
        yo = self.llamante.exigir("coordinadora")
        return self.uow.repetible(op.fijar_presupuesto, yo, cuerpo)

    @rpc
    def importar_beneficiarias(self, contenido_b64):
        yo = self.llamante.exigir(*ROLES)
        # Dos importaciones del mismo archivo a la vez: la repetida solo encuentra duplicadas.
        return self.uow.repetible(op.importar_beneficiarias, yo, contenido_b64)

    @rpc
    def exportar(self, filtros):
        yo = self.llamante.exigir("coordinadora", "tecnica")
        with self.uow() as uow:
            return op.exportar(uow, yo, filtros)
