"""Gateway: la única superficie HTTP. Autentica, decide por rol y pasa la identidad firmada a cada servicio."""
import contextvars
import functools
import hashlib
import json
import logging
from datetime import timedelta

import eventlet
import sqlalchemy as sa
from nameko.timer import timer
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from omm_common.contexto import AUD_API, PropagarIdentidad, token_de_servicio, verificar_token
from omm_common.db import BaseDeDatos
from omm_common.errores import ErrorOMM
from omm_common.eventos import ahora_utc
from omm_common.observabilidad import ContextoDeRegistro

from . import auth, avisos_oficina, observabilidad, openapi
from .cuentas import AvisosDeCuenta
from .docs_api import RutasDocumentacion
from .http import TIEMPO_RPC, PuertaHTTP, ruta
from .models import RespuestaIdempotente
from .rutas.administracion import RutasAdministracion
from .rutas.ayudas import RutasAyudas
from .rutas.capacitaciones import RutasCapacitaciones
from .rutas.casos import RutasCasos
from .rutas.notificaciones import RutasNotificaciones
from .rutas.region import RutasRegion
from .rutas.reportes import RutasReportes
from .schemas import Salud, SaludGateway
from .territorio import Territorio
from .web import PaginasWeb
from .web.administracion import RutasWebAdministracion
from .web.avisos import RutasWebAvisos
from .web.ayudas import RutasWebAyudas
from .web.capacitaciones import RutasWebCapacitaciones
from .web.casos import RutasWebCasos
from .web.informes import RutasWebInformes
from .web.inicio import RutasWebInicio

SERVICIOS = ("casos", "ayudas", "capacitaciones", "notificaciones", "reportes")
TIEMPO_PING = 3
# Lo único que puede hacer quien entró con una contraseña temporal, hasta cambiarla.
RUTAS_CON_CAMBIO_PENDIENTE = ("/api/v1/yo", "/api/v1/yo/contrasena")
log = logging.getLogger("omm.gateway")
VIGENCIA_IDEMPOTENCIA = timedelta(hours=24)
# Una clave «en curso» más allá de esto se abandonó: la llamada más larga (TIEMPO_RPC) ya habría vuelto.
PLAZO_EN_CURSO = timedelta(seconds=TIEMPO_RPC + 10)


def huella_de(p):
    """SHA-256 de lo que la solicitud pide (cuerpo, consulta y archivos), para reconocer su repetición."""
    archivos = {k: hashlib.sha256(v).hexdigest() for k, v in (p.archivos or {}).items()}
    texto = json.dumps({"cuerpo": p.cuerpo, "consulta": p.consulta, "archivos": archivos}, sort_keys=True,
                       ensure_ascii=True, default=str)
    return hashlib.sha256(texto.encode()).hexdigest()


