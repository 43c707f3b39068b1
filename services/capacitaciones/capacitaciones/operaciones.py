"""Casos de uso: validan, aplican las reglas del dominio y persisten dentro de una unidad de trabajo.

Las entradas de nameko (service.py) solo resuelven quién llama y delegan aquí.
"""
import base64
import os
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from omm_common import agregados as agregar
from omm_common.contexto import secreto_jwt
from omm_common.db import es_postgres, paginar
from omm_common.errores import Conflicto, NoEncontrado, error_de_campo
from omm_common.esquemas import cargar, es_uuid
from omm_common.municipios import buscar as buscar_municipio
from omm_common.municipios import normalizar_nombre

from . import documentos, dominio, schemas
from .models import Asistencia, Capacitacion, Inscripcion, Sesion

ROLES = ("coordinadora", "tecnica", "promotora")


def secreto_constancias():
    # Un secreto propio si se configura; si no, uno derivado del de los tokens (HMAC con otra etiqueta).
    return os.environ.get("CAPACITACIONES_SECRETO_CONSTANCIAS") or secreto_jwt()


# --- salida ---

def _asistencias_por_inscripcion(sesion_bd, capacitacion_id):
    filas = sesion_bd.execute(sa.select(Asistencia.inscripcion_id, Asistencia.sesion_id).where(
        Asistencia.capacitacion_id == capacitacion_id)).all()
    por_inscripcion, por_sesion = defaultdict(set), defaultdict(list)
    for inscripcion_id, sesion_id in filas:
        por_inscripcion[inscripcion_id].add(sesion_id)
        por_sesion[sesion_id].append(inscripcion_id)
    return por_inscripcion, por_sesion


def _resumen(c, hoy=None):
    hoy = hoy or dominio.hoy_local()
    fechas = [s.fecha for s in c.sesiones]
    datos = {k: getattr(c, k) for k in (
        "id", "municipio", "titulo", "tipo", "institucion", "facilitador", "lugar", "cupo", "creado_en")}
    datos.update(inscritas=len(c.inscripciones), total_sesiones=len(fechas),
                 sesiones_realizadas=len(dominio.sesiones_realizadas(c.sesiones, hoy)),
                 primera_fecha=min(fechas) if fechas else None, ultima_fecha=max(fechas) if fechas else None)
    return datos


def _capacitacion_salida(c):
    return schemas.CapacitacionSalida().dump(_resumen(c))


def _sesion_dict(s, presentes, hoy):
    return {"id": s.id, "fecha": s.fecha, "hora": s.hora, "tema": s.tema,
            "duracion_horas": float(s.duracion_horas or dominio.DURACION_HORAS),
            "realizada": s.fecha <= hoy, "presentes": sorted(presentes)}


def _inscripcion_dict(i):
    return {k: getattr(i, k) for k in (
        "id", "capacitacion_id", "nombres", "apellidos", "dni", "fecha_nacimiento", "telefono", "comunidad",
        "embarazada", "semanas_gestacion", "fecha_registro", "consentimiento_salud", "creado_en")}


