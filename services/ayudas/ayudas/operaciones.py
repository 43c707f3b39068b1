"""Casos de uso: validan, aplican las reglas del dominio y persisten dentro de una unidad de trabajo.

Las entradas de nameko (service.py) solo resuelven quién llama y delegan aquí; las
pruebas llaman a estas funciones con una base SQLite, sin RabbitMQ.
"""
import base64
import binascii
from collections import defaultdict

import sqlalchemy as sa

from omm_common.perezoso import modulo_perezoso
from omm_common import agregados as agregar, nombres, resumenes
from omm_common.cifrado import en_columnas
from omm_common.db import es_postgres, paginar
from omm_common.errores import Conflicto, ErrorValidacion, NoEncontrado, error_de_campo, incoherentes, no_existe
from omm_common.esquemas import cargar, volcador
from omm_common.eventos import ahora_utc
from omm_common.municipios import buscar as buscar_municipio, normalizar_nombre
from omm_common.tiempo import hoy_honduras
from omm_common.tablas import siguiente_numero

from . import dominio, schemas

# Recibos, listas y hojas: reportlab y openpyxl se cargan con el primero que se pida (omm_common.perezoso).
documentos = modulo_perezoso("ayudas.documentos")
hojas = modulo_perezoso("ayudas.hojas")
from .contrato import (
    AyudaEntregada, BeneficiariaRegistrada, BeneficiariasFusionadas, EntregaAnulada, ExistenciasBajas,
)
from .models import (
    Beneficiaria, Entrega, HistorialBeneficiaria, MovimientoInventario, Presupuesto, ResumenEntregas, TipoAyuda,
    nuevo_id,
)

ROLES = ("coordinadora", "tecnica", "promotora")


CAMPOS_IDENTIDAD = ("nombres", "apellidos", "dni", "motivo_sin_dni", "fecha_nacimiento", "telefono", "comunidad",
                    "condiciones", "consentimiento_salud")


def _beneficiaria_salida(b, hoy=None, con_entregas=False, sesion=None):
    datos = {c: getattr(b, c) for c in (
        "id", "nombres", "apellidos", "dni", "motivo_sin_dni", "fusionada_con", "fecha_nacimiento", "telefono",
        "comunidad", "condiciones", "consentimiento_salud", "creado_en")}
    datos["motivo_sin_dni_nombre"] = dominio.NOMBRES_MOTIVO_SIN_DNI.get(b.motivo_sin_dni)
    datos["edad"] = dominio.edad(b.fecha_nacimiento, hoy)
    datos["condiciones"] = dominio.condiciones_con_edad(b.condiciones or [], b.fecha_nacimiento, hoy)
    if con_entregas:
        tipos = sesion.scalars(sa.select(TipoAyuda).where(TipoAyuda.municipio == b.municipio)
                               .order_by(TipoAyuda.nombre)).all()
        nombres_tipo = {t.codigo: t.nombre for t in tipos}
        datos["entregas"] = [_entrega_datos(e, b, nombres_tipo) for e in b.entregas]
        datos["historial"] = _filas_historial(sesion, b.id)
        datos["proximas_entregas"] = _proximas_entregas(b.entregas, tipos, hoy)
        return schemas.BeneficiariaDetalle().dump(datos)
    return schemas.BeneficiariaSalida().dump(datos)


def _proximas_entregas(entregas, tipos, hoy=None):
    """Por tipo de ayuda: la última entrega vigente y desde cuándo se permite otra (dominio.proxima_fecha)."""
    hoy = hoy or hoy_honduras()
    ultimas = {}
    for e in entregas:
        if e.anulada_en is None and (e.tipo_codigo not in ultimas or e.fecha > ultimas[e.tipo_codigo]):
            ultimas[e.tipo_codigo] = e.fecha
    salida = []
    for t in tipos:
        proxima = dominio.proxima_fecha(ultimas.get(t.codigo), t.frecuencia_dias)
        salida.append({"tipo_codigo": t.codigo, "tipo_nombre": t.nombre, "frecuencia_dias": t.frecuencia_dias,
                       "ultima_entrega": ultimas.get(t.codigo), "proxima_fecha": proxima,
                       "permitida_hoy": proxima is None or proxima <= hoy})
    return salida


def _nombre(b):
    return f"{b.nombres} {b.apellidos}" if b is not None else None


def _nombres_tipo(sesion, municipio):
    return dict(sesion.execute(sa.select(TipoAyuda.codigo, TipoAyuda.nombre)
                               .where(TipoAyuda.municipio == municipio)).tuples().all())


_VOLCAR_ENTREGA = volcador(schemas.EntregaSalida)


def _entrega_salida(e, b=None, nombres_tipo=None):
    return _VOLCAR_ENTREGA(_entrega_datos(e, b, nombres_tipo))


def _entrega_datos(e, b=None, nombres_tipo=None):
    """La entrega con el nombre de la persona, de la ayuda y de quien la registró (no solo ids)."""
    datos = {c: getattr(e, c) for c in (
        "id", "numero_recibo", "estado", "beneficiaria_id", "tipo_codigo", "categoria", "cantidad", "monto", "fecha",
        "observaciones", "justificacion_excepcion", "registrada_por", "registrada_por_nombre", "creado_en",
        "anulada_en", "anulada_por_nombre", "motivo_anulacion")}
    datos["beneficiaria_nombre"] = _nombre(b if b is not None else e.beneficiaria)
    datos["tipo_nombre"] = (nombres_tipo or {}).get(e.tipo_codigo, e.tipo_codigo)
    return datos


