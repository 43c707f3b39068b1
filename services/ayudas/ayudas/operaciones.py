"""Casos de uso: validan, aplican las reglas del dominio y persisten dentro de una unidad de trabajo.

Las entradas de nameko (service.py) solo resuelven quién llama y delegan aquí; las
pruebas llaman a estas funciones con una base SQLite, sin RabbitMQ.
"""
import base64
import binascii
from collections import defaultdict

import sqlalchemy as sa

from omm_common import agregados as agregar, resumenes
from omm_common.db import es_postgres, paginar
from omm_common.errores import Conflicto, ErrorValidacion, NoEncontrado, error_de_campo
from omm_common.esquemas import cargar
from omm_common.eventos import ahora_utc
from omm_common.municipios import normalizar_nombre
from omm_common.tablas import siguiente_numero

from . import dominio, hojas, schemas
from .contrato import AyudaEntregada, BeneficiariaRegistrada, ExistenciasBajas
from .models import Beneficiaria, Entrega, MovimientoInventario, Presupuesto, ResumenEntregas, TipoAyuda, nuevo_id

ROLES = ("coordinadora", "tecnica", "promotora")


def _beneficiaria_salida(b, hoy=None, con_entregas=False):
    datos = {c: getattr(b, c) for c in (
        "id", "nombres", "apellidos", "dni", "fecha_nacimiento", "telefono", "comunidad",
        "condiciones", "consentimiento_salud", "creado_en")}
    datos["edad"] = dominio.edad(b.fecha_nacimiento, hoy)
    datos["condiciones"] = dominio.condiciones_con_edad(b.condiciones or [], b.fecha_nacimiento, hoy)
    if con_entregas:
        datos["entregas"] = b.entregas
        return schemas.BeneficiariaDetalle().dump(datos)
    return schemas.BeneficiariaSalida().dump(datos)


def crear_tipo(uow, yo, cuerpo):
    datos = cargar(schemas.TipoAyudaEntrada(), cuerpo)
    s = uow.sesion
    existe = s.scalar(sa.select(TipoAyuda).where(
        TipoAyuda.municipio == yo.municipio, TipoAyuda.codigo == datos["codigo"]))
    if existe:
        raise Conflicto("Ya existe un tipo de ayuda con ese código.", {"id": existe.id}, codigo="DUPLICADO")
    tipo = TipoAyuda(municipio=yo.municipio, **datos)
    s.add(tipo)
    s.flush()
    return schemas.TipoAyudaSalida().dump(tipo)


def listar_tipos(uow, yo):
    tipos = uow.sesion.scalars(
        sa.select(TipoAyuda).where(TipoAyuda.municipio == yo.municipio).order_by(TipoAyuda.codigo)).all()
    return schemas.TipoAyudaSalida(many=True).dump(tipos)


def crear_beneficiaria(uow, yo, cuerpo):
    datos = cargar(schemas.BeneficiariaEntrada(), cuerpo)
    s = uow.sesion
    existe = s.scalar(sa.select(Beneficiaria).where(
        Beneficiaria.municipio == yo.municipio, Beneficiaria.dni == datos["dni"]))
    if existe:
        raise Conflicto("Ya hay una beneficiaria registrada con ese DNI en el municipio.",
                        {"id": existe.id}, codigo="DUPLICADO")
    datos["condiciones"] = dominio.condiciones_con_edad(datos["condiciones"], datos["fecha_nacimiento"])
    b = Beneficiaria(municipio=yo.municipio,
                     nombre_normalizado=normalizar_nombre(f"{datos['nombres']} {datos['apellidos']}"), **datos)
    s.add(b)
    s.flush()
    uow.emitir(BeneficiariaRegistrada(beneficiaria_id=b.id, condiciones=b.condiciones), yo.municipio)
    return _beneficiaria_salida(b)


def listar_beneficiarias(uow, yo, filtros):
    f = cargar(schemas.FiltroBeneficiarias(), filtros)
    consulta = sa.select(Beneficiaria).where(Beneficiaria.municipio == yo.municipio)
    if f.get("q"):
        for palabra in normalizar_nombre(f["q"]).split():
            consulta = consulta.where(Beneficiaria.nombre_normalizado.contains(palabra))
    if f.get("dni"):
        consulta = consulta.where(Beneficiaria.dni == f["dni"].replace("-", "").strip())
    return paginar(uow.sesion, consulta.order_by(Beneficiaria.apellidos, Beneficiaria.nombres), f,
                    _beneficiaria_salida)


