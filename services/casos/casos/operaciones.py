"""Casos de uso de casos: cada lectura del detalle y cada escritura quedan en la bitácora."""
from collections import Counter
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa

from omm_common import agregados as agregar, resumenes
from omm_common.db import es_postgres, paginar
from omm_common.errores import Conflicto, ErrorValidacion, NoEncontrado, error_de_campo, incoherentes, no_existe
from omm_common.esquemas import cargar, es_uuid
from omm_common.municipios import buscar as buscar_municipio
from omm_common.tablas import siguiente_numero
from omm_common.tiempo import ahora_utc, hoy_honduras

from . import cifrado, dominio, schemas
from .contrato import (
    CasoCerrado, CasoDerivado, CasoReabierto, CasoRegistrado, RiesgoReevaluado, SeguimientoRegistrado,
    SeguimientoVencido,
)
from .models import (
    Auditoria, CambioConsentimiento, Caso, Derivacion, IndiceCiego, MotivoAuditoria, ResumenCasos, Seguimiento, ValoracionRiesgo,
    VencimientoEmitido, nuevo_id,
)

ROLES = ("coordinadora", "tecnica")


def _auditar(s, yo, accion, caso_id=None, campos=None, motivo=None):
    """`campos`: nombres de lo corregido, nunca los valores; `motivo` va cifrado como todo texto libre."""
    entrada = Auditoria(municipio=yo.municipio, caso_id=caso_id, usuario_id=yo.usuario_id, usuario=yo.usuario,
                        rol=yo.rol, accion=accion, campos=campos)
    s.add(entrada)
    if motivo:
        s.flush()  # el motivo se ata al id de su entrada
        entrada.motivo = MotivoAuditoria(auditoria_id=entrada.id, municipio=yo.municipio)
        cifrado.poner(entrada.motivo, "motivo_cifrado", motivo)


def _caso(s, yo, caso_id, bloquear=False):
    if not es_uuid(caso_id):
        raise NoEncontrado("No se encontró el caso.")
    caso = s.get(Caso, str(caso_id), with_for_update=bloquear and es_postgres(s))
    # Otro municipio: igual que inexistente, para no revelar que existe.
    if caso is None or caso.municipio != yo.municipio:
        raise NoEncontrado("No se encontró el caso.")
    return caso


def _responsable(c):
    return {"id": c.responsable_id, "nombre": c.responsable_nombre} if c.responsable_id else None


def _resumen(c):
    return schemas.CasoResumen().dump({**{k: getattr(c, k) for k in schemas.CasoResumen().fields
                                          if k != "responsable"}, "responsable": _responsable(c)})


_CAMPOS_DERIVACION = ("id", "destino", "urgente", "horas_desde_incidente", "creado_en", "aviso", "aviso_enviado_en",
                      "aviso_confirmado_en")


def _detalle(c):
    privado = cifrado.leer(c, "datos_cifrados")
    datos = {k: getattr(c, k) for k in ("id", "codigo", "estado", "fecha_atencion", "fecha_incidente",
                                        "tipos_violencia", "contexto", "nivel_riesgo", "proxima_fecha",
                                        "creado_en", "agresor", "tipo_gbvims")}
    datos.update(
        sobreviviente=privado["sobreviviente"], relato=privado["relato"],
        tipos_gbvims=dominio.tipos_gbvims(c.tipos_violencia),
        tipo_gbvims_nombre=dominio.NOMBRES_GBVIMS_CON_VACIO[c.tipo_gbvims or dominio.SIN_CLASIFICAR],
        responsable=_responsable(c),
        consentimiento={"servicios": c.consentimiento_servicios, "derivacion": c.consentimiento_derivacion,
                        "estadisticas": c.consentimiento_estadisticas},
        # Tras reabrir, el motivo del último cierre sigue guardado (y en la bitácora), pero el caso no está cerrado.
        motivo_cierre=cifrado.leer(c, "motivo_cierre_cifrado") if c.estado == "cerrado" else None,
        seguimientos=[{**{k: getattr(x, k) for k in ("id", "fecha", "tipo", "proxima_fecha", "creado_en")},
                       "nota": cifrado.leer(x, "nota_cifrada")} for x in c.seguimientos],
        derivaciones=[{**{k: getattr(x, k) for k in _CAMPOS_DERIVACION},
                       "motivo": cifrado.leer(x, "motivo_cifrado")} for x in c.derivaciones],
        valoraciones=[{"id": v.id, "fecha": v.fecha, "nivel_riesgo": v.nivel_riesgo,
                       "nivel_riesgo_nombre": dominio.NOMBRES_NIVEL_RIESGO[v.nivel_riesgo],
                       "motivo": cifrado.leer(v, "motivo_cifrado"),
                       "registrada_por": {"id": v.registrada_por, "nombre": v.registrada_por_nombre},
                       "creado_en": v.creado_en} for v in c.valoraciones],
        consentimientos=[{"id": x.id, "fecha": x.fecha, "servicios": x.servicios, "derivacion": x.derivacion,
                          "estadisticas": x.estadisticas, "motivo": cifrado.leer(x, "motivo_cifrado"),
                          "registrado_por": {"id": x.registrado_por, "nombre": x.registrado_por_nombre},
                          "creado_en": x.creado_en} for x in c.consentimientos],
    )
    return schemas.CasoSalida().dump(datos)


