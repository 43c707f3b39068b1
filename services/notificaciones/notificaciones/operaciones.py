"""Casos de uso del servicio de notificaciones (lado nameko): aplicar eventos, bandeja, acuses, contactos, reglas."""
import statistics
import uuid
from datetime import date, datetime, time, timezone

import sqlalchemy as sa

from ayudas.contrato import AyudaEntregada, EntregaAnulada
from omm_common.db import paginar
from omm_common.errores import Conflicto, NoEncontrado, error_de_campo, no_existe
from omm_common.esquemas import cargar
from omm_common.eventos import ahora_utc, como_utc
from omm_common.municipios import buscar as buscar_municipio
from omm_common.tiempo import hoy_honduras

from . import destinos, dominio, plantillas, schemas
from .contrato import NotificacionConfirmada
from .envio import insertar_una_vez
from .models import Destinatario, Notificacion, Regla

MEDIOS = ("email", "telefono", "webhook_url")  # los datos de un contacto por los que sale un aviso


def municipio_de(yo, pedido=None):
    """La coordinadora opera sobre su municipio; la administración indica cuál."""
    if yo.rol == "admin":
        if not pedido:
            raise error_de_campo("municipio", "Indique el municipio (código de 4 dígitos).")
        if buscar_municipio(pedido) is None:
            raise no_existe("municipio", "No existe ese municipio.")
        return pedido
    return yo.exigir_municipio()


def asegurar_reglas(sesion, municipio):
    """Cada municipio recibe su copia de las reglas por defecto la primera vez que se necesitan."""
    existentes = set(sesion.scalars(sa.select(Regla.codigo).where(Regla.municipio == municipio)).all())
    for r in dominio.REGLAS_POR_DEFECTO:
        if r.codigo not in existentes:
            sesion.add(Regla(municipio=municipio, codigo=r.codigo, evento=r.evento, condicion=dict(r.condicion),
                             destinatario=r.destinatario, canales=list(r.canales), urgente=r.urgente,
                             minutos_escalamiento=r.minutos_escalamiento, activa=True))
    sesion.flush()


def _cis_avisado(sesion, municipio, entrega_id):
    """¿La entrega `entrega_id` generó un aviso al CIS (cualquiera de sus canales, por cualquier regla)?"""
    if not entrega_id:
        return False
    return sesion.scalar(sa.select(Notificacion.id).where(
        Notificacion.municipio == municipio, Notificacion.evento_tipo == AyudaEntregada.tipo_evento,
        Notificacion.destinatario == "cis",
        Notificacion.referencia["entrega_id"].as_string() == str(entrega_id)).limit(1)) is not None


def _deducir(sesion, municipio, tipo, datos):
    """Los datos del evento más lo que notificaciones sabe de lo que ya envió (dominio.DATOS_DEDUCIDOS)."""
    if tipo == EntregaAnulada.tipo_evento:
        return {**datos, "cis_avisado": _cis_avisado(sesion, municipio, datos.get("entrega_id"))}
    return datos


def aplicar_evento(uow, sobre, hoy=None, urgentes=None):
    """Crea las notificaciones que las reglas del municipio piden para el evento; devuelve sus ids y agrega a
    `urgentes` (un set) los de las reglas urgentes."""
    s = uow.sesion
    municipio = sobre.get("municipio")
    if not municipio:
        return []
    if dominio.sesion_ya_pasada(sobre["tipo"], sobre["datos"], hoy or hoy_honduras()):
        return []  # una sesión de ayer: ningún aviso (el envío lo vuelve a mirar, por si se atrasa)
    asegurar_reglas(s, municipio)
    reglas = s.scalars(sa.select(Regla).where(Regla.municipio == municipio, Regla.evento == sobre["tipo"])).all()
    ahora = ahora_utc()
    ids = []
    datos = _deducir(s, municipio, sobre["tipo"], sobre["datos"])
    for regla in dominio.reglas_que_aplican(reglas, sobre["tipo"], datos):
        referencia = dict(sobre["datos"])
        if regla.plantilla:
            referencia["_plantilla"] = regla.plantilla
        for canal in regla.canales:
            n = Notificacion(
                municipio=municipio, evento_id=sobre["id"], evento_tipo=sobre["tipo"], regla=regla.codigo,
                destinatario=regla.destinatario, canal=canal, urgente=regla.urgente, referencia=referencia,
                creado_en=ahora, escalar_en=dominio.escalar_en(ahora, regla.minutos_escalamiento))
            s.add(n)
            s.flush()
            ids.append(n.id)
            if regla.urgente and urgentes is not None:
                urgentes.add(n.id)
    return ids


