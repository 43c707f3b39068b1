from marshmallow import fields, validate

from omm_common.contexto import ROLES
from omm_common.esquemas import ESPACIOS, Esquema, Opcion, Paginacion, Texto

from .auth import MINIMO_CONTRASENA_ADMIN

_CONTRASENA = validate.Length(min=10, max=200, error="La contraseña debe tener entre 10 y 200 caracteres.")
_MUNICIPIO = validate.Regexp(r"^\d{4}$", error="Código de 4 dígitos.")


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
    debe_cambiar_contrasena = fields.Boolean(metadata={
        "description": "Tras un restablecimiento: hasta cambiarla, las demás rutas responden 403 "
                       "CAMBIO_DE_CONTRASENA_REQUERIDO"})


class SalidaSesion(Esquema):
    mensaje = fields.String()


class TokenSalida(Esquema):
    access_token = fields.String()
    token_type = fields.String()
    expira_en = fields.Integer()
    debe_cambiar_contrasena = fields.Boolean()
    usuario = fields.Nested(UsuarioSalida)


ROLES_MUNICIPALES = ("coordinadora", "tecnica", "promotora", "cis")
_NULO = {"type": "string", "nullable": True, "enum": [None]}  # ausente o null, en una regla del OpenAPI
_VACIO = {"type": "string", "nullable": True, "pattern": f"^[{ESPACIOS}]*$"}  # ausente, null o en blanco


class UsuarioEntrada(Esquema):
    # Para el OpenAPI (rutas.administracion._territorio_del_rol): un rol municipal lleva municipio; el de
    # mancomunidad, mancomunidad. Que exista es otra cosa: si no, 409 REFERENCIA_INEXISTENTE con el campo.
    # Y una cuenta de administración pide una contraseña más larga (auth.error_de_politica).
    OPENAPI = {"not": {"anyOf": [
        {"required": ["rol"], "properties": {"rol": {"type": "string", "enum": list(ROLES_MUNICIPALES)},
                                             "municipio": _NULO}},
        {"required": ["rol"], "properties": {"rol": {"type": "string", "enum": ["mancomunidad"]},
                                             "mancomunidad": _VACIO}},
        {"required": ["rol", "contrasena"], "properties": {
            "rol": {"type": "string", "enum": ["admin"]},
            "contrasena": {"type": "string", "maxLength": MINIMO_CONTRASENA_ADMIN - 1}}}]}}
    usuario = Texto(required=True, maximo=60, validate=[validate.Regexp(
        r"^[a-z0-9._-]{3,60}$", error="De 3 a 60 caracteres: minúsculas, dígitos, punto, guion.")])
    nombre = Texto(required=True, maximo=120)
    contrasena = fields.String(required=True, validate=_CONTRASENA)
    rol = Opcion(ROLES, required=True)
    municipio = fields.String(allow_none=True, validate=_MUNICIPIO)
    mancomunidad = Texto(allow_none=True, maximo=20)


class UsuarioCambio(Esquema):
    activo = fields.Boolean()
    nombre = Texto(maximo=120, validate=[validate.Length(min=1, error="El nombre no puede quedar vacío.")])
    contrasena = fields.String(validate=_CONTRASENA)
    rol = Opcion(ROLES)
    municipio = fields.String(allow_none=True, validate=_MUNICIPIO)
    mancomunidad = Texto(allow_none=True, maximo=20)


class FiltroUsuarios(Paginacion):
    q = Texto(maximo=60, metadata={"description": "Parte del usuario o del nombre (sin distinguir mayúsculas)"})
    rol = Opcion(ROLES)
    municipio = fields.String(validate=_MUNICIPIO)
    mancomunidad = Texto(maximo=20, metadata={"description": "Sus usuarias y las de sus municipios"})
    activo = fields.Boolean()
    id = fields.UUID(metadata={"description": "Una usuaria por su id (la pantalla de una cuenta)"})



class CambioContrasena(Esquema):
    contrasena_actual = fields.String(required=True, validate=validate.Length(min=1, max=200))
    contrasena_nueva = fields.String(required=True, validate=_CONTRASENA)


class RestablecimientoEntrada(Esquema):
    contrasena_temporal = fields.String(validate=_CONTRASENA, metadata={
        "description": "Si falta, se genera una y se devuelve una sola vez"})


class RestablecimientoSalida(Esquema):
    usuario = fields.Nested(UsuarioSalida)
    contrasena_temporal = fields.String(metadata={"description": "Solo si se generó"})


class MancomunidadEntrada(Esquema):
    codigo = Texto(required=True, maximo=20, validate=[validate.Regexp(
        r"^[A-Za-z0-9-]{2,20}$", error="De 2 a 20 caracteres: letras sin tilde, dígitos o guion.")])
    nombre = Texto(required=True, maximo=120)


class MancomunidadSalida(Esquema):
    codigo = fields.String()
    nombre = fields.String()
    municipios = fields.List(fields.String(), metadata={"description": "Códigos de sus municipios"})


class MunicipioCambio(Esquema):
    mancomunidad = Texto(required=True, allow_none=True, maximo=20, metadata={
        "description": "Código de la mancomunidad, o null para sacarlo de la que tenga"})


class MunicipioSalida(Esquema):
    codigo = fields.String()
    nombre = fields.String()
    departamento = fields.String()
    mancomunidad = fields.String(allow_none=True)


class Salud(Esquema):
    estado = fields.String()
    servicios = fields.Dict(keys=fields.String(), values=fields.String())


class SaludGateway(Esquema):
    estado = Opcion(("ok", "caido"), metadata={"description": "caido: la base del gateway no responde"})


class Borrado(Esquema):
    id = fields.String(metadata={"description": "Id de lo que se quitó"})
    borrada = fields.Boolean()


class Error(Esquema):
    error = fields.String(required=True)
    mensaje = fields.String(required=True)
    detalles = fields.Dict(required=True)