def crear_caso(uow, yo, cuerpo, clave_idempotencia=None):
    datos = cargar(schemas.CasoEntrada(), cuerpo)
    error = dominio.error_incidente(datos.get("fecha_incidente"), datos["fecha_atencion"])
    if error:
        raise incoherentes({"fecha_incidente": [error]})
    s = uow.sesion
    if clave_idempotencia:
        previo = s.scalar(sa.select(Caso).where(Caso.creado_por == yo.usuario_id,
                                                Caso.clave_idempotencia == clave_idempotencia))
        if previo:
            return _resumen(previo)
    municipio = yo.exigir_municipio()
    anio = datos["fecha_atencion"].year
    numero = siguiente_numero(s, municipio, "caso", anio)
    sigla = buscar_municipio(municipio).sigla
    sobre = datos["sobreviviente"]
    privado = {"sobreviviente": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in sobre.items()},
               "relato": datos["relato"]}
    consentimiento = datos["consentimiento"]
    caso = Caso(
        id=nuevo_id(), municipio=municipio, codigo=f"{sigla}-{anio}-{numero:04d}", anio=anio, numero=numero,
        estado="abierto", fecha_atencion=datos["fecha_atencion"], fecha_incidente=datos.get("fecha_incidente"),
        tipos_violencia=list(dict.fromkeys(datos["tipos_violencia"])), contexto=datos["contexto"],
        nivel_riesgo=datos["nivel_riesgo"], agresor=datos.get("agresor"),
        tipo_gbvims=datos.get("tipo_gbvims") or dominio.gbvims_derivado(datos["tipos_violencia"]),
        responsable_id=yo.usuario_id, responsable_nombre=yo.nombre,
        consentimiento_servicios=consentimiento["servicios"], consentimiento_derivacion=consentimiento["derivacion"],
        consentimiento_estadisticas=consentimiento["estadisticas"],
        creado_por=yo.usuario_id, clave_idempotencia=clave_idempotencia)
    cifrado.poner(caso, "datos_cifrados", privado)
    s.add(caso)
    s.flush()
    # La valoración y el consentimiento del registro son la primera entrada de cada historia.
    s.add(ValoracionRiesgo(caso_id=caso.id, municipio=municipio, fecha=caso.fecha_atencion,
                           nivel_riesgo=caso.nivel_riesgo, registrada_por=yo.usuario_id,
                           registrada_por_nombre=yo.nombre))
    s.add(CambioConsentimiento(caso_id=caso.id, municipio=municipio, fecha=caso.fecha_atencion,
                               **consentimiento, registrado_por=yo.usuario_id, registrado_por_nombre=yo.nombre))
    _indexar(s, caso, sobre)
    _auditar(s, yo, "registrar", caso.id)
    resumenes.marcar(s, municipio, [caso.fecha_atencion])
    uow.emitir(CasoRegistrado(
        caso_id=caso.id, codigo=caso.codigo, tipos_violencia=caso.tipos_violencia, nivel_riesgo=caso.nivel_riesgo,
        fecha_incidente=caso.fecha_incidente), municipio)
    return _resumen(caso)


def _indexar(s, caso, sobre):
    """Los índices ciegos del nombre y el DNI vigentes (al registrar y tras corregirlos)."""
    s.execute(sa.delete(IndiceCiego).where(IndiceCiego.caso_id == caso.id))
    version = cifrado.version_actual()
    for token in cifrado.indices_ciegos(caso.municipio, sobre["nombres"], sobre["apellidos"], sobre.get("dni"),
                                        version):
        s.add(IndiceCiego(caso_id=caso.id, municipio=caso.municipio, version=version, token=token))


