"""Casos de uso: validan, aplican las reglas del dominio y persisten dentro de una unidad de trabajo.

Las entradas de nameko (service.py) solo resuelven quién llama y delegan aquí.
"""
import base64
import os
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from omm_common.perezoso import modulo_perezoso
from omm_common import agregados as agregar, archivos, nombres, resumenes
from omm_common import claves
from omm_common.db import es_postgres, paginar
from omm_common.errores import Conflicto, NoEncontrado, Prohibido, error_de_campo
from omm_common.esquemas import cargar, es_uuid
from omm_common.municipios import buscar as buscar_municipio

from . import dominio, schemas

# Constancias y hojas de asistencia: reportlab se carga con la primera que se pida (omm_common.perezoso).
documentos = modulo_perezoso("capacitaciones.documentos")
from .contrato import (
    AsistenciaRegistrada, CapacitacionProgramada, ParticipanteInscrita, SesionCancelada, SesionProgramada,
    SesionReprogramada,
)
from .models import Asistencia, CambioSesion, Capacitacion, Foto, Inscripcion, ResumenSesiones, Sesion
from omm_common.textos import fecha_larga
from omm_common.tiempo import ahora_utc, hoy_honduras

ROLES = ("coordinadora", "tecnica", "promotora")


def secreto_constancias():
    # Un secreto propio si se configura; si no, uno derivado de la clave privada de capacitaciones (que solo
    # este servicio tiene; antes salía del secreto de los tokens, que tenían todos).
    return os.environ.get("CAPACITACIONES_SECRETO_CONSTANCIAS") or claves.derivar("capacitaciones", b"constancias").hex()


# --- salida ---

def _asistencias_por_inscripcion(sesion_bd, capacitacion_id):
    filas = sesion_bd.execute(sa.select(Asistencia.inscripcion_id, Asistencia.sesion_id).where(
        Asistencia.capacitacion_id == capacitacion_id)).all()
    por_inscripcion, por_sesion = defaultdict(set), defaultdict(list)
    for inscripcion_id, sesion_id in filas:
        por_inscripcion[inscripcion_id].add(sesion_id)
        por_sesion[sesion_id].append(inscripcion_id)
    return por_inscripcion, por_sesion


def _conteo(s):
    if s.conteo_total is None:
        return None
    return {"mujeres": s.conteo_mujeres or 0, "hombres": s.conteo_hombres or 0, "total": s.conteo_total,
            "por_grupo_edad": s.conteo_grupos}


def _conteo_mayor(sesiones, hoy):
    """El conteo de la sesión realizada con más personas contadas (regla en dominio.participantes_actividad)."""
    conteos = [_conteo(s) for s in dominio.sesiones_realizadas(sesiones, hoy) if s.conteo_total is not None]
    return max(conteos, key=lambda x: x["total"], default=None)


def _resumen(c, hoy=None):
    hoy = hoy or hoy_honduras()
    activas = [s for s in c.sesiones if not dominio.cancelada(s)]
    fechas = [s.fecha for s in activas]
    datos = {k: getattr(c, k) for k in (
        "id", "municipio", "titulo", "tipo", "institucion", "facilitador", "lugar", "cupo", "creado_en")}
    realizadas = dominio.sesiones_realizadas(c.sesiones, hoy)
    datos.update(inscritas=len(c.inscripciones), total_sesiones=len(fechas),
                 sesiones_realizadas=len(realizadas), nombre_tipo=dominio.NOMBRES_TIPO[c.tipo],
                 participantes=dominio.participantes_actividad(
                     len(c.inscripciones), [s.conteo_total for s in realizadas]),
                 primera_fecha=min(fechas) if fechas else None, ultima_fecha=max(fechas) if fechas else None)
    return datos


def _capacitacion_salida(c):
    return schemas.CapacitacionSalida().dump(_resumen(c))


def _cambio_dict(x):
    return {"accion": x.accion, "fecha_hora": x.creado_en.isoformat() if x.creado_en else None,
            "por": x.usuario_nombre or x.usuario_id, "motivo": x.motivo,
            "fecha_anterior": x.fecha_anterior.isoformat() if x.fecha_anterior else None,
            "hora_anterior": x.hora_anterior, "tema_anterior": x.tema_anterior,
            "fecha_nueva": x.fecha_nueva.isoformat() if x.fecha_nueva else None, "hora_nueva": x.hora_nueva,
            "tema_nuevo": x.tema_nuevo}


def _sesion_dict(s, presentes, hoy):
    estado = dominio.estado_sesion(s, hoy)
    cancelacion = None
    if s.cancelada_en is not None:
        cancelacion = {"fecha_hora": s.cancelada_en.isoformat(), "por": s.cancelada_por_nombre or s.cancelada_por,
                       "motivo": s.motivo_cancelacion}
    return {"id": s.id, "fecha": s.fecha, "hora": s.hora, "tema": s.tema,
            "duracion_horas": float(s.duracion_horas or dominio.DURACION_HORAS),
            "realizada": estado == "realizada", "presentes": sorted(presentes), "estado": estado,
            "nombre_estado": dominio.ESTADOS_SESION[estado], "conteo": _conteo(s),
            "participantes": dominio.presentes_sesion(s.conteo_total, len(presentes)),
            "cancelacion": cancelacion, "cambios": [_cambio_dict(x) for x in s.cambios]}


def _inscripcion_dict(i):
    return {k: getattr(i, k) for k in (
        "id", "capacitacion_id", "nombres", "apellidos", "dni", "fecha_nacimiento", "telefono", "comunidad",
        "embarazada", "semanas_gestacion", "fecha_registro", "consentimiento_salud", "creado_en")}


def _detalle(sesion_bd, c, hoy=None):
    hoy = hoy or hoy_honduras()
    por_inscripcion, por_sesion = _asistencias_por_inscripcion(sesion_bd, c.id)
    datos = _resumen(c, hoy)
    datos["sesiones"] = [_sesion_dict(s, por_sesion.get(s.id, []), hoy) for s in c.sesiones]
    inscripciones = []
    for i in c.inscripciones:
        d = _inscripcion_dict(i)
        asistidas = por_inscripcion.get(i.id, set())
        porcentaje = dominio.porcentaje_asistencia(c.sesiones, asistidas, hoy)
        d.update(sesiones_asistidas=dominio.horas_asistidas(c.sesiones, asistidas, hoy)[0],
                 porcentaje_asistencia=porcentaje,
                 puede_recibir_constancia=dominio.puede_recibir_constancia(porcentaje))
        if c.tipo == "club_embarazadas" or i.embarazada:
            d["semanas_gestacion_actual"] = (dominio.semanas_gestacion_actual(
                i.semanas_gestacion, i.fecha_registro, hoy) if i.embarazada else None)
            d["fecha_probable_parto"] = (dominio.fecha_probable_parto(i.semanas_gestacion, i.fecha_registro)
                                         if i.embarazada else None)
        inscripciones.append(d)
    datos["inscripciones"] = inscripciones
    datos["conteo"] = _conteo_mayor(c.sesiones, hoy)
    return schemas.CapacitacionDetalle().dump(datos)


