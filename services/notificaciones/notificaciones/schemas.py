"""Esquemas de entrada (los mismos que usa el gateway para el OpenAPI) y de salida."""
from marshmallow import fields, validate

from omm_common.contexto import ROLES
from omm_common.esquemas import Esquema, Opcion, Paginacion, Texto

from .dominio import ACCIONES_ADMINISTRACION, CANALES, CLAVES_DESTINATARIO, ESTADOS, MAX_PLANTILLA

# Lo que destinos.revisar acepta sin resolver el nombre, dicho como patrón para el OpenAPI: https, un servidor
# con dominio (no una IP ni localhost), sin usuario ni contraseña, puerto opcional. Solo en el documento: las
# direcciones internas que destinos permite por configuración (http) no se anuncian a otros sistemas.
WEBHOOK = (r"^https://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]"
           r"(?::[1-9][0-9]{0,3})?(?:/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?$")

_MUNICIPIO = dict(maximo=4, validate=[validate.Regexp(r"^[0-9]{4}$", error="Código de 4 dígitos.")])


class FiltroNotificaciones(Paginacion):
    estado = Opcion(ESTADOS)
    canal = Opcion(CANALES)


class NotificacionSalida(Esquema):
    id = fields.String()
    evento_id = fields.String()
    evento_tipo = fields.String()
    regla = fields.String()
    destinatario = fields.String()
    canal = fields.String()
    urgente = fields.Boolean()
    estado = fields.String()
    asunto = fields.String(allow_none=True)
    mensaje = fields.String(allow_none=True)
    intentos = fields.Integer()
    ultimo_error = fields.String(allow_none=True)
    creado_en = fields.DateTime()
    enviada_en = fields.DateTime(allow_none=True)
    confirmada_en = fields.DateTime(allow_none=True)


class FiltroDestinatarios(Esquema):
    municipio = Texto(**_MUNICIPIO)


class DestinatarioEntrada(Esquema):
    clave = Opcion(CLAVES_DESTINATARIO, required=True)
    nombre = Texto(required=True, maximo=160)
    email = fields.Email(allow_none=True, validate=validate.Length(max=200),
                         error_messages={"invalid": "Correo electrónico inválido."})
    telefono = Texto(allow_none=True, maximo=30, validate=[validate.Regexp(
        r"^[0-9 +()-]{7,30}$", error="Teléfono inválido: use solo dígitos, espacios, + y guiones.")])
    webhook_url = fields.Url(allow_none=True, require_tld=False, schemes={"http", "https"},
                             validate=validate.Length(max=500), error_messages={"invalid": "URL inválida."},
                             metadata={"pattern": WEBHOOK, "description": "https:// y un servidor público con su "
                                       "dominio (no una IP interna ni localhost); cada aviso va firmado"})
    municipio = Texto(**_MUNICIPIO)  # solo para la administración


class DestinatarioSalida(Esquema):
    id = fields.String()
    clave = fields.String()
    nombre = fields.String()
    email = fields.String(allow_none=True)
    telefono = fields.String(allow_none=True)
    webhook_url = fields.String(allow_none=True)
    confirmado = fields.Boolean(metadata={"description": "False: lo cambió la administración y la coordinadora "
                                          "aún no lo confirma; mientras tanto recibe los avisos sin nombres."})


class AvisoOficina(Esquema):
    """Lo que el gateway cuenta de un cambio de la administración en las cuentas de una oficina."""
    id = fields.UUID(required=True)
    municipio = Texto(required=True, **_MUNICIPIO)
    accion = Opcion(ACCIONES_ADMINISTRACION, required=True)
    rol = Opcion(ROLES, required=True)
    usuario = Texto(required=True, maximo=60)
    campos = fields.List(Texto(maximo=40), validate=validate.Length(max=10))


class ReglaCambio(Esquema):
    canales = fields.List(Opcion(CANALES), validate=validate.Length(min=1, max=4))
    activa = fields.Boolean()
    minutos_escalamiento = fields.Integer(allow_none=True, validate=validate.Range(min=5, max=7 * 24 * 60))
    plantilla = Texto(allow_none=True, maximo=MAX_PLANTILLA)


class ReglaSalida(Esquema):
    codigo = fields.String()
    evento = fields.String()
    condicion = fields.Dict()
    destinatario = fields.String()
    canales = fields.List(fields.String())
    urgente = fields.Boolean()
    minutos_escalamiento = fields.Integer(allow_none=True)
    plantilla = fields.String(allow_none=True)
    activa = fields.Boolean()


class Resumen(Esquema):
    por_estado = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()))
    fallidas = fields.List(fields.Nested(NotificacionSalida))