def listar_casos(uow, yo, filtros):
    f = cargar(schemas.FiltroCasos(), filtros)
    s = uow.sesion
    consulta = sa.select(Caso).where(Caso.municipio == yo.exigir_municipio())
    for campo in ("estado", "nivel_riesgo"):
        if f.get(campo):
            consulta = consulta.where(getattr(Caso, campo) == f[campo])
    if f.get("desde"):
        consulta = consulta.where(Caso.fecha_atencion >= f["desde"])
    if f.get("hasta"):
        consulta = consulta.where(Caso.fecha_atencion <= f["hasta"])
    if f.get("tipo_violencia"):
        # JSON portable: el tipo aparece entre comillas dentro de la lista guardada.
        consulta = consulta.where(sa.cast(Caso.tipos_violencia, sa.String).contains(f'"{f["tipo_violencia"]}"'))
    responsable = yo.usuario_id if f.get("mios") or f.get("responsable") == "yo" else f.get("responsable")
    if responsable:
        consulta = consulta.where(Caso.responsable_id == responsable)
    if f.get("tipo_gbvims") == dominio.SIN_CLASIFICAR:
        consulta = consulta.where(Caso.tipo_gbvims.is_(None))
    elif f.get("tipo_gbvims"):
        consulta = consulta.where(Caso.tipo_gbvims == f["tipo_gbvims"])
    if f.get("codigo"):
        consulta = consulta.where(Caso.codigo == f["codigo"].upper())
    if f.get("q"):
        for token in cifrado.terminos_busqueda(yo.municipio, f["q"]):
            consulta = consulta.where(Caso.id.in_(sa.select(IndiceCiego.caso_id).where(
                IndiceCiego.municipio == yo.municipio, IndiceCiego.token == token)))
    _auditar(s, yo, "listar")
    return paginar(s, consulta.order_by(Caso.fecha_atencion.desc(), Caso.numero.desc()), f, _en_lista)


def _en_lista(c):
    """Una fila de la lista: el resumen y las iniciales (como la agenda), nunca el nombre."""
    persona = cifrado.leer(c, "datos_cifrados")["sobreviviente"]
    return {**_resumen(c), "iniciales": dominio.iniciales(persona["nombres"], persona["apellidos"])}


def obtener_caso(uow, yo, caso_id):
    caso = _caso(uow.sesion, yo, caso_id)
    _auditar(uow.sesion, yo, "leer", caso.id)
    return _detalle(caso)


def registrar_seguimiento(uow, yo, caso_id, cuerpo, clave_idempotencia=None):
    datos = cargar(schemas.SeguimientoEntrada(), cuerpo)
    s = uow.sesion
    caso = _caso(s, yo, caso_id, bloquear=True)
    if clave_idempotencia:
        previo = s.scalar(sa.select(Seguimiento).where(Seguimiento.registrado_por == yo.usuario_id,
                                                       Seguimiento.clave_idempotencia == clave_idempotencia))
        if previo:
            return _detalle(caso)
    estado = dominio.estado_tras_seguimiento(caso.estado)
    errores = dominio.error_fechas_seguimiento(caso.fecha_atencion, datos["fecha"], datos.get("proxima_fecha"),
                                               hoy_honduras())
    if errores:
        detalles = {k: [v] for k, v in errores.items()}
        if datos["fecha"] > hoy_honduras():
            raise ErrorValidacion("Hay datos inválidos en la solicitud.", detalles)
        if "proxima_fecha" in errores and "fecha" not in errores:
            raise incoherentes(detalles)  # cada fecha es válida; su orden no (el documento no lo puede decir)
        # Anterior a la atención: la solicitud es válida, choca con la fecha que el caso ya tiene.
        raise Conflicto("La fecha choca con la atención del caso.", detalles, codigo="ESTADO_INVALIDO")
    caso.estado = estado
    seg = Seguimiento(id=nuevo_id(), caso_id=caso.id, municipio=caso.municipio, fecha=datos["fecha"],
                      tipo=datos["tipo"], proxima_fecha=datos.get("proxima_fecha"), registrado_por=yo.usuario_id,
                      clave_idempotencia=clave_idempotencia)
    cifrado.poner(seg, "nota_cifrada", datos["nota"])
    s.add(seg)
    s.flush()
    s.refresh(caso)
    # La próxima cita es la del último seguimiento por fecha: uno anotado tarde, de días atrás, no la cambia.
    caso.proxima_fecha = dominio.vigente(caso.seguimientos).proxima_fecha
    _auditar(s, yo, "seguimiento", caso.id)
    uow.emitir(SeguimientoRegistrado(
        caso_id=caso.id, codigo=caso.codigo, seguimiento_id=seg.id, tipo=seg.tipo,
        proxima_fecha=seg.proxima_fecha), caso.municipio)
    s.flush()
    return _detalle(caso)