# --- búsquedas con aislamiento por municipio ---

def _capacitacion(sesion_bd, yo, capacitacion_id, bloquear=False):
    c = None
    if es_uuid(capacitacion_id):
        consulta = sa.select(Capacitacion).where(Capacitacion.id == str(capacitacion_id))
        if bloquear and es_postgres(sesion_bd):
            # Serializa inscripciones y asistencias de la misma actividad: el conteo del cupo es exacto.
            consulta = consulta.with_for_update()
        c = sesion_bd.scalar(consulta)
    # Otro municipio: igual que inexistente, para no revelar que existe.
    if c is None or c.municipio != yo.municipio:
        raise NoEncontrado("No se encontró la capacitación.", {"capacitacion_id": str(capacitacion_id)[:60]})
    return c


def _sesion_de(sesion_bd, c, sesion_id):
    s = sesion_bd.get(Sesion, str(sesion_id)) if es_uuid(sesion_id) else None
    if s is None or s.capacitacion_id != c.id:
        raise NoEncontrado("No se encontró la sesión en esta capacitación.",
                           {"sesion_id": ["La sesión no pertenece a esta capacitación."]})
    return s


def _inscripcion_de(sesion_bd, c, inscripcion_id):
    i = sesion_bd.get(Inscripcion, str(inscripcion_id)) if es_uuid(inscripcion_id) else None
    if i is None or i.capacitacion_id != c.id:
        raise NoEncontrado("No se encontró la inscripción en esta capacitación.",
                           {"inscripcion_id": ["La persona no está inscrita en esta capacitación."]})
    return i


# --- idempotencia ---

def _previa(sesion_bd, modelo, autor, yo, clave):
    if not clave:
        return None
    return sesion_bd.scalar(sa.select(modelo).where(
        getattr(modelo, autor) == yo.usuario_id, modelo.clave_idempotencia == clave))


def _insertar(sesion_bd, objetos, repetida):
    """Inserta en un savepoint. Si una solicitud simultánea con la misma clave ganó la carrera (la
    restricción única lo detecta), devuelve lo que ella creó; si no, None."""
    try:
        with sesion_bd.begin_nested():
            sesion_bd.add_all(objetos)
            sesion_bd.flush()
    except IntegrityError:
        previa = repetida()
        if previa is None:
            raise
        return previa
    return None


# --- actividades y sesiones ---

def _emitir_sesion(uow, c, s):
    uow.emitir(SesionProgramada(capacitacion_id=c.id, sesion_id=s.id, tipo=c.tipo, fecha=s.fecha, hora=s.hora,
                                lugar=c.lugar), c.municipio)


def _nueva_sesion(c, datos, yo, clave_idempotencia=None, existente=False):
    # A una actividad ya guardada se enlaza por id: así un savepoint revertido no deja la sesión
    # colgada de la colección `c.sesiones` para reinsertarse al confirmar.
    enlace = {"capacitacion_id": c.id} if existente else {"capacitacion": c}
    return Sesion(**enlace, municipio=c.municipio, fecha=datos["fecha"], hora=datos.get("hora"),
                  tema=datos.get("tema"), duracion_horas=datos.get("duracion_horas") or dominio.DURACION_HORAS,
                  creada_por=yo.usuario_id, clave_idempotencia=clave_idempotencia)


def crear_capacitacion(uow, yo, cuerpo, clave_idempotencia=None):
    datos = cargar(schemas.CapacitacionEntrada(), cuerpo)
    s = uow.sesion

    def repetida():
        return _previa(s, Capacitacion, "creada_por", yo, clave_idempotencia)
    previa = repetida()
    if previa:
        return _detalle(s, previa)
    sesiones = dominio.expandir_sesiones(datos.pop("sesiones"), datos.pop("recurrencia", None))
    c = Capacitacion(municipio=yo.municipio, creada_por=yo.usuario_id, clave_idempotencia=clave_idempotencia,
                     **datos)
    previa = _insertar(s, [c] + [_nueva_sesion(c, d, yo) for d in sesiones], repetida)
    if previa:
        return _detalle(s, previa)
    resumenes.marcar(s, c.municipio, [x.fecha for x in c.sesiones])
    uow.emitir(CapacitacionProgramada(capacitacion_id=c.id, tipo=c.tipo, fecha=c.sesiones[0].fecha, lugar=c.lugar,
                                      sesiones=len(c.sesiones)), c.municipio)
    for sesion in c.sesiones:
        if dominio.se_avisa(sesion.fecha):
            _emitir_sesion(uow, c, sesion)
    return _detalle(s, c)


def listar_capacitaciones(uow, yo, filtros):
    f = cargar(schemas.FiltroCapacitaciones(), filtros)
    consulta = sa.select(Capacitacion).where(Capacitacion.municipio == yo.municipio)
    if f.get("tipo"):
        consulta = consulta.where(Capacitacion.tipo == f["tipo"])
    if f.get("desde") or f.get("hasta"):
        # Una actividad cae en el periodo si alguna de sus sesiones cae en él.
        en_periodo = sa.select(Sesion.capacitacion_id).where(Sesion.municipio == yo.municipio)
        if f.get("desde"):
            en_periodo = en_periodo.where(Sesion.fecha >= f["desde"])
        if f.get("hasta"):
            en_periodo = en_periodo.where(Sesion.fecha <= f["hasta"])
        consulta = consulta.where(Capacitacion.id.in_(en_periodo))
    return paginar(uow.sesion, consulta.order_by(Capacitacion.creado_en.desc(), Capacitacion.id), f,
                   _capacitacion_salida)


def obtener_capacitacion(uow, yo, capacitacion_id):
    return _detalle(uow.sesion, _capacitacion(uow.sesion, yo, capacitacion_id))


def agregar_sesion(uow, yo, capacitacion_id, cuerpo, clave_idempotencia=None):
    datos = cargar(schemas.SesionEntrada(), cuerpo)
    s = uow.sesion
    c = _capacitacion(s, yo, capacitacion_id)

    def repetida():
        return _previa(s, Sesion, "creada_por", yo, clave_idempotencia)
    previa = repetida() or _insertar(s, [sesion := _nueva_sesion(c, datos, yo, clave_idempotencia, existente=True)], repetida)
    if previa:
        return schemas.SesionSalida().dump(_sesion_dict(previa, [], hoy_honduras()))
    resumenes.marcar(s, c.municipio, [sesion.fecha])
    if dominio.se_avisa(sesion.fecha):
        _emitir_sesion(uow, c, sesion)
    return schemas.SesionSalida().dump(_sesion_dict(sesion, [], hoy_honduras()))