def _filas_historial(sesion, beneficiaria_id):
    return sesion.scalars(sa.select(HistorialBeneficiaria).where(
        HistorialBeneficiaria.beneficiaria_id == beneficiaria_id).order_by(HistorialBeneficiaria.creado_en)).all()


def _anotar(sesion, yo, b, accion, cambios, motivo):
    sesion.add(HistorialBeneficiaria(beneficiaria_id=b.id, municipio=b.municipio, accion=accion, cambios=cambios,
                                     motivo=motivo, usuario_id=yo.usuario_id, usuario_nombre=yo.nombre))


def _como_json(valor):
    return valor.isoformat() if hasattr(valor, "isoformat") else valor


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


def _por_dni(sesion, municipio, dni, excepto=None):
    if not dni:
        return None
    consulta = sa.select(Beneficiaria).where(Beneficiaria.municipio == municipio,
                                             Beneficiaria.dni_indice == Beneficiaria.dni.indice_de(municipio, dni))
    if excepto:
        consulta = consulta.where(Beneficiaria.id != excepto)
    return sesion.scalar(consulta)


def _conflicto_dni(existe):
    # Si el registro con ese DNI se fusionó en otro, la respuesta señala el que queda.
    return Conflicto("Ya hay una beneficiaria registrada con ese DNI en el municipio.",
                     {"id": existe.fusionada_con or existe.id}, codigo="DUPLICADO")


def _candidatas(sesion, municipio, persona, excepto=None):
    """Registros del municipio que pueden ser la misma mujer (dominio.es_misma_persona), los más parecidos antes.

    La base filtra por fecha de nacimiento (índice); sin fecha, por comunidad; el nombre se compara aquí.
    """
    b = Beneficiaria
    consulta = sa.select(b).where(b.municipio == municipio, b.fusionada_con.is_(None))
    misma_comunidad = sa.func.lower(b.comunidad) == (persona.get("comunidad") or "").strip().lower()
    if persona.get("fecha_nacimiento"):
        consulta = consulta.where(sa.or_(b.fecha_nacimiento == persona["fecha_nacimiento"],
                                         sa.and_(b.fecha_nacimiento.is_(None), misma_comunidad)))
    elif persona.get("comunidad"):
        consulta = consulta.where(misma_comunidad)
    else:
        return []
    if excepto:
        consulta = consulta.where(b.id != excepto)
    if persona.get("dni"):  # con DNI, solo una sin DNI puede ser ella (otro DNI es otra persona)
        consulta = consulta.where(b.dni_indice.is_(None))
    salida = []
    for otra in sesion.scalars(consulta.limit(2000)):
        datos = {"clave_nombre": otra.clave_nombre or nombres.clave(otra.nombres, otra.apellidos),
                 "fecha_nacimiento": otra.fecha_nacimiento, "comunidad": otra.comunidad, "dni": otra.dni}
        if dominio.es_misma_persona(persona, datos):
            salida.append((nombres.parecido(persona["clave_nombre"], datos["clave_nombre"]), otra))
    salida.sort(key=lambda x: -x[0])
    return [{"id": o.id, "nombres": o.nombres, "apellidos": o.apellidos, "dni": o.dni,
             "motivo_sin_dni": o.motivo_sin_dni, "fecha_nacimiento": o.fecha_nacimiento, "comunidad": o.comunidad,
             "parecido": round(p, 2)} for p, o in salida[:10]]


def _persona(datos):
    return {"clave_nombre": nombres.clave(datos["nombres"], datos["apellidos"]),
            "fecha_nacimiento": datos.get("fecha_nacimiento"), "comunidad": datos.get("comunidad"),
            "dni": datos.get("dni")}


def _conflicto_candidatas(candidatas):
    return Conflicto(
        "Ya hay " + ("una beneficiaria registrada que puede ser" if len(candidatas) == 1 else
                     f"{len(candidatas)} beneficiarias registradas que pueden ser") +
        " la misma persona (nombre parecido y la misma fecha de nacimiento o, si falta, la misma comunidad). "
        "Revise si es ella; si es otra "
        "persona, vuelva a enviar con «confirmar_nueva»: true.",
        {"candidatas": schemas.CandidataSalida(many=True).dump(candidatas)}, codigo="DUPLICADO")


def crear_beneficiaria(uow, yo, cuerpo):
    datos = cargar(schemas.BeneficiariaEntrada(), cuerpo)
    confirmar = datos.pop("confirmar_nueva")
    datos["motivo_sin_dni"] = dominio.verificar_identidad(datos.get("dni"), datos.get("motivo_sin_dni"),
                                                          datos.get("fecha_nacimiento"))
    s = uow.sesion
    existe = _por_dni(s, yo.municipio, datos.get("dni"))
    if existe:
        raise _conflicto_dni(existe)
    persona = _persona(datos)
    if not confirmar:
        candidatas = _candidatas(s, yo.municipio, persona)
        if candidatas:
            raise _conflicto_candidatas(candidatas)
    datos["condiciones"] = dominio.condiciones_con_edad(datos["condiciones"], datos["fecha_nacimiento"])
    b = Beneficiaria(municipio=yo.municipio, clave_nombre=persona["clave_nombre"],
                     nombre_normalizado=normalizar_nombre(f"{datos['nombres']} {datos['apellidos']}"), **datos)
    s.add(b)
    s.flush()
    uow.emitir(BeneficiariaRegistrada(beneficiaria_id=b.id, condiciones=b.condiciones), yo.municipio)
    return _beneficiaria_salida(b)


