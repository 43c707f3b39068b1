"""Casos de uso de casos: cada lectura del detalle y cada escritura quedan en la bitácora."""
from collections import Counter

import sqlalchemy as sa

from omm_common import agregados as agregar, resumenes
from omm_common.db import es_postgres, paginar
from omm_common.errores import NoEncontrado
from omm_common.esquemas import cargar, es_uuid
from omm_common.municipios import buscar as buscar_municipio
from omm_common.tablas import siguiente_numero
from omm_common.tiempo import ahora_utc, hoy_honduras

from . import cifrado, dominio, schemas
from .contrato import CasoCerrado, CasoDerivado, CasoRegistrado, SeguimientoRegistrado, SeguimientoVencido
from .models import (
    Auditoria, Caso, Derivacion, IndiceCiego, ResumenCasos, Seguimiento, VencimientoEmitido, nuevo_id,
)

ROLES = ("coordinadora", "tecnica")


def _auditar(s, yo, accion, caso_id=None):
    s.add(Auditoria(municipio=yo.municipio, caso_id=caso_id, usuario_id=yo.usuario_id, usuario=yo.usuario,
                    rol=yo.rol, accion=accion))


def _caso(s, yo, caso_id, bloquear=False):
    if not es_uuid(caso_id):
        raise NoEncontrado("No se encontró el caso.")
    caso = s.get(Caso, str(caso_id), with_for_update=bloquear and es_postgres(s))
    # Otro municipio: igual que inexistente, para no revelar que existe.
    if caso is None or caso.municipio != yo.municipio:
        raise NoEncontrado("No se encontró el caso.")
    return caso


def _resumen(c):
    return schemas.CasoResumen().dump(c)


def _detalle(c):
    privado = cifrado.descifrar(c.municipio, c.datos_cifrados)
    datos = {k: getattr(c, k) for k in ("id", "codigo", "estado", "fecha_atencion", "fecha_incidente",
                                        "tipos_violencia", "contexto", "nivel_riesgo", "proxima_fecha",
                                        "creado_en", "agresor")}
    datos.update(
        sobreviviente=privado["sobreviviente"], relato=privado["relato"],
        tipos_gbvims=dominio.tipos_gbvims(c.tipos_violencia),
        consentimiento={"servicios": c.consentimiento_servicios, "derivacion": c.consentimiento_derivacion,
                        "estadisticas": c.consentimiento_estadisticas},
        motivo_cierre=cifrado.descifrar(c.municipio, c.motivo_cierre_cifrado),
        seguimientos=[{**{k: getattr(x, k) for k in ("id", "fecha", "tipo", "proxima_fecha", "creado_en")},
                       "nota": cifrado.descifrar(c.municipio, x.nota_cifrada)} for x in c.seguimientos],
        derivaciones=[{**{k: getattr(x, k) for k in ("id", "destino", "urgente", "horas_desde_incidente",
                                                     "creado_en")},
                       "motivo": cifrado.descifrar(c.municipio, x.motivo_cifrado)} for x in c.derivaciones],
    )
    return schemas.CasoSalida().dump(datos)


