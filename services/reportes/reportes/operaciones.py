"""Casos de uso de reportes: validan, deciden el ámbito, piden agregados, componen y guardan.

`bd` es la fábrica de unidades de trabajo (cada transacción corta: ninguna queda abierta mientras se
espera a otro servicio). `fuentes` da lo que no es de reportes: `territorio(...)` (municipios y
mancomunidades, del gateway) y `en_paralelo([(servicio, metodo, *args)])` (los agregados de cada
servicio, con la identidad de reportes). Así estas funciones no saben de nameko.
"""
import base64
import binascii
import logging
from datetime import date

import sqlalchemy as sa

from omm_common.perezoso import modulo_perezoso
from omm_common import archivos
from omm_common.errores import NoEncontrado, Prohibido, error_de_campo
from omm_common.esquemas import cargar
from omm_common.tiempo import hoy_honduras

from . import dominio, proteccion

# El informe en PDF y xlsx: reportlab y openpyxl se cargan con el primero que se pida (omm_common.perezoso).
documentos = modulo_perezoso("reportes.documentos")
from .models import Logo, MetaPoa, TextoInforme
from .schemas import FiltroInforme, FiltroPoa, FiltroRegion, FiltroTextos, PoaEntrada, TextosInforme

log = logging.getLogger("omm.reportes")

