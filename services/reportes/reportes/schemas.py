"""Esquemas de reportes: validan lo que llega por RPC y el gateway los usa para su OpenAPI."""
import functools
from datetime import date

from marshmallow import fields, validate

from ayudas.contrato import CATEGORIAS as CATEGORIAS_AYUDA
from capacitaciones.contrato import TIPOS as TIPOS_CAPACITACION
from omm_common.esquemas import Esquema, Opcion, Texto, Redondeado

from .dominio import INDICADORES

CODIGO_MUNICIPIO = validate.Regexp(r"^\d{4}$", error="Código de 4 dígitos.")


# ley: los tipos de la ley hondureña (la forma del contrato); gbvims: los seis tipos centrales del GBVIMS.
Clasificacion = functools.partial(Opcion, ("ley", "gbvims"), load_default="ley")


# La mancomunidad pide por meses completos (reportes.proteccion): un periodo por días dejaría restar un día de otro.
DESDE_MES = ("Primer día del periodo. Para la mancomunidad, el primer día de un mes (p. ej. 2026-03-01); otro día "
             "responde 400 con el campo «desde».")
HASTA_MES = ("Último día del periodo. Para la mancomunidad, el último día de un mes (p. ej. 2026-03-31) o la fecha de "
             "hoy o posterior (hasta hoy); otro día responde 400 con el campo «hasta». Las cifras de casos de la "
             "mancomunidad salen de una tabla fija por mes, trimestre y año, con el desglose por categoría solo por "
             "año calendario completo.")


# Un periodo entre 1900 y 2100: fuera de eso no hay registros, y las cuentas por mes se salen del calendario.
PERIODO = validate.Range(min=date(1900, 1, 1), max=date(2100, 12, 31),
                         error="Debe ser una fecha entre 1900-01-01 y 2100-12-31.")


class FiltroRegion(Esquema):
    # mes_completo: el OpenAPI lo dice como patrón (proteccion.validar_periodo decide).
    desde = fields.Date(validate=PERIODO, metadata={"description": DESDE_MES, "mes_completo": "desde"})
    hasta = fields.Date(validate=PERIODO, metadata={"description": HASTA_MES, "mes_completo": "hasta"})
    clasificacion = Clasificacion()


class FiltroInforme(Esquema):
    desde = fields.Date(validate=PERIODO, metadata={
        "description": DESDE_MES + " La coordinadora puede pedir cualquier día."})
    hasta = fields.Date(validate=PERIODO, metadata={
        "description": HASTA_MES + " La coordinadora puede pedir cualquier día."})
    formato = Opcion(("json", "pdf", "xlsx"), load_default="json")
    municipio = fields.String(validate=CODIGO_MUNICIPIO)
    clasificacion = Clasificacion()


class FiltroTextos(Esquema):
    """El periodo de los textos: un trimestre (1 a 4) o el año entero (0, o sin trimestre)."""
    anio = fields.Integer(validate=validate.Range(min=2000, max=2100, error="Indique un año entre 2000 y 2100."))
    trimestre = fields.Integer(load_default=0, validate=validate.Range(
        min=0, max=4, error="El trimestre es 1, 2, 3 o 4 (0 o sin indicar: el año entero)."))


class FiltroPoa(Esquema):
    municipio = fields.String(validate=CODIGO_MUNICIPIO)


Meta = functools.partial(Redondeado, as_string=False, allow_nan=False,
                         validate=validate.Range(min=0, max=1_000_000_000))


class MetasTrimestre(Esquema):
    t1 = Meta(required=True)
    t2 = Meta(required=True)
    t3 = Meta(required=True)
    t4 = Meta(required=True)


def _mal_medido(indicadores, campo, otro):
    """Lo que no se acepta para esos indicadores: sin `campo`, o con `otro`."""
    indicador = {"type": "string", "enum": sorted(indicadores)}
    return [{"required": ["indicador"], "properties": {"indicador": indicador, campo: NULO}},
            {"required": ["indicador", otro], "properties": {"indicador": indicador, otro: {"type": "string"}}}]


NULO = {"type": "string", "nullable": True, "enum": [None]}  # ausente o null, en una regla del OpenAPI


class ActividadPoaEntrada(Esquema):
    # dominio.validar_plan, dicho para el OpenAPI: un indicador de capacitaciones lleva tipo_capacitacion; uno de
    # ayudas, categoria_ayuda (y no el otro).
    OPENAPI = {"not": {"anyOf": [
        *_mal_medido([i for i, (f, _) in INDICADORES.items() if f == "capacitaciones"], "tipo_capacitacion",
                     "categoria_ayuda"),
        *_mal_medido([i for i, (f, _) in INDICADORES.items() if f == "ayudas"], "categoria_ayuda",
                     "tipo_capacitacion")]}}
    nombre = Texto(required=True, maximo=200)
    indicador = Opcion(INDICADORES, required=True)
    tipo_capacitacion = Opcion(TIPOS_CAPACITACION, allow_none=True)
    categoria_ayuda = Opcion(CATEGORIAS_AYUDA, allow_none=True)
    metas = fields.Nested(MetasTrimestre, required=True)