def obtener_beneficiaria(uow, yo, beneficiaria_id):
    return _beneficiaria_salida(_beneficiaria(uow.sesion, yo, beneficiaria_id), con_entregas=True)


def registrar_entrega(uow, yo, cuerpo, clave_idempotencia=None):
    datos = cargar(schemas.EntregaEntrada(), cuerpo)
    s = uow.sesion
    if clave_idempotencia:
        previa = s.scalar(sa.select(Entrega).where(
            Entrega.registrada_por == yo.usuario_id, Entrega.clave_idempotencia == clave_idempotencia))
        if previa:
            return schemas.EntregaSalida().dump(previa)
    # La fila de la beneficiaria se bloquea: dos entregas simultáneas no burlan la frecuencia.
    b = _beneficiaria(s, yo, datos["beneficiaria_id"], campo="beneficiaria_id", bloquear=True)
    tipo = s.scalar(sa.select(TipoAyuda).where(
        TipoAyuda.municipio == yo.municipio, TipoAyuda.codigo == datos["tipo_codigo"]))
    if tipo is None:
        raise error_de_campo("tipo_codigo", "No existe ese tipo de ayuda en el municipio.")
    dominio.verificar_monto(tipo.categoria, datos.get("monto"), tipo.monto_maximo)
    ultima = s.scalar(sa.select(sa.func.max(Entrega.fecha)).where(
        Entrega.beneficiaria_id == b.id, Entrega.tipo_codigo == tipo.codigo))
    dominio.verificar_frecuencia(ultima, datos["fecha"], tipo.frecuencia_dias,
                                 datos.get("justificacion_excepcion"), yo.rol)
    anio = datos["fecha"].year
    if datos.get("monto") is not None:
        presupuesto = _bloquear_presupuesto(s, yo.municipio, anio)
        dominio.verificar_presupuesto(presupuesto.monto if presupuesto else None,
                                      _ejecutado(s, yo.municipio, anio), datos["monto"])
    entrega = Entrega(
        id=nuevo_id(), municipio=yo.municipio, beneficiaria_id=b.id, tipo_codigo=tipo.codigo, categoria=tipo.categoria,
        cantidad=datos["cantidad"], monto=datos.get("monto"), fecha=datos["fecha"],
        observaciones=datos.get("observaciones"), justificacion_excepcion=datos.get("justificacion_excepcion"),
        anio=anio, numero=siguiente_numero(s, yo.municipio, "recibo", anio),
        registrada_por=yo.usuario_id, clave_idempotencia=clave_idempotencia,
    )
    if dominio.es_en_especie(tipo.categoria):
        _descontar(uow, yo, tipo, entrega)
    s.add(entrega)
    s.flush()
    resumenes.marcar(s, yo.municipio, [entrega.fecha])
    uow.emitir(AyudaEntregada(
        entrega_id=entrega.id, beneficiaria_id=b.id, tipo_codigo=tipo.codigo, categoria=tipo.categoria,
        cantidad=entrega.cantidad, monto=entrega.monto, fecha=entrega.fecha,
        consentimiento_salud=bool(b.consentimiento_salud)), yo.municipio)
    return schemas.EntregaSalida().dump(entrega)


def listar_entregas(uow, yo, filtros):
    f = cargar(schemas.FiltroEntregas(), filtros)
    consulta = sa.select(Entrega).where(Entrega.municipio == yo.municipio)
    if f.get("desde"):
        consulta = consulta.where(Entrega.fecha >= f["desde"])
    if f.get("hasta"):
        consulta = consulta.where(Entrega.fecha <= f["hasta"])
    if f.get("tipo_codigo"):
        consulta = consulta.where(Entrega.tipo_codigo == f["tipo_codigo"])
    if f.get("beneficiaria_id"):
        consulta = consulta.where(Entrega.beneficiaria_id == str(f["beneficiaria_id"]))
    return paginar(uow.sesion, consulta.order_by(Entrega.fecha.desc(), Entrega.numero.desc()), f,
                    schemas.EntregaSalida().dump)


