"""Esquemas de entrada (los mismos que usa el gateway para el OpenAPI) y de salida."""
from marshmallow import fields, validate

from omm_common.esquemas import Dni, Esquema, Opcion, Paginacion, Texto, no_futura

from .dominio import CATEGORIAS, CONDICIONES, MOTIVOS_MOVIMIENTO


class TipoAyudaEntrada(Esquema):
    codigo = Texto(required=True, maximo=40, validate=[validate.Regexp(
        r"^[a-z0-9_]+$", error="Solo minúsculas, dígitos y guion bajo.")])
    nombre = Texto(required=True, maximo=120)
    categoria = Opcion(CATEGORIAS, required=True)
    unidad = Texto(required=True, maximo=40)
    frecuencia_dias = fields.Integer(required=True, validate=validate.Range(min=0, max=3660))
    monto_maximo = fields.Decimal(places=2, allow_none=True, validate=validate.Range(min=0, max=10**9))
    existencia_minima = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**7))


class TipoAyudaSalida(Esquema):
    id = fields.String()
    codigo = fields.String()
    nombre = fields.String()
    categoria = fields.String()
    unidad = fields.String()
    frecuencia_dias = fields.Integer()
    monto_maximo = fields.Float(allow_none=True)
    existencia_minima = fields.Integer()
    existencia = fields.Integer()


class BeneficiariaEntrada(Esquema):
    nombres = Texto(required=True, maximo=120)
    apellidos = Texto(required=True, maximo=120)
    dni = Dni(required=True)
    fecha_nacimiento = fields.Date(required=True, validate=no_futura)
    telefono = Texto(allow_none=True, maximo=30, validate=[validate.Regexp(
        r"^[0-9 +()-]{7,30}$", error="Teléfono inválido: use solo dígitos, espacios, + y guiones.")])
    comunidad = Texto(required=True, maximo=120)
    condiciones = fields.List(Opcion(CONDICIONES), load_default=list)
    consentimiento_salud = fields.Boolean(required=True)


class FiltroBeneficiarias(Paginacion):
    q = Texto(maximo=120)
    dni = fields.String(validate=validate.Length(max=20))


class EntregaEntrada(Esquema):
    beneficiaria_id = fields.UUID(required=True)
    tipo_codigo = Texto(required=True, maximo=40)
    cantidad = fields.Integer(required=True, validate=validate.Range(min=1, max=100000))
    monto = fields.Decimal(places=2, allow_none=True, validate=validate.Range(min=0, max=10**9))
    fecha = fields.Date(required=True, validate=no_futura)
    observaciones = Texto(allow_none=True, maximo=1000)
    justificacion_excepcion = Texto(allow_none=True, maximo=1000)


class FiltroEntregas(Paginacion):
    desde = fields.Date()
    hasta = fields.Date()
    tipo_codigo = Texto(maximo=40)
    beneficiaria_id = fields.UUID()


class EntregaSalida(Esquema):
    id = fields.String()
    numero_recibo = fields.String()
    beneficiaria_id = fields.String()
    tipo_codigo = fields.String()
    categoria = fields.String()
    cantidad = fields.Integer()
    monto = fields.Float(allow_none=True)
    fecha = fields.Date()
    observaciones = fields.String(allow_none=True)
    justificacion_excepcion = fields.String(allow_none=True)
    registrada_por = fields.String()
    creado_en = fields.DateTime()


class BeneficiariaSalida(Esquema):
    id = fields.String()
    nombres = fields.String()
    apellidos = fields.String()
    dni = fields.String()
    fecha_nacimiento = fields.Date()
    edad = fields.Integer()
    telefono = fields.String(allow_none=True)
    comunidad = fields.String()
    condiciones = fields.List(fields.String())
    consentimiento_salud = fields.Boolean()
    creado_en = fields.DateTime()


class BeneficiariaDetalle(BeneficiariaSalida):
    entregas = fields.List(fields.Nested(EntregaSalida))


class MovimientoEntrada(Esquema):
    tipo_codigo = Texto(required=True, maximo=40)
    cantidad = fields.Integer(required=True, validate=validate.Range(min=-1000000, max=1000000))
    motivo = Opcion(MOTIVOS_MOVIMIENTO, required=True)
    origen = Texto(allow_none=True, maximo=200)


class MovimientoSalida(Esquema):
    id = fields.String()
    tipo_codigo = fields.String()
    cantidad = fields.Integer()
    motivo = fields.String()
    origen = fields.String(allow_none=True)
    existencia_resultante = fields.Integer()
    creado_en = fields.DateTime()


class ExistenciaSalida(Esquema):
    tipo_codigo = fields.String()
    nombre = fields.String()
    categoria = fields.String()
    unidad = fields.String()
    existencia = fields.Integer()
    existencia_minima = fields.Integer()
    bajo_minimo = fields.Boolean()


class FiltroPresupuesto(Esquema):
    anio = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class PresupuestoEntrada(Esquema):
    anio = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    monto = fields.Decimal(required=True, places=2, validate=validate.Range(min=0, max=10**11))


class PresupuestoSalida(Esquema):
    anio = fields.Integer()
    monto = fields.Float(allow_none=True)
    ejecutado = fields.Float()
    restante = fields.Float(allow_none=True)


class FiltroExportacion(Esquema):
    desde = fields.Date()
    hasta = fields.Date()


class ImportacionSalida(Esquema):
    creadas = fields.Integer()
    duplicadas = fields.Integer()
    errores = fields.List(fields.Dict())