def _detalle(sesion_bd, c, hoy=None):
    hoy = hoy or dominio.hoy_local()
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
    uow.emitir("SesionProgramada", c.municipio, {
        "capacitacion_id": c.id, "sesion_id": s.id, "tipo": c.tipo, "fecha": s.fecha.isoformat(),
        "hora": s.hora, "lugar": c.lugar})


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
    uow.emitir("CapacitacionProgramada", c.municipio, {
        "capacitacion_id": c.id, "tipo": c.tipo, "fecha": c.sesiones[0].fecha.isoformat(), "lugar": c.lugar,
        "sesiones": len(c.sesiones)})
    for sesion in c.sesiones:
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
        return schemas.SesionSalida().dump(_sesion_dict(previa, [], dominio.hoy_local()))
    _emitir_sesion(uow, c, sesion)
    return schemas.SesionSalida().dump(_sesion_dict(sesion, [], dominio.hoy_local()))


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
    nombre = normalizar_nombre(f"{p['nombres']} {p['apellidos']}")
    nueva = {"dni": p.get("dni"), "nombre_normalizado": nombre, "fecha_nacimiento": p.get("fecha_nacimiento")}
    candidatas = s.execute(sa.select(Inscripcion.id, Inscripcion.dni, Inscripcion.nombre_normalizado,
                                     Inscripcion.fecha_nacimiento).where(
        Inscripcion.capacitacion_id == c.id,
        sa.or_(Inscripcion.nombre_normalizado == nombre, Inscripcion.dni == nueva["dni"]))).mappings().all()
    dominio.verificar_duplicado(nueva, [dict(x) for x in candidatas])
    inscritas = s.scalar(sa.select(sa.func.count()).select_from(Inscripcion).where(
        Inscripcion.capacitacion_id == c.id))
    dominio.verificar_cupo(c.cupo, inscritas)
    embarazada = dominio.verificar_embarazo(c.tipo, p.get("embarazada"), p.get("semanas_gestacion"))
    i = Inscripcion(
        capacitacion_id=c.id, municipio=c.municipio, nombres=p["nombres"], apellidos=p["apellidos"],
        nombre_normalizado=nombre, clave_persona=dominio.clave_persona(nueva["dni"], nombre, nueva["fecha_nacimiento"]),
        dni=nueva["dni"], fecha_nacimiento=nueva["fecha_nacimiento"], telefono=p.get("telefono"),
        comunidad=p["comunidad"], embarazada=embarazada, semanas_gestacion=p.get("semanas_gestacion"),
        fecha_registro=dominio.hoy_local(), consentimiento_salud=datos["consentimiento_salud"],
        registrada_por=yo.usuario_id, clave_idempotencia=clave_idempotencia)
    try:
        previa = _insertar(s, [i], repetida)
    except IntegrityError:
        # La restricción única de la persona respalda la regla aunque el bloqueo no estuviera (SQLite).
        raise Conflicto("Esta persona ya está inscrita en la actividad.", {}, codigo="DUPLICADO") from None
    if previa:
        return schemas.InscripcionSalida().dump(_inscripcion_dict(previa))
    uow.emitir("ParticipanteInscrita", c.municipio, {
        "capacitacion_id": c.id, "inscripcion_id": i.id, "tipo": c.tipo, "embarazada": embarazada,
        # Solo la bandera: notificaciones pide los datos por RPC y solo los recibe con consentimiento.
        "consentimiento_salud": bool(i.consentimiento_salud)})
    return schemas.InscripcionSalida().dump(_inscripcion_dict(i))


def registrar_asistencia(uow, yo, capacitacion_id, sesion_id, cuerpo):
    datos = cargar(schemas.AsistenciaEntrada(), cuerpo)
    s = uow.sesion
    c = _capacitacion(s, yo, capacitacion_id, bloquear=True)
    sesion = _sesion_de(s, c, sesion_id)
    presentes = list(dict.fromkeys(str(p) for p in datos["presentes"]))
    inscritas = s.scalars(sa.select(Inscripcion.id).where(Inscripcion.capacitacion_id == c.id)).all()
    dominio.verificar_presentes(presentes, inscritas)
    # La lista reemplaza a la anterior de esa sesión.
    s.execute(sa.delete(Asistencia).where(Asistencia.sesion_id == sesion.id))
    for inscripcion_id in presentes:
        s.add(Asistencia(capacitacion_id=c.id, sesion_id=sesion.id, inscripcion_id=inscripcion_id,
                         registrada_por=yo.usuario_id))
    s.flush()
    uow.emitir("AsistenciaRegistrada", c.municipio, {
        "capacitacion_id": c.id, "sesion_id": sesion.id, "tipo": c.tipo, "fecha": sesion.fecha.isoformat(),
        "presentes": len(presentes)})
    return schemas.AsistenciaSalida().dump({"capacitacion_id": c.id, "sesion_id": sesion.id,
                                            "presentes": presentes, "total_presentes": len(presentes)})


# --- documentos ---

def _nombre_municipio(codigo):
    m = buscar_municipio(codigo)
    return m.nombre if m else codigo


def _archivo(nombre, contenido, **extra):
    return {"nombre_archivo": nombre, "tipo_mime": "application/pdf",
            "contenido_base64": base64.b64encode(contenido).decode("ascii"), **extra}


def constancia(uow, yo, capacitacion_id, inscripcion_id, hoy=None):
    s = uow.sesion
    hoy = hoy or dominio.hoy_local()
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
        fechas=[x.fecha for x in c.sesiones], codigo=codigo, emitida=hoy)
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