def buscar_candidatas(uow, yo, cuerpo):
    datos = cargar(schemas.BusquedaCandidatas(), cuerpo)
    s = uow.sesion
    salida = []
    existe = _por_dni(s, yo.municipio, datos.get("dni"))
    if existe:
        existe = s.get(Beneficiaria, existe.fusionada_con) if existe.fusionada_con else existe
        salida.append({"id": existe.id, "nombres": existe.nombres, "apellidos": existe.apellidos, "dni": existe.dni,
                       "motivo_sin_dni": existe.motivo_sin_dni, "fecha_nacimiento": existe.fecha_nacimiento,
                       "comunidad": existe.comunidad, "parecido": 1.0})
    vistas = {x["id"] for x in salida}
    salida += [c for c in _candidatas(s, yo.municipio, _persona(datos)) if c["id"] not in vistas]
    return schemas.CandidataSalida(many=True).dump(salida)


def corregir_beneficiaria(uow, yo, beneficiaria_id, cuerpo):
    """Corrige datos con motivo; el historial guarda quién, cuándo, por qué y el valor anterior de cada campo."""
    s = uow.sesion
    # Primero el registro: lo de otro municipio es 404 aunque el cuerpo sea inválido.
    b = _beneficiaria(s, yo, beneficiaria_id, bloquear=True)
    datos = cargar(schemas.BeneficiariaCorreccion(), cuerpo)
    motivo = datos.pop("motivo")
    _no_fusionada(b)
    if not datos:
        raise error_de_campo("_cuerpo", "Indique al menos un campo a corregir además del motivo.")
    nuevo = {c: datos.get(c, getattr(b, c)) for c in CAMPOS_IDENTIDAD}
    if "dni" in datos and datos["dni"] and "motivo_sin_dni" not in datos:
        nuevo["motivo_sin_dni"] = None  # ya tiene DNI: el motivo deja de aplicar
    try:
        nuevo["motivo_sin_dni"] = dominio.verificar_identidad(nuevo["dni"], nuevo["motivo_sin_dni"],
                                                              nuevo["fecha_nacimiento"])
    except ErrorValidacion as exc:
        # La corrección es válida por sí sola; lo que choca es el registro que quedaría (409, con el campo).
        raise Conflicto("La corrección dejaría el registro incompleto.", exc.detalles,
                        codigo="ESTADO_INVALIDO") from None
    if nuevo["dni"] and nuevo["dni"] != b.dni:
        existe = _por_dni(s, yo.municipio, nuevo["dni"], excepto=b.id)
        if existe:
            raise _conflicto_dni(existe)
    nuevo["condiciones"] = dominio.condiciones_con_edad(nuevo["condiciones"] or [], nuevo["fecha_nacimiento"])
    cambios = {c: {"antes": _como_json(getattr(b, c)), "despues": _como_json(v)}
               for c, v in nuevo.items() if getattr(b, c) != v}
    if not cambios:
        return _beneficiaria_salida(b, con_entregas=True, sesion=s)  # repetir la misma corrección no anota nada
    for c, v in nuevo.items():
        setattr(b, c, v)
    b.clave_nombre = nombres.clave(b.nombres, b.apellidos)
    b.nombre_normalizado = normalizar_nombre(f"{b.nombres} {b.apellidos}")
    _anotar(s, yo, b, "correccion", cambios, motivo)
    s.flush()
    return _beneficiaria_salida(b, con_entregas=True, sesion=s)


def historial_beneficiaria(uow, yo, beneficiaria_id):
    b = _beneficiaria(uow.sesion, yo, beneficiaria_id)
    return schemas.HistorialSalida(many=True).dump(_filas_historial(uow.sesion, b.id))


def _no_fusionada(b, campo=None):
    if b.fusionada_con:
        mensaje = "Este registro se fusionó con otro de la misma persona: use el registro que quedó."
        raise Conflicto(mensaje, {"id": b.fusionada_con, **({campo: [mensaje]} if campo else {})},
                        codigo="ESTADO_INVALIDO")


