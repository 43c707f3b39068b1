import functools

from marshmallow import fields, validate

from ayudas.dominio import CATEGORIAS as CATEGORIAS_AYUDA
from capacitaciones.dominio import TIPOS as TIPOS_CAPACITACION
from omm_common.contexto import ROLES
from omm_common.esquemas import Esquema, Opcion, Texto

from .poa import INDICADORES


class TokenEntrada(Esquema):
    usuario = Texto(required=True, maximo=60)
    contrasena = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UsuarioSalida(Esquema):
    id = fields.String()
    usuario = fields.String()
    nombre = fields.String()
    rol = fields.String()
    municipio = fields.String(allow_none=True)
    mancomunidad = fields.String(allow_none=True)
    activo = fields.Boolean()


class TokenSalida(Esquema):
    access_token = fields.String()
    token_type = fields.String()
    expira_en = fields.Integer()
    usuario = fields.Nested(UsuarioSalida)


class UsuarioEntrada(Esquema):
    usuario = Texto(required=True, maximo=60, validate=[validate.Regexp(
        r"^[a-z0-9._-]{3,60}$", error="De 3 a 60 caracteres: minúsculas, dígitos, punto, guion.")])
    nombre = Texto(required=True, maximo=120)
    contrasena = fields.String(required=True, validate=validate.Length(
        min=10, max=200, error="La contraseña debe tener entre 10 y 200 caracteres."))
    rol = Opcion(ROLES, required=True)
    municipio = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{4}$", error="Código de 4 dígitos."))
    mancomunidad = Texto(allow_none=True, maximo=20)


class UsuarioCambio(Esquema):
    activo = fields.Boolean()
    nombre = Texto(maximo=120)
    contrasena = fields.String(validate=validate.Length(
        min=10, max=200, error="La contraseña debe tener entre 10 y 200 caracteres."))


class MunicipioSalida(Esquema):
    codigo = fields.String()
    nombre = fields.String()
    departamento = fields.String()
    mancomunidad = fields.String(allow_none=True)


class Salud(Esquema):
    estado = fields.String()
    servicios = fields.Dict(keys=fields.String(), values=fields.String())


class Error(Esquema):
    error = fields.String(required=True)
    mensaje = fields.String(required=True)
    detalles = fields.Dict(required=True)


# --- POA e informe ---

Meta = functools.partial(fields.Decimal, as_string=False, places=2, allow_nan=False,
                         validate=validate.Range(min=0, max=1_000_000_000))


class MetasTrimestre(Esquema):
    t1 = Meta(required=True)
    t2 = Meta(required=True)
    t3 = Meta(required=True)
    t4 = Meta(required=True)


class ActividadPoaEntrada(Esquema):
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


class FiltroPoa(Esquema):
    municipio = fields.String(validate=validate.Regexp(r"^\d{4}$", error="Código de 4 dígitos."))


class TextosInforme(Esquema):
    introduccion = Texto(allow_none=True, maximo=6000)
    objetivo_general = Texto(allow_none=True, maximo=3000)
    objetivos_especificos = fields.List(Texto(maximo=1000), allow_none=True, validate=validate.Length(max=20))
    desafios = Texto(allow_none=True, maximo=6000)
    lineas_accion = fields.List(Texto(maximo=1000), allow_none=True, validate=validate.Length(max=20))


class FiltroInforme(Esquema):
    desde = fields.Date()
    hasta = fields.Date()
    formato = Opcion(("json", "pdf", "xlsx"), load_default="json")
    municipio = fields.String(validate=validate.Regexp(r"^\d{4}$", error="Código de 4 dígitos."))