def contacto_para_salud(uow, beneficiaria_id):
    """Para notificaciones: nombre y teléfono solo si la beneficiaria consintió compartir con salud."""
    b = uow.sesion.get(Beneficiaria, str(beneficiaria_id))
    if b is None or not b.consentimiento_salud:
        return None
    return {"nombre": f"{b.nombres} {b.apellidos}", "telefono": b.telefono, "comunidad": b.comunidad}


def _beneficiaria(sesion, yo, beneficiaria_id, campo=None, bloquear=False):
    b = sesion.get(Beneficiaria, str(beneficiaria_id),
                   with_for_update=bloquear and es_postgres(sesion))
    # Otro municipio: igual que inexistente, para no revelar que existe.
    if b is None or b.municipio != yo.municipio:
        if campo:
            raise error_de_campo(campo, "No existe esa beneficiaria en el municipio.")
        raise NoEncontrado("No se encontró la beneficiaria.")
    return b


def _descontar(uow, yo, tipo, entrega):
    """dominio.verificar_existencias aplicada sin carreras: el UPDATE solo descuenta si alcanza, así de
    entregas simultáneas de las últimas unidades pasan solo las que alcanzan."""
    s = uow.sesion
    fila = None
    while fila is None:
        fila = s.execute(
            sa.update(TipoAyuda).where(TipoAyuda.id == tipo.id, TipoAyuda.existencia - entrega.cantidad >= 0)
            .values(existencia=TipoAyuda.existencia - entrega.cantidad)
            .returning(TipoAyuda.existencia), execution_options={"synchronize_session": False}).first()
        if fila is None:
            s.refresh(tipo)
            # Lanza SIN_EXISTENCIAS; si entre tanto entró una donación, se vuelve a intentar.
            dominio.verificar_existencias(tipo.codigo, tipo.existencia, -entrega.cantidad)
    despues = fila[0]
    s.flush()
    s.add(MovimientoInventario(municipio=yo.municipio, tipo_codigo=tipo.codigo, cantidad=-entrega.cantidad,
                               motivo="entrega", entrega_id=entrega.id, existencia_resultante=despues,
                               registrada_por=yo.usuario_id))
    if dominio.cruza_minimo(despues + entrega.cantidad, despues, tipo.existencia_minima):
        uow.emitir(ExistenciasBajas(tipo_codigo=tipo.codigo, cantidad=despues), yo.municipio)


def _bloquear_presupuesto(sesion, municipio, anio):
    consulta = sa.select(Presupuesto).where(Presupuesto.municipio == municipio, Presupuesto.anio == anio)
    if es_postgres(sesion):
        consulta = consulta.with_for_update()
    return sesion.scalar(consulta)


def _ejecutado(sesion, municipio, anio):
    return sesion.scalar(sa.select(sa.func.coalesce(sa.func.sum(Entrega.monto), 0)).where(
        Entrega.municipio == municipio, Entrega.anio == anio, Entrega.monto.is_not(None)))


def _tipo(sesion, yo, codigo, bloquear=False):
    consulta = sa.select(TipoAyuda).where(TipoAyuda.municipio == yo.municipio, TipoAyuda.codigo == codigo)
    if bloquear and es_postgres(sesion):
        consulta = consulta.with_for_update()
    tipo = sesion.scalar(consulta)
    if tipo is None:
        raise error_de_campo("tipo_codigo", "No existe ese tipo de ayuda en el municipio.")
    return tipo


def inventario(uow, yo):
    tipos = uow.sesion.scalars(sa.select(TipoAyuda).where(TipoAyuda.municipio == yo.municipio)
                               .order_by(TipoAyuda.codigo)).all()
    return schemas.ExistenciaSalida(many=True).dump([
        {"tipo_codigo": t.codigo, "nombre": t.nombre, "categoria": t.categoria, "unidad": t.unidad,
         "existencia": t.existencia, "existencia_minima": t.existencia_minima,
         "bajo_minimo": dominio.es_en_especie(t.categoria) and t.existencia < t.existencia_minima}
        for t in tipos if dominio.es_en_especie(t.categoria)])