def _tiene_registro(s, sesion):
    """Asistencia con nombre o conteo: la sesión ya se realizó."""
    if sesion.conteo_total is not None:
        return True
    return s.scalar(sa.select(sa.func.count()).select_from(Asistencia).where(
        Asistencia.sesion_id == sesion.id)) > 0


def _sesion_salida(s, c, sesion):
    presentes = s.scalars(sa.select(Asistencia.inscripcion_id).where(Asistencia.sesion_id == sesion.id)).all()
    s.flush()
    s.expire(sesion, ["cambios"])
    return schemas.SesionSalida().dump(_sesion_dict(sesion, presentes, hoy_honduras()))


def reprogramar_sesion(uow, yo, capacitacion_id, sesion_id, cuerpo):
    """Nueva fecha, hora o tema de una sesión aún no realizada. Con cambio de fecha u hora se avisa
    (SesionReprogramada) a las inscritas y, si es el club, al CIS. Sin cambios no hace nada (se puede repetir)."""
    s = uow.sesion
    # Primero lo ajeno (404), después el cuerpo (400): un 400 no debe revelar que la actividad existe.
    c = _capacitacion(s, yo, capacitacion_id, bloquear=True)
    sesion = _sesion_de(s, c, sesion_id)
    datos = cargar(schemas.CambioSesionEntrada(), cuerpo)
    nueva = {k: datos[k] for k in ("fecha", "hora", "tema") if k in datos}
    if not nueva:
        raise error_de_campo("fecha", "Indique la nueva fecha, la hora o el tema de la sesión.")
    cambia = {k: v for k, v in nueva.items() if getattr(sesion, k) != v}
    if not cambia:
        return _sesion_salida(s, c, sesion)
    dominio.verificar_reprogramable(sesion, _tiene_registro(s, sesion))
    if "fecha" in cambia:
        dominio.verificar_nueva_fecha(cambia["fecha"])
    fecha_nueva, hora_nueva = cambia.get("fecha", sesion.fecha), cambia.get("hora", sesion.hora)
    if (fecha_nueva, hora_nueva) != (sesion.fecha, sesion.hora) and s.scalar(sa.select(sa.func.count()).where(
            Sesion.capacitacion_id == c.id, Sesion.id != sesion.id, Sesion.fecha == fecha_nueva,
            Sesion.hora.is_(None) if hora_nueva is None else Sesion.hora == hora_nueva,
            Sesion.cancelada_en.is_(None))):
        raise Conflicto("La actividad ya tiene otra sesión en esa fecha y hora.", {"fecha": fecha_nueva.isoformat()},
                        codigo="DUPLICADO")
    anterior = {"fecha": sesion.fecha, "hora": sesion.hora, "tema": sesion.tema}
    s.add(CambioSesion(sesion_id=sesion.id, capacitacion_id=c.id, accion="reprogramacion",
                       fecha_anterior=anterior["fecha"], hora_anterior=anterior["hora"], tema_anterior=anterior["tema"],
                       fecha_nueva=fecha_nueva, hora_nueva=hora_nueva, tema_nuevo=cambia.get("tema", sesion.tema),
                       motivo=datos["motivo"], usuario_id=yo.usuario_id, usuario_nombre=_nombre_de(yo)))
    for k, v in cambia.items():
        setattr(sesion, k, v)
    resumenes.marcar(s, c.municipio, [anterior["fecha"], sesion.fecha])
    if (sesion.fecha, sesion.hora) != (anterior["fecha"], anterior["hora"]):
        uow.emitir(SesionReprogramada(capacitacion_id=c.id, sesion_id=sesion.id, tipo=c.tipo, fecha=sesion.fecha,
                                      hora=sesion.hora, lugar=c.lugar, fecha_anterior=anterior["fecha"]),
                   c.municipio)
    return _sesion_salida(s, c, sesion)


def cancelar_sesion(uow, yo, capacitacion_id, sesion_id, cuerpo):
    """La sesión no se realizará: queda cancelada (quién, cuándo, por qué), deja de contar como realizada y
    se avisa (SesionCancelada) si aún no pasó. Cancelar otra vez devuelve la misma sesión, sin otro aviso."""
    s = uow.sesion
    c = _capacitacion(s, yo, capacitacion_id, bloquear=True)
    sesion = _sesion_de(s, c, sesion_id)
    datos = cargar(schemas.CancelacionEntrada(), cuerpo)
    if sesion.cancelada_en is not None:
        return _sesion_salida(s, c, sesion)
    dominio.verificar_cancelable(sesion, _tiene_registro(s, sesion))
    sesion.cancelada_en, sesion.cancelada_por = ahora_utc(), yo.usuario_id
    sesion.cancelada_por_nombre, sesion.motivo_cancelacion = _nombre_de(yo), datos["motivo"]
    s.add(CambioSesion(sesion_id=sesion.id, capacitacion_id=c.id, accion="cancelacion",
                       fecha_anterior=sesion.fecha, hora_anterior=sesion.hora, tema_anterior=sesion.tema,
                       motivo=datos["motivo"], usuario_id=yo.usuario_id, usuario_nombre=_nombre_de(yo)))
    resumenes.marcar(s, c.municipio, [sesion.fecha])
    if dominio.se_avisa(sesion.fecha):
        uow.emitir(SesionCancelada(capacitacion_id=c.id, sesion_id=sesion.id, tipo=c.tipo, fecha=sesion.fecha,
                                   hora=sesion.hora, lugar=c.lugar), c.municipio)
    return _sesion_salida(s, c, sesion)


def _nombre_de(yo):
    return getattr(yo, "nombre", None) or yo.usuario


def registrar_conteo(uow, yo, capacitacion_id, sesion_id, cuerpo):
    """Participantes contadas en una sesión ya realizada (reemplaza el conteo anterior de esa sesión)."""
    s = uow.sesion
    c = _capacitacion(s, yo, capacitacion_id, bloquear=True)
    sesion = _sesion_de(s, c, sesion_id)
    datos = cargar(schemas.ConteoEntrada(), cuerpo)
    dominio.verificar_sesion_para_asistencia(sesion)
    conteo = dominio.conteo_normalizado(datos["mujeres"], datos.get("hombres") or 0, datos.get("por_grupo_edad"))
    sesion.conteo_mujeres, sesion.conteo_hombres = conteo["mujeres"], conteo["hombres"]
    sesion.conteo_total, sesion.conteo_grupos = conteo["total"], conteo["por_grupo_edad"]
    sesion.conteo_por = yo.usuario_id
    s.flush()
    resumenes.marcar(s, c.municipio, [sesion.fecha])
    return schemas.ConteoRegistrado().dump({"capacitacion_id": c.id, "sesion_id": sesion.id, **conteo})


# --- inscripciones y asistencia ---