def contacto_participante(uow, inscripcion_id, hoy=None):
    """Nombre y teléfono solo si la participante consintió compartir con salud."""
    i = uow.sesion.get(Inscripcion, str(inscripcion_id)) if es_uuid(inscripcion_id) else None
    if i is None or not i.consentimiento_salud:
        return None
    fpp = dominio.fecha_probable_parto(i.semanas_gestacion, i.fecha_registro) if i.embarazada else None
    return {"nombre": f"{i.nombres} {i.apellidos}", "telefono": i.telefono, "comunidad": i.comunidad,
            "semanas_gestacion": (dominio.semanas_gestacion_actual(i.semanas_gestacion, i.fecha_registro, hoy)
                                  if i.embarazada else None),
            "fecha_probable_parto": fpp.isoformat() if fpp else None}


def telefonos_sesion(uow, sesion_id):
    sesion = uow.sesion.get(Sesion, str(sesion_id)) if es_uuid(sesion_id) else None
    if sesion is None:
        return []
    return list(uow.sesion.scalars(sa.select(Inscripcion.telefono).where(
        Inscripcion.capacitacion_id == sesion.capacitacion_id, Inscripcion.consentimiento_salud.is_(True),
        Inscripcion.telefono.is_not(None)).order_by(Inscripcion.telefono).distinct()).all())


def sesiones_de_manana(uow, fecha):
    """Sesiones del club de embarazadas en `fecha` (el día siguiente), para el recordatorio por SMS."""
    try:
        dia = fecha if isinstance(fecha, date) else date.fromisoformat(str(fecha))
    except ValueError:
        raise error_de_campo("fecha", "Debe ser una fecha AAAA-MM-DD.") from None
    filas = uow.sesion.execute(sa.select(Sesion, Capacitacion).join(Capacitacion).where(
        Sesion.fecha == dia, Capacitacion.tipo == "club_embarazadas").order_by(Sesion.hora, Sesion.id)).all()
    return [{"sesion_id": s.id, "capacitacion_id": c.id, "municipio": c.municipio, "tipo": c.tipo,
             "fecha": s.fecha.isoformat(), "hora": s.hora, "lugar": c.lugar} for s, c in filas]