def registrar_movimiento(uow, yo, cuerpo, clave_idempotencia=None):
    datos = cargar(schemas.MovimientoEntrada(), cuerpo)
    s = uow.sesion
    if clave_idempotencia:
        previo = s.scalar(sa.select(MovimientoInventario).where(
            MovimientoInventario.registrada_por == yo.usuario_id,
            MovimientoInventario.clave_idempotencia == clave_idempotencia))
        if previo:
            return schemas.MovimientoSalida().dump(previo)
    tipo = _tipo(s, yo, datos["tipo_codigo"], bloquear=True)
    if not dominio.es_en_especie(tipo.categoria):
        raise error_de_campo("tipo_codigo", "Solo las ayudas en especie (alimentos, pañales) llevan existencias.")
    dominio.verificar_movimiento(tipo.codigo, datos["motivo"], datos["cantidad"], datos.get("origen"),
                                 tipo.existencia)
    antes = tipo.existencia
    tipo.existencia = antes + datos["cantidad"]
    m = MovimientoInventario(municipio=yo.municipio, tipo_codigo=tipo.codigo, cantidad=datos["cantidad"],
                             motivo=datos["motivo"], origen=datos.get("origen"),
                             existencia_resultante=tipo.existencia, registrada_por=yo.usuario_id,
                             clave_idempotencia=clave_idempotencia)
    s.add(m)
    s.flush()
    if dominio.cruza_minimo(antes, tipo.existencia, tipo.existencia_minima):
        uow.emitir(ExistenciasBajas(tipo_codigo=tipo.codigo, cantidad=tipo.existencia), yo.municipio)
    return schemas.MovimientoSalida().dump(m)


def _presupuesto_salida(sesion, municipio, anio):
    p = sesion.get(Presupuesto, (municipio, anio))
    ejecutado = _ejecutado(sesion, municipio, anio)
    return schemas.PresupuestoSalida().dump({
        "anio": anio, "monto": p.monto if p else None, "ejecutado": ejecutado,
        "restante": (p.monto - ejecutado) if p else None})


def obtener_presupuesto(uow, yo, filtros):
    f = cargar(schemas.FiltroPresupuesto(), filtros)
    return _presupuesto_salida(uow.sesion, yo.municipio, f["anio"])


def fijar_presupuesto(uow, yo, cuerpo):
    datos = cargar(schemas.PresupuestoEntrada(), cuerpo)
    s = uow.sesion
    p = s.get(Presupuesto, (yo.municipio, datos["anio"]))
    if p is None:
        p = Presupuesto(municipio=yo.municipio, anio=datos["anio"])
        s.add(p)
    p.monto, p.actualizado_por = datos["monto"], yo.usuario_id
    s.flush()
    return _presupuesto_salida(s, yo.municipio, datos["anio"])


def importar_beneficiarias(uow, yo, contenido_b64):
    """Las filas malas no detienen a las buenas; un DNI ya registrado (o repetido en el archivo) es duplicado."""
    try:
        contenido = base64.b64decode(contenido_b64 or "", validate=True)
    except (binascii.Error, ValueError):
        raise error_de_campo("archivo", "El archivo no llegó completo.") from None
    if not contenido:
        raise error_de_campo("archivo", "Adjunte el archivo .xlsx en el campo «archivo».")
    filas = hojas.leer_beneficiarias(contenido)
    s = uow.sesion
    existentes = set(s.scalars(sa.select(Beneficiaria.dni).where(Beneficiaria.municipio == yo.municipio)).all())
    esquema = schemas.BeneficiariaEntrada()
    ahora = ahora_utc()
    nuevas, errores, duplicadas = [], [], 0
    for fila, datos in filas:
        try:
            d = cargar(esquema, datos)
        except ErrorValidacion as exc:
            errores.append({"fila": fila, "mensaje": "; ".join(
                f"{campo}: {' '.join(map(str, m)) if isinstance(m, list) else m}" for campo, m in exc.detalles.items())})
            continue
        if d["dni"] in existentes:
            duplicadas += 1
            continue
        existentes.add(d["dni"])
        d["condiciones"] = dominio.condiciones_con_edad(d["condiciones"], d["fecha_nacimiento"])
        nuevas.append({**d, "id": nuevo_id(), "municipio": yo.municipio, "creado_en": ahora,
                       "nombre_normalizado": normalizar_nombre(f"{d['nombres']} {d['apellidos']}")})
    for i in range(0, len(nuevas), 2000):
        s.execute(sa.insert(Beneficiaria), nuevas[i:i + 2000])
    for b in nuevas:
        uow.emitir(BeneficiariaRegistrada(beneficiaria_id=b["id"], condiciones=b["condiciones"]), yo.municipio)
    return {"creadas": len(nuevas), "duplicadas": duplicadas, "errores": errores}