def inscribir(uow, yo, capacitacion_id, cuerpo, clave_idempotencia=None):
    datos = cargar(schemas.InscripcionEntrada(), cuerpo)
    s = uow.sesion
    # Primero el bloqueo: una repetición simultánea espera y luego encuentra la primera inscripción.
    c = _capacitacion(s, yo, capacitacion_id, bloquear=True)

    def repetida():
        return _previa(s, Inscripcion, "registrada_por", yo, clave_idempotencia)
    previa = repetida()
    if previa:
        return schemas.InscripcionSalida().dump(_inscripcion_dict(previa))
    p = datos["participante"]
    # Sin tildes, partículas ni orden: «María José Pérez» y «Perez Maria Jose» son el mismo nombre.
    nombre = nombres.clave(p["nombres"], p["apellidos"])
    # El DNI se compara por su índice ciego (HMAC con la clave del municipio): igual DNI, igual índice.
    nueva = {"dni": Inscripcion.dni.indice_de(c.municipio, p.get("dni")), "nombre_normalizado": nombre,
             "fecha_nacimiento": p.get("fecha_nacimiento")}
    candidatas = s.execute(sa.select(Inscripcion.id, Inscripcion.dni_indice.label("dni"), Inscripcion.nombre_normalizado,
                                     Inscripcion.fecha_nacimiento).where(
        Inscripcion.capacitacion_id == c.id,
        sa.or_(Inscripcion.nombre_normalizado == nombre, Inscripcion.dni_indice == nueva["dni"]))).mappings().all()
    dominio.verificar_duplicado(nueva, [dict(x) for x in candidatas])
    inscritas = s.scalar(sa.select(sa.func.count()).select_from(Inscripcion).where(
        Inscripcion.capacitacion_id == c.id))
    dominio.verificar_cupo(c.cupo, inscritas)
    embarazada = dominio.verificar_embarazo(c.tipo, p.get("embarazada"), p.get("semanas_gestacion"))
    i = Inscripcion(
        capacitacion_id=c.id, municipio=c.municipio, nombres=p["nombres"], apellidos=p["apellidos"],
        nombre_normalizado=nombre, clave_persona=dominio.clave_persona(nueva["dni"], nombre, nueva["fecha_nacimiento"]),
        dni=p.get("dni"), fecha_nacimiento=nueva["fecha_nacimiento"], telefono=p.get("telefono"),
        comunidad=p["comunidad"], embarazada=embarazada, semanas_gestacion=p.get("semanas_gestacion"),
        fecha_registro=hoy_honduras(), consentimiento_salud=datos["consentimiento_salud"],
        registrada_por=yo.usuario_id, clave_idempotencia=clave_idempotencia)
    try:
        previa = _insertar(s, [i], repetida)
    except IntegrityError:
        # La restricción única de la persona respalda la regla aunque el bloqueo no estuviera (SQLite).
        raise Conflicto("Esta persona ya está inscrita en la actividad.", {}, codigo="DUPLICADO") from None
    if previa:
        return schemas.InscripcionSalida().dump(_inscripcion_dict(previa))
    _marcar_sesiones(s, c)
    uow.emitir(ParticipanteInscrita(capacitacion_id=c.id, inscripcion_id=i.id, tipo=c.tipo, embarazada=embarazada,
                                    consentimiento_salud=bool(i.consentimiento_salud)), c.municipio)
    return schemas.InscripcionSalida().dump(_inscripcion_dict(i))


def registrar_asistencia(uow, yo, capacitacion_id, sesion_id, cuerpo):
    datos = cargar(schemas.AsistenciaEntrada(), cuerpo)
    s = uow.sesion
    c = _capacitacion(s, yo, capacitacion_id, bloquear=True)
    sesion = _sesion_de(s, c, sesion_id)
    dominio.verificar_sesion_para_asistencia(sesion)
    presentes = list(dict.fromkeys(str(p) for p in datos["presentes"]))
    inscritas = s.scalars(sa.select(Inscripcion.id).where(Inscripcion.capacitacion_id == c.id)).all()
    dominio.verificar_presentes(presentes, inscritas)
    # La lista reemplaza a la anterior de esa sesión.
    s.execute(sa.delete(Asistencia).where(Asistencia.sesion_id == sesion.id))
    for inscripcion_id in presentes:
        s.add(Asistencia(capacitacion_id=c.id, sesion_id=sesion.id, inscripcion_id=inscripcion_id,
                         registrada_por=yo.usuario_id))
    s.flush()
    resumenes.marcar(s, c.municipio, [sesion.fecha])
    uow.emitir(AsistenciaRegistrada(capacitacion_id=c.id, sesion_id=sesion.id, tipo=c.tipo, fecha=sesion.fecha,
                                    presentes=len(presentes)), c.municipio)
    return schemas.AsistenciaSalida().dump({"capacitacion_id": c.id, "sesion_id": sesion.id,
                                            "presentes": presentes, "total_presentes": len(presentes)})


# --- el CIS y el club de embarazadas ---

CLUB = "club_embarazadas"


def listar_club(uow, yo, filtros):
    """El CIS ve solo el club de embarazadas de su municipio (calendario), nunca otras actividades."""
    filtros = dict(filtros or {})
    if filtros.get("tipo") not in (None, "", CLUB):
        # Un filtro válido que el rol no puede usar: 403 (CONTRATO: «403 for a role»), con el campo.
        mensaje = "El CIS solo puede ver el club de embarazadas."
        raise Prohibido(mensaje, {"tipo": [mensaje]})
    filtros["tipo"] = CLUB
    return listar_capacitaciones(uow, yo, filtros)


def obtener_club(uow, yo, capacitacion_id, hoy=None):
    """Calendario y lista del club para el CIS: nombres solo de quienes consintieron compartir con salud."""
    hoy = hoy or hoy_honduras()
    s = uow.sesion
    c = _capacitacion(s, yo, capacitacion_id)
    if c.tipo != CLUB:
        # Igual que inexistente: el CIS no ve otras actividades de la oficina.
        raise NoEncontrado("No se encontró la capacitación.", {"capacitacion_id": str(capacitacion_id)[:60]})
    por_inscripcion, por_sesion = _asistencias_por_inscripcion(s, c.id)
    con = [i for i in c.inscripciones if i.consentimiento_salud]
    visibles = {i.id for i in con}
    datos = _resumen(c, hoy)
    datos["sesiones"] = [_sesion_dict(x, [p for p in por_sesion.get(x.id, []) if p in visibles], hoy)
                         for x in c.sesiones]
    datos["inscripciones"] = [{
        "id": i.id, "nombres": i.nombres, "apellidos": i.apellidos, "comunidad": i.comunidad,
        "semanas_gestacion_actual": (dominio.semanas_gestacion_actual(i.semanas_gestacion, i.fecha_registro, hoy)
                                     if i.embarazada else None),
        "fecha_probable_parto": (dominio.fecha_probable_parto(i.semanas_gestacion, i.fecha_registro)
                                 if i.embarazada else None),
        "porcentaje_asistencia": dominio.porcentaje_asistencia(c.sesiones, por_inscripcion.get(i.id, set()), hoy),
    } for i in con]
    sin = len(c.inscripciones) - len(con)
    datos["sin_consentimiento"] = sin
    datos["aviso_sin_consentimiento"] = (
        None if not sin else f"{sin} participante{'s' if sin != 1 else ''} sin consentimiento para compartir "
                             f"sus datos con salud.")
    return schemas.CapacitacionCIS().dump(datos)