def fusionar_beneficiarias(uow, yo, beneficiaria_id, cuerpo):
    """Dos registros de la misma mujer quedan en uno: las entregas del absorbido pasan al que queda (la frecuencia
    y las cifras las ven juntas), el absorbido se conserva marcado y ambos anotan la fusión. Repetir es inocuo."""
    s = uow.sesion
    queda = _beneficiaria(s, yo, beneficiaria_id)
    datos = cargar(schemas.FusionEntrada(), cuerpo)
    motivo, fusionada_id = datos["motivo"], str(datos["fusionada_id"])
    if fusionada_id == queda.id:
        # El cuerpo es válido; choca con el id de la ruta (el documento no puede decirlo): 409 con el campo.
        raise incoherentes({"fusionada_id": [
            "Elija otro registro: no se puede fusionar una beneficiaria consigo misma."]})
    # Las dos filas bloqueadas siempre en el mismo orden: dos fusiones cruzadas esperan, no se traban.
    bloqueadas = {x: _beneficiaria(s, yo, x, campo="fusionada_id" if x == fusionada_id else None, bloquear=True)
                  for x in sorted((queda.id, fusionada_id))}
    queda, otra = bloqueadas[queda.id], bloqueadas[fusionada_id]
    if otra.fusionada_con == queda.id:
        return _beneficiaria_salida(queda, con_entregas=True, sesion=s)
    _no_fusionada(queda)
    _no_fusionada(otra, campo="fusionada_id")
    if queda.dni and otra.dni:
        raise Conflicto("Los dos registros tienen DNI distintos: son dos personas. Si un DNI está mal, corríjalo "
                        "primero.", {"fusionada_id": ["Tiene otro DNI."]}, codigo="ESTADO_INVALIDO")
    cambios_queda, cambios_otra = {}, {}
    if otra.dni and not queda.dni:
        # El DNI pasa al registro que queda (único por municipio: primero se libera).
        cambios_queda = {"dni": {"antes": None, "despues": otra.dni},
                         "motivo_sin_dni": {"antes": queda.motivo_sin_dni, "despues": None}}
        cambios_otra = {"dni": {"antes": otra.dni, "despues": None}}
        dni, otra.dni = otra.dni, None
        s.flush()
        queda.dni, queda.motivo_sin_dni = dni, None
    entregas = s.scalars(sa.select(Entrega).where(Entrega.beneficiaria_id == otra.id)).all()
    for e in entregas:
        e.beneficiaria_original_id = e.beneficiaria_original_id or otra.id
        e.beneficiaria_id = queda.id
    otra.fusionada_con = queda.id
    # Los que ya se habían fusionado en la absorbida apuntan ahora a la que queda.
    s.execute(sa.update(Beneficiaria).where(Beneficiaria.fusionada_con == otra.id, Beneficiaria.id != otra.id)
              .values(fusionada_con=queda.id), execution_options={"synchronize_session": False})
    ids = [e.id for e in entregas]
    _anotar(s, yo, queda, "fusion", {"fusionada_id": otra.id, "entregas": ids, **cambios_queda}, motivo)
    _anotar(s, yo, otra, "absorbida", {"beneficiaria_id": queda.id, "entregas": ids, **cambios_otra}, motivo)
    s.flush()
    if entregas:
        resumenes.marcar(s, yo.municipio, [e.fecha for e in entregas])
    uow.emitir(BeneficiariasFusionadas(beneficiaria_id=queda.id, fusionada_id=otra.id), yo.municipio)
    s.expire(queda, ["entregas"])
    return _beneficiaria_salida(queda, con_entregas=True, sesion=s)


def listar_beneficiarias(uow, yo, filtros):
    f = cargar(schemas.FiltroBeneficiarias(), filtros)
    consulta = sa.select(Beneficiaria).where(Beneficiaria.municipio == yo.municipio,
                                             Beneficiaria.fusionada_con.is_(None))
    if f.get("q"):
        for palabra in normalizar_nombre(f["q"]).split():
            consulta = consulta.where(Beneficiaria.nombre_normalizado.contains(palabra))
    if f.get("dni"):
        consulta = consulta.where(Beneficiaria.dni_indice == Beneficiaria.dni.indice_de(
            yo.municipio, f["dni"].replace("-", "").strip()))
    return paginar(uow.sesion, consulta.order_by(Beneficiaria.apellidos, Beneficiaria.nombres), f,
                    _beneficiaria_salida)


def obtener_beneficiaria(uow, yo, beneficiaria_id):
    return _beneficiaria_salida(_beneficiaria(uow.sesion, yo, beneficiaria_id), con_entregas=True, sesion=uow.sesion)


def registrar_entrega(uow, yo, cuerpo, clave_idempotencia=None):
    datos = cargar(schemas.EntregaEntrada(), cuerpo)
    s = uow.sesion
    if clave_idempotencia:
        previa = s.scalar(sa.select(Entrega).where(
            Entrega.registrada_por == yo.usuario_id, Entrega.clave_idempotencia == clave_idempotencia))
        if previa:
            return _entrega_salida(previa, nombres_tipo=_nombres_tipo(s, yo.municipio))
    # La fila de la beneficiaria se bloquea: dos entregas simultáneas no burlan la frecuencia.
    b = _beneficiaria(s, yo, datos["beneficiaria_id"], campo="beneficiaria_id", bloquear=True)
    _no_fusionada(b, campo="beneficiaria_id")
    tipo = s.scalar(sa.select(TipoAyuda).where(
        TipoAyuda.municipio == yo.municipio, TipoAyuda.codigo == datos["tipo_codigo"]))
    if tipo is None:
        raise no_existe("tipo_codigo", "No existe ese tipo de ayuda en el municipio.")
    dominio.verificar_monto(tipo.categoria, datos.get("monto"), tipo.monto_maximo)
    # Las anuladas no cuentan: la misma mujer puede recibir de nuevo esa ayuda.
    ultima = s.scalar(sa.select(sa.func.max(Entrega.fecha)).where(
        Entrega.beneficiaria_id == b.id, Entrega.tipo_codigo == tipo.codigo, Entrega.anulada_en.is_(None)))
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
        registrada_por=yo.usuario_id, registrada_por_nombre=yo.nombre or yo.usuario,
        clave_idempotencia=clave_idempotencia,
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
    return _entrega_salida(entrega, b, {tipo.codigo: tipo.nombre})