def exportar(uow, yo, filtros):
    f = cargar(schemas.FiltroExportacion(), filtros)
    s = uow.sesion
    beneficiarias = s.scalars(sa.select(Beneficiaria).where(Beneficiaria.municipio == yo.municipio)
                              .order_by(Beneficiaria.apellidos, Beneficiaria.nombres)).all()
    consulta = (sa.select(Entrega, Beneficiaria).join(Beneficiaria, Entrega.beneficiaria_id == Beneficiaria.id)
                .where(Entrega.municipio == yo.municipio).order_by(Entrega.fecha, Entrega.numero))
    if f.get("desde"):
        consulta = consulta.where(Entrega.fecha >= f["desde"])
    if f.get("hasta"):
        consulta = consulta.where(Entrega.fecha <= f["hasta"])
    entregas = [(e.numero_recibo, e.fecha, b.dni, f"{b.nombres} {b.apellidos}", e.tipo_codigo, e.categoria,
                 e.cantidad, float(e.monto) if e.monto is not None else None, e.justificacion_excepcion or "")
                for e, b in s.execute(consulta).all()]
    datos = [{"nombres": b.nombres, "apellidos": b.apellidos, "dni": b.dni, "fecha_nacimiento": b.fecha_nacimiento,
              "edad": dominio.edad(b.fecha_nacimiento), "telefono": b.telefono, "comunidad": b.comunidad,
              "condiciones": dominio.condiciones_con_edad(b.condiciones or [], b.fecha_nacimiento),
              "consentimiento_salud": b.consentimiento_salud} for b in beneficiarias]
    return base64.b64encode(hojas.libro_exportacion(datos, entregas)).decode()


def _celdas(s, municipios, desde, hasta):
    """Por (municipio, mes, categoría): entregas, unidades, monto, personas distintas del mes y última fecha.

    Cuenta la base (un país son millones de entregas): aquí llega una fila por celda. `municipios` None: todos.
    """
    e = Entrega
    consulta = sa.select(sa.func.count(), sa.func.sum(e.cantidad), sa.func.sum(e.monto),
                         agregar.distintos(s, e.beneficiaria_id), sa.func.max(e.fecha)).where(e.fecha.is_not(None))
    if municipios is not None:
        consulta = consulta.where(e.municipio.in_(list(municipios)))
    if desde:
        consulta = consulta.where(e.fecha >= desde)
    if hasta:
        consulta = consulta.where(e.fecha <= hasta)
    claves = {"municipio": e.municipio, "mes": agregar.mes(s, e.fecha), "categoria": e.categoria}
    return [{"municipio": m, "mes": agregar.fecha_mes(mes), "categoria": c, "entregas": n, "unidades": int(u or 0),
             "monto": monto or 0, "personas": p, "ultima_fecha": f}
            for _, (m, mes, c, n, u, monto, p, f) in agregar.por_niveles(s, consulta, claves, (tuple(claves),))]


def _tramos_de_beneficiarias(municipio):
    """Primera y última entrega de cada beneficiaria, por categoría y en todas ("*")."""
    e = Entrega
    base = [e.fecha.is_not(None)] + ([e.municipio == municipio] if municipio is not None else [])
    por_categoria = sa.select(e.municipio, e.categoria, e.beneficiaria_id, sa.func.min(e.fecha),
                              sa.func.max(e.fecha)).where(*base).group_by(e.municipio, e.categoria, e.beneficiaria_id)
    todas = sa.select(e.municipio, sa.literal("*", sa.String), e.beneficiaria_id, sa.func.min(e.fecha),
                      sa.func.max(e.fecha)).where(*base).group_by(e.municipio, e.beneficiaria_id)
    return sa.union_all(por_categoria, todas)


