"""Entrega de notificaciones, fuera de nameko: lo corre el worker de Celery.

Cada intento toma la fila con bloqueo, verifica que siga pendiente y, si ya se envió, no hace
nada: una tarea repetida o duplicada nunca envía dos veces. Los datos de la persona se piden al
servicio dueño en el momento de enviar, y este responde solo si hay consentimiento.
"""
import logging
import os
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from ayudas.contrato import AyudaEntregada, EntregaAnulada
from capacitaciones.contrato import ParticipanteInscrita, SesionProgramada
from casos.contrato import CasoDerivado
from omm_common.contexto import token_de_servicio
from omm_common.db import es_postgres, unidad_de_trabajo
from omm_common.tiempo import ahora_utc, hoy_honduras
from omm_common.municipios import buscar as buscar_municipio
from omm_common.registro import CLAVE_CONTEXTO as CLAVE_SOLICITUD, solicitud_actual

from . import dominio, plantillas
from .canales import ErrorPermanente, ErrorTransitorio, canales
from .contrato import NotificacionEnviada, NotificacionFallida
from .models import Destinatario, Notificacion

log = logging.getLogger("omm.notificaciones.envio")


def config():
    return {
        "max_intentos": int(os.environ.get("NOTIFICACIONES_MAX_INTENTOS", "5")),
        "espera_base": float(os.environ.get("NOTIFICACIONES_ESPERA_BASE", "30")),
    }


@dataclass
class Resultado:
    estado: str
    reintentar_en: float | None = None


class Consultas:
    """RPC a los servicios dueños de los datos, con la identidad firmada de este servicio.

    Un cliente RPC abierto por proceso (en Celery prefork, uno por hijo) y no uno por llamada: abrir uno es una
    conexión y una cola de respuestas nuevas, que costaban más que la consulta. Los datos de una persona se
    recuerdan 30 segundos por evento: el correo, el SMS y la bandeja del mismo aviso los piden una sola vez."""

    def __init__(self, amqp_uri=None, timeout=15):
        self.amqp_uri = amqp_uri or os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")
        self.timeout = timeout

    def _llamar(self, servicio, metodo, *args):
        from nameko.exceptions import RemoteError
        contexto = {"omm_token": _token()}
        if solicitud_actual():  # el servicio dueño lo lleva a su log: se sigue la solicitud hasta allá
            contexto[CLAVE_SOLICITUD] = solicitud_actual()
        try:
            rpc, datos = _cliente(self.amqp_uri, self.timeout)
            datos.clear()
            datos.update(contexto)  # el contexto del cliente abierto es este diccionario: viaja con la llamada
            return getattr(getattr(rpc, servicio), metodo)(*args)
        except RemoteError as exc:
            # Lo lee la coordinadora en el resumen de envíos: en palabras, con el detalle técnico al final.
            raise ErrorTransitorio(f"El servicio de {servicio} respondió con un error; se reintentará "
                                   f"(detalle: {metodo}, {exc.exc_type}).") from None
        except Exception as exc:
            _cerrar_cliente()  # la conexión pudo quedar rota o con una respuesta atrasada: la próxima, nueva
            raise ErrorTransitorio(f"El servicio de {servicio} no respondió; se reintentará "
                                   f"(detalle: {metodo}, {type(exc).__name__}).") from None

    def persona(self, n):
        """Nombre y teléfono de la persona, solo para el CIS y solo si el servicio dueño lo permite."""
        ref = n.referencia or {}
        if n.destinatario != "cis":
            return None
        clave = (n.evento_id, n.municipio)
        recordada = _PERSONAS.get(clave)
        if recordada is not None and time.monotonic() - recordada[0] < SEGUNDOS_PERSONA:
            return recordada[1]
        valor = self._persona(n, ref)
        if len(_PERSONAS) >= 1000:
            _PERSONAS.clear()
        _PERSONAS[clave] = (time.monotonic(), valor)
        return valor

    def _persona(self, n, ref):
        if n.evento_tipo == CasoDerivado.tipo_evento and ref.get("derivacion_id"):
            return self._llamar("casos", "datos_derivacion", ref["derivacion_id"], n.municipio)
        if n.evento_tipo in (AyudaEntregada.tipo_evento, EntregaAnulada.tipo_evento) and ref.get("beneficiaria_id"):
            return self._llamar("ayudas", "contacto_para_salud", ref["beneficiaria_id"], n.municipio)
        if n.evento_tipo == ParticipanteInscrita.tipo_evento and ref.get("inscripcion_id"):
            return self._llamar("capacitaciones", "contacto_participante", ref["inscripcion_id"], n.municipio)
        return None

    def telefonos_sesion(self, sesion_id, municipio):
        return self._llamar("capacitaciones", "telefonos_sesion", sesion_id, municipio) or []

    def sesiones_de_manana(self, fecha):
        return self._llamar("capacitaciones", "sesiones_de_manana", fecha.isoformat()) or []

    def revisar_seguimientos(self, hoy=None):
        return self._llamar("casos", "emitir_seguimientos_vencidos", hoy.isoformat() if hoy else None)


