"""Entradas nameko de casos: solo coordinadora y técnica del municipio del caso; el servicio lo verifica."""
from datetime import date


from omm_common.consumidor import aplicar_una_vez, event_handler
from omm_common.rpc import rpc

from omm_common.contexto import ROL_SERVICIO, IdentidadLlamante
from omm_common.db import BaseDeDatos
from omm_common.observabilidad import Observable
from omm_common.resumenes import ConResumen

from . import dominio, operaciones as op
from .operaciones import ROLES


def _ajeno(sobre):
    """El aviso de otra cosa (cada correo y bandeja de una entrega, de una sesión) no toca ninguna derivación: se
    descarta sin abrir la base. Era más de la mitad de la CPU de casos en una ráfaga de entregas (bench/README.md). Lo
    malformado sigue a aplicar_una_vez, que lo deja en el log."""
    datos = sobre.get("datos") if isinstance(sobre, dict) else None
    return (isinstance(datos, dict) and isinstance(sobre.get("tipo"), str)
            and dominio.aviso_del_evento(sobre["tipo"], datos.get("destinatario"), datos.get("evento_tipo")) is None)


class Casos(Observable, ConResumen):  # estado para /health y /metrics del gateway; id de solicitud en el log
    name = "casos"
    resumen = op.RESUMEN  # ConResumen: la RPC `agregados` de la región y el temporizador que resume

    uow = BaseDeDatos()
    llamante = IdentidadLlamante()

    @rpc
    def ping(self):
        return self.uow.ping()

    @rpc
    def crear_caso(self, cuerpo, clave_idempotencia=None):
        yo = self.llamante.exigir(*ROLES)
        return self.uow.repetible(op.crear_caso, yo, cuerpo, clave_idempotencia)

    @rpc
    def listar_casos(self, filtros):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.listar_casos(uow, yo, filtros)

    @rpc
    def obtener_caso(self, caso_id):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.obtener_caso(uow, yo, caso_id)

    @rpc
    def registrar_seguimiento(self, caso_id, cuerpo, clave_idempotencia=None):
        yo = self.llamante.exigir(*ROLES)
        return self.uow.repetible(op.registrar_seguimiento, yo, caso_id, cuerpo, clave_idempotencia)

    @rpc
    def registrar_derivacion(self, caso_id, cuerpo, clave_idempotencia=None):
        yo = self.llamante.exigir(*ROLES)
        return self.uow.repetible(op.registrar_derivacion, yo, caso_id, cuerpo, clave_idempotencia)

    @rpc
    def cerrar_caso(self, caso_id, cuerpo):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.cerrar_caso(uow, yo, caso_id, cuerpo)

    @rpc
    def reevaluar_riesgo(self, caso_id, cuerpo, clave_idempotencia=None):
        yo = self.llamante.exigir(*ROLES)
        return self.uow.repetible(op.reevaluar_riesgo, yo, caso_id, cuerpo, clave_idempotencia)

    @rpc
    def cambiar_consentimiento(self, caso_id, cuerpo, clave_idempotencia=None):
        yo = self.llamante.exigir(*ROLES)
        return self.uow.repetible(op.cambiar_consentimiento, yo, caso_id, cuerpo, clave_idempotencia)

    @rpc
    def reabrir_caso(self, caso_id, cuerpo):
        yo = self.llamante.exigir("coordinadora")
        with self.uow() as uow:
            return op.reabrir_caso(uow, yo, caso_id, cuerpo)

    @rpc
    def corregir_caso(self, caso_id, cuerpo):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.corregir_caso(uow, yo, caso_id, cuerpo)

    @rpc
    def asignar_responsable(self, caso_id, usuario_id, candidata):
        yo = self.llamante.exigir("coordinadora")
        with self.uow() as uow:
            return op.asignar_responsable(uow, yo, caso_id, usuario_id, candidata)

    @rpc
    def agenda(self, filtros=None):
        yo = self.llamante.exigir(*ROLES)
        with self.uow() as uow:
            return op.agenda(uow, yo, filtros or {})

    # El aviso de cada derivación al CIS: notificaciones publica su envío y el acuse del CIS. Por nombre y no
    # con la clase de notificaciones.contrato: notificaciones ya depende de casos (tests/test_dominio_casos.py
    # comprueba que los nombres coinciden). Colas durables declaradas con omm-declarar-colas casos.service:Casos.
    @event_handler("notificaciones", "NotificacionEnviada", requeue_on_error=True)
    def al_notificacion_enviada(self, sobre):
        return None if _ajeno(sobre) else self._aplicar_aviso(sobre)

    @event_handler("notificaciones", "NotificacionConfirmada", requeue_on_error=True)
    def al_notificacion_confirmada(self, sobre):
        return None if _ajeno(sobre) else self._aplicar_aviso(sobre)

    @aplicar_una_vez
    def _aplicar_aviso(self, sobre, uow):
        return op.aplicar_aviso(uow, sobre)

    @rpc
    def auditoria(self, caso_id):
        yo = self.llamante.exigir("coordinadora")
        with self.uow() as uow:
            return op.auditoria(uow, yo, caso_id)

    @rpc
    def datos_derivacion(self, derivacion_id, municipio):
        self.llamante.exigir_servicio("notificaciones")
        with self.uow() as uow:
            return op.datos_derivacion(uow, derivacion_id, municipio)

    @rpc
    def emitir_seguimientos_vencidos(self, hoy=None):
        self.llamante.exigir(ROL_SERVICIO)
        with self.uow() as uow:
            return op.emitir_seguimientos_vencidos(uow, date.fromisoformat(hoy) if hoy else None)
