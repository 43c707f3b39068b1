"""Esquemas de entrada (los mismos que usa el gateway para el OpenAPI) y de salida."""
from datetime import date

from marshmallow import fields, validate

from omm_common.esquemas import Dni, Esquema, Opcion, Paginacion, Redondeado, Texto, no_futura, no_pasada

from .dominio import GRUPOS_EDAD, MAX_MESES_RECURRENCIA, SEMANAS_EMBARAZO_MAX, TIPOS

_HORA = validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error="Debe ser una hora HH:MM (24 horas).")
# Fechas acotadas: la recurrencia suma meses y una fecha del año 9999 no debe volverse un error 500.
_FECHA_ACTIVIDAD = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31),
                                  error="Debe ser una fecha entre 2000-01-01 y 2100-12-31.")


_TELEFONO = validate.Regexp(r"^[0-9 +()-]{7,30}$", error="Teléfono inválido: use solo dígitos, espacios, + y guiones.")


class SesionEntrada(Esquema):
    fecha = fields.Date(required=True, validate=_FECHA_ACTIVIDAD)
    hora = fields.String(allow_none=True, validate=_HORA)
    tema = Texto(allow_none=True, maximo=300)
    duracion_horas = Redondeado(places=1, load_default=None, allow_none=True,
                                validate=validate.Range(min=0.5, max=12))


class Recurrencia(Esquema):
    meses = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_MESES_RECURRENCIA))


class CapacitacionEntrada(Esquema):
    titulo = Texto(required=True, maximo=200)
    tipo = Opcion(TIPOS, required=True)
    institucion = Texto(allow_none=True, maximo=200)
    facilitador = Texto(allow_none=True, maximo=200)
    lugar = Texto(required=True, maximo=200)
    cupo = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=10000))
    sesiones = fields.List(fields.Nested(SesionEntrada), required=True, validate=validate.Length(min=1, max=100))
    recurrencia = fields.Nested(Recurrencia, allow_none=True)


class FiltroCapacitaciones(Paginacion):
    tipo = Opcion(TIPOS)
    desde = fields.Date()
    hasta = fields.Date()


class ParticipanteEntrada(Esquema):
    # Para el OpenAPI: semanas de gestación solo de una embarazada (dominio.verificar_embarazo, 400).
    OPENAPI = {"not": {"required": ["embarazada", "semanas_gestacion"],
                       "properties": {"embarazada": {"type": "boolean", "enum": [False]},
                                      "semanas_gestacion": {"type": "integer"}}}}
    nombres = Texto(required=True, maximo=120)
    apellidos = Texto(required=True, maximo=120)
    dni = Dni(allow_none=True)
    fecha_nacimiento = fields.Date(allow_none=True, validate=no_futura)
    telefono = Texto(allow_none=True, maximo=30, validate=[_TELEFONO])
    comunidad = Texto(required=True, maximo=120)
    embarazada = fields.Boolean(allow_none=True)
    semanas_gestacion = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=SEMANAS_EMBARAZO_MAX))


class InscripcionEntrada(Esquema):
    participante = fields.Nested(ParticipanteEntrada, required=True)
    consentimiento_salud = fields.Boolean(required=True)


class AsistenciaEntrada(Esquema):
    presentes = fields.List(fields.UUID(), required=True, validate=validate.Length(max=10000))


class CambioSesionEntrada(Esquema):
    """Reprogramar una sesión aún no realizada: lo que cambia y por qué."""
    fecha = fields.Date(validate=no_pasada)
    hora = fields.String(allow_none=True, validate=_HORA)
    tema = Texto(allow_none=True, maximo=300)
    motivo = Texto(required=True, maximo=500)


class CancelacionEntrada(Esquema):
    motivo = Texto(required=True, maximo=500)


_CANTIDAD = validate.Range(min=0, max=100000, error="Debe ser un número entero entre 0 y 100000.")


class GruposEdad(Esquema):
    """Cuántas personas de cada grupo de edad (ver dominio.NOMBRES_GRUPO_EDAD); los que faltan, 0."""
    ninez = fields.Integer(validate=_CANTIDAD)
    adolescencia = fields.Integer(validate=_CANTIDAD)
    juventud = fields.Integer(validate=_CANTIDAD)
    adultez = fields.Integer(validate=_CANTIDAD)
    adulto_mayor = fields.Integer(validate=_CANTIDAD)


assert tuple(GruposEdad._declared_fields) == GRUPOS_EDAD


class ConteoEntrada(Esquema):
    """Participantes contadas en una sesión (charla abierta): por sexo y, si se sabe, por grupo de edad."""
    mujeres = fields.Integer(required=True, validate=_CANTIDAD)
    hombres = fields.Integer(load_default=0, validate=_CANTIDAD)
    por_grupo_edad = fields.Nested(GruposEdad, allow_none=True)


class ConteoSalida(Esquema):
    mujeres = fields.Integer()
    hombres = fields.Integer()
    total = fields.Integer()
    por_grupo_edad = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True)