# Lo que cada proceso recuerda entre tareas (se vacía al cambiar de proceso: Celery hace fork).
SEGUNDOS_PERSONA = 30  # lo que dura en memoria el nombre de una persona pedido para un aviso
_PERSONAS = {}
_CLIENTE = {}
_TOKEN = {}


def _token():
    """El token de servicio dura 5 minutos: se firma uno nuevo cuando al actual le queda menos de uno."""
    ahora = time.monotonic()
    if _TOKEN.get("pid") != os.getpid() or ahora - _TOKEN["instante"] > 240:
        _TOKEN.update(pid=os.getpid(), instante=ahora, token=token_de_servicio("notificaciones"))
    return _TOKEN["token"]


def _cliente(amqp_uri, timeout):
    """(proxy, contexto) abiertos de este proceso; con su propia cola de respuestas (rpc.reply-celery-*): el
    usuario «celery» del broker solo liga esa."""
    from omm_common.rpc import proxy_rpc
    clave = (os.getpid(), amqp_uri, timeout)
    if clave not in _CLIENTE:
        _cerrar_cliente()
        _PERSONAS.clear()
        contexto = {}
        abierto = proxy_rpc("celery", amqp_uri, timeout=timeout, context_data=contexto)
        _CLIENTE[clave] = (abierto, abierto.start(), contexto)
    _, rpc, contexto = _CLIENTE[clave]
    return rpc, contexto


def _cerrar_cliente():
    for (pid, *_), (abierto, _, _) in list(_CLIENTE.items()):
        if pid == os.getpid():
            try:
                abierto.stop()
            except Exception:  # noqa: BLE001 - ya estaba roto: por eso se cierra
                pass
    _CLIENTE.clear()


@dataclass
class _Participantes:
    telefonos: list


@dataclass
class _Correo:
    email: str


def _tomar(sesion, notificacion_id):
    consulta = sa.select(Notificacion).where(Notificacion.id == notificacion_id)
    if es_postgres(sesion):
        consulta = consulta.with_for_update()
    return sesion.scalar(consulta)


def _contactos(sesion, municipio):
    """Los contactos del municipio (unos pocos), en una consulta: el destino, la oficina y si el contacto está
    confirmado salen de aquí y no de una consulta cada uno."""
    return {d.clave: d for d in sesion.scalars(sa.select(Destinatario).where(Destinatario.municipio == municipio))}


def _contexto(contactos, n, consultas):
    oficina = contactos.get("coordinadora")
    municipio = buscar_municipio(n.municipio)
    ref = n.referencia or {}
    return {
        **_persona(contactos, n, consultas),
        "datos": ref, "urgente": n.urgente, "canal": n.canal, "municipio": municipio.nombre if municipio else n.municipio,
        # Un teléfono de la oficina sin confirmar no se da: la administración no desvía las llamadas del CIS.
        "oficina": {"telefono": oficina.telefono if oficina and oficina.confirmado else None},
        "minutos": ref.get("minutos", dominio.MINUTOS_ESCALAMIENTO),
    }


def _persona(contactos, n, consultas):
    """El nombre solo si el servicio dueño lo da y, fuera de la bandeja, a un contacto que la coordinación
    confirmó: uno que cambió la administración recibe el aviso sin nombres hasta entonces."""
    if n.canal != "bandeja":
        contacto = contactos.get(n.destinatario)
        if contacto is not None and contacto.confirmado is False:
            return {"persona": None}
    return {"persona": consultas.persona(n)}


def enviar_notificacion(motor, notificacion_id, consultas=None, adaptadores=None, ahora=None, cfg=None):
    enviado = {}
    try:
        return _enviar(motor, notificacion_id, consultas, adaptadores, ahora, cfg, enviado)
    except sa.exc.DBAPIError:
        if not enviado:
            raise
        # El mensaje ya salió y la base se perdió al confirmarlo (p. ej. PostgreSQL se reinició): si la fila
        # quedara pendiente, el reintento lo enviaría otra vez. Se confirma apenas la base vuelva.
        log.warning("notificación %s enviada por %s pero la base no confirmó; se confirma al volver",
                    notificacion_id, enviado["canal"])
        return _confirmar_enviada(motor, notificacion_id, enviado)