def registrar_derivacion(uow, yo, caso_id, cuerpo, clave_idempotencia=None, ahora=None):
    datos = cargar(schemas.DerivacionEntrada(), cuerpo)
    s = uow.sesion
    caso = _caso(s, yo, caso_id, bloquear=True)
    if clave_idempotencia:
        previa = s.scalar(sa.select(Derivacion).where(Derivacion.registrada_por == yo.usuario_id,
                                                      Derivacion.clave_idempotencia == clave_idempotencia))
        if previa:
            return _derivacion_salida(caso, previa)
    caso.estado = dominio.estado_tras_derivacion(caso.estado, caso.consentimiento_derivacion)
    horas = dominio.horas_desde_incidente(caso.fecha_incidente, ahora or ahora_utc(),
                                          caso.hora_incidente)
    motivo_urgencia = dominio.motivo_urgencia(datos["destino"], caso.tipos_violencia, horas, datos["urgente"])
    urgente = motivo_urgencia is not None
    d = Derivacion(id=nuevo_id(), caso_id=caso.id, municipio=caso.municipio, destino=datos["destino"],
                   urgente=urgente, urgente_solicitado=datos["urgente"], horas_desde_incidente=horas,
                   registrada_por=yo.usuario_id, clave_idempotencia=clave_idempotencia,
                   aviso="pendiente" if datos["destino"] == "cis" else None)
    cifrado.poner(d, "motivo_cifrado", datos["motivo"])
    s.add(d)
    s.flush()
    _auditar(s, yo, "derivar", caso.id)
    sobre = uow.emitir(CasoDerivado(
        caso_id=caso.id, codigo=caso.codigo, derivacion_id=d.id, destino=d.destino, urgente=urgente,
        motivo_urgencia=motivo_urgencia, tipos_violencia=caso.tipos_violencia, horas_desde_incidente=horas),
        caso.municipio)
    # Las notificaciones del aviso nombran este evento: así vuelven su envío y el acuse del CIS (aplicar_aviso).
    d.evento_id = sobre["id"]
    return _derivacion_salida(caso, d)


def _derivacion_salida(caso, d):
    return schemas.DerivacionSalida().dump({
        **{k: getattr(d, k) for k in _CAMPOS_DERIVACION},
        "motivo": cifrado.leer(d, "motivo_cifrado")})


def cerrar_caso(uow, yo, caso_id, cuerpo):
    datos = cargar(schemas.CierreEntrada(), cuerpo)
    s = uow.sesion
    caso = _caso(s, yo, caso_id, bloquear=True)
    caso.estado = dominio.estado_tras_cierre(caso.estado)
    cifrado.poner(caso, "motivo_cierre_cifrado", datos["motivo"])
    caso.cerrado_en, caso.cerrado_por = ahora_utc(), yo.usuario_id
    _auditar(s, yo, "cerrar", caso.id, motivo=datos["motivo"])
    uow.emitir(CasoCerrado(caso_id=caso.id, codigo=caso.codigo), caso.municipio)
    s.flush()
    return _detalle(caso)


def auditoria(uow, yo, caso_id):
    s = uow.sesion
    caso = _caso(s, yo, caso_id)
    filas = s.scalars(sa.select(Auditoria).where(Auditoria.caso_id == caso.id).order_by(Auditoria.id)).all()
    _auditar(s, yo, "leer_auditoria", caso.id)
    return schemas.AuditoriaSalida(many=True).dump([
        {**{k: getattr(f, k) for k in ("usuario_id", "usuario", "rol", "accion", "en", "campos")},
         "motivo": f.motivo and cifrado.leer(f.motivo, "motivo_cifrado")} for f in filas])


def _fecha_de_registro(caso, datos, que):
    fecha = datos.get("fecha") or hoy_honduras()
    error = dominio.error_fecha_registro(caso.fecha_atencion, fecha, hoy_honduras(), que)
    if error and fecha > hoy_honduras():
        raise error_de_campo("fecha", error)
    if error:
        # Anterior a la atención: choca con la fecha que el caso ya tiene (409, con el campo).
        raise Conflicto(error, {"fecha": [error]}, codigo="ESTADO_INVALIDO")
    return fecha


def _previa(s, clase, columna, yo, clave):
    if not clave:
        return None
    return s.scalar(sa.select(clase).where(getattr(clase, columna) == yo.usuario_id,
                                           clase.clave_idempotencia == clave))