def _hay_entrega(tramo, desde, hasta):
    e = Entrega
    return sa.exists().where(e.beneficiaria_id == tramo.clave, sa.or_(tramo.grupo == "*", e.categoria == tramo.grupo),
                             e.fecha >= desde, e.fecha <= hasta)


def _leer_resumen(s, rango):
    """Los meses cerrados: cada mes tal cual y sus sumas del periodo, hechas por la base."""
    r = ResumenEntregas
    return (s.execute(sa.select(r.municipio, r.mes, r.categoria, r.entregas, r.unidades, r.monto, r.personas)
                      .where(*rango)).tuples().all(),
            s.execute(sa.select(r.municipio, r.categoria, sa.func.sum(r.entregas), sa.func.sum(r.unidades),
                                sa.func.sum(r.monto), sa.func.max(r.ultima_fecha)).where(*rango)
                      .group_by(r.municipio, r.categoria)).tuples().all())


def _responder(lectura):
    """Por municipio, categoría y mes: entregas, unidades, montos y personas alcanzadas (distintas). Sin ids.

    Ya con la forma que publica la región: {por_municipio: {m: {categoría: cifras}}, totales: {m: cifras},
    por_mes: {m: {"AAAA-MM": {categoría: cifras}}}, ultima_fecha: {m: fecha}}. Las personas del periodo
    salen de los tramos: no son la suma de las de cada mes.
    """
    por_mes, periodo, ultima = defaultdict(dict), defaultdict(lambda: [0, 0, 0]), {}

    def sumar(m, categoria, entregas, unidades, monto, fecha):
        for clave in ((m, categoria), (m, None)):
            x = periodo[clave]
            x[0] += entregas
            x[1] += unidades
            x[2] += monto or 0
        if m not in ultima or fecha > ultima[m]:
            ultima[m] = fecha

    if lectura.cerrado is not None:
        de_cada_mes, sumas = lectura.cerrado
        for m, mes, categoria, entregas, unidades, monto, personas in de_cada_mes:
            por_mes[m].setdefault(agregar.texto_mes(mes), {})[categoria] = {
                "entregas": entregas, "unidades": unidades, "monto": float(monto), "personas": personas}
        for m, categoria, entregas, unidades, monto, fecha in sumas:
            sumar(m, categoria, int(entregas), int(unidades), monto, fecha)
    for c in lectura.vivas:
        por_mes[c["municipio"]].setdefault(agregar.texto_mes(c["mes"]), {})[c["categoria"]] = {
            "entregas": c["entregas"], "unidades": c["unidades"], "monto": round(float(c["monto"]), 2),
            "personas": c["personas"]}
        sumar(c["municipio"], c["categoria"], c["entregas"], c["unidades"], c["monto"], c["ultima_fecha"])
    personas = lectura.distintas["beneficiaria"]

    def cifras(m, categoria):
        entregas, unidades, monto = periodo[m, categoria]
        return {"entregas": entregas, "unidades": unidades, "monto": round(float(monto), 2),
                "personas": personas.get((m, categoria or "*"), 0)}
    por_municipio = defaultdict(dict)
    for m, categoria in sorted(k for k in periodo if k[1]):
        por_municipio[m][categoria] = cifras(m, categoria)
    return {
        "por_municipio": dict(por_municipio),
        "totales": {m: cifras(m, None) for m in sorted(por_municipio)},
        "por_mes": {m: dict(sorted(meses.items())) for m, meses in sorted(por_mes.items())},
        "ultima_fecha": {m: f.isoformat() for m, f in sorted(ultima.items())},
    }


RESUMEN = resumenes.Resumen(tabla=ResumenEntregas.__table__, filas="entregas", fecha="fecha", celdas=_celdas,
                            leer_resumen=_leer_resumen, responder=_responder,
                            tramos={"beneficiaria": (_tramos_de_beneficiarias, _hay_entrega)})