def anular_entrega(uow, yo, entrega_id, cuerpo):
    """La coordinadora anula con motivo: existencias (por el mismo libro de movimientos) y presupuesto vuelven,
    la frecuencia y las cifras dejan de contarla. Repetir devuelve la misma anulación sin devolver dos veces."""
    s = uow.sesion
    e = _entrega(s, yo, entrega_id, bloquear=True)
    datos = cargar(schemas.AnulacionEntrada(), cuerpo)
    if e.anulada_en is None:
        e.anulada_en, e.anulada_por = ahora_utc(), yo.usuario_id
        e.anulada_por_nombre, e.motivo_anulacion = yo.nombre or yo.usuario, datos["motivo"]
        tipo = _tipo(s, yo, e.tipo_codigo, bloquear=True)
        if dominio.es_en_especie(e.categoria):
            fila = s.execute(sa.update(TipoAyuda).where(TipoAyuda.id == tipo.id)
                             .values(existencia=TipoAyuda.existencia + e.cantidad).returning(TipoAyuda.existencia),
                             execution_options={"synchronize_session": False}).first()
            s.add(MovimientoInventario(municipio=yo.municipio, tipo_codigo=e.tipo_codigo, cantidad=e.cantidad,
                                       motivo="anulacion", origen=f"Anulación del recibo {e.numero_recibo}",
                                       entrega_id=e.id, existencia_resultante=fila[0], registrada_por=yo.usuario_id))
        s.flush()
        resumenes.marcar(s, yo.municipio, [e.fecha])
        uow.emitir(EntregaAnulada(entrega_id=e.id, beneficiaria_id=e.beneficiaria_id, tipo_codigo=e.tipo_codigo,
                                  categoria=e.categoria, cantidad=e.cantidad, monto=e.monto, fecha=e.fecha),
                   yo.municipio)
    return _entrega_salida(e, nombres_tipo=_nombres_tipo(s, yo.municipio))


def _entrega(sesion, yo, entrega_id, bloquear=False):
    e = sesion.get(Entrega, str(entrega_id), with_for_update=bloquear and es_postgres(sesion))
    if e is None or e.municipio != yo.municipio:
        raise NoEncontrado("No se encontró la entrega.")
    return e


def _nombre_municipio(codigo):
    m = buscar_municipio(codigo)
    return m.nombre if m else codigo


def _archivo(nombre, contenido):
    return {"nombre_archivo": nombre, "tipo_mime": "application/pdf",
            "contenido_base64": base64.b64encode(contenido).decode("ascii")}


def _linea_entrega(e, b, tipo):
    """Lo que el recibo y la lista dicen de una entrega, en palabras."""
    if e.monto is not None:
        entregado = dominio.lempiras(e.monto)
    else:
        entregado = f"{e.cantidad} {tipo.unidad if tipo else ''}".strip()
    return {"numero_recibo": e.numero_recibo, "nombre": _nombre(b), "fecha": e.fecha, "entregado": entregado,
            "dni": b.dni or f"Sin DNI ({dominio.NOMBRES_MOTIVO_SIN_DNI.get(b.motivo_sin_dni, 'sin motivo')})",
            "ayuda": tipo.nombre if tipo else e.tipo_codigo, "entregada_por": e.registrada_por_nombre or "",
            "anulada": e.anulada_en is not None, "motivo_anulacion": e.motivo_anulacion,
            "anulada_en": e.anulada_en}


def recibo(uow, yo, entrega_id):
    s = uow.sesion
    e = _entrega(s, yo, entrega_id)
    tipo = s.scalar(sa.select(TipoAyuda).where(TipoAyuda.municipio == e.municipio,
                                               TipoAyuda.codigo == e.tipo_codigo))
    pdf = documentos.recibo_pdf(municipio=_nombre_municipio(e.municipio), **_linea_entrega(e, e.beneficiaria, tipo))
    return _archivo(f"recibo-{e.numero_recibo}.pdf", pdf)


def lista_entregas(uow, yo, filtros):
    """Lista firmada para la auditoría municipal: una fila por entrega del periodo (anuladas marcadas) y totales."""
    f = cargar(schemas.FiltroListaEntregas(), filtros)
    # Dos fechas al revés nombran el mismo periodo (el documento OpenAPI no puede exigir el orden).
    f["desde"], f["hasta"] = sorted((f["desde"], f["hasta"]))
    s = uow.sesion
    tipos = {t.codigo: t for t in s.scalars(sa.select(TipoAyuda).where(TipoAyuda.municipio == yo.municipio))}
    consulta = (sa.select(Entrega, Beneficiaria).join(Beneficiaria, Entrega.beneficiaria_id == Beneficiaria.id)
                .where(Entrega.municipio == yo.municipio, Entrega.fecha >= f["desde"], Entrega.fecha <= f["hasta"])
                .order_by(Entrega.fecha, Entrega.anio, Entrega.numero))
    if f.get("tipo_codigo"):
        if f["tipo_codigo"] not in tipos:
            raise no_existe("tipo_codigo", "No existe ese tipo de ayuda en el municipio.")
        consulta = consulta.where(Entrega.tipo_codigo == f["tipo_codigo"])
    todas = s.execute(consulta).all()
    filas = [_linea_entrega(e, b, tipos.get(e.tipo_codigo)) for e, b in todas]
    vigentes = [(e, b) for e, b in todas if e.anulada_en is None]
    total_monto = sum((e.monto for e, _ in vigentes if e.monto is not None), 0)
    por_unidad = defaultdict(int)
    for e, _ in vigentes:
        if e.monto is None:
            t = tipos.get(e.tipo_codigo)
            por_unidad[t.unidad if t else ""] += e.cantidad
    totales = [f"Entregas vigentes: {len(vigentes)}" + (f", anuladas: {len(filas) - len(vigentes)}"
                                                         if len(filas) > len(vigentes) else "")]
    totales += [f"{n} {u}".strip() for u, n in sorted(por_unidad.items())]
    if total_monto:
        totales.append(f"Monto entregado: {dominio.lempiras(total_monto)}")
    tipo = tipos.get(f.get("tipo_codigo"))
    pdf = documentos.lista_pdf(municipio=_nombre_municipio(yo.municipio), desde=f["desde"], hasta=f["hasta"],
                               ayuda=tipo.nombre if tipo else "Todas las ayudas", filas=filas, totales=totales,
                               preparada_por=yo.nombre or yo.usuario)
    return _archivo(f"lista-entregas-{f['desde'].isoformat()}-{f['hasta'].isoformat()}.pdf", pdf)