def reevaluar_riesgo(uow, yo, caso_id, cuerpo, clave_idempotencia=None):
    """Una nueva valoración fechada (quién, cuándo, por qué): el nivel del caso es el de la vigente."""
    datos = cargar(schemas.ValoracionEntrada(), cuerpo)
    s = uow.sesion
    caso = _caso(s, yo, caso_id, bloquear=True)
    if _previa(s, ValoracionRiesgo, "registrada_por", yo, clave_idempotencia):
        return _detalle(caso)
    dominio.exigir_no_cerrado(caso.estado, "nuevas valoraciones del riesgo")
    fecha = _fecha_de_registro(caso, datos, "la valoración")
    anterior = caso.nivel_riesgo
    valoracion = ValoracionRiesgo(caso_id=caso.id, municipio=caso.municipio, fecha=fecha,
                                  nivel_riesgo=datos["nivel_riesgo"], registrada_por=yo.usuario_id,
                                  registrada_por_nombre=yo.nombre, clave_idempotencia=clave_idempotencia,
                                  creado_en=ahora_utc())
    cifrado.poner(valoracion, "motivo_cifrado", datos["motivo"])
    s.add(valoracion)
    s.flush()
    s.refresh(caso)
    caso.nivel_riesgo = dominio.vigente(caso.valoraciones).nivel_riesgo
    _auditar(s, yo, "valorar_riesgo", caso.id, campos=["nivel_riesgo"], motivo=datos["motivo"])
    # La región cuenta los casos por nivel de riesgo.
    resumenes.marcar(s, caso.municipio, [caso.fecha_atencion])
    uow.emitir(RiesgoReevaluado(caso_id=caso.id, codigo=caso.codigo, nivel_riesgo=caso.nivel_riesgo,
                                nivel_anterior=anterior), caso.municipio)
    s.flush()
    return _detalle(caso)


def cambiar_consentimiento(uow, yo, caso_id, cuerpo, clave_idempotencia=None):
    """La sobreviviente da o retira un consentimiento: nueva entrada fechada; vale la vigente."""
    datos = cargar(schemas.ConsentimientoEntrada(), cuerpo)
    s = uow.sesion
    caso = _caso(s, yo, caso_id, bloquear=True)
    if _previa(s, CambioConsentimiento, "registrado_por", yo, clave_idempotencia):
        return _detalle(caso)
    fecha = _fecha_de_registro(caso, datos, "el cambio de consentimiento")
    cambio = CambioConsentimiento(caso_id=caso.id, municipio=caso.municipio, fecha=fecha,
                                  servicios=datos["servicios"], derivacion=datos["derivacion"],
                                  estadisticas=datos["estadisticas"], registrado_por=yo.usuario_id,
                                  registrado_por_nombre=yo.nombre, clave_idempotencia=clave_idempotencia,
                                  creado_en=ahora_utc())
    cifrado.poner(cambio, "motivo_cifrado", datos["motivo"])
    s.add(cambio)
    s.flush()
    s.refresh(caso)
    v = dominio.vigente(caso.consentimientos)
    cambiados = [k for k in ("servicios", "derivacion", "estadisticas")
                 if getattr(caso, f"consentimiento_{k}") != getattr(v, k)]
    for k in ("servicios", "derivacion", "estadisticas"):
        setattr(caso, f"consentimiento_{k}", getattr(v, k))
    _auditar(s, yo, "cambiar_consentimiento", caso.id, campos=[f"consentimiento.{k}" for k in cambiados],
             motivo=datos["motivo"])
    # Los agregados solo cuentan los casos con consentimiento para estadísticas.
    resumenes.marcar(s, caso.municipio, [caso.fecha_atencion])
    s.flush()
    return _detalle(caso)


def reabrir_caso(uow, yo, caso_id, cuerpo):
    datos = cargar(schemas.ReaperturaEntrada(), cuerpo)
    s = uow.sesion
    caso = _caso(s, yo, caso_id, bloquear=True)
    caso.estado = dominio.estado_tras_reapertura(caso.estado, bool(caso.seguimientos))
    caso.cerrado_en = caso.cerrado_por = None
    _auditar(s, yo, "reabrir", caso.id, campos=["estado"], motivo=datos["motivo"])
    uow.emitir(CasoReabierto(caso_id=caso.id, codigo=caso.codigo), caso.municipio)
    s.flush()
    return _detalle(caso)


