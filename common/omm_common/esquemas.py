"""Base de los esquemas marshmallow: mensajes en español, campos comunes, paginación."""
import re
import uuid
from datetime import date

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from . import municipios
from .errores import ErrorValidacion
from .tiempo import hoy_honduras

# Mensajes en español para todos los campos, una sola vez para todo el proyecto.
fields.Field.default_error_messages.update({
    "required": "Este campo es obligatorio.",
    "null": "Este campo no puede ser nulo.",
    "validator_failed": "Valor inválido.",
})
_MENSAJES = {
    fields.String: {"invalid": "Debe ser un texto."},
    fields.Integer: {"invalid": "Debe ser un número entero.", "too_large": "El número es demasiado grande."},
    fields.Number: {"invalid": "Debe ser un número.", "too_large": "El número es demasiado grande."},
    fields.Decimal: {"special": "Debe ser un número finito."},
    fields.Float: {"special": "Debe ser un número finito."},
    fields.Boolean: {"invalid": "Debe ser verdadero o falso."},
    fields.Date: {"invalid": "Debe ser una fecha AAAA-MM-DD.", "format": "Fecha con formato inválido."},
    fields.DateTime: {"invalid": "Debe ser una fecha y hora ISO 8601.", "format": "Fecha con formato inválido."},
    fields.Time: {"invalid": "Debe ser una hora HH:MM.", "format": "Hora con formato inválido."},
    fields.List: {"invalid": "Debe ser una lista."},
    fields.Nested: {"type": "Debe ser un objeto."},
    fields.Dict: {"invalid": "Debe ser un objeto."},
    fields.UUID: {"invalid_uuid": "Debe ser un identificador UUID."},
    fields.Email: {"invalid": "Debe ser un correo electrónico válido."},
    fields.URL: {"invalid": "Debe ser una URL válida."},
}
for _campo, _mensajes in _MENSAJES.items():
    _campo.default_error_messages = {**_campo.default_error_messages, **_mensajes}

validate.OneOf.default_message = "Debe ser uno de: {choices}."
validate.Length.message_min = "Debe tener al menos {min} elementos o caracteres."
validate.Length.message_max = "Debe tener como máximo {max} elementos o caracteres."
validate.Length.message_all = "Debe tener entre {min} y {max} elementos o caracteres."
validate.Length.message_equal = "Debe tener exactamente {equal} elementos o caracteres."
validate.Range.message_min = "Debe ser {min_op} {{min}}."
validate.Range.message_max = "Debe ser {max_op} {{max}}."
validate.Range.message_all = "Debe ser {min_op} {{min}} y {max_op} {{max}}."
validate.Range.message_gte = "mayor o igual que"
validate.Range.message_gt = "mayor que"
validate.Range.message_lte = "menor o igual que"
validate.Range.message_lt = "menor que"


class Esquema(Schema):
    """Rechaza campos desconocidos: un error de tipeo no debe perderse en silencio."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "Campo desconocido.", "type": "Se esperaba un objeto JSON."}


# Caracteres de control (salvo tabulador y saltos de línea): nadie los teclea, y en un .xlsx o un PDF rompen el
# archivo entero (openpyxl los rechaza). Se rechazan al entrar, con el campo.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Texto(fields.String):
    """Texto recortado; vacío cuenta como ausente en campos obligatorios; sin caracteres de control."""

    def __init__(self, *args, maximo=200, **kwargs):
        validadores = list(kwargs.pop("validate", []) or [])
        validadores.append(validate.Length(max=maximo))
        super().__init__(*args, validate=validadores, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        texto = super()._deserialize(value, attr, data, **kwargs).strip()
        if CONTROL.search(texto):
            raise ValidationError("Tiene caracteres de control que no se pueden guardar; escríbalo de nuevo.")
        if not texto and self.required:
            raise ValidationError("Este campo es obligatorio.")
        return texto


class Dni(fields.String):
    """DNI hondureño: 13 dígitos con o sin guiones; se guarda sin guiones."""

    def _deserialize(self, value, attr, data, **kwargs):
        texto = super()._deserialize(value, attr, data, **kwargs)
        try:
            return municipios.normalizar_dni(texto)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def no_futura(valor):
    """Lo ya ocurrido (un nacimiento, una entrega) no puede ser de después de hoy en Honduras."""
    if valor < date(1900, 1, 1) or valor > hoy_honduras():
        raise ValidationError("Debe ser una fecha entre 1900-01-01 y hoy.")


def Opcion(valores, **kwargs):
    return fields.String(validate=validate.OneOf(list(valores)), **kwargs)


class Paginacion(Esquema):
    pagina = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    por_pagina = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


def es_uuid(valor):
    """Para ids que llegan por RPC: lo que no es UUID no existe (y no debe llegar a la base)."""
    try:
        uuid.UUID(str(valor))
        return True
    except ValueError:
        return False


def contiene_nulo(valor):
    if isinstance(valor, str):
        return "\x00" in valor
    if isinstance(valor, dict):
        return any(contiene_nulo(k) or contiene_nulo(v) for k, v in valor.items())
    if isinstance(valor, (list, tuple)):
        return any(contiene_nulo(v) for v in valor)
    return False


def cargar(esquema, datos, **kwargs):
    """Valida con marshmallow y traduce el fallo a un ErrorValidacion del contrato."""
    if datos is None:
        datos = {}
    if contiene_nulo(datos):
        # PostgreSQL no guarda NUL en un texto: mejor un 400 que un error de la base.
        raise ErrorValidacion("Hay datos inválidos en la solicitud.",
                              {"_cuerpo": ["Contiene el carácter nulo (\\u0000), que no está permitido."]})
    try:
        return esquema.load(datos, **kwargs)
    except ValidationError as exc:
        detalles = exc.messages if isinstance(exc.messages, dict) else {"_cuerpo": exc.messages}
        raise ErrorValidacion("Hay datos inválidos en la solicitud.", detalles) from None


def volcador(esquema):
    """La salida de `esquema` (clase o instancia) para un dict, compilada una vez: lo mismo que
    `esquema().dump(datos)` sin construir el esquema ni recorrer su maquinaria en cada fila (una lista de 50
    entregas pasaba más tiempo en marshmallow que en la base). El esquema sigue siendo el único lugar del
    formato (y del OpenAPI); un campo que no es de los simples se vuelca con su propio `serialize`."""
    instancia = esquema() if isinstance(esquema, type) else esquema
    pasos = []
    for nombre, campo in instancia.dump_fields.items():
        pasos.append((campo.attribute or nombre, campo.data_key or nombre, _conversor(nombre, campo)))

    def volcar(datos):
        return {clave: convertir(datos[atributo], datos) for atributo, clave, convertir in pasos if atributo in datos}
    return volcar


def _conversor(nombre, campo):
    serializar = type(campo)._serialize
    if serializar is fields.String._serialize:
        return lambda v, _: None if v is None else str(v)
    if serializar is fields.Number._serialize and not campo.as_string:
        formatear = campo._format_num
        return lambda v, _: None if v is None else formatear(v)
    if serializar is fields.DateTime._serialize and (campo.format or campo.DEFAULT_FORMAT) in campo.SERIALIZATION_FUNCS:
        formatear = campo.SERIALIZATION_FUNCS[campo.format or campo.DEFAULT_FORMAT]
        return lambda v, _: None if v is None else formatear(v)
    if serializar is fields.Boolean._serialize:
        return lambda v, _: campo._serialize(v, nombre, None)
    return lambda _, datos: campo.serialize(nombre, datos)