# --- fotos de las actividades (fuera de la base, sin metadatos) ---

SERVICIO_ARCHIVOS = "capacitaciones"
LADO_INFORME = 800


def _foto_dict(f):
    return {"id": f.id, "capacitacion_id": f.capacitacion_id, "sesion_id": f.sesion_id, "leyenda": f.leyenda,
            "fecha": f.fecha, "tipo_mime": f.mime, "bytes": f.bytes, "ancho": f.ancho, "alto": f.alto,
            "subida_por": f.subida_por_nombre, "creado_en": f.creado_en}


def subir_foto(uow, yo, capacitacion_id, contenido_base64, campos, clave_idempotencia=None):
    """Foto JPEG/PNG con leyenda: se guarda vuelta a codificar, reducida y sin EXIF (GPS, cámara)."""
    s = uow.sesion
    c = _capacitacion(s, yo, capacitacion_id)
    datos = cargar(schemas.FotoMetadatos(), {k: v for k, v in (campos or {}).items() if v not in (None, "")})

    def repetida():
        return _previa(s, Foto, "subida_por", yo, clave_idempotencia)
    previa = repetida()
    if previa:
        return schemas.FotoSalida().dump(_foto_dict(previa))
    sesion = _sesion_de(s, c, datos["sesion_id"]) if datos.get("sesion_id") else None
    try:
        contenido = base64.b64decode(contenido_base64 or "", validate=True)
    except (ValueError, TypeError):
        raise error_de_campo("archivo", "El archivo no llegó completo; vuelva a adjuntarlo.") from None
    if not contenido:
        raise error_de_campo("archivo", "Adjunte la foto (JPEG o PNG) en el campo «archivo» (multipart/form-data).")
    limpia, mime, extension, ancho, alto = archivos.limpiar_imagen(contenido, "archivo")
    ruta = archivos.guardar(SERVICIO_ARCHIVOS, c.municipio, limpia, extension)
    foto = Foto(capacitacion_id=c.id, sesion_id=sesion.id if sesion else None, municipio=c.municipio,
                leyenda=datos["leyenda"], fecha=sesion.fecha if sesion else hoy_honduras(), ruta=ruta, mime=mime,
                bytes=len(limpia), ancho=ancho, alto=alto, subida_por=yo.usuario_id, subida_por_nombre=_nombre_de(yo),
                clave_idempotencia=clave_idempotencia)
    try:
        previa = _insertar(s, [foto], repetida)
    except Exception:
        archivos.borrar(ruta)
        raise
    if previa:
        archivos.borrar(ruta)
        return schemas.FotoSalida().dump(_foto_dict(previa))
    return schemas.FotoSalida().dump(_foto_dict(foto))


def _foto_de(s, c, foto_id):
    f = s.get(Foto, str(foto_id)) if es_uuid(foto_id) else None
    if f is None or f.capacitacion_id != c.id:
        raise NoEncontrado("No se encontró la foto en esta actividad.", {"foto_id": str(foto_id)[:60]})
    return f


def listar_fotos(uow, yo, capacitacion_id):
    s = uow.sesion
    c = _capacitacion(s, yo, capacitacion_id)
    fotos = s.scalars(sa.select(Foto).where(Foto.capacitacion_id == c.id).order_by(Foto.fecha, Foto.creado_en))
    return [schemas.FotoSalida().dump(_foto_dict(f)) for f in fotos]


def obtener_foto(uow, yo, capacitacion_id, foto_id):
    s = uow.sesion
    f = _foto_de(s, _capacitacion(s, yo, capacitacion_id), foto_id)
    try:
        contenido = archivos.leer(f.ruta)
    except (OSError, ValueError):
        raise NoEncontrado("El archivo de la foto ya no está en el almacén.", {"foto_id": f.id}) from None
    extension = ".png" if f.mime == "image/png" else ".jpg"
    return {"nombre_archivo": f"foto-{f.id[:8]}{extension}", "tipo_mime": f.mime,
            "contenido_base64": base64.b64encode(contenido).decode("ascii")}


def borrar_foto(uow, yo, capacitacion_id, foto_id):
    """Quita la foto (la coordinadora). Repetir responde 404: ya no existe."""
    s = uow.sesion
    f = _foto_de(s, _capacitacion(s, yo, capacitacion_id), foto_id)
    ruta = f.ruta
    s.delete(f)
    s.flush()
    archivos.borrar(ruta)
    return {"id": str(foto_id), "borrada": True}


def fotos_informe(uow, desde=None, hasta=None, municipios=None, maximo=24, con_imagen=True):
    """Fotos con leyenda de las actividades del periodo, reducidas (~800 px) para un PDF.

    `con_imagen` False: solo los datos (el informe en JSON), sin leer ni volver a codificar cada archivo."""
    f = cargar(schemas.FiltroAgregados(), {"desde": desde, "hasta": hasta, "municipios": municipios})
    if not f.get("municipios"):
        raise error_de_campo("municipios", "Indique los municipios del informe.")
    try:
        maximo = max(0, min(int(maximo), 200))
    except (TypeError, ValueError):
        raise error_de_campo("maximo", "Debe ser un número entero.") from None
    condiciones = [Foto.municipio.in_(f["municipios"])]
    if f.get("desde"):
        condiciones.append(Foto.fecha >= f["desde"])
    if f.get("hasta"):
        condiciones.append(Foto.fecha <= f["hasta"])
    filas = uow.sesion.execute(sa.select(Foto, Capacitacion).join(Capacitacion).where(*condiciones).order_by(
        Foto.fecha, Foto.creado_en).limit(maximo)).all()
    salida = []
    for foto, c in filas:
        imagen = {}
        if con_imagen:
            try:
                contenido = archivos.leer(foto.ruta)
                reducida, mime, _, _, _ = archivos.limpiar_imagen(contenido, "archivo", lado=LADO_INFORME)
            except Exception:  # noqa: BLE001 - un archivo perdido o dañado no tumba el informe
                continue
            imagen = {"mime": mime, "contenido_base64": base64.b64encode(reducida).decode("ascii")}
        salida.append({"capacitacion_id": c.id, "foto_id": foto.id, "municipio": c.municipio, "titulo": c.titulo,
                       "tipo": c.tipo, "nombre_tipo": dominio.NOMBRES_TIPO[c.tipo], "fecha": foto.fecha.isoformat(),
                       "fecha_larga": fecha_larga(foto.fecha), "leyenda": foto.leyenda, **imagen})
    return salida