# La lista sale de filas (Core), no de objetos del ORM: la página de 50 entregas cargaba 50 objetos y sus
# beneficiarias para leer unas columnas. Mismos datos que _entrega_datos, mismo esquema de salida.
_COLUMNAS_ENTREGA = (Entrega.id, Entrega.municipio, Entrega.anio, Entrega.numero, Entrega.anulada_en,
                     Entrega.beneficiaria_id, Entrega.tipo_codigo, Entrega.categoria, Entrega.cantidad, Entrega.monto,
                     Entrega.fecha, Entrega.observaciones, Entrega.justificacion_excepcion, Entrega.registrada_por,
                     Entrega.registrada_por_nombre, Entrega.creado_en, Entrega.anulada_por_nombre,
                     Entrega.motivo_anulacion, Beneficiaria.nombres, Beneficiaria.apellidos)


def listar_entregas(uow, yo, filtros):
    f = cargar(schemas.FiltroEntregas(), filtros)
    condiciones = [Entrega.municipio == yo.municipio]
    if f.get("desde"):
        condiciones.append(Entrega.fecha >= f["desde"])
    if f.get("hasta"):
        condiciones.append(Entrega.fecha <= f["hasta"])
    if f.get("tipo_codigo"):
        condiciones.append(Entrega.tipo_codigo == f["tipo_codigo"])
    if f.get("beneficiaria_id"):
        condiciones.append(Entrega.beneficiaria_id == str(f["beneficiaria_id"]))
    s = uow.sesion
    pagina, por_pagina = f["pagina"], f["por_pagina"]
    # Una sola ida a la base: la página, el nombre de cada tipo y el total (subconsulta sin correlación, que la
    # base calcula una vez). Las tres consultas separadas eran la mitad de la CPU de esta lectura (bench/README.md).
    total = sa.select(sa.func.count()).select_from(Entrega).where(*condiciones).scalar_subquery()
    filas = s.execute(sa.select(*_COLUMNAS_ENTREGA, TipoAyuda.nombre.label("tipo_nombre"), total.label("total"))
                      .outerjoin(Beneficiaria, Beneficiaria.id == Entrega.beneficiaria_id)
                      .outerjoin(TipoAyuda, sa.and_(TipoAyuda.municipio == Entrega.municipio,
                                                    TipoAyuda.codigo == Entrega.tipo_codigo))
                      .where(*condiciones)
                      .order_by(Entrega.fecha.desc(), Entrega.numero.desc())
                      .limit(por_pagina).offset((pagina - 1) * por_pagina)).mappings().all()
    if filas:
        total = filas[0]["total"]
    else:  # una página más allá del final: el total, aparte
        total = 0 if pagina == 1 else s.scalar(sa.select(sa.func.count()).select_from(Entrega).where(*condiciones))
    return {"items": [_VOLCAR_ENTREGA(_fila_entrega(x)) for x in filas], "total": total,
            "pagina": pagina, "por_pagina": por_pagina}


def _fila_entrega(x):
    datos = dict(x)
    del datos["total"]
    datos["numero_recibo"] = dominio.numero_recibo(x["municipio"], x["anio"], x["numero"])
    datos["estado"] = "anulada" if x["anulada_en"] is not None else "vigente"
    datos["beneficiaria_nombre"] = f"{x['nombres']} {x['apellidos']}" if x["nombres"] is not None else None
    datos["tipo_nombre"] = x["tipo_nombre"] or x["tipo_codigo"]
    return datos


def contacto_para_salud(uow, beneficiaria_id, municipio):
    """Para notificaciones: nombre y teléfono solo si la beneficiaria consintió compartir con salud, y solo para
    el municipio del aviso."""
    b = uow.sesion.get(Beneficiaria, str(beneficiaria_id))
    if b is None or b.municipio != municipio or not b.consentimiento_salud:
        return None
    return {"nombre": f"{b.nombres} {b.apellidos}", "telefono": b.telefono, "comunidad": b.comunidad}


def _beneficiaria(sesion, yo, beneficiaria_id, campo=None, bloquear=False):
    b = sesion.get(Beneficiaria, str(beneficiaria_id),
                   with_for_update=bloquear and es_postgres(sesion))
    # Otro municipio: igual que inexistente, para no revelar que existe.
    if b is None or b.municipio != yo.municipio:
        if campo:
            raise no_existe(campo, "No existe esa beneficiaria en el municipio.")
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
            dominio.verificar_existencias(tipo.codigo, tipo.existencia, -entrega.cantidad, tipo.nombre)
    despues = fila[0]
    s.flush()
    s.add(MovimientoInventario(municipio=yo.municipio, tipo_codigo=tipo.codigo, cantidad=-entrega.cantidad,
                               motivo="entrega", entrega_id=entrega.id, existencia_resultante=despues,
                               registrada_por=yo.usuario_id))
    if dominio.cruza_minimo(despues + entrega.cantidad, despues, tipo.existencia_minima):
        uow.emitir(ExistenciasBajas(tipo_codigo=tipo.codigo, cantidad=despues, tipo_nombre=tipo.nombre), yo.municipio)