class PoaEntrada(Esquema):
    actividades = fields.List(fields.Nested(ActividadPoaEntrada), required=True,
                              validate=validate.Length(max=60))


class AvanceTrimestre(Esquema):
    meta = fields.Float()
    logrado = fields.Float()
    porcentaje = fields.Float(allow_none=True)


class ActividadPoaSalida(Esquema):
    nombre = fields.String()
    indicador = fields.String()
    indicador_nombre = fields.String()
    tipo_capacitacion = fields.String(allow_none=True)
    categoria_ayuda = fields.String(allow_none=True)
    metas = fields.Dict(keys=fields.String(), values=fields.Float())
    trimestres = fields.Dict(keys=fields.String(), values=fields.Nested(AvanceTrimestre))
    meta_anual = fields.Float()
    logrado_anual = fields.Float()
    porcentaje_anual = fields.Float(allow_none=True)


class PoaSalida(Esquema):
    municipio = fields.String()
    anio = fields.Integer()
    calculado_hasta = fields.Date()
    actividades = fields.List(fields.Nested(ActividadPoaSalida))


class TextosInforme(Esquema):
    introduccion = Texto(allow_none=True, maximo=6000)
    objetivo_general = Texto(allow_none=True, maximo=3000)
    objetivos_especificos = fields.List(Texto(maximo=1000), allow_none=True, validate=validate.Length(max=20))
    desafios = Texto(allow_none=True, maximo=6000)
    lineas_accion = fields.List(Texto(maximo=1000), allow_none=True, validate=validate.Length(max=20))


class TextosSalida(TextosInforme):
    anio = fields.Integer()
    trimestre = fields.Integer()
    periodo = fields.String(metadata={"description": "El periodo en palabras, p. ej. «Primer trimestre de 2026»"})


class LogoSalida(Esquema):
    mime = fields.String()
    ancho = fields.Integer()
    alto = fields.Integer()


_TABLAS = "Por categoría: {celdas: {municipio: {categoria: cifra}}, total_fila, total_columna, total}; una cifra " \
          "de casos es un entero o «<5» (suprimida)"


class RegionSalida(Esquema):
    """GET /api/v1/region/estadisticas: cifras de los municipios de la mancomunidad."""
    mancomunidad = fields.String(metadata={"description": "Código de la mancomunidad"})
    municipios = fields.List(fields.String(), metadata={"description": "Códigos de sus municipios"})
    desde = fields.Date(allow_none=True)
    hasta = fields.Date(allow_none=True)
    clasificacion = fields.String(metadata={"description": "ley o gbvims: qué tipos de violencia se muestran"})
    casos = fields.Dict(metadata={"description": "Casos por tipo de violencia, riesgo, contexto y mes. " + _TABLAS})
    ayudas = fields.Dict(metadata={"description": "Entregas y montos por categoría de ayuda y municipio"})
    capacitaciones = fields.Dict(metadata={"description": "Actividades y participantes por tipo y municipio"})
    notificaciones_cis = fields.Dict(metadata={"description": "Avisos al CIS enviados y confirmados por municipio"})
    completitud = fields.Dict(metadata={
        "description": "Última actividad registrada por municipio, meses sin registros y lo registrado por mes"})


class InformeSalida(Esquema):
    """GET /api/v1/reportes/informe?formato=json: el informe de actividades del periodo."""
    titulo = fields.String()
    ambito = fields.Dict(allow_none=True, metadata={"description": "municipio o mancomunidad: {tipo, codigo, nombre, municipios?}"})
    periodo = fields.Dict(metadata={"description": "{desde, hasta, texto}"})
    periodo_textos = fields.Dict(allow_none=True, metadata={"description": "De qué periodo son los textos propios: {anio, trimestre, "
                                                          "nombre}"})
    introduccion = fields.String(allow_none=True)
    objetivo_general = fields.String(allow_none=True)
    objetivos_especificos = fields.List(fields.String(), allow_none=True)
    desafios = fields.String(allow_none=True)
    lineas_accion = fields.List(fields.String(), allow_none=True)
    actividades = fields.List(fields.Dict(), metadata={"description": "Actividades realizadas en el periodo"})
    ayudas = fields.Dict(metadata={"description": "Ayudas entregadas por categoría"})
    casos = fields.Dict(metadata={"description": "Casos atendidos, en agregado (la mancomunidad: de la tabla "
                                                "protegida, con «<5»)"})
    capacitaciones = fields.Dict()
    completitud = fields.Dict()
    fotos = fields.List(fields.Dict())
    logo = fields.Boolean(metadata={"description": "Si la oficina subió su logo"})
    poa = fields.List(fields.Dict(), metadata={"description": "Avance del POA del año"})
    generado_el = fields.Date()