def _salida(n):
    return schemas.NotificacionSalida().dump(n)


def listar(uow, yo, filtros):
    f = cargar(schemas.FiltroNotificaciones(), filtros)
    consulta = sa.select(Notificacion).where(Notificacion.municipio == yo.exigir_municipio())
    if yo.rol == "cis":
        consulta = consulta.where(Notificacion.destinatario == "cis")
    if f.get("estado"):
        consulta = consulta.where(Notificacion.estado == f["estado"])
    if f.get("canal"):
        consulta = consulta.where(Notificacion.canal == f["canal"])
    # Primero lo urgente que nadie ha confirmado (la derivación por violencia sexual de hace 10 minutos no
    # puede quedar debajo de veinte avisos del club); después, de la más nueva a la más vieja.
    urgente_abierta = sa.case((sa.and_(Notificacion.urgente.is_(True),
                                       Notificacion.estado.in_(("pendiente", "enviada"))), 0), else_=1)
    return paginar(uow.sesion, consulta.order_by(urgente_abierta, Notificacion.creado_en.desc(), Notificacion.id),
                   f, _salida)


def _propia(sesion, yo, notificacion_id):
    n = sesion.get(Notificacion, str(notificacion_id))
    if n is None or n.municipio != yo.municipio or (yo.rol == "cis" and n.destinatario != "cis"):
        raise NoEncontrado("No se encontró la notificación.")
    return n


def acusar(uow, yo, notificacion_id):
    """El CIS confirma que recibió: la notificación y sus hermanas del mismo evento quedan confirmadas."""
    n = _propia(uow.sesion, yo, notificacion_id)
    if n.estado == "confirmada":
        return _salida(n)  # repetir el acuse no cambia nada
    if n.estado != "enviada":
        raise Conflicto("Solo se puede confirmar una notificación enviada.", {"estado": n.estado},
                        codigo="ESTADO_INVALIDO")
    ahora = ahora_utc()
    hermanas = uow.sesion.scalars(sa.select(Notificacion).where(
        Notificacion.evento_id == n.evento_id, Notificacion.destinatario == "cis",
        Notificacion.estado == "enviada")).all()
    for h in hermanas:
        h.estado, h.confirmada_en, h.confirmada_por = "confirmada", ahora, yo.usuario_id
        uow.emitir(NotificacionConfirmada(notificacion_id=h.id, evento_id=h.evento_id, canal=h.canal,
                                          evento_tipo=h.evento_tipo, destinatario=h.destinatario), h.municipio)
    return _salida(n)


def listar_destinatarios(uow, yo, filtros):
    municipio = municipio_de(yo, cargar(schemas.FiltroDestinatarios(), filtros or {}).get("municipio"))
    filas = uow.sesion.scalars(sa.select(Destinatario).where(Destinatario.municipio == municipio)
                               .order_by(Destinatario.clave)).all()
    return schemas.DestinatarioSalida(many=True).dump(filas)