def _bloquear_presupuesto(sesion, municipio, anio):
    consulta = sa.select(Presupuesto).where(Presupuesto.municipio == municipio, Presupuesto.anio == anio)
    if es_postgres(sesion):
        consulta = consulta.with_for_update()
    return sesion.scalar(consulta)


def _ejecutado(sesion, municipio, anio):
    return sesion.scalar(sa.select(sa.func.coalesce(sa.func.sum(Entrega.monto), 0)).where(
        Entrega.municipio == municipio, Entrega.anio == anio, Entrega.monto.is_not(None),
        Entrega.anulada_en.is_(None)))


def _tipo(sesion, yo, codigo, bloquear=False):
    consulta = sa.select(TipoAyuda).where(TipoAyuda.municipio == yo.municipio, TipoAyuda.codigo == codigo)
    if bloquear and es_postgres(sesion):
        consulta = consulta.with_for_update()
    tipo = sesion.scalar(consulta)
    if tipo is None:
        raise no_existe("tipo_codigo", "No existe ese tipo de ayuda en el municipio.")
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
            return _movimiento_salida(previo)
    tipo = _tipo(s, yo, datos["tipo_codigo"], bloquear=True)
    if not dominio.es_en_especie(tipo.categoria):
        # El tipo existe pero no lleva existencias: choca con lo que ese tipo es (409, con el campo).
        mensaje = "Solo las ayudas en especie (alimentos, pañales) llevan existencias."
        raise Conflicto(mensaje, {"tipo_codigo": [mensaje]}, codigo="ESTADO_INVALIDO")
    dominio.verificar_movimiento(tipo.codigo, datos["motivo"], datos["cantidad"], datos.get("origen"),
                                 tipo.existencia, tipo.nombre)
    antes = tipo.existencia
    tipo.existencia = antes + datos["cantidad"]
    m = MovimientoInventario(municipio=yo.municipio, tipo_codigo=tipo.codigo, cantidad=datos["cantidad"],
                             motivo=datos["motivo"], origen=datos.get("origen"),
                             existencia_resultante=tipo.existencia, registrada_por=yo.usuario_id,
                             clave_idempotencia=clave_idempotencia)
    s.add(m)
    s.flush()
    if dominio.cruza_minimo(antes, tipo.existencia, tipo.existencia_minima):
        uow.emitir(ExistenciasBajas(tipo_codigo=tipo.codigo, cantidad=tipo.existencia, tipo_nombre=tipo.nombre),
                   yo.municipio)
    return _movimiento_salida(m)


def _movimiento_salida(m):
    datos = {c: getattr(m, c) for c in ("id", "tipo_codigo", "cantidad", "motivo", "origen", "entrega_id",
                                        "existencia_resultante", "creado_en")}
    datos["motivo_nombre"] = dominio.NOMBRES_MOVIMIENTO.get(m.motivo, m.motivo)
    return schemas.MovimientoSalida().dump(datos)


def listar_movimientos(uow, yo, filtros):
    """El libro de existencias: donaciones, compras, ajustes, entregas y sus anulaciones, lo último primero."""
    f = cargar(schemas.FiltroMovimientos(), filtros)
    consulta = sa.select(MovimientoInventario).where(MovimientoInventario.municipio == yo.municipio)
    if f.get("tipo_codigo"):
        consulta = consulta.where(MovimientoInventario.tipo_codigo == f["tipo_codigo"])
    return paginar(uow.sesion, consulta.order_by(MovimientoInventario.creado_en.desc(),
                                                 MovimientoInventario.id), f, _movimiento_salida)


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


def _indexar(indices, persona):
    """indices[False]: todas; indices[True]: las sin DNI (lo que una fila con DNI debe mirar)."""
    for con_dni in ((False, True) if not persona["dni"] else (False,)):
        por_fecha, por_comunidad = indices[con_dni]
        por_fecha[persona["fecha_nacimiento"]].append(persona)
        por_comunidad[nombres.clave(persona["comunidad"])].append(persona)


def _posibles(indice, persona):
    por_fecha, por_comunidad = indice
    """Con fecha: las de esa fecha y las sin fecha de su comunidad; sin fecha: todas las de su comunidad."""
    de_su_comunidad = por_comunidad[nombres.clave(persona["comunidad"])]
    if persona["fecha_nacimiento"] is None:
        return de_su_comunidad
    return por_fecha[persona["fecha_nacimiento"]] + [c for c in de_su_comunidad if c["fecha_nacimiento"] is None]


