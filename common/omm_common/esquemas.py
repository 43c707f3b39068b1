"""Base de los esquemas marshmallow: mensajes en español, campos comunes, paginación."""
import decimal
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
# Lo que str.strip() quita (str.isspace), como clase de una expresión regular (para el documento OpenAPI).
ESPACIOS = " \t\n\r\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Un carácter que no es de control ni espacio: el `pattern` (sin anclas: «contiene uno») de un texto no vacío.
VISIBLE = f"[^{CONTROL.pattern[1:-1]}{ESPACIOS}]"


class Texto(fields.String):
    """Texto recortado; vacío cuenta como ausente en campos obligatorios; sin caracteres de control."""

    def __init__(self, *args, maximo=200, **kwargs):
        validadores = list(kwargs.pop("validate", []) or [])
        if not isinstance(validadores, list):
            validadores = [validadores]
        # Los patrones miran el texto tal como llegó (como el `pattern` del documento OpenAPI), no el recortado.
        self.patrones = [v for v in validadores if isinstance(v, validate.Regexp)]
        validadores = [v for v in validadores if not isinstance(v, validate.Regexp)]
        validadores.append(validate.Length(max=maximo))
        self.maximo = maximo
        super().__init__(*args, validate=validadores, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        crudo = super()._deserialize(value, attr, data, **kwargs)
        # El largo cuenta antes de recortar: es el maxLength que el documento OpenAPI promete.
        if len(crudo) > self.maximo:
            raise ValidationError(validate.Length.message_max.format(max=self.maximo))
        for patron in self.patrones:
            coincide = patron.regex.match(crudo)
            if not coincide or coincide.end() != len(crudo):  # entero: «$» de Python deja pasar un \n final
                raise ValidationError(patron.error or "Valor inválido.")
        texto = crudo.strip()
        if CONTROL.search(texto):
            raise ValidationError("Tiene caracteres de control que no se pueden guardar; escríbalo de nuevo.")
        if not texto and self.required:
            raise ValidationError("Este campo es obligatorio.")
        return texto


class Redondeado(fields.Decimal):
    """Decimal redondeado a `places` después de validar: las cotas (el minimum y maximum del documento OpenAPI)
    miran el número tal como llegó (-0.00006 no cumple minimum 0 aunque redondeado sea -0.00), y nunca sale
    un -0.00."""

    def __init__(self, places=2, **kwargs):
        super().__init__(**kwargs)
        self.paso = decimal.Decimal(10) ** -places

    def deserialize(self, *args, **kwargs):
        valor = super().deserialize(*args, **kwargs)
        if not isinstance(valor, decimal.Decimal):
            return valor
        return valor.quantize(self.paso, rounding=decimal.ROUND_HALF_EVEN) + 0  # + 0: -0.00 queda 0.00


# 13 dígitos con o sin un guion o espacio tras el municipio y tras el año (0309-1985-00123): lo que dice el
# documento OpenAPI (gateway.openapi.patron_dni); municipio real y año plausible los mira normalizar_dni.
FORMA_DNI = re.compile(r"\s*[0-9]{4}[- ]?[0-9]{4}[- ]?[0-9]{5}\s*")


class Dni(fields.String):
    """DNI hondureño: 13 dígitos con o sin guiones; se guarda sin guiones."""

    def _deserialize(self, value, attr, data, **kwargs):
        texto = super()._deserialize(value, attr, data, **kwargs)
        if not FORMA_DNI.fullmatch(texto):
            raise ValidationError("El DNI debe tener 13 dígitos (se aceptan guiones: 0309-1985-00123).")
        try:
            return municipios.normalizar_dni(texto)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def no_futura(valor):
    """Lo ya ocurrido (un nacimiento, una entrega) no puede ser de después de hoy en Honduras."""
    if valor < date(1900, 1, 1) or valor > hoy_honduras():
        raise ValidationError("Debe ser una fecha entre 1900-01-01 y hoy.")


def no_pasada(valor):
    """Lo que se programa (una sesión reprogramada) no puede ser de antes de hoy en Honduras."""
    if valor < hoy_honduras() or valor > date(2100, 12, 31):
        raise ValidationError("Debe ser una fecha entre hoy y 2100-12-31.")


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


_TIPOS_JSON = (
    (fields.Boolean, (bool,), "Debe ser verdadero o falso (true o false)."),
    (fields.Integer, (int, float), "Debe ser un número entero."),
    (fields.Number, (int, float), "Debe ser un número."),
    (fields.String, (str,), "Debe ser un texto."),
    (fields.DateTime, (str,), "Debe ser una fecha AAAA-MM-DD (o fecha y hora ISO 8601)."),
    (fields.List, (list,), "Debe ser una lista."),
    (fields.Nested, (dict,), "Debe ser un objeto."),
    (fields.Dict, (dict,), "Debe ser un objeto."),
)


def _tipo_json(campo, valor):
    """Mensaje si `valor` no es del tipo JSON que el documento OpenAPI declara para `campo` (o None)."""
    if valor is None:
        return None  # allow_none lo decide marshmallow, con su mensaje
    for clase, tipos, mensaje in _TIPOS_JSON:
        if isinstance(campo, clase):
            # En JSON true no es un número, y marshmallow convertiría "5" o 1 sin decir nada.
            if isinstance(valor, bool) and bool not in tipos:
                return mensaje
            if not isinstance(valor, tipos):
                return mensaje
            if clase is fields.Integer and isinstance(valor, float) and not valor.is_integer():
                return mensaje
            return None
    return None


def errores_de_tipo(esquema, datos):
    """Los tipos JSON del cuerpo contra los del esquema (lo que el documento OpenAPI declara): {campo: [mensaje]}.

    marshmallow acepta por comodidad "5" como entero o 1 como verdadero; en un cuerpo JSON eso es un error del
    cliente que el documento ya dice, y se rechaza con el nombre del campo."""
    if isinstance(esquema, type):
        esquema = esquema()
    if not isinstance(datos, dict):
        return {}
    errores = {}
    for nombre, campo in esquema.fields.items():
        clave = campo.data_key or nombre
        if clave not in datos or campo.dump_only:
            continue
        valor = datos[clave]
        mensaje = _tipo_json(campo, valor)
        if mensaje:
            errores[clave] = [mensaje]
        elif isinstance(campo, fields.Nested) and isinstance(valor, dict) and not campo.many:
            anidados = errores_de_tipo(campo.schema, valor)
            if anidados:
                errores[clave] = anidados
        elif isinstance(campo, fields.List) and isinstance(valor, list):
            interno = campo.inner
            for i, elemento in enumerate(valor):
                mensaje = _tipo_json(interno, elemento)
                if mensaje:
                    errores.setdefault(clave, {})[i] = [mensaje]
                elif isinstance(interno, fields.Nested) and isinstance(elemento, dict):
                    anidados = errores_de_tipo(interno.schema, elemento)
                    if anidados:
                        errores.setdefault(clave, {})[i] = anidados
    return errores


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