def _enviar(motor, notificacion_id, consultas, adaptadores, ahora, cfg, enviado):
    consultas = consultas or Consultas()
    adaptadores = adaptadores or canales()
    cfg = cfg or config()
    ahora = ahora or ahora_utc()
    with unidad_de_trabajo(motor) as uow:
        s = uow.sesion
        n = _tomar(s, notificacion_id)
        if n is None or n.estado != "pendiente":
            return Resultado(n.estado if n else "inexistente")
        if n.proximo_intento_en and n.proximo_intento_en > ahora + timedelta(seconds=1):
            return Resultado("pendiente", (n.proximo_intento_en - ahora).total_seconds())
        if dominio.sesion_ya_pasada(n.evento_tipo, n.referencia, hoy_honduras(ahora)):
            # Un reintento (o un envío atascado) que llega después del día de la sesión ya no avisa nada.
            n.estado, n.proximo_intento_en = "descartada", None
            n.ultimo_error = "No se envió: la fecha de la sesión ya pasó."
            log.info("notificación %s descartada: la sesión ya pasó", n.id)
            return Resultado("descartada")
        n.intentos += 1
        contactos = _contactos(s, n.municipio)
        try:
            if n.canal == "bandeja" or n.destinatario != "participantes":
                destino = contactos.get(n.destinatario)
                if n.canal == "email" and (n.referencia or {}).get("_correo"):
                    # El aviso de que cambiaron el correo de la coordinación va al correo que tenía antes.
                    destino = _Correo((n.referencia or {})["_correo"])
                elif destino is None and n.canal != "bandeja":
                    raise ErrorPermanente("El municipio no tiene registrado el contacto "
                                          f"«{plantillas.nombre_destinatario(n.destinatario)}».")
            else:
                destino = _Participantes(consultas.telefonos_sesion(n.referencia["sesion_id"], n.municipio))
            plantilla_propia = (n.referencia or {}).get("_plantilla")
            try:
                asunto, cuerpo = plantillas.componer(n.regla if n.regla in plantillas.PLANTILLAS else n.evento_tipo,
                                                     _contexto(contactos, n, consultas), plantilla_propia)
            except plantillas.PlantillaInvalida as exc:
                # Fallida de una vez, sin reintentos: la misma plantilla volvería a fallar igual.
                raise ErrorPermanente(f"La plantilla propia de la regla «{n.regla}» no se pudo usar: {exc} "
                                      "Corríjala en la regla.") from None
            if n.canal == "sms":
                cuerpo = plantillas.texto_sms(cuerpo)

            def aceptado():
                # Confirmar antes de que el canal termine: morir después ya no hace enviar otra vez.
                enviado.update(canal=n.canal, asunto=asunto, cuerpo=cuerpo, intentos=n.intentos, ahora=ahora)
                _marcar_enviada(uow, n, asunto, cuerpo, ahora)
                uow.confirmar()
            adaptadores[n.canal].enviar(destino, asunto, cuerpo, n.id, aceptado)
        except ErrorTransitorio as exc:
            n.ultimo_error = str(exc)[:500]
            if n.intentos >= cfg["max_intentos"]:
                return _fallar(uow, n, ahora)
            espera = dominio.espera_reintento(n.intentos, cfg["espera_base"])
            n.proximo_intento_en = ahora + timedelta(seconds=espera)
            log.warning("notificación %s (%s): intento %s falló, reintento en %.1f s: %s",
                        n.id, n.canal, n.intentos, espera, exc)
            return Resultado("pendiente", espera)
        except ErrorPermanente as exc:
            n.ultimo_error = str(exc)[:500]
            return _fallar(uow, n, ahora)
        if not enviado:
            raise RuntimeError(f"el canal {n.canal} volvió sin llamar a aceptado()")
        return Resultado("enviada")


def _marcar_enviada(uow, n, asunto, cuerpo, ahora):
    n.estado, n.enviada_en, n.ultimo_error = "enviada", ahora, None
    n.asunto = asunto[:200]
    if n.canal == "bandeja":
        n.mensaje = cuerpo  # lo que la bandeja muestra; ya filtrado por consentimiento
    uow.emitir(NotificacionEnviada(notificacion_id=n.id, evento_id=n.evento_id, canal=n.canal,
                                   evento_tipo=n.evento_tipo, destinatario=n.destinatario), n.municipio)
    log.info("notificación %s enviada por %s (intento %s)", n.id, n.canal, n.intentos)
    return Resultado("enviada")


def _confirmar_enviada(motor, notificacion_id, enviado, plazo=120, pausa=1.0):
    """Guarda como enviada una notificación que ya salió, reintentando mientras la base no responda."""
    limite = time.monotonic() + plazo
    while True:
        try:
            with unidad_de_trabajo(motor) as uow:
                n = _tomar(uow.sesion, notificacion_id)
                if n is None or n.estado != "pendiente":
                    return Resultado(n.estado if n else "inexistente")
                n.intentos = max(n.intentos, enviado["intentos"])
                return _marcar_enviada(uow, n, enviado["asunto"], enviado["cuerpo"], enviado["ahora"])
        except sa.exc.DBAPIError:
            if time.monotonic() > limite:
                raise
            time.sleep(pausa)