def corregir_caso(uow, yo, caso_id, cuerpo):
    """Corrige identificación y clasificación; la bitácora guarda qué campos, quién, cuándo y por qué (cifrado),
    nunca los valores. Repetir la misma corrección no cambia nada ni deja otra entrada."""
    datos = cargar(schemas.CorreccionEntrada(), cuerpo)
    s = uow.sesion
    caso = _caso(s, yo, caso_id, bloquear=True)
    cambiados = []
    privado = cifrado.leer(caso, "datos_cifrados")
    sobre = dict(privado["sobreviviente"])
    for k, v in datos.get("sobreviviente", {}).items():
        v = v.isoformat() if hasattr(v, "isoformat") else v
        if sobre.get(k) != v:
            sobre[k] = v
            cambiados.append(f"sobreviviente.{k}")
    if "fecha_incidente" in datos and datos["fecha_incidente"] != caso.fecha_incidente:
        mensaje = dominio.error_incidente(datos["fecha_incidente"], caso.fecha_atencion, nombrar_atencion=True)
        if mensaje:  # choca con la atención que el caso ya tiene (409, con el campo)
            raise Conflicto(mensaje, {"fecha_incidente": [mensaje]}, codigo="ESTADO_INVALIDO")
        caso.fecha_incidente = datos["fecha_incidente"]
        cambiados.append("fecha_incidente")
    if "tipos_violencia" in datos:
        tipos = list(dict.fromkeys(datos["tipos_violencia"]))
        if tipos != list(caso.tipos_violencia):
            caso.tipos_violencia = tipos
            cambiados.append("tipos_violencia")
    if "tipo_gbvims" in datos:
        error = dominio.validar_gbvims(caso.tipos_violencia, datos["tipo_gbvims"])
        if error and "tipos_violencia" in datos:
            raise error_de_campo("tipo_gbvims", error)
        if error:
            # Choca con los tipos de violencia que el caso ya tiene (409, con el campo).
            raise Conflicto(error, {"tipo_gbvims": [error]}, codigo="ESTADO_INVALIDO")
        nuevo_gbvims = datos["tipo_gbvims"]
    else:
        nuevo_gbvims = dominio.gbvims_tras_cambio(caso.tipos_violencia, caso.tipo_gbvims)
    if nuevo_gbvims != caso.tipo_gbvims:
        caso.tipo_gbvims = nuevo_gbvims
        cambiados.append("tipo_gbvims")
    for campo in ("contexto", "agresor"):
        if campo in datos and datos[campo] != getattr(caso, campo):
            setattr(caso, campo, datos[campo])
            cambiados.append(campo)
    if not cambiados:
        return _detalle(caso)
    if any(c.startswith("sobreviviente.") for c in cambiados):
        cifrado.poner(caso, "datos_cifrados", {**privado, "sobreviviente": sobre})
        if {"sobreviviente.nombres", "sobreviviente.apellidos", "sobreviviente.dni"} & set(cambiados):
            _indexar(s, caso, sobre)
    _auditar(s, yo, "corregir", caso.id, campos=cambiados, motivo=datos["motivo"])
    if {"tipos_violencia", "tipo_gbvims", "contexto"} & set(cambiados):
        resumenes.marcar(s, caso.municipio, [caso.fecha_atencion])
    s.flush()
    return _detalle(caso)


def asignar_responsable(uow, yo, caso_id, usuario_id, candidata):
    """`candidata`: la usuaria como la tiene el gateway (id, nombre, municipio, activo, rol), o None si no existe.
    Debe estar activa, ser del municipio del caso y coordinadora o técnica."""
    s = uow.sesion
    caso = _caso(s, yo, caso_id, bloquear=True)
    error = dominio.error_responsable(SimpleNamespace(**candidata) if candidata else None, caso.municipio)
    if candidata is None or candidata["id"] != str(usuario_id) or error == dominio.error_responsable(None, None):
        raise no_existe("usuario_id", "No existe esa usuaria en el municipio.")
    if error:
        # Existe, pero desactivada o con otro rol: choca con el estado de la cuenta.
        raise Conflicto(error, {"usuario_id": [error]}, codigo="ESTADO_INVALIDO")
    nombre = candidata["nombre"]
    if caso.responsable_id != usuario_id or caso.responsable_nombre != nombre:
        caso.responsable_id, caso.responsable_nombre = usuario_id, nombre
        _auditar(s, yo, "asignar_responsable", caso.id, campos=["responsable"])
        s.flush()
    return _detalle(caso)


def agenda(uow, yo, filtros):
    """Seguimientos que tocan hoy y vencidos de los casos no cerrados, con iniciales (nunca el nombre)."""
    f = cargar(schemas.FiltroAgenda(), filtros)
    s = uow.sesion
    hoy = hoy_honduras()
    consulta = sa.select(Caso).where(Caso.municipio == yo.exigir_municipio(), Caso.estado != "cerrado",
                                     Caso.proxima_fecha.is_not(None), Caso.proxima_fecha <= hoy)
    if f["mios"]:
        consulta = consulta.where(Caso.responsable_id == yo.usuario_id)
    hoy_, vencidos = [], []
    for c in s.scalars(consulta.order_by(Caso.proxima_fecha, Caso.codigo)).all():
        persona = cifrado.leer(c, "datos_cifrados")["sobreviviente"]
        fila = {"id": c.id, "codigo": c.codigo, "estado": c.estado, "nivel_riesgo": c.nivel_riesgo,
                "iniciales": dominio.iniciales(persona["nombres"], persona["apellidos"]),
                "responsable": _responsable(c), "proxima_fecha": c.proxima_fecha,
                "dias_vencido": dominio.dias_vencido(c.proxima_fecha, hoy)}
        (hoy_ if c.proxima_fecha == hoy else vencidos).append(fila)
    _auditar(s, yo, "agenda")
    return schemas.AgendaSalida().dump({"fecha": hoy, "hoy": hoy_, "vencidos": vencidos})