# --- documentos ---

def _nombre_municipio(codigo):
    m = buscar_municipio(codigo)
    return m.nombre if m else codigo


def _archivo(nombre, contenido, **extra):
    return {"nombre_archivo": nombre, "tipo_mime": "application/pdf",
            "contenido_base64": base64.b64encode(contenido).decode("ascii"), **extra}


def constancia(uow, yo, capacitacion_id, inscripcion_id, hoy=None):
    s = uow.sesion
    hoy = hoy or hoy_honduras()
    c = _capacitacion(s, yo, capacitacion_id)
    i = _inscripcion_de(s, c, inscripcion_id)
    asistidas = set(s.scalars(sa.select(Asistencia.sesion_id).where(Asistencia.inscripcion_id == i.id)).all())
    porcentaje = dominio.porcentaje_asistencia(c.sesiones, asistidas, hoy)
    dominio.verificar_constancia(porcentaje)
    sesiones, horas = dominio.horas_asistidas(c.sesiones, asistidas, hoy)
    codigo = dominio.codigo_verificacion(secreto_constancias(), i.id)
    pdf = documentos.constancia_pdf(
        nombre=f"{i.nombres} {i.apellidos}", titulo=c.titulo, tipo=dominio.NOMBRES_TIPO[c.tipo],
        institucion=c.institucion, municipio=_nombre_municipio(c.municipio), sesiones_asistidas=sesiones,
        sesiones_realizadas=len(dominio.sesiones_realizadas(c.sesiones, hoy)), horas=horas, porcentaje=porcentaje,
        fechas=[x.fecha for x in c.sesiones if not dominio.cancelada(x)], codigo=codigo, emitida=hoy)
    return _archivo(f"constancia-{i.id[:8]}.pdf", pdf, codigo_verificacion=codigo)


def hoja_asistencia(uow, yo, capacitacion_id, sesion_id):
    s = uow.sesion
    c = _capacitacion(s, yo, capacitacion_id)
    sesion = _sesion_de(s, c, sesion_id)
    pdf = documentos.hoja_asistencia_pdf(
        titulo=c.titulo, tipo=dominio.NOMBRES_TIPO[c.tipo], municipio=_nombre_municipio(c.municipio),
        lugar=c.lugar, facilitador=c.facilitador, fecha=sesion.fecha, hora=sesion.hora, tema=sesion.tema,
        personas=[(f"{i.apellidos}, {i.nombres}", i.comunidad) for i in c.inscripciones])
    return _archivo(f"hoja-asistencia-{sesion.fecha.isoformat()}.pdf", pdf)


# --- para notificaciones (rol servicio) ---

def contacto_participante(uow, inscripcion_id, municipio, hoy=None):
    """Nombre y teléfono solo si la participante consintió compartir con salud, y solo para el municipio del
    aviso."""
    i = uow.sesion.get(Inscripcion, str(inscripcion_id)) if es_uuid(inscripcion_id) else None
    if i is None or i.capacitacion.municipio != municipio or not i.consentimiento_salud:
        return None
    fpp = dominio.fecha_probable_parto(i.semanas_gestacion, i.fecha_registro) if i.embarazada else None
    return {"nombre": f"{i.nombres} {i.apellidos}", "telefono": i.telefono, "comunidad": i.comunidad,
            "semanas_gestacion": (dominio.semanas_gestacion_actual(i.semanas_gestacion, i.fecha_registro, hoy)
                                  if i.embarazada else None),
            "fecha_probable_parto": fpp.isoformat() if fpp else None}


def telefonos_sesion(uow, sesion_id, municipio):
    sesion = uow.sesion.get(Sesion, str(sesion_id)) if es_uuid(sesion_id) else None
    if sesion is None or sesion.capacitacion.municipio != municipio:
        return []
    # Cifrados (cada uno atado a su fila): distintos y en orden aquí, no en SQL.
    return sorted({i.telefono for i in uow.sesion.scalars(sa.select(Inscripcion).where(
        Inscripcion.capacitacion_id == sesion.capacitacion_id, Inscripcion.consentimiento_salud.is_(True),
        Inscripcion.telefono_cifrado.is_not(None)))})


def sesiones_de_manana(uow, fecha):
    """Sesiones del club de embarazadas en `fecha` (el día siguiente), para el recordatorio por SMS."""
    try:
        dia = fecha if isinstance(fecha, date) else date.fromisoformat(str(fecha))
    except ValueError:
        raise error_de_campo("fecha", "Debe ser una fecha AAAA-MM-DD.") from None
    filas = uow.sesion.execute(sa.select(Sesion, Capacitacion).join(Capacitacion).where(
        Sesion.fecha == dia, Capacitacion.tipo == "club_embarazadas", Sesion.cancelada_en.is_(None)
    ).order_by(Sesion.hora, Sesion.id)).all()
    return [{"sesion_id": s.id, "capacitacion_id": c.id, "municipio": c.municipio, "tipo": c.tipo,
             "fecha": s.fecha.isoformat(), "hora": s.hora, "lugar": c.lugar} for s, c in filas]


