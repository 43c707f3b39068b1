from marshmallow import fields, validate

from omm_common.contexto import ROLES
from omm_common.esquemas import Esquema, Opcion, Texto


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