def aplicar_aviso(uow, sobre):
    """Evento de notificaciones sobre el aviso de un CasoDerivado: la derivación muestra si salió y si el CIS
    lo confirmó. Otros eventos de origen (ayudas, capacitaciones) no tienen derivación: no hacen nada."""
    datos = sobre.get("datos") or {}
    nuevo = dominio.aviso_del_evento(sobre["tipo"], datos.get("destinatario"), datos.get("evento_tipo"))
    evento_id = datos.get("evento_id")
    if not nuevo or not evento_id:
        return None
    d = uow.sesion.scalar(sa.select(Derivacion).where(Derivacion.evento_id == str(evento_id)))
    if d is None:
        return None
    momento = datetime.fromisoformat(sobre["ocurrido_en"])
    d.aviso = dominio.aviso_tras(d.aviso, nuevo)
    if nuevo == "enviada" and d.aviso_enviado_en is None:
        d.aviso_enviado_en = momento
    if nuevo == "confirmada" and d.aviso_confirmado_en is None:
        d.aviso_confirmado_en = momento
    return d.aviso


def datos_derivacion(uow, derivacion_id, municipio):
    """Para notificaciones: nombre y teléfono solo si la sobreviviente consintió la derivación, y solo para el
    municipio del aviso (un evento con otro municipio no saca los datos hacia el CIS de otro lugar)."""
    if not es_uuid(derivacion_id):
        return None
    d = uow.sesion.get(Derivacion, str(derivacion_id))
    if d is None or d.municipio != municipio or not d.caso.consentimiento_derivacion:
        return None
    privado = cifrado.leer(d.caso, "datos_cifrados")["sobreviviente"]
    uow.sesion.add(Auditoria(municipio=d.municipio, caso_id=d.caso_id, usuario_id="servicio:notificaciones",
                             usuario="notificaciones", rol="servicio", accion="compartir_con_destino"))
    return {"nombre": f"{privado['nombres']} {privado['apellidos']}", "telefono": privado.get("telefono"),
            "codigo": d.caso.codigo, "destino": d.destino, "urgente": d.urgente}


def emitir_seguimientos_vencidos(uow, hoy=None):
    """Una vez por (caso, fecha programada): el registro de lo emitido impide repetir el aviso."""
    hoy = hoy or hoy_honduras()
    s = uow.sesion
    vencidos = s.scalars(sa.select(Caso).where(
        Caso.estado != "cerrado", Caso.proxima_fecha.is_not(None), Caso.proxima_fecha < hoy,
        ~sa.exists().where(VencimientoEmitido.caso_id == Caso.id,
                           VencimientoEmitido.proxima_fecha == Caso.proxima_fecha))).all()
    for c in vencidos:
        s.add(VencimientoEmitido(caso_id=c.id, proxima_fecha=c.proxima_fecha))
        uow.emitir(SeguimientoVencido(caso_id=c.id, codigo=c.codigo, proxima_fecha=c.proxima_fecha), c.municipio)
    return len(vencidos)


def _filtrados(consulta, municipios, desde, hasta):
    if municipios is not None:
        consulta = consulta.where(Caso.municipio.in_(list(municipios)))
    if desde:
        consulta = consulta.where(Caso.fecha_atencion >= desde)
    if hasta:
        consulta = consulta.where(Caso.fecha_atencion <= hasta)
    return consulta


