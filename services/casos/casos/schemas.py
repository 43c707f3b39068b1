"""Esquemas de entrada (los mismos que usa el gateway para el OpenAPI) y de salida."""
from datetime import date

from marshmallow import ValidationError, fields, validate, validates_schema

from omm_common.esquemas import Dni, Esquema, Opcion, Paginacion, Texto

from .dominio import CONTEXTOS, DESTINOS, ESTADOS, NIVELES_RIESGO, TIPOS_SEGUIMIENTO, TIPOS_VIOLENCIA

_FECHA = dict(validate=validate.Range(min=date(1900, 1, 1), max=date(2100, 12, 31), error="Fecha fuera de rango."))


class Sobreviviente(Esquema):
    nombres = Texto(required=True, maximo=120)
    apellidos = Texto(required=True, maximo=120)
    dni = Dni(allow_none=True)
    fecha_nacimiento = fields.Date(allow_none=True, **_FECHA)
    telefono = Texto(allow_none=True, maximo=30, validate=[validate.Regexp(
        r"^[0-9 +()-]{7,30}$", error="Teléfono inválido: use solo dígitos, espacios, + y guiones.")])
    comunidad = Texto(required=True, maximo=200)
    etnia = Texto(allow_none=True, maximo=60)
    discapacidad = fields.Boolean(allow_none=True)


class Agresor(Esquema):
    relacion = Texto(required=True, maximo=60)
    sexo = Opcion(("mujer", "hombre", "otro", "desconocido"), required=True)
    grupo_edad = Opcion(("menor_18", "18_29", "30_44", "45_59", "60_mas", "desconocido"), required=True)


class Consentimiento(Esquema):
    servicios = fields.Boolean(required=True)
    derivacion = fields.Boolean(required=True)
    estadisticas = fields.Boolean(required=True)


class CasoEntrada(Esquema):
    fecha_atencion = fields.Date(required=True, **_FECHA)
    fecha_incidente = fields.Date(allow_none=True, **_FECHA)
    sobreviviente = fields.Nested(Sobreviviente, required=True)
    tipos_violencia = fields.List(Opcion(TIPOS_VIOLENCIA), required=True,
                                  validate=validate.Length(min=1, error="Indique al menos un tipo de violencia."))
    contexto = Opcion(CONTEXTOS, required=True)
    relato = Texto(required=True, maximo=20000)
    nivel_riesgo = Opcion(NIVELES_RIESGO, required=True)
    agresor = fields.Nested(Agresor, allow_none=True)
    consentimiento = fields.Nested(Consentimiento, required=True)

    @validates_schema
    def _incidente_antes_de_atencion(self, datos, **_):
        if datos.get("fecha_incidente") and datos["fecha_incidente"] > datos["fecha_atencion"]:
            raise ValidationError("El incidente no puede ser posterior a la atención.", "fecha_incidente")


class FiltroCasos(Paginacion):
    estado = Opcion(ESTADOS)
    tipo_violencia = Opcion(TIPOS_VIOLENCIA)
    nivel_riesgo = Opcion(NIVELES_RIESGO)
    desde = fields.Date(**_FECHA)
    hasta = fields.Date(**_FECHA)
    q = Texto(maximo=120)


class SeguimientoEntrada(Esquema):
    fecha = fields.Date(required=True, **_FECHA)
    tipo = Opcion(TIPOS_SEGUIMIENTO, required=True)
    nota = Texto(required=True, maximo=10000)
    proxima_fecha = fields.Date(allow_none=True, **_FECHA)


class DerivacionEntrada(Esquema):
    destino = Opcion(DESTINOS, required=True)
    motivo = Texto(required=True, maximo=5000)
    urgente = fields.Boolean(load_default=False)


class CierreEntrada(Esquema):
    motivo = Texto(required=True, maximo=5000)


class SeguimientoSalida(Esquema):
    id = fields.String()
    fecha = fields.Date()
    tipo = fields.String()
    nota = fields.String()
    proxima_fecha = fields.Date(allow_none=True)
    creado_en = fields.DateTime()


class DerivacionSalida(Esquema):
    id = fields.String()
    destino = fields.String()
    motivo = fields.String()
    urgente = fields.Boolean()
    horas_desde_incidente = fields.Integer(allow_none=True)
    creado_en = fields.DateTime()


class CasoResumen(Esquema):
    id = fields.String()
    codigo = fields.String()
    estado = fields.String()
    fecha_atencion = fields.Date()
    fecha_incidente = fields.Date(allow_none=True)
    tipos_violencia = fields.List(fields.String())
    contexto = fields.String()
    nivel_riesgo = fields.String()
    proxima_fecha = fields.Date(allow_none=True)
    creado_en = fields.DateTime()


class CasoSalida(CasoResumen):
    sobreviviente = fields.Dict()
    relato = fields.String()
    agresor = fields.Dict(allow_none=True)
    consentimiento = fields.Dict()
    tipos_gbvims = fields.List(fields.String())
    seguimientos = fields.List(fields.Nested(SeguimientoSalida))
    derivaciones = fields.List(fields.Nested(DerivacionSalida))
    motivo_cierre = fields.String(allow_none=True)


class AuditoriaSalida(Esquema):
    usuario_id = fields.String()
    usuario = fields.String(allow_none=True)
    rol = fields.String()
    accion = fields.String()
    en = fields.DateTime()