def agregados(uow, yo, filtros, hoy=None):
    """Totales sin datos personales: por municipio, tipo y mes, sobre las sesiones realizadas del periodo.

    Participantes distintas: la misma persona (por DNI, o nombre y nacimiento) cuenta una vez.
    Cuenta la base. Una actividad es de un solo municipio y un solo tipo, y una persona se cuenta por
    municipio: lo que junta municipios (o tipos, para actividades, sesiones y asistencias) es la suma de
    sus partes, y solo las personas distintas se cuentan en cada nivel con municipio.
    """
    f = cargar(schemas.FiltroAgregados(), filtros)
    hoy = hoy or dominio.hoy_local()
    municipios = f.get("municipios")
    if yo.rol != "servicio" and not municipios:
        raise error_de_campo("municipios", "Indique los municipios de la mancomunidad.")
    s = uow.sesion
    realizadas = [Sesion.fecha <= hoy]
    if f.get("desde"):
        realizadas.append(Sesion.fecha >= f["desde"])
    if f.get("hasta"):
        realizadas.append(Sesion.fecha <= f["hasta"])
    if municipios:
        realizadas.append(Capacitacion.municipio.in_(municipios))
    mes = agregar.mes(s, Sesion.fecha)
    presentes = sa.select(sa.func.count()).where(Asistencia.sesion_id == Sesion.id).scalar_subquery()
    sesiones = sa.select(agregar.distintos(s, Capacitacion.id), sa.func.count(), sa.func.sum(presentes),
                         sa.func.max(Sesion.fecha)).select_from(sa.join(Sesion, Capacitacion)).where(*realizadas)
    # Una fila por actividad y mes con sesiones; cada una trae a todas sus inscritas.
    pares = sa.select(Capacitacion.id, Capacitacion.municipio, Capacitacion.tipo, mes.label("mes")).select_from(
        sa.join(Sesion, Capacitacion)).where(*realizadas).distinct().subquery()
    inscritas = sa.select(agregar.distintos(s, Inscripcion.clave_persona)).select_from(
        sa.join(pares, Inscripcion, Inscripcion.capacitacion_id == pares.c.id))

    celdas = defaultdict(lambda: {"actividades": 0, "sesiones_realizadas": 0, "asistencias": 0, "personas": 0})
    ultima = {}
    for nivel, (mun, tipo, m, actividades, n, asistencias, fecha) in agregar.por_niveles(
            s, sesiones, {"municipio": Capacitacion.municipio, "tipo": Capacitacion.tipo, "mes": mes},
            (("municipio", "tipo", "mes"), ("municipio", "tipo"))):
        m = agregar.texto_mes(m)
        if "mes" in nivel:
            destinos = ((mun, tipo, m), (mun, None, m), (None, None, m))
        else:
            destinos = ((mun, tipo, None), (mun, None, None), (None, tipo, None), (None, None, None))
            ultima[mun] = max(ultima.get(mun, fecha), fecha)
        for clave in destinos:
            celda = celdas[clave]
            celda["actividades"] += actividades
            celda["sesiones_realizadas"] += n
            celda["asistencias"] += int(asistencias or 0)  # SUM de conteos: numeric en PostgreSQL
    for nivel, (mun, tipo, m, n) in agregar.por_niveles(
            s, inscritas, {"municipio": pares.c.municipio, "tipo": pares.c.tipo, "mes": pares.c.mes},
            (("municipio", "tipo", "mes"), ("municipio", "tipo"), ("municipio", "mes"), ("municipio",))):
        m = agregar.texto_mes(m)
        celdas[mun, tipo, m]["personas"] += n
        if nivel != ("municipio", "tipo", "mes"):  # una persona es de un municipio: entre municipios se suman
            celdas[None, tipo, m]["personas"] += n

    def volcar(celda):
        return {"actividades": celda["actividades"], "sesiones_realizadas": celda["sesiones_realizadas"],
                "participantes": celda["personas"], "asistencias": celda["asistencias"]}

    orden = sorted(celdas, key=str)
    por_tipo, por_mes = defaultdict(dict), defaultdict(dict)
    for mun, tipo, m in orden:
        if mun and tipo and m is None:
            por_tipo[mun][tipo] = volcar(celdas[mun, tipo, m])
        elif mun and tipo is None and m:
            por_mes[mun][m] = volcar(celdas[mun, tipo, m])
    por_municipio = {
        mun: {**volcar(celdas[(mun, None, None)]), "por_tipo": por_tipo[mun], "por_mes": por_mes[mun],
              "ultima_fecha": ultima[mun].isoformat()}
        for mun in sorted({k[0] for k in celdas if k[0]})}
    return {
        "desde": f["desde"].isoformat() if f.get("desde") else None,
        "hasta": f["hasta"].isoformat() if f.get("hasta") else None,
        "por_municipio": por_municipio,
        "filas": [{"municipio": k[0], "tipo": k[1], "mes": k[2], **volcar(celdas[k])}
                  for k in orden if k[0] and k[1] and k[2]],
        "total": {**volcar(celdas[(None, None, None)]),
                  "por_tipo": {k[1]: volcar(celdas[k]) for k in orden if k[0] is None and k[1] and k[2] is None},
                  "por_mes": {k[2]: volcar(celdas[k]) for k in orden if k[0] is None and k[1] is None and k[2]}},
    }


def actividades(uow, filtros, hoy=None):
    """Las actividades con sesiones realizadas en el periodo, para el informe: sin nombres de personas.

    El facilitador no sale: es un nombre propio y el informe puede llegar a la mancomunidad.
    """
    f = cargar(schemas.FiltroAgregados(), filtros)
    if not f.get("municipios"):
        raise error_de_campo("municipios", "Indique los municipios del informe.")
    hoy = hoy or dominio.hoy_local()
    s = uow.sesion
    condiciones = [Capacitacion.municipio.in_(f["municipios"]), Sesion.fecha <= hoy]
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
    inscritas, asistencias = {}, {}
    if ids:
        inscritas = dict(s.execute(sa.select(Inscripcion.capacitacion_id, sa.func.count()).where(
            Inscripcion.capacitacion_id.in_(ids)).group_by(Inscripcion.capacitacion_id)).all())
        consulta = (sa.select(Asistencia.capacitacion_id, sa.func.count()).join(
            Sesion, Sesion.id == Asistencia.sesion_id).where(Asistencia.capacitacion_id.in_(ids), *condiciones[1:])
            .group_by(Asistencia.capacitacion_id))
        asistencias = dict(s.execute(consulta).all())
    return [{"municipio": mun, "tipo": tipo, "titulo": titulo, "institucion": institucion, "lugar": lugar,
             "desde": primera.isoformat(), "hasta": ultima.isoformat(), "sesiones_realizadas": n,
             "participantes": inscritas.get(cid, 0), "asistencias": asistencias.get(cid, 0)}
            for cid, mun, tipo, titulo, institucion, lugar, primera, ultima, n in filas]