class ConteoRegistrado(ConteoSalida):
    capacitacion_id = fields.String()
    sesion_id = fields.String()


class FotoSalida(Esquema):
    id = fields.String()
    capacitacion_id = fields.String()
    sesion_id = fields.String(allow_none=True)
    leyenda = fields.String()
    fecha = fields.Date()
    tipo_mime = fields.String()
    bytes = fields.Integer()
    ancho = fields.Integer()
    alto = fields.Integer()
    subida_por = fields.String(allow_none=True)
    creado_en = fields.DateTime()


class FotoMetadatos(Esquema):
    """Los campos de texto del formulario multipart de una foto (el archivo va en «archivo»)."""
    # Sin leyenda, el informe pone el título de la actividad debajo de la foto (reportes.documentos).
    leyenda = Texto(load_default="", maximo=300)
    sesion_id = fields.UUID()  # un formulario no tiene null: sin sesión, el campo no va (o va vacío)


class FiltroAgregados(Esquema):
    desde = fields.Date(allow_none=True)
    hasta = fields.Date(allow_none=True)
    municipios = fields.List(fields.String(validate=validate.Length(equal=4)), allow_none=True)


class SesionSalida(Esquema):
    id = fields.String()
    fecha = fields.Date()
    hora = fields.String(allow_none=True)
    tema = fields.String(allow_none=True)
    duracion_horas = fields.Float()
    realizada = fields.Boolean()
    presentes = fields.List(fields.String())
    estado = fields.String()  # programada | realizada | cancelada
    nombre_estado = fields.String()
    conteo = fields.Nested(ConteoSalida, allow_none=True)
    participantes = fields.Integer()  # el mayor entre el conteo y las nombradas presentes
    cancelacion = fields.Dict(allow_none=True)  # {fecha_hora, por, motivo}
    cambios = fields.List(fields.Dict())  # reprogramaciones y cancelación, en orden


class InscripcionSalida(Esquema):
    id = fields.String()
    capacitacion_id = fields.String()
    nombres = fields.String()
    apellidos = fields.String()
    dni = fields.String(allow_none=True)
    fecha_nacimiento = fields.Date(allow_none=True, validate=no_futura)
    telefono = fields.String(allow_none=True)
    comunidad = fields.String()
    embarazada = fields.Boolean()
    semanas_gestacion = fields.Integer(allow_none=True)
    fecha_registro = fields.Date()
    consentimiento_salud = fields.Boolean()
    creado_en = fields.DateTime()


class InscripcionDetalle(InscripcionSalida):
    sesiones_asistidas = fields.Integer()
    porcentaje_asistencia = fields.Float()
    puede_recibir_constancia = fields.Boolean()
    semanas_gestacion_actual = fields.Integer(allow_none=True)
    fecha_probable_parto = fields.Date(allow_none=True)


class CapacitacionSalida(Esquema):
    id = fields.String()
    municipio = fields.String()
    titulo = fields.String()
    tipo = fields.String()
    institucion = fields.String(allow_none=True)
    facilitador = fields.String(allow_none=True)
    lugar = fields.String()
    cupo = fields.Integer(allow_none=True)
    inscritas = fields.Integer()
    primera_fecha = fields.Date(allow_none=True)
    ultima_fecha = fields.Date(allow_none=True)
    total_sesiones = fields.Integer()
    sesiones_realizadas = fields.Integer()
    participantes = fields.Integer()  # inscritas o el conteo mayor de una sesión realizada (dominio)
    nombre_tipo = fields.String()
    creado_en = fields.DateTime()


class CapacitacionDetalle(CapacitacionSalida):
    sesiones = fields.List(fields.Nested(SesionSalida))
    inscripciones = fields.List(fields.Nested(InscripcionDetalle))
    conteo = fields.Nested(ConteoSalida, allow_none=True)


class InscritaCIS(Esquema):
    id = fields.String()
    nombres = fields.String()
    apellidos = fields.String()
    comunidad = fields.String()
    semanas_gestacion_actual = fields.Integer(allow_none=True)
    fecha_probable_parto = fields.Date(allow_none=True)
    porcentaje_asistencia = fields.Float()


class CapacitacionCIS(CapacitacionSalida):
    """Lo que ve el CIS del club de embarazadas: calendario y nombres solo con consentimiento de salud."""
    sesiones = fields.List(fields.Nested(SesionSalida))
    inscripciones = fields.List(fields.Nested(InscritaCIS))
    sin_consentimiento = fields.Integer()
    aviso_sin_consentimiento = fields.String(allow_none=True)


class PaginaCapacitaciones(Esquema):
    items = fields.List(fields.Nested(CapacitacionSalida))
    total = fields.Integer()
    pagina = fields.Integer()
    por_pagina = fields.Integer()


class AsistenciaSalida(Esquema):
    capacitacion_id = fields.String()
    sesion_id = fields.String()
    presentes = fields.List(fields.String())
    total_presentes = fields.Integer()