class Gateway(PuertaHTTP, RutasAdministracion, RutasAyudas, RutasCasos, RutasCapacitaciones, RutasNotificaciones,
              RutasRegion, RutasReportes, Territorio, AvisosDeCuenta, RutasDocumentacion,
              # La aplicación web de las oficinas (gateway/web): páginas sobre las mismas operaciones.
              PaginasWeb, RutasWebInicio, RutasWebCasos, RutasWebAyudas, RutasWebCapacitaciones, RutasWebAvisos,
              RutasWebInformes, RutasWebAdministracion):
    name = "gateway"

    uow = BaseDeDatos()
    propagar_identidad = PropagarIdentidad()
    vigia = observabilidad.Vigia()
    # El id de solicitud en los logs del worker; la línea por solicitud ya la escribe el log de acceso.
    contexto_de_registro = ContextoDeRegistro(registrar_entradas=False)

    @timer(interval=5)
    def entregar_avisos_oficina(self):
        """Lo que la administración cambió en una oficina, a su coordinación: fuera de la petición (quien
        administra no espera a notificaciones) y hasta que notificaciones lo reciba."""
        avisos_oficina.entregar(self)

    # --- lo que PuertaHTTP necesita del servicio ---

    def autenticar(self, token):
        """La firma y el vencimiento; luego que la cuenta siga activa y el token sea posterior al último
        cambio de contraseña, rol o municipio (así dejan de valer los tokens robados o desactualizados)."""
        yo, reclamos = verificar_token(token, AUD_API)

        def consultar():
            with self.uow() as uow:
                return auth.estado_de(uow.sesion, yo.usuario_id)
        self._estado_cuenta = auth.ACTIVAS.estado(yo.usuario_id, consultar)
        auth.exigir_vigente(self._estado_cuenta, reclamos)
        self._reclamos = reclamos  # /auth/salida cierra este token por su jti
        return yo

    def _preparar(self, request, definicion):
        """Toda ruta con token pasa por aquí: quien debe cambiar su contraseña temporal solo puede hacer eso."""
        self._estado_cuenta = None
        peticion = super()._preparar(request, definicion)
        if peticion.yo is not None and self._estado_cuenta is not None:
            auth.exigir_sin_cambio_pendiente(self._estado_cuenta, definicion.ruta in RUTAS_CON_CAMBIO_PENDIENTE)
        return peticion

    def _con_idempotencia(self, p, definicion, ejecutar):
        if not (definicion.idempotente and p.clave_idempotencia and p.yo):
            return ejecutar()
        clave = (p.yo.usuario_id, p.ruta, p.clave_idempotencia)
        huella = huella_de(p)
        if not self._tomar_clave(clave, huella):
            previa = self._respuesta_previa(clave, huella)
            if previa is not None:
                return previa
        try:
            estado, datos = ejecutar()
        except ErrorOMM as exc:
            if exc.estado_http >= 500:
                self._olvidar(clave)
            else:
                self._guardar(clave, exc.estado_http, exc.a_dict())
            raise
        except Exception:
            self._olvidar(clave)
            raise
        self._guardar_o_liberar(clave, estado, datos)
        return estado, datos

    def _guardar_o_liberar(self, clave, estado, datos):
        """Lo hecho ya quedó confirmado en el servicio: quien lo pidió recibe su respuesta aunque guardarla
        falle. Si no se pudo guardar, la clave se libera para que un reintento vuelva a ejecutar (el servicio
        reconoce la clave) en vez de quedar «en curso»."""
        for intento in range(3):
            try:
                return self._guardar(clave, estado, datos)
            except Exception:
                log.warning("No se pudo guardar la respuesta idempotente (intento %s)", intento + 1, exc_info=True)
                eventlet.sleep(0.2 * 2 ** intento)
        try:
            self._olvidar(clave)
        except Exception:
            log.error("Tampoco se pudo liberar la clave idempotente; se libera sola en %s", PLAZO_EN_CURSO,
                      exc_info=True)

    def _tomar_clave(self, clave, huella=None):
        """True si esta solicitud queda a cargo de la clave: es nueva, o quien la tenía la abandonó.

        Abandonada: sigue «en curso» pasado PLAZO_EN_CURSO (el gateway murió, o la base cayó antes de
        guardar la respuesta). Volver a ejecutar es seguro: el servicio de destino reconoce la clave.
        """
        usuario, ruta, texto = clave
        with self.uow() as uow:
            if uow.sesion.get(RespuestaIdempotente, clave) is None:
                try:
                    with uow.sesion.begin_nested():
                        uow.sesion.add(RespuestaIdempotente(usuario_id=usuario, ruta=ruta, clave=texto,
                                                            huella=huella))
                    return True
                except IntegrityError:
                    return False
            tomada = uow.sesion.execute(sa.update(RespuestaIdempotente).where(
                RespuestaIdempotente.usuario_id == usuario, RespuestaIdempotente.ruta == ruta,
                RespuestaIdempotente.clave == texto, RespuestaIdempotente.estado_http.is_(None),
                RespuestaIdempotente.creado_en < ahora_utc() - PLAZO_EN_CURSO).values(creado_en=ahora_utc(),
                                                                                      huella=huella))
            return tomada.rowcount == 1

    def _respuesta_previa(self, clave, huella=None):
        """La respuesta guardada, o None si esta solicitud tomó la clave (la anterior se abandonó o falló)."""
        # Un doble clic llega mientras la primera sigue en curso: se espera su resultado.
        for _ in range(100):
            with self.uow() as uow:
                previa = uow.sesion.get(RespuestaIdempotente, clave)
                if previa is not None and previa.huella and huella and previa.huella != huella:
                    # Otra solicitud con una clave ya usada: devolver la primera respuesta la haría pasar por
                    # hecha (o por rechazada) sin mirarla.
                    raise ErrorOMM("Esa Idempotency-Key ya se usó con otra solicitud; use una clave nueva.",
                                   {"Idempotency-Key": ["Ya se usó con otros datos."]}, codigo="CLAVE_REUTILIZADA")
                if previa is not None and previa.estado_http is not None:
                    return previa.estado_http, previa.leer_cuerpo()
            if self._tomar_clave(clave, huella):
                return None
            eventlet.sleep(0.2)
        raise ErrorOMM("Una solicitud con la misma Idempotency-Key sigue en proceso.", codigo="EN_PROCESO")

    def _guardar(self, clave, estado, cuerpo):
        with self.uow() as uow:
            fila = uow.sesion.get(RespuestaIdempotente, clave)
            fila.estado_http = estado
            fila.guardar_cuerpo(json.loads(json.dumps(cuerpo, default=str)))
            # Una clave vale un día: pasado ese plazo la respuesta (con datos de personas) no se guarda más.
            uow.sesion.execute(sa.delete(RespuestaIdempotente).where(
                RespuestaIdempotente.creado_en < ahora_utc() - VIGENCIA_IDEMPOTENCIA))

    def _olvidar(self, clave):
        with self.uow() as uow:
            uow.sesion.execute(sa.delete(RespuestaIdempotente).where(
                RespuestaIdempotente.usuario_id == clave[0], RespuestaIdempotente.ruta == clave[1],
                RespuestaIdempotente.clave == clave[2]))

    # --- salud, métricas y documento ---

    def _observar(self, con_metricas=False):
        """({servicio: estado_operativo o None}, base propia viva, worker de Celery vivo, cola de Celery).

        Todo en paralelo y con tiempo corto: un componente caído no suma su espera a la de los demás."""
        self.propagar_identidad(token_de_servicio("gateway"))  # estado_operativo solo responde a servicios

        def estado(nombre):
            try:
                with eventlet.Timeout(TIEMPO_PING):
                    return getattr(self, nombre).estado_operativo(con_metricas)
            except BaseException as exc:  # eventlet.Timeout no hereda de Exception
                log.warning("%s no dio su estado (%s)", nombre, type(exc).__name__)
                return None

        def base():
            try:
                return self.uow.ping() == "ok"
            except Exception:
                return False
        tareas = [functools.partial(estado, n) for n in SERVICIOS] + [base, self.vigia.worker_responde]
        if con_metricas:
            tareas.append(self.vigia.cola)
        pila = eventlet.GreenPile()
        for tarea in tareas:
            pila.spawn(contextvars.copy_context().run, tarea)
        resultados = list(pila)
        estados = dict(zip(SERVICIOS, resultados))
        db, worker = resultados[len(SERVICIOS):len(SERVICIOS) + 2]
        return estados, db, worker, (resultados[-1] if con_metricas else None)

    @ruta("GET", "/health", "Estado de cada servicio, de los relays del outbox y del worker y el beat de Celery",
          None, respuesta=Salud, otros_estados={503: "Algún componente no responde (estado degradado)"})
    def salud(self, p):
        estados, db, worker, _ = self._observar()
        servicios = observabilidad.salud(estados, db, worker)
        estado = "ok" if all(v == "ok" for v in servicios.values()) else "degradado"
        return (200 if estado == "ok" else 503), {"estado": estado, "servicios": servicios}

    @ruta("GET", "/health/gateway", "Si este gateway puede atender (su proceso y su base); para la sonda de "
          "disponibilidad de un balanceador: un servicio caído no debe sacar de servicio a todos los gateways",
          None, respuesta=SaludGateway, otros_estados={503: "La base del gateway no responde"})
    def salud_gateway(self, p):
        try:
            self.uow.ping()
        except Exception:
            log.warning("La base del gateway no responde", exc_info=True)
            return 503, {"estado": "caido"}
        return 200, {"estado": "ok"}

    @ruta("GET", "/metrics", "Métricas en formato Prometheus (solo cifras, sin datos de personas)", None,
          binario="text/plain")
    def metricas(self, p):
        estados, db, worker, cola = self._observar(con_metricas=True)
        cuerpo = observabilidad.exponer(estados, cola, observabilidad.salud(estados, db, worker))
        return Response(cuerpo, content_type=CONTENT_TYPE_PLAIN_0_0_4)

    @ruta("GET", "/api/v1/openapi.json", "Este documento (OpenAPI 3.0); navegable en /api/v1/docs", None,
          respuesta={"type": "object", "description": "El documento OpenAPI 3.0.3 de la API"})
    def openapi(self, p):
        return 200, openapi.documento()