def _fallar(uow, n, ahora):
    n.estado, n.proximo_intento_en = "fallida", None
    uow.emitir(NotificacionFallida(notificacion_id=n.id, evento_id=n.evento_id, canal=n.canal,
                                   evento_tipo=n.evento_tipo, destinatario=n.destinatario), n.municipio)
    log.error("notificación %s (%s) fallida tras %s intentos: %s", n.id, n.canal, n.intentos, n.ultimo_error)
    return Resultado("fallida")


def insertar_una_vez(sesion, **valores):
    """Inserta la notificación salvo que ya exista la misma (evento, regla, destinataria, canal)."""
    existe = sesion.scalar(sa.select(Notificacion.id).where(
        Notificacion.evento_id == valores["evento_id"], Notificacion.regla == valores["regla"],
        Notificacion.destinatario == valores["destinatario"], Notificacion.canal == valores["canal"]))
    if existe:
        return None
    n = Notificacion(**valores)
    sesion.add(n)
    sesion.flush()
    return n.id


def escalar_urgentes(motor, ahora=None):
    """Una vez por derivación urgente sin acuse: la restricción única impide el segundo escalamiento."""
    ahora = ahora or ahora_utc()
    creadas = []
    with unidad_de_trabajo(motor) as uow:
        s = uow.sesion
        vencidas = s.scalars(sa.select(Notificacion).where(
            Notificacion.urgente.is_(True), Notificacion.destinatario == "cis",
            Notificacion.escalar_en.is_not(None), Notificacion.escalar_en <= ahora)).all()
        por_evento = {}
        for n in vencidas:
            por_evento.setdefault(n.evento_id, n)
        for evento_id, n in por_evento.items():
            confirmadas = s.scalar(sa.select(sa.func.count()).where(
                Notificacion.evento_id == evento_id, Notificacion.destinatario == "cis",
                Notificacion.estado == "confirmada"))
            if not dominio.debe_escalar(n, confirmadas, ahora):
                continue
            minutos = int((n.escalar_en - n.creado_en).total_seconds() // 60)
            for canal in dominio.REGLA_ESCALAMIENTO.canales:
                nuevo = insertar_una_vez(
                    s, municipio=n.municipio, evento_id=evento_id, evento_tipo=n.evento_tipo,
                    regla="escalamiento", destinatario="coordinadora", canal=canal, urgente=True,
                    referencia={"codigo": (n.referencia or {}).get("codigo"), "minutos": minutos,
                                "caso_id": (n.referencia or {}).get("caso_id")})
                if nuevo:
                    creadas.append(nuevo)
    return creadas


def crear_recordatorios(motor, sesiones):
    """Recordatorio por SMS a las inscritas, una vez por sesión (el id del evento se deriva de la sesión)."""
    creadas = []
    with unidad_de_trabajo(motor) as uow:
        for x in sesiones:
            nuevo = insertar_una_vez(
                uow.sesion, municipio=x["municipio"], evento_id=str(uuid.uuid5(uuid.NAMESPACE_URL,
                                                                              f"recordatorio:{x['sesion_id']}")),
                evento_tipo=SesionProgramada.tipo_evento, regla="recordatorio_club", destinatario="participantes",
                canal="sms", referencia={k: x.get(k) for k in ("sesion_id", "capacitacion_id", "tipo", "fecha", "hora",
                                                               "lugar")})
            if nuevo:
                creadas.append(nuevo)
    return creadas


def atascadas(motor, ahora=None, margen=60, urgentes=None):
    """Pendientes cuyo envío debió ocurrir hace rato (p. ej. el proceso cayó antes de encolar), las urgentes
    primero; en `urgentes` (un set), las que lo son."""
    ahora = ahora or ahora_utc()
    limite = ahora - timedelta(seconds=margen)
    with unidad_de_trabajo(motor) as uow:
        filas = uow.sesion.execute(sa.select(Notificacion.id, Notificacion.urgente).where(
            Notificacion.estado == "pendiente",
            sa.or_(sa.and_(Notificacion.proximo_intento_en.is_(None), Notificacion.creado_en <= limite),
                   Notificacion.proximo_intento_en <= limite))
            .order_by(Notificacion.urgente.desc(), Notificacion.creado_en).limit(500)).all()
    if urgentes is not None:
        urgentes.update(i for i, urgente in filas if urgente)
    return [i for i, _ in filas]