def guardar_destinatario(uow, yo, cuerpo):
    """PUT: crea o reemplaza el contacto con esa clave (repetirlo deja lo mismo). Devuelve (contacto, ids de los
    avisos a la coordinación que hay que despachar).

    Lo que cambia la administración queda sin confirmar y se avisa a la coordinación (al correo anterior si lo
    cambiado es el suyo); hasta que ella lo confirme, ese contacto recibe los avisos sin nombres."""
    datos = cargar(schemas.DestinatarioEntrada(), cuerpo)
    if datos.get("webhook_url"):
        try:
            destinos.revisar(datos["webhook_url"])
        except destinos.DestinoProhibido as exc:
            raise error_de_campo("webhook_url", str(exc)) from None
    municipio = municipio_de(yo, datos.pop("municipio", None))
    s = uow.sesion
    d = s.scalar(sa.select(Destinatario).where(Destinatario.municipio == municipio,
                                               Destinatario.clave == datos["clave"]))
    nuevo = d is None
    if nuevo:
        d = Destinatario(municipio=municipio, clave=datos["clave"])
        s.add(d)
    antes = {campo: getattr(d, campo) for campo in MEDIOS}
    for campo in ("nombre", *MEDIOS):
        setattr(d, campo, datos.get(campo))
    cambiados = [campo for campo in MEDIOS if antes[campo] != getattr(d, campo)]
    ids = []
    if yo.rol == "coordinadora":
        d.confirmado = True
    elif nuevo or cambiados:
        d.confirmado = False
        correo_coordinacion = antes["email"] if d.clave == "coordinadora" else None
        ids = avisar_coordinacion(s, municipio, str(uuid.uuid4()), {
            "accion": "contacto_creado" if nuevo else "contacto_cambiado", "clave": d.clave,
            "campos": cambiados}, correo=correo_coordinacion)
    s.flush()
    return schemas.DestinatarioSalida().dump(d), ids


def confirmar_destinatario(uow, yo, clave):
    """La coordinadora revisó el contacto que cambió la administración: desde ahora recibe nombres."""
    municipio = yo.exigir_municipio()
    d = uow.sesion.scalar(sa.select(Destinatario).where(Destinatario.municipio == municipio,
                                                        Destinatario.clave == str(clave)[:40]))
    if d is None:
        raise NoEncontrado("No existe ese contacto.")
    d.confirmado = True
    return schemas.DestinatarioSalida().dump(d)


def avisar_coordinacion(sesion, municipio, evento_id, datos, correo=None):
    """Bandeja y correo a la coordinación del municipio, una sola vez por `evento_id` (repetir no duplica).

    `correo`: a dónde va el correo si no al contacto «coordinadora» (el anterior, cuando lo cambiado es ese)."""
    regla = dominio.REGLA_AVISO_ADMINISTRACION
    referencia = {**datos, **({"_correo": correo} if correo else {})}
    canales = regla.canales
    if not correo and not sesion.scalar(sa.select(Destinatario.email).where(
            Destinatario.municipio == municipio, Destinatario.clave == regla.destinatario)):
        canales = [c for c in canales if c != "email"]  # sin correo de la oficina: solo su bandeja, no una falla
    ids = []
    for canal in canales:
        nuevo = insertar_una_vez(sesion, municipio=municipio, evento_id=evento_id, evento_tipo=regla.evento,
                                 regla=regla.codigo, destinatario=regla.destinatario, canal=canal,
                                 referencia=referencia, creado_en=ahora_utc())
        if nuevo:
            ids.append(nuevo)
    return ids


def avisar_oficina(uow, aviso):
    """Lo que el gateway cambió en las cuentas de una oficina (crear, cambiar, restablecer), para su coordinación."""
    datos = cargar(schemas.AvisoOficina(), aviso)
    if buscar_municipio(datos["municipio"]) is None:
        raise error_de_campo("municipio", "No existe ese municipio.")
    return avisar_coordinacion(uow.sesion, datos["municipio"], str(datos["id"]),
                               {"accion": datos["accion"], "rol": datos["rol"], "usuario": datos["usuario"],
                                "campos": datos.get("campos", [])})


def listar_reglas(uow, yo):
    municipio = yo.exigir_municipio()
    asegurar_reglas(uow.sesion, municipio)
    filas = uow.sesion.scalars(sa.select(Regla).where(Regla.municipio == municipio).order_by(Regla.codigo)).all()
    return schemas.ReglaSalida(many=True).dump(filas)