def _celdas(s, municipios, desde, hasta):
    """Casos con consentimiento para estadísticas por (municipio, mes, dimensión, valor), contados en la base.

    Cada tipo de violencia es una suma condicional, como filtra listar_casos: al crear el caso los tipos
    se validan contra dominio.TIPOS_VIOLENCIA y se guardan sin repetir. El total y los tipos salen de la
    agrupación por riesgo: cada caso tiene un solo nivel de riesgo. `municipios` None: todos.
    """
    texto = sa.cast(Caso.tipos_violencia, sa.String)
    consulta = _filtrados(sa.select(sa.func.count(), *[sa.func.sum(sa.case((texto.contains(f'"{t}"'), 1), else_=0))
                                                       for t in dominio.TIPOS_VIOLENCIA]).where(
        Caso.consentimiento_estadisticas.is_(True)), municipios, desde, hasta)
    claves = {"municipio": Caso.municipio, "mes": agregar.mes(s, Caso.fecha_atencion),
              "nivel_riesgo": Caso.nivel_riesgo, "contexto": Caso.contexto,
              # Literal en el SQL, no parámetro: el mismo texto en el SELECT y en los GROUPING SETS.
              "gbvims": sa.func.coalesce(Caso.tipo_gbvims, sa.literal_column(f"'{dominio.SIN_CLASIFICAR}'"))}
    celdas = Counter()
    for nivel, (municipio, mes, riesgo, contexto, gbvims, n, *por_tipo) in agregar.por_niveles(
            s, consulta, claves, (("municipio", "mes", "nivel_riesgo"), ("municipio", "mes", "contexto"),
                                  ("municipio", "mes", "gbvims"))):
        mes = agregar.fecha_mes(mes)
        if "contexto" in nivel:
            celdas[municipio, mes, "contexto", contexto] += n
            continue
        if "gbvims" in nivel:
            celdas[municipio, mes, "gbvims", gbvims] += n
            continue
        celdas[municipio, mes, "total", "casos"] += n
        celdas[municipio, mes, "nivel_riesgo", riesgo] += n
        for tipo, veces in zip(dominio.TIPOS_VIOLENCIA, por_tipo):
            if veces:
                celdas[municipio, mes, "tipo_violencia", tipo] += veces
    # El informe propio de la oficina: todo caso atendido, con o sin consentimiento para estadísticas.
    mes_atencion = agregar.mes(s, Caso.fecha_atencion)
    for municipio, mes, n in s.execute(_filtrados(
            sa.select(Caso.municipio, mes_atencion, sa.func.count()), municipios, desde, hasta
    ).group_by(Caso.municipio, mes_atencion)).all():
        celdas[municipio, agregar.fecha_mes(mes), "atendidos", "casos"] += n
    return [{"municipio": m, "mes": mes, "dimension": d, "valor": v, "casos": n}
            for (m, mes, d, v), n in sorted(celdas.items())]


# Por mes (no sumadas en el periodo): el total con consentimiento y todos los atendidos.
MENSUALES = ("total", "atendidos")


def _leer_resumen(s, rango):
    """Los meses cerrados: cada dimensión sumada en la base y las mensuales de cada mes."""
    r = ResumenCasos
    return (s.execute(sa.select(r.municipio, r.dimension, r.valor, sa.func.sum(r.casos)).where(
                *rango, r.dimension.not_in(MENSUALES)).group_by(r.municipio, r.dimension, r.valor)).all(),
            s.execute(sa.select(r.municipio, r.mes, r.dimension, r.casos).where(
                *rango, r.dimension.in_(MENSUALES))).all())


def _responder(lectura):
    """Conteos sin identificadores, de casos con consentimiento para estadísticas, salvo `atendidos`.

    Por municipio, cada dimensión en el periodo (mes None) y, por mes, el total y los atendidos (todo caso
    que la oficina atendió, para su propio informe): es lo que la región publica, y así la respuesta de un
    país en una década no lleva cada valor de cada mes.
    """
    periodo, meses = Counter(), Counter()
    if lectura.cerrado is not None:
        dimensiones, mensuales = lectura.cerrado
        for m, d, v, n in dimensiones:
            periodo[m, d, v] += n
        for m, mes, d, n in mensuales:
            meses[m, agregar.fecha_mes(mes), d] += n
    for c in lectura.vivas:
        if c["dimension"] in MENSUALES:
            meses[c["municipio"], agregar.fecha_mes(c["mes"]), c["dimension"]] += c["casos"]
        else:
            periodo[c["municipio"], c["dimension"], c["valor"]] += c["casos"]
    return ([{"municipio": m, "mes": None, "dimension": d, "valor": v, "casos": n}
             for (m, d, v), n in sorted(periodo.items())]
            + [{"municipio": m, "mes": agregar.texto_mes(mes), "dimension": d, "valor": "casos", "casos": n}
               for (m, mes, d), n in sorted(meses.items(), key=lambda x: (x[0][0], MENSUALES.index(x[0][2]),
                                                                          x[0][1]))])


RESUMEN = resumenes.Resumen(tabla=ResumenCasos.__table__, filas="casos", fecha="fecha_atencion", celdas=_celdas,
                            leer_resumen=_leer_resumen, responder=_responder)