def crear_caso(uow, yo, cuerpo, clave_idempotencia=None):
    datos = cargar(schemas.CasoEntrada(), cuerpo)
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
        consentimiento_servicios=consentimiento["servicios"], consentimiento_derivacion=consentimiento["derivacion"],
        consentimiento_estadisticas=consentimiento["estadisticas"],
        datos_cifrados=cifrado.cifrar(municipio, privado), creado_por=yo.usuario_id,
        clave_idempotencia=clave_idempotencia)
    s.add(caso)
    s.flush()
    version = cifrado.version_actual()
    for token in cifrado.indices_ciegos(municipio, sobre["nombres"], sobre["apellidos"], sobre.get("dni"), version):
        s.add(IndiceCiego(caso_id=caso.id, municipio=municipio, version=version, token=token))
    _auditar(s, yo, "registrar", caso.id)
    resumenes.marcar(s, municipio, [caso.fecha_atencion])
    uow.emitir(CasoRegistrado(
        caso_id=caso.id, codigo=caso.codigo, tipos_violencia=caso.tipos_violencia, nivel_riesgo=caso.nivel_riesgo,
        fecha_incidente=caso.fecha_incidente), municipio)
    return _resumen(caso)


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
    if f.get("q"):
        for token in cifrado.terminos_busqueda(yo.municipio, f["q"]):
            consulta = consulta.where(Caso.id.in_(sa.select(IndiceCiego.caso_id).where(
                IndiceCiego.municipio == yo.municipio, IndiceCiego.token == token)))
    _auditar(s, yo, "listar")
    return paginar(s, consulta.order_by(Caso.fecha_atencion.desc(), Caso.numero.desc()), f, _resumen)


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
    caso.estado = dominio.estado_tras_seguimiento(caso.estado)
    seg = Seguimiento(id=nuevo_id(), caso_id=caso.id, municipio=caso.municipio, fecha=datos["fecha"],
                      tipo=datos["tipo"], nota_cifrada=cifrado.cifrar(caso.municipio, datos["nota"]),
                      proxima_fecha=datos.get("proxima_fecha"), registrado_por=yo.usuario_id,
                      clave_idempotencia=clave_idempotencia)
    s.add(seg)
    caso.proxima_fecha = datos.get("proxima_fecha")
    s.flush()
    _auditar(s, yo, "seguimiento", caso.id)
    uow.emitir(SeguimientoRegistrado(
        caso_id=caso.id, codigo=caso.codigo, seguimiento_id=seg.id, tipo=seg.tipo,
        proxima_fecha=seg.proxima_fecha), caso.municipio)
    s.refresh(caso)
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
                   motivo_cifrado=cifrado.cifrar(caso.municipio, datos["motivo"]), urgente=urgente,
                   urgente_solicitado=datos["urgente"], horas_desde_incidente=horas, registrada_por=yo.usuario_id,
                   clave_idempotencia=clave_idempotencia)
    s.add(d)
    s.flush()
    _auditar(s, yo, "derivar", caso.id)
    uow.emitir(CasoDerivado(
        caso_id=caso.id, codigo=caso.codigo, derivacion_id=d.id, destino=d.destino, urgente=urgente,
        motivo_urgencia=motivo_urgencia, tipos_violencia=caso.tipos_violencia, horas_desde_incidente=horas),
        caso.municipio)
    return _derivacion_salida(caso, d)


def _derivacion_salida(caso, d):
    return schemas.DerivacionSalida().dump({
        **{k: getattr(d, k) for k in ("id", "destino", "urgente", "horas_desde_incidente", "creado_en")},
        "motivo": cifrado.descifrar(caso.municipio, d.motivo_cifrado)})


def cerrar_caso(uow, yo, caso_id, cuerpo):
    datos = cargar(schemas.CierreEntrada(), cuerpo)
    s = uow.sesion
    caso = _caso(s, yo, caso_id, bloquear=True)
    caso.estado = dominio.estado_tras_cierre(caso.estado)
    caso.motivo_cierre_cifrado = cifrado.cifrar(caso.municipio, datos["motivo"])
    caso.cerrado_en, caso.cerrado_por = ahora_utc(), yo.usuario_id
    _auditar(s, yo, "cerrar", caso.id)
    uow.emitir(CasoCerrado(caso_id=caso.id, codigo=caso.codigo), caso.municipio)
    s.flush()
    return _detalle(caso)


def auditoria(uow, yo, caso_id):
    s = uow.sesion
    caso = _caso(s, yo, caso_id)
    filas = s.scalars(sa.select(Auditoria).where(Auditoria.caso_id == caso.id).order_by(Auditoria.id)).all()
    _auditar(s, yo, "leer_auditoria", caso.id)
    return schemas.AuditoriaSalida(many=True).dump(filas)


def datos_derivacion(uow, derivacion_id):
    """Para notificaciones: nombre y teléfono solo si la sobreviviente consintió la derivación."""
    if not es_uuid(derivacion_id):
        return None
    d = uow.sesion.get(Derivacion, str(derivacion_id))
    if d is None or not d.caso.consentimiento_derivacion:
        return None
    privado = cifrado.descifrar(d.municipio, d.caso.datos_cifrados)["sobreviviente"]
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