def cambiar_regla(uow, yo, codigo, cuerpo):
    datos = cargar(schemas.ReglaCambio(), cuerpo)
    municipio = yo.exigir_municipio()
    asegurar_reglas(uow.sesion, municipio)
    r = uow.sesion.scalar(sa.select(Regla).where(Regla.municipio == municipio, Regla.codigo == codigo))
    if r is None:
        raise NoEncontrado("No existe esa regla.")
    if datos.get("plantilla"):
        try:
            plantillas.validar_plantilla(datos["plantilla"])
        except plantillas.PlantillaInvalida as exc:
            raise error_de_campo("plantilla", f"La plantilla {exc}") from None
    for campo, valor in datos.items():
        setattr(r, campo, valor)
    uow.sesion.flush()
    return schemas.ReglaSalida().dump(r)


def resumen(uow, yo):
    """Vista de estado para la coordinadora: conteos por estado y canal y las fallidas con su error."""
    municipio = yo.exigir_municipio()
    s = uow.sesion
    conteos = s.execute(sa.select(Notificacion.estado, Notificacion.canal, sa.func.count())
                        .where(Notificacion.municipio == municipio)
                        .group_by(Notificacion.estado, Notificacion.canal)).all()
    fallidas = s.scalars(sa.select(Notificacion).where(Notificacion.municipio == municipio,
                                                       Notificacion.estado == "fallida")
                         .order_by(Notificacion.creado_en.desc()).limit(100)).all()
    por_estado = {}
    for estado, canal, n in conteos:
        por_estado.setdefault(estado, {})[canal] = n
    return {"por_estado": por_estado, "fallidas": [_salida(n) for n in fallidas]}


def conteos_por_estado(uow):
    """Para /metrics del gateway: cuántas hay por estado y canal en todo el sistema (solo cifras)."""
    filas = uow.sesion.execute(sa.select(Notificacion.estado, Notificacion.canal, sa.func.count())
                               .group_by(Notificacion.estado, Notificacion.canal)).all()
    return [{"estado": estado, "canal": canal, "n": n} for estado, canal, n in filas]


def reintentar(uow, yo, notificacion_id):
    n = _propia(uow.sesion, yo, notificacion_id)
    if n.estado != "fallida":
        raise Conflicto("Solo se reintenta una notificación fallida.", {"estado": n.estado},
                        codigo="ESTADO_INVALIDO")
    n.estado, n.intentos, n.proximo_intento_en = "pendiente", 0, None
    return _salida(n)


def agregados(uow, desde, hasta, municipios):
    """Avisos al CIS por municipio: enviados, confirmados y mediana de minutos hasta el acuse; y por mes."""
    consulta = sa.select(Notificacion.municipio, Notificacion.estado, Notificacion.creado_en,
                         Notificacion.confirmada_en).where(Notificacion.destinatario == "cis",
                                                           Notificacion.canal == "bandeja",
                                                           Notificacion.municipio.in_(list(municipios)))
    if desde:
        consulta = consulta.where(
            Notificacion.creado_en >= datetime.combine(date.fromisoformat(str(desde)), time(), timezone.utc))
    if hasta:
        consulta = consulta.where(
            Notificacion.creado_en <= datetime.combine(date.fromisoformat(str(hasta)), time.max, timezone.utc))
    salida = {}
    for mun, estado, creado, confirmado in uow.sesion.execute(consulta):
        m = salida.setdefault(mun, {"enviadas": 0, "confirmadas": 0, "fallidas": 0, "_minutos": [], "por_mes": {}})
        # Por mes (UTC, como el filtro): reportes arma con ellos la tabla protegida de la mancomunidad.
        mes = m["por_mes"].setdefault(como_utc(creado).strftime("%Y-%m"),
                                      {"enviadas": 0, "confirmadas": 0, "fallidas": 0})
        if estado in ("enviada", "confirmada"):
            m["enviadas"] += 1
            mes["enviadas"] += 1
        if estado == "fallida":
            m["fallidas"] += 1
            mes["fallidas"] += 1
        if estado == "confirmada" and confirmado:
            m["confirmadas"] += 1
            mes["confirmadas"] += 1
            m["_minutos"].append((como_utc(confirmado) - como_utc(creado)).total_seconds() / 60)
    for m in salida.values():
        minutos = m.pop("_minutos")
        m["mediana_minutos_acuse"] = round(statistics.median(minutos), 1) if minutos else None
    return salida