def _celdas(s, municipios, desde, hasta, hoy=None):
    """Por (municipio, mes, tipo) y (municipio, mes, "*"): actividades con sesiones en el mes, sesiones,
    asistencias, personas distintas del mes (por DNI, o nombre y nacimiento) y última sesión.

    Con `hoy`, solo las sesiones ya realizadas (lo vivo); sin él todas (el resumen, que solo se lee de
    meses pasados). Una actividad es de un solo municipio y tipo: en "*" se suman, salvo las personas.
    """
    condiciones = ([Sesion.fecha <= hoy] if hoy else []) + ([Sesion.fecha >= desde] if desde else []) + (
        [Sesion.fecha <= hasta] if hasta else []) + [Sesion.cancelada_en.is_(None)]
    if municipios is not None:
        condiciones.append(Sesion.municipio.in_(list(municipios)))
    mes = agregar.mes(s, Sesion.fecha)
    nombradas = sa.select(sa.func.count()).where(Asistencia.sesion_id == Sesion.id).scalar_subquery()
    # Personas de una sesión: el mayor entre el conteo y las nombradas (dominio.presentes_sesion).
    conteo = sa.func.coalesce(Sesion.conteo_total, 0)
    presentes = sa.case((conteo > nombradas, conteo), else_=nombradas)
    sesiones = sa.select(agregar.distintos(s, Capacitacion.id), sa.func.count(), sa.func.sum(presentes),
                         sa.func.max(Sesion.fecha), sa.func.sum(sa.func.coalesce(Sesion.conteo_mujeres, 0)),
                         sa.func.sum(sa.func.coalesce(Sesion.conteo_hombres, 0))
                         ).select_from(sa.join(Sesion, Capacitacion)).where(*condiciones)
    # Una fila por actividad y mes con sesiones; cada una trae a todas sus inscritas.
    pares = sa.select(Capacitacion.id, Sesion.municipio, Capacitacion.tipo, mes.label("mes")).select_from(
        sa.join(Sesion, Capacitacion)).where(*condiciones).distinct().subquery()
    inscritas = sa.select(agregar.distintos(s, Inscripcion.clave_persona)).select_from(
        sa.join(pares, Inscripcion, Inscripcion.capacitacion_id == pares.c.id))
    celdas = defaultdict(lambda: {"actividades": 0, "sesiones_realizadas": 0, "asistencias": 0, "personas": 0,
                                  "ultima_fecha": None, "sin_nombre": 0, "mujeres": 0, "hombres": 0})
    for _, (m, me, tipo, actividades, n, asistencias, fecha, mujeres, hombres) in agregar.por_niveles(
            s, sesiones, {"municipio": Sesion.municipio, "mes": mes, "tipo": Capacitacion.tipo},
            (("municipio", "mes", "tipo"),)):
        me = agregar.fecha_mes(me)
        for clave in ((m, me, tipo), (m, me, "*")):
            c = celdas[clave]
            c["actividades"] += actividades
            c["sesiones_realizadas"] += n
            c["asistencias"] += int(asistencias or 0)  # SUM de conteos: numeric en PostgreSQL
            c["mujeres"] += int(mujeres or 0)
            c["hombres"] += int(hombres or 0)
            c["ultima_fecha"] = max(c["ultima_fecha"] or fecha, fecha)
    # Personas contadas sin nombre: por actividad y mes, su conteo mayor menos sus inscritas (dominio.sin_nombre).
    inscritas_de = sa.select(sa.func.count()).where(Inscripcion.capacitacion_id == Capacitacion.id).scalar_subquery()
    por_actividad = s.execute(sa.select(Sesion.municipio, mes, Capacitacion.tipo, sa.func.max(Sesion.conteo_total),
                                        inscritas_de).select_from(sa.join(Sesion, Capacitacion)).where(
        *condiciones, Sesion.conteo_total.is_not(None)).group_by(
        Sesion.municipio, mes, Capacitacion.tipo, Capacitacion.id)).all()
    for m, me, tipo, mayor, con_nombre in por_actividad:
        extra = dominio.sin_nombre(int(con_nombre or 0), int(mayor or 0))
        for clave in ((m, agregar.fecha_mes(me), tipo), (m, agregar.fecha_mes(me), "*")):
            celdas[clave]["sin_nombre"] += extra
    for _, (m, me, tipo, n) in agregar.por_niveles(
            s, inscritas, {"municipio": pares.c.municipio, "mes": pares.c.mes, "tipo": pares.c.tipo},
            (("municipio", "mes", "tipo"), ("municipio", "mes"))):
        celdas[m, agregar.fecha_mes(me), tipo or "*"]["personas"] = n
    return [{"municipio": m, "mes": me, "tipo": t, **c} for (m, me, t), c in sorted(celdas.items())]


def _tramos(clase, municipio):
    """Primera y última sesión de cada persona (por tipo y en todos, "*") o de cada actividad (por tipo)."""
    c, se, i = Capacitacion, Sesion, Inscripcion
    base = ([se.municipio == municipio] if municipio is not None else []) + [se.cancelada_en.is_(None)]
    if clase == "actividad":
        return sa.select(se.municipio, c.tipo, c.id, sa.func.min(se.fecha), sa.func.max(se.fecha)).select_from(
            sa.join(se, c)).where(*base).group_by(se.municipio, c.tipo, c.id)
    desde = sa.join(i, se, se.capacitacion_id == i.capacitacion_id).join(c, c.id == i.capacitacion_id)
    por_tipo = sa.select(se.municipio, c.tipo, i.clave_persona, sa.func.min(se.fecha), sa.func.max(se.fecha)
                         ).select_from(desde).where(*base).group_by(se.municipio, c.tipo, i.clave_persona)
    todos = sa.select(se.municipio, sa.literal("*", sa.String), i.clave_persona, sa.func.min(se.fecha),
                      sa.func.max(se.fecha)).select_from(desde).where(*base).group_by(se.municipio, i.clave_persona)
    return sa.union_all(por_tipo, todos)


def _hay_sesion_de_persona(tramo, desde, hasta):
    c, se, i = Capacitacion, Sesion, Inscripcion
    return sa.exists().where(i.municipio == tramo.municipio, i.clave_persona == tramo.clave,
                             se.capacitacion_id == i.capacitacion_id, c.id == i.capacitacion_id,
                             sa.or_(tramo.grupo == "*", c.tipo == tramo.grupo), se.fecha >= desde, se.fecha <= hasta,
                             se.cancelada_en.is_(None))


def _hay_sesion_de_actividad(tramo, desde, hasta):
    return sa.exists().where(Sesion.capacitacion_id == tramo.clave, Sesion.fecha >= desde, Sesion.fecha <= hasta,
                             Sesion.cancelada_en.is_(None))


def _marcar_sesiones(s, c):
    """Una inscripción cambia las personas de cada mes con sesiones de la actividad."""
    resumenes.marcar(s, c.municipio, s.scalars(sa.select(Sesion.fecha).where(Sesion.capacitacion_id == c.id)).all())


CAMPOS = ("actividades", "sesiones_realizadas", "participantes", "asistencias", "mujeres", "hombres")
COLUMNAS_CELDA = ("municipio", "mes", "tipo", "actividades", "sesiones_realizadas", "asistencias", "personas",
                  "ultima_fecha", "sin_nombre", "mujeres", "hombres")


def _leer_resumen(s, rango):
    """Las celdas de los meses cerrados, tal cual."""
    r = ResumenSesiones.__table__.c
    return s.execute(sa.select(*[r[k] for k in COLUMNAS_CELDA]).where(*rango)).tuples().all()