def _celdas(s, municipios, desde, hasta):
    """Casos con consentimiento para estadísticas por (municipio, mes, dimensión, valor), contados en la base.

    Cada tipo de violencia es una suma condicional, como filtra listar_casos: al crear el caso los tipos
    se validan contra dominio.TIPOS_VIOLENCIA y se guardan sin repetir. El total y los tipos salen de la
    agrupación por riesgo: cada caso tiene un solo nivel de riesgo. `municipios` None: todos.
    """
    texto = sa.cast(Caso.tipos_violencia, sa.String)
    consulta = sa.select(sa.func.count(), *[sa.func.sum(sa.case((texto.contains(f'"{t}"'), 1), else_=0))
                                            for t in dominio.TIPOS_VIOLENCIA]).where(
        Caso.consentimiento_estadisticas.is_(True))
    if municipios is not None:
        consulta = consulta.where(Caso.municipio.in_(list(municipios)))
    if desde:
        consulta = consulta.where(Caso.fecha_atencion >= desde)
    if hasta:
        consulta = consulta.where(Caso.fecha_atencion <= hasta)
    claves = {"municipio": Caso.municipio, "mes": agregar.mes(s, Caso.fecha_atencion),
              "nivel_riesgo": Caso.nivel_riesgo, "contexto": Caso.contexto}
    celdas = Counter()
    for nivel, (municipio, mes, riesgo, contexto, n, *por_tipo) in agregar.por_niveles(
            s, consulta, claves, (("municipio", "mes", "nivel_riesgo"), ("municipio", "mes", "contexto"))):
        mes = agregar.fecha_mes(mes)
        if "contexto" in nivel:
            celdas[municipio, mes, "contexto", contexto] += n
            continue
        celdas[municipio, mes, "total", "casos"] += n
        celdas[municipio, mes, "nivel_riesgo", riesgo] += n
        for tipo, veces in zip(dominio.TIPOS_VIOLENCIA, por_tipo):
            if veces:
                celdas[municipio, mes, "tipo_violencia", tipo] += veces
    return [{"municipio": m, "mes": mes, "dimension": d, "valor": v, "casos": n}
            for (m, mes, d, v), n in sorted(celdas.items())]


def _leer_resumen(s, rango):
    """Los meses cerrados: cada dimensión sumada en la base y el total de cada mes."""
    r = ResumenCasos
    return (s.execute(sa.select(r.municipio, r.dimension, r.valor, sa.func.sum(r.casos)).where(
                *rango, r.dimension != "total").group_by(r.municipio, r.dimension, r.valor)).all(),
            s.execute(sa.select(r.municipio, r.mes, r.casos).where(*rango, r.dimension == "total")).all())


def _responder(lectura):
    """Conteos sin identificadores, solo de casos con consentimiento para estadísticas.

    Por municipio, cada dimensión en el periodo (mes None) y el total de cada mes: es lo que la región
    publica, y así la respuesta de un país en una década no lleva cada valor de cada mes.
    """
    periodo, meses = Counter(), Counter()
    if lectura.cerrado is not None:
        dimensiones, totales = lectura.cerrado
        for m, d, v, n in dimensiones:
            periodo[m, d, v] += n
        for m, mes, n in totales:
            meses[m, mes] += n
    for c in lectura.vivas:
        if c["dimension"] == "total":
            meses[c["municipio"], c["mes"]] += c["casos"]
        else:
            periodo[c["municipio"], c["dimension"], c["valor"]] += c["casos"]
    return ([{"municipio": m, "mes": None, "dimension": d, "valor": v, "casos": n}
             for (m, d, v), n in sorted(periodo.items())]
            + [{"municipio": m, "mes": agregar.texto_mes(mes), "dimension": "total", "valor": "casos", "casos": n}
               for (m, mes), n in sorted(meses.items())])


RESUMEN = resumenes.Resumen(tabla=ResumenCasos.__table__, filas="casos", fecha="fecha_atencion", celdas=_celdas,
                            leer_resumen=_leer_resumen, responder=_responder)