ROLES_REGION = ("mancomunidad",)
ROLES_INFORME = ("coordinadora", "mancomunidad")
ROLES_POA = ("coordinadora", "tecnica", "mancomunidad")
ROLES_TEXTOS = ("coordinadora",)
ROLES_LOGO = ("coordinadora",)
ROLES_VER_LOGO = ("coordinadora", "tecnica", "mancomunidad")
LADO_LOGO = 600  # px: un encabezado de informe no necesita más
MAXIMO_FOTOS = 24
FUENTES_REGION = ("ayudas", "capacitaciones", "notificaciones")
TIPOS_ARCHIVO = {"pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _presentes(**valores):
    # Lo que no vino no se valida como nulo: el esquema usa su valor por omisión.
    return {k: v for k, v in valores.items() if v is not None}


def _iso(fecha):
    return fecha.isoformat() if fecha else None


def _territorio_de(fuentes, yo):
    if yo.rol == "mancomunidad":
        return fuentes.territorio(mancomunidad=yo.mancomunidad)
    return fuentes.territorio(municipio=yo.exigir_municipio())


# --- región ---

def _publicacion(fuentes, municipios, desde, hasta, hoy, con_avisos=True):
    """Las cifras de casos (y de avisos al CIS) de la mancomunidad, protegidas: una tabla por cada año entero que el
    periodo toca, con todos sus municipios, decidida igual para cualquier pedido (ver proteccion)."""
    d = date(desde.year, 1, 1).isoformat() if desde else None
    h = date(hasta.year, 12, 31).isoformat() if hasta else None
    fuentes_ = ("casos", "ayudas", "capacitaciones") + (("notificaciones",) if con_avisos else ())
    casos, ayudas, capacitaciones, *notificaciones = fuentes.en_paralelo(
        (s, "agregados", d, h, municipios) for s in fuentes_)
    avisos = proteccion.avisos_por_mes(notificaciones[0] if notificaciones else {})
    anios = proteccion.anios_con_registros(casos, avisos)
    por_anio = fuentes.en_paralelo(("casos", "agregados", f"{a:04d}-01-01", f"{a:04d}-12-31", municipios) for a in anios)
    return proteccion.publicar(municipios, dict(zip(anios, por_anio)),
                               proteccion.registros_por_mes(ayudas, capacitaciones), avisos, hoy)


def region(fuentes, yo, desde=None, hasta=None, clasificacion=None):
    f = cargar(FiltroRegion(), _presentes(desde=desde, hasta=hasta, clasificacion=clasificacion))
    hoy = hoy_honduras()
    proteccion.validar_periodo(f.get("desde"), f.get("hasta"), hoy)
    municipios = dominio.municipios_de_la_mancomunidad(yo, fuentes.territorio(mancomunidad=yo.mancomunidad))
    d, h = _iso(f.get("desde")), _iso(f.get("hasta"))
    # Los servicios dan agregados solo a otro servicio: la lista de municipios la decide reportes.
    ayudas, capacitaciones, notificaciones = fuentes.en_paralelo(
        (s, "agregados", d, h, municipios) for s in FUENTES_REGION)
    publicacion = _publicacion(fuentes, municipios, f.get("desde"), f.get("hasta"), hoy)
    return dominio.cifras_de_region(yo.mancomunidad, municipios, d, h, None, ayudas, capacitaciones, notificaciones,
                                    f["clasificacion"], hoy, publicacion=publicacion)


# --- POA ---

def _planes(bd, municipios, anio):
    with bd() as uow:
        filas = uow.sesion.scalars(sa.select(MetaPoa).where(
            MetaPoa.municipio.in_(municipios), MetaPoa.anio == anio).order_by(MetaPoa.municipio, MetaPoa.orden))
        planes = {}
        for f in filas:
            planes.setdefault(f.municipio, []).append({
                "nombre": f.nombre, "indicador": f.indicador, "tipo_capacitacion": f.tipo_capacitacion,
                "categoria_ayuda": f.categoria_ayuda,
                "metas": {t: float(getattr(f, f"meta_{t}")) for t in dominio.TRIMESTRES}})
    return planes


def _avance_poa(bd, fuentes, municipios, anio, nombres, hoy):
    """Avance de cada plan, de los agregados de cada trimestre y del año (10 RPC en paralelo)."""
    planes = _planes(bd, municipios, anio)
    if not planes:
        return []
    con_plan = sorted(planes)
    periodos = dominio.periodos(anio)
    respuestas = iter(fuentes.en_paralelo(
        (s, "agregados", d.isoformat(), h.isoformat(), con_plan)
        for d, h in periodos.values() for s in ("capacitaciones", "ayudas")))
    por_periodo = {p: (next(respuestas), next(respuestas)) for p in periodos}
    return [dominio.poa_de(m, nombres.get(m, m), anio, planes, por_periodo, hoy) for m in con_plan]


def _poa(bd, fuentes, yo, anio, municipio=None):
    ambito, nombres = dominio.ambito(yo, municipio, _territorio_de(fuentes, yo))
    municipio = ambito["municipios"][0]
    hoy = hoy_honduras()
    avance = _avance_poa(bd, fuentes, [municipio], anio, nombres, hoy)
    return avance[0] if avance else dominio.poa_de(municipio, nombres[municipio], anio, {}, {}, hoy)


def sin_oficina_propia():
    """Sin «municipio», el POA y el logo son los de la oficina propia, y la mancomunidad no tiene: su rol no puede
    pedirlos así (403 con el campo; el documento OpenAPI no puede hacer obligatorio un parámetro solo para un rol)."""
    mensaje = "La mancomunidad no tiene oficina propia: indique el municipio de su mancomunidad."
    return Prohibido(mensaje, {"municipio": [mensaje]})


def obtener_poa(bd, fuentes, yo, anio, municipio=None):
    anio = dominio.anio(anio)
    f = cargar(FiltroPoa(), _presentes(municipio=municipio))
    if yo.rol == "mancomunidad" and not f.get("municipio"):
        raise sin_oficina_propia()
    return _poa(bd, fuentes, yo, anio, f.get("municipio"))


def fijar_poa(bd, fuentes, yo, anio, cuerpo):
    anio = dominio.anio(anio)
    municipio = yo.exigir_municipio()
    datos = cargar(PoaEntrada(), cuerpo)
    dominio.validar_plan(datos["actividades"])
    with bd() as uow:
        # Reemplazar el plan entero: repetir el mismo PUT deja exactamente lo mismo.
        uow.sesion.execute(sa.delete(MetaPoa).where(MetaPoa.municipio == municipio, MetaPoa.anio == anio))
        for n, a in enumerate(datos["actividades"]):
            uow.sesion.add(MetaPoa(
                municipio=municipio, anio=anio, orden=n, nombre=a["nombre"], indicador=a["indicador"],
                tipo_capacitacion=a.get("tipo_capacitacion"), categoria_ayuda=a.get("categoria_ayuda"),
                actualizado_por=yo.usuario_id, **{f"meta_{t}": a["metas"][t] for t in dominio.TRIMESTRES}))
    return _poa(bd, fuentes, yo, anio)


# --- textos del informe (por periodo: un trimestre o el año) ---

def _textos(bd, municipios, clave):
    """{municipio: textos} del informe del periodo `clave` (año, trimestre): los del trimestre y, en lo que
    no escribió para él, los del año (ver dominio.textos_de_periodo); ninguno si abarca varios años."""
    if clave is None:
        return {}
    with bd() as uow:
        filas = uow.sesion.scalars(sa.select(TextoInforme).where(
            TextoInforme.municipio.in_(municipios), TextoInforme.anio == clave[0],
            TextoInforme.trimestre.in_({0, clave[1]})))
        por_municipio = {}
        for t in filas:
            por_municipio.setdefault(t.municipio, {})[t.trimestre] = {c: getattr(t, c) for c in dominio.CAMPOS_TEXTO}
    return {m: dominio.textos_de_periodo(x, clave[1]) for m, x in por_municipio.items()}


def _textos_guardados(bd, municipio, clave):
    """Lo escrito exactamente para ese periodo (lo que se edita), sin lo del año."""
    with bd() as uow:
        t = uow.sesion.get(TextoInforme, (municipio, *clave))
        return {c: getattr(t, c) for c in dominio.CAMPOS_TEXTO} if t else dict.fromkeys(dominio.CAMPOS_TEXTO)


def _periodo_textos(anio, trimestre):
    f = cargar(FiltroTextos(), _presentes(anio=anio, trimestre=trimestre))
    return f.get("anio") or hoy_honduras().year, f["trimestre"]


def _salida_textos(textos, clave):
    return {**textos, "anio": clave[0], "trimestre": clave[1], "periodo": dominio.nombre_periodo_textos(*clave)}


def obtener_textos(bd, yo, anio=None, trimestre=None):
    municipio = yo.exigir_municipio()
    clave = _periodo_textos(anio, trimestre)
    return _salida_textos(_textos_guardados(bd, municipio, clave), clave)


def fijar_textos(bd, yo, cuerpo, anio=None, trimestre=None):
    municipio = yo.exigir_municipio()
    clave = _periodo_textos(anio, trimestre)
    datos = cargar(TextosInforme(), cuerpo)
    with bd() as uow:
        fila = uow.sesion.get(TextoInforme, (municipio, *clave)) or TextoInforme(
            municipio=municipio, anio=clave[0], trimestre=clave[1])
        # Los ausentes vuelven al texto de siempre.
        for campo in dominio.CAMPOS_TEXTO:
            setattr(fila, campo, datos.get(campo))
        fila.actualizado_por = yo.usuario_id
        uow.sesion.add(fila)
    return obtener_textos(bd, yo, *clave)


# --- logo de la oficina ---

def fijar_logo(bd, yo, contenido_base64, entorno=None, procesar=None):
    """Guarda el logo (JPEG o PNG, vuelto a codificar sin metadatos y reducido) fuera de la base."""
    municipio = yo.exigir_municipio()
    try:
        contenido = base64.b64decode(contenido_base64 or "", validate=True)
    except (binascii.Error, ValueError):
        raise error_de_campo("archivo", "El archivo no llegó completo; vuelva a adjuntarlo.") from None
    datos, mime, extension, ancho, alto = (procesar or (lambda fn, *a, **k: fn(*a, **k)))(
        archivos.limpiar_imagen, contenido, "archivo", lado=LADO_LOGO)
    ruta = archivos.guardar("reportes", municipio, datos, extension, entorno)
    anterior = None
    try:
        with bd() as uow:
            fila = uow.sesion.get(Logo, municipio)
            if fila is None:
                fila = Logo(municipio=municipio)
            else:
                anterior = fila.ruta
            fila.ruta, fila.mime, fila.ancho, fila.alto = ruta, mime, ancho, alto
            fila.actualizado_por = yo.usuario_id
            uow.sesion.add(fila)
    except Exception:
        archivos.borrar(ruta, entorno)  # nada a medias: sin fila, sin archivo
        raise
    if anterior and anterior != ruta:
        archivos.borrar(anterior, entorno)
    return {"mime": mime, "ancho": ancho, "alto": alto}


def _logo(bd, municipio, entorno=None):
    """(bytes, mime) del logo del municipio, o None si no tiene (o su archivo ya no está)."""
    with bd() as uow:
        fila = uow.sesion.get(Logo, municipio)
        ruta, mime = (fila.ruta, fila.mime) if fila else (None, None)
    if not ruta:
        return None
    try:
        return archivos.leer(ruta, entorno), mime
    except (OSError, ValueError):
        log.warning("El logo de %s no está en el almacén de archivos (%s)", municipio, ruta)
        return None


def obtener_logo(bd, fuentes, yo, municipio=None, entorno=None):
    f = cargar(FiltroPoa(), _presentes(municipio=municipio))
    ambito, _ = dominio.ambito(yo, f.get("municipio"), _territorio_de(fuentes, yo))
    if ambito["tipo"] != "municipio":
        raise sin_oficina_propia()
    logo = _logo(bd, ambito["codigo"], entorno)
    if logo is None:
        raise NoEncontrado("La oficina aún no ha subido su logo.", {"municipio": ambito["codigo"]})
    return {"mime": logo[1], "contenido_base64": base64.b64encode(logo[0]).decode()}


# --- informe ---

def informe(bd, fuentes, yo, desde=None, hasta=None, formato=None, municipio=None, generar=None, clasificacion=None,
            entorno=None):
    """El informe en JSON, o {nombre_archivo, tipo, contenido_base64} para pdf y xlsx.

    `generar(funcion, datos)` corre la composición del archivo (trabajo de CPU); por omisión, aquí mismo.
    """
    f = cargar(FiltroInforme(), _presentes(desde=desde, hasta=hasta, formato=formato, municipio=municipio,
                                           clasificacion=clasificacion))
    hoy = hoy_honduras()
    mancomunidad = yo.rol == "mancomunidad"
    if mancomunidad:
        proteccion.validar_periodo(f.get("desde"), f.get("hasta"), hoy)
    # La oficina: dos fechas al revés nombran el mismo periodo (el documento OpenAPI no puede exigir el orden).
    # La mancomunidad no: al revés, un periodo de meses completos dejaría de serlo.
    desde, hasta = dominio.periodo(f.get("desde"), f.get("hasta"), hoy, ordenar=not mancomunidad)
    territorio = _territorio_de(fuentes, yo)
    ambito, nombres = dominio.ambito(yo, f.get("municipio"), territorio)
    municipios = ambito["municipios"]
    formato = f["formato"]
    d, h = desde.isoformat(), hasta.isoformat()
    # La mancomunidad recibe los casos de las tablas protegidas de todos sus municipios (también el informe de
    # uno): las mismas cifras que la región, nunca una supresión distinta que restar.
    publicacion = (_publicacion(fuentes, dominio.municipios_de_la_mancomunidad(yo, territorio), desde, hasta, hoy,
                                con_avisos=False) if mancomunidad else None)
    casos, ayudas, capacitaciones, actividades = fuentes.en_paralelo([
        ("casos", "agregados", d, h, [] if mancomunidad else municipios), ("ayudas", "agregados", d, h, municipios),
        ("capacitaciones", "agregados", d, h, municipios), ("capacitaciones", "actividades", d, h, municipios)])
    # Las fotos son un agregado más, pero el informe sale aunque capacitaciones aún no las dé.
    # En JSON solo van sus datos: pedir las imágenes sería leer y recodificar hasta MAXIMO_FOTOS archivos para nada.
    fotos = fuentes.opcional("capacitaciones", "fotos_informe", d, h, municipios, MAXIMO_FOTOS,
                             f["formato"] != "json") or []
    clave = dominio.periodo_de_textos(desde, hasta)
    textos = dominio.textos_del_ambito(ambito, _textos(bd, municipios, clave), nombres, d, h)
    logo = _logo(bd, ambito["codigo"], entorno) if ambito["tipo"] == "municipio" else None
    datos = dominio.componer(
        ambito, {"desde": d, "hasta": h}, textos,
        {"casos": casos, "ayudas": ayudas, "capacitaciones": capacitaciones}, actividades,
        _avance_poa(bd, fuentes, municipios, hasta.year, nombres, hoy), nombres, hoy,
        clasificacion=f["clasificacion"], propio=not mancomunidad, fotos=fotos, hay_logo=logo is not None,
        periodo_textos=None if clave is None else {"anio": clave[0], "trimestre": clave[1],
                                                   "nombre": dominio.nombre_periodo_textos(*clave)},
        publicacion=publicacion)
    if formato == "json":
        return datos
    funcion = documentos.pdf if formato == "pdf" else documentos.xlsx
    # El PDF lleva las imágenes (el JSON, solo sus datos).
    completos = {**datos, "imagenes": fotos, "imagen_logo": logo[0] if logo else None}
    contenido = (generar or (lambda fn, x: fn(x)))(funcion, completos)
    # RPC es JSON: el archivo viaja en base64 y el gateway lo devuelve en bytes.
    return {"nombre_archivo": dominio.nombre_de_archivo(datos, formato), "tipo": TIPOS_ARCHIVO[formato],
            "contenido_base64": base64.b64encode(contenido).decode()}