def _responder(lectura):
    """Totales sin datos personales: por municipio, tipo y mes, sobre las sesiones realizadas del periodo.

    Participantes distintas: la misma persona (por DNI, o nombre y nacimiento) cuenta una vez por
    municipio; lo que junta municipios es la suma de sus partes. Actividades y participantes del periodo
    salen de los tramos. A las participantes se suman las personas contadas sin nombre en charlas abiertas
    (dominio.sin_nombre, por actividad y mes); `mujeres` y `hombres` son la suma de los conteos por sexo de
    las sesiones (como `asistencias`, asistencias y no personas distintas).
    """
    celdas = list(lectura.cerrado or []) + [tuple(c[k] for k in COLUMNAS_CELDA) for c in lectura.vivas]
    distintas = lectura.distintas
    # Los meses de cada municipio ("*") tal cual; por tipo y en el periodo, sesiones y asistencias se suman
    # y actividades y participantes salen de los tramos.
    por_mes, sumas, ultima = defaultdict(dict), defaultdict(lambda: [0, 0, 0, 0, 0]), {}
    sin_nombre_mun = defaultdict(int)
    for m, mes, tipo, actividades, sesiones, asistencias, personas, fecha, extra, mujeres, hombres in celdas:
        extra, mujeres, hombres = extra or 0, mujeres or 0, hombres or 0
        if tipo == "*":
            por_mes[m][agregar.texto_mes(mes)] = {
                "actividades": actividades, "sesiones_realizadas": sesiones, "participantes": personas + extra,
                "asistencias": asistencias, "mujeres": mujeres, "hombres": hombres}
            sin_nombre_mun[m] += extra
            if m not in ultima or fecha > ultima[m]:
                ultima[m] = fecha
        else:
            x = sumas[m, tipo]
            x[0] += sesiones
            x[1] += asistencias
            x[2] += extra
            x[3] += mujeres
            x[4] += hombres
    por_municipio = {}
    region = {"total": dict.fromkeys(CAMPOS, 0), "por_tipo": defaultdict(lambda: dict.fromkeys(CAMPOS, 0)),
              "por_mes": defaultdict(lambda: dict.fromkeys(CAMPOS, 0))}
    for (m, tipo), (sesiones, asistencias, extra, mujeres, hombres) in sorted(sumas.items()):
        x = {"actividades": distintas["actividad"].get((m, tipo), 0), "sesiones_realizadas": sesiones,
             "participantes": distintas["persona"].get((m, tipo), 0) + extra, "asistencias": asistencias,
             "mujeres": mujeres, "hombres": hombres}
        mun = por_municipio.setdefault(m, {**dict.fromkeys(CAMPOS, 0), "por_tipo": {}})
        mun["por_tipo"][tipo] = x
        for k in ("actividades", "sesiones_realizadas", "asistencias", "mujeres", "hombres"):
            mun[k] += x[k]
        for k, v in x.items():
            region["por_tipo"][tipo][k] += v
    for m, mun in por_municipio.items():
        mun["participantes"] = distintas["persona"].get((m, "*"), 0) + sin_nombre_mun[m]
        mun["por_mes"] = dict(sorted(por_mes[m].items()))
        mun["ultima_fecha"] = ultima[m].isoformat()
        for k in CAMPOS:
            region["total"][k] += mun[k]
        for mes, x in mun["por_mes"].items():
            for k, v in x.items():
                region["por_mes"][mes][k] += v
    return {
        "desde": lectura.desde.isoformat() if lectura.desde else None,
        "hasta": lectura.pedido["hasta"].isoformat() if lectura.pedido["hasta"] else None,
        "por_municipio": por_municipio,
        "total": {**region["total"], "por_tipo": {t: region["por_tipo"][t] for t in sorted(region["por_tipo"])},
                  "por_mes": {k: region["por_mes"][k] for k in sorted(region["por_mes"])}},
    }


# Lo vivo, solo lo realizado hasta hoy: una sesión programada aún no cuenta.
RESUMEN = resumenes.Resumen(
    tabla=ResumenSesiones.__table__, filas="sesiones", fecha="fecha", celdas=_celdas, vivas=_celdas, hasta_hoy=True,
    leer_resumen=_leer_resumen, responder=_responder,
    tramos={"persona": (lambda m: _tramos("persona", m), _hay_sesion_de_persona),
            "actividad": (lambda m: _tramos("actividad", m), _hay_sesion_de_actividad)})


def actividades(uow, filtros, hoy=None):
    """Las actividades con sesiones realizadas en el periodo, para el informe: sin nombres de personas.

    El facilitador no sale: es un nombre propio y el informe puede llegar a la mancomunidad.
    `participantes` sigue dominio.participantes_actividad (inscritas o el conteo mayor de sus sesiones
    realizadas del periodo); `conteo` es el desglose de ese conteo mayor (None sin conteo).
    """
    f = cargar(schemas.FiltroAgregados(), filtros)
    if not f.get("municipios"):
        raise error_de_campo("municipios", "Indique los municipios del informe.")
    hoy = hoy or hoy_honduras()
    s = uow.sesion
    condiciones = [Capacitacion.municipio.in_(f["municipios"]), Sesion.fecha <= hoy, Sesion.cancelada_en.is_(None)]
    if f.get("desde"):
        condiciones.append(Sesion.fecha >= f["desde"])
    if f.get("hasta"):
        condiciones.append(Sesion.fecha <= f["hasta"])
    filas = s.execute(
        sa.select(Capacitacion.id, Capacitacion.municipio, Capacitacion.tipo, Capacitacion.titulo,
                  Capacitacion.institucion, Capacitacion.lugar, sa.func.min(Sesion.fecha), sa.func.max(Sesion.fecha),
                  sa.func.count(Sesion.id))
        .join(Sesion, Sesion.capacitacion_id == Capacitacion.id).where(*condiciones)
        .group_by(Capacitacion.id, Capacitacion.municipio, Capacitacion.tipo, Capacitacion.titulo,
                  Capacitacion.institucion, Capacitacion.lugar)
        .order_by(sa.func.min(Sesion.fecha), Capacitacion.titulo)).all()
    ids = [x[0] for x in filas]
    inscritas, asistencias, conteos = {}, {}, {}
    if ids:
        inscritas = dict(s.execute(sa.select(Inscripcion.capacitacion_id, sa.func.count()).where(
            Inscripcion.capacitacion_id.in_(ids)).group_by(Inscripcion.capacitacion_id)).all())
        nombradas = dict(s.execute(sa.select(Asistencia.sesion_id, sa.func.count()).join(
            Sesion, Sesion.id == Asistencia.sesion_id).where(Asistencia.capacitacion_id.in_(ids), *condiciones[1:])
            .group_by(Asistencia.sesion_id)).all())
        for sesion in s.scalars(sa.select(Sesion).join(Capacitacion).where(
                Sesion.capacitacion_id.in_(ids), *condiciones)):
            cid = sesion.capacitacion_id
            asistencias[cid] = asistencias.get(cid, 0) + dominio.presentes_sesion(
                sesion.conteo_total, nombradas.get(sesion.id, 0))
            conteo = _conteo(sesion)
            if conteo and (cid not in conteos or conteo["total"] > conteos[cid]["total"]):
                conteos[cid] = conteo
    return [{"capacitacion_id": cid, "municipio": mun, "tipo": tipo, "nombre_tipo": dominio.NOMBRES_TIPO[tipo],
             "titulo": titulo, "institucion": institucion, "lugar": lugar,
             "desde": primera.isoformat(), "hasta": ultima.isoformat(), "sesiones_realizadas": n,
             "inscritas": inscritas.get(cid, 0),
             "participantes": dominio.participantes_actividad(
                 inscritas.get(cid, 0), [conteos[cid]["total"]] if cid in conteos else []),
             "asistencias": asistencias.get(cid, 0), "conteo": conteos.get(cid)}
            for cid, mun, tipo, titulo, institucion, lugar, primera, ultima, n in filas]