def importar_beneficiarias(uow, yo, contenido_b64):
    """Las filas malas no detienen a las buenas; un DNI ya registrado (o repetido en el archivo) es duplicado.

    Una fila sin DNI necesita el motivo; una que puede ser una mujer ya registrada (nombre parecido y misma fecha
    de nacimiento) no se crea: se informa en esa fila con las candidatas, para revisarla en el formulario.
    """
    try:
        contenido = base64.b64decode(contenido_b64 or "", validate=True)
    except (binascii.Error, ValueError):
        raise error_de_campo("archivo", "El archivo no llegó completo.") from None
    if not contenido:
        raise error_de_campo("archivo", "Adjunte el archivo .xlsx en el campo «archivo».")
    filas = hojas.leer_beneficiarias(contenido)
    s = uow.sesion
    b = Beneficiaria
    # Candidatas por fecha de nacimiento y, para las que no la tienen, por comunidad; aparte las sin DNI, las
    # únicas que pueden ser una fila con DNI (así una lista grande con DNI no compara cada fila con todas).
    existentes, indices = set(), {con: (defaultdict(list), defaultdict(list)) for con in (False, True)}
    # El DNI se compara por su índice ciego (HMAC): no hace falta descifrar las ya registradas.
    for fila in s.execute(sa.select(b.id, b.nombres, b.apellidos, b.dni_indice, b.clave_nombre, b.fecha_nacimiento,
                                    b.comunidad, b.fusionada_con).where(b.municipio == yo.municipio)):
        if fila.dni_indice:
            existentes.add(fila.dni_indice)
        if fila.fusionada_con is None:
            _indexar(indices, {
                "id": fila.id, "nombres": fila.nombres, "apellidos": fila.apellidos, "dni": fila.dni_indice,
                "clave_nombre": fila.clave_nombre or nombres.clave(fila.nombres, fila.apellidos),
                "fecha_nacimiento": fila.fecha_nacimiento, "comunidad": fila.comunidad})
    esquema = schemas.BeneficiariaEntrada()
    ahora = ahora_utc()
    nuevas, errores, duplicadas = [], [], 0
    for fila, datos in filas:
        try:
            d = cargar(esquema, datos)
            d.pop("confirmar_nueva")
            d["motivo_sin_dni"] = dominio.verificar_identidad(d.get("dni"), d.get("motivo_sin_dni"),
                                                              d.get("fecha_nacimiento"))
        except ErrorValidacion as exc:
            errores += hojas.errores_de_fila(fila, exc.detalles, datos)
            continue
        indice_dni = b.dni.indice_de(yo.municipio, d["dni"])
        if indice_dni and indice_dni in existentes:
            duplicadas += 1
            continue
        persona = {**_persona(d), "dni": indice_dni}
        candidatas = [c for c in _posibles(indices[bool(d["dni"])], persona) if dominio.es_misma_persona(persona, c)]
        if candidatas:
            errores.append(hojas.error_de_candidatas(fila, candidatas))
            continue
        if indice_dni:
            existentes.add(indice_dni)
        d["condiciones"] = dominio.condiciones_con_edad(d["condiciones"], d["fecha_nacimiento"])
        nueva = {**d, "id": nuevo_id(), "municipio": yo.municipio, "creado_en": ahora,
                 "clave_nombre": persona["clave_nombre"],
                 "nombre_normalizado": normalizar_nombre(f"{d['nombres']} {d['apellidos']}")}
        nuevas.append(nueva)
        # La misma mujer dos veces en el archivo: la segunda fila se informa como candidata.
        _indexar(indices, {**persona, "id": nueva["id"], "nombres": d["nombres"], "apellidos": d["apellidos"]})
    for i in range(0, len(nuevas), 2000):
        s.execute(sa.insert(Beneficiaria), [en_columnas(Beneficiaria, n) for n in nuevas[i:i + 2000]])
    for nueva in nuevas:
        uow.emitir(BeneficiariaRegistrada(beneficiaria_id=nueva["id"], condiciones=nueva["condiciones"]),
                   yo.municipio)
    return {"creadas": len(nuevas), "duplicadas": duplicadas, "errores": errores}


def exportar(uow, yo, filtros):
    f = cargar(schemas.FiltroExportacion(), filtros)
    s = uow.sesion
    beneficiarias = s.scalars(sa.select(Beneficiaria).where(Beneficiaria.municipio == yo.municipio,
                                                            Beneficiaria.fusionada_con.is_(None))
                              .order_by(Beneficiaria.apellidos, Beneficiaria.nombres)).all()
    consulta = (sa.select(Entrega, Beneficiaria).join(Beneficiaria, Entrega.beneficiaria_id == Beneficiaria.id)
                .where(Entrega.municipio == yo.municipio).order_by(Entrega.fecha, Entrega.numero))
    if f.get("desde"):
        consulta = consulta.where(Entrega.fecha >= f["desde"])
    if f.get("hasta"):
        consulta = consulta.where(Entrega.fecha <= f["hasta"])
    entregas = [(e.numero_recibo, e.fecha, b.dni, f"{b.nombres} {b.apellidos}", e.tipo_codigo, e.categoria,
                 e.cantidad, float(e.monto) if e.monto is not None else None, e.justificacion_excepcion or "",
                 "Anulada" if e.anulada_en is not None else "Vigente")
                for e, b in s.execute(consulta).all()]
    datos = [{"nombres": b.nombres, "apellidos": b.apellidos, "dni": b.dni, "motivo_sin_dni": b.motivo_sin_dni,
              "fecha_nacimiento": b.fecha_nacimiento,
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
                         agregar.distintos(s, e.beneficiaria_id), sa.func.max(e.fecha)).where(
        e.fecha.is_not(None), e.anulada_en.is_(None))
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
    base = [e.fecha.is_not(None), e.anulada_en.is_(None)] + ([e.municipio == municipio] if municipio is not None else [])
    por_categoria = sa.select(e.municipio, e.categoria, e.beneficiaria_id, sa.func.min(e.fecha),
                              sa.func.max(e.fecha)).where(*base).group_by(e.municipio, e.categoria, e.beneficiaria_id)
    todas = sa.select(e.municipio, sa.literal("*", sa.String), e.beneficiaria_id, sa.func.min(e.fecha),
                      sa.func.max(e.fecha)).where(*base).group_by(e.municipio, e.beneficiaria_id)
    return sa.union_all(por_categoria, todas)


def _hay_entrega(tramo, desde, hasta):
    e = Entrega
    return sa.exists().where(e.beneficiaria_id == tramo.clave, sa.or_(tramo.grupo == "*", e.categoria == tramo.grupo),
                             e.fecha >= desde, e.fecha <= hasta, e.anulada_en.is_(None))


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
