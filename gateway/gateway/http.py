"""Un solo decorador para toda ruta HTTP: cuerpo JSON, autenticación, rol, idempotencia y errores del contrato.

Cada ruta declara sus esquemas; el mismo registro alimenta el documento OpenAPI.
"""
import base64
import functools
import json
import logging
import re
import time
import uuid
from dataclasses import dataclass, field

from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.wrappers import Request, Response

from omm_common.errores import (
    ErrorOMM, ErrorValidacion, NoAutenticado, NoEncontrado, Prohibido,
)
from omm_common import rpc
from omm_common.contexto import MINUTOS_RPC, emitir_token
from omm_common.db import choque_de_unicidad
from omm_common.esquemas import contiene_nulo, errores_de_tipo, es_uuid
from omm_common.registro import CLAVE_CONTEXTO, ID_VALIDO, fijar_solicitud

from .observabilidad import observar_http

log = logging.getLogger("omm.gateway")

MAX_CUERPO = 1024 * 1024  # 1 MiB de JSON; las importaciones .xlsx declaran su propio límite
MAX_PROFUNDIDAD = 32
CLAVE_IDEMPOTENCIA = re.compile(r"[\x21-\x7e]{1,100}")  # el documento OpenAPI dice lo mismo
TIEMPO_RPC = 20

RUTAS = []  # (metodo, ruta, Ruta) para el OpenAPI
# En toda respuesta que no diga otra cosa (los estáticos de la web sí se guardan): casi todas nombran personas o
# cifras de una oficina, y ninguna debe interpretarse con otro tipo ni mostrarse dentro de otro sitio.
CABECERAS_SEGURAS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                     "Referrer-Policy": "no-referrer"}


@dataclass
class Ruta:
    metodo: str
    ruta: str
    resumen: str
    roles: tuple | None  # None: pública
    cuerpo: object = None  # esquema marshmallow de entrada
    consulta: object = None  # esquema de los parámetros de consulta
    respuesta: object = None
    estado: int = 200
    idempotente: bool = False
    etiqueta: str = "general"
    max_cuerpo: int = MAX_CUERPO
    multipart: object = False  # True: un campo «archivo»; o el esquema de los demás campos del formulario
    tipos_archivo: tuple = ()  # los formatos que «archivo» admite (al OpenAPI: encoding.archivo.contentType)
    binario: str | tuple | None = None  # tipo MIME (o los tipos) si responde un archivo
    otros_estados: dict = field(default_factory=dict)  # {estado: descripción} documentados además
    parametros: list = field(default_factory=list)
    notas: str = ""  # para el documento: reglas entre campos que JSON Schema no puede decir, etc.
    funcion: object = None


class Pagina:
    """La respuesta de una lista paginada ({items, total, pagina, por_pagina}): `respuesta=Pagina(Item)`."""

    def __init__(self, item, nombre=None):
        self.item = item
        self.nombre = nombre or "Pagina" + (item.__name__ if isinstance(item, type) else type(item).__name__)


@dataclass
class Peticion:
    yo: object
    token: str | None
    cuerpo: object
    consulta: dict
    clave_idempotencia: str | None
    direccion: str
    archivos: dict
    ruta: str = ""


def respuesta_json(datos, estado=200, cabeceras=None):
    return Response(json.dumps(datos, ensure_ascii=False, default=str), status=estado,
                    mimetype="application/json", headers=cabeceras)


def respuesta_archivo(contenido_base64, mime, nombre_archivo=None, adjunto=False):
    """Un archivo que un servicio mandó en base64 (RPC es JSON), de vuelta en bytes. Nunca en caché: recibos,
    listas, fotos e informes nombran personas o cifras de una oficina."""
    cabeceras = {"Cache-Control": "no-store"}
    if nombre_archivo:
        cabeceras["Content-Disposition"] = f'{"attachment" if adjunto else "inline"}; filename="{nombre_archivo}"'
    return Response(base64.b64decode(contenido_base64), status=200, mimetype=mime, headers=cabeceras)


def respuesta_error(error, cabeceras=None):
    return respuesta_json(error.a_dict(), error.estado_http, cabeceras)


def id_de_solicitud(environ):
    """El X-Request-Id de esta solicitud (el del cliente si es válido, si no uno nuevo), fijado una vez."""
    if "omm.solicitud" not in environ:
        dado = environ.get("HTTP_X_REQUEST_ID", "")
        # El del cliente solo si es corto y sin caracteres raros: va a los logs y a las cabeceras.
        environ["omm.solicitud"] = dado if ID_VALIDO.match(dado) else uuid.uuid4().hex
    return environ["omm.solicitud"]


def error_interno(environ, exc_info=None):
    """500 del contrato: la referencia es el id de la solicitud y el log guarda la traza con ella."""
    referencia = id_de_solicitud(environ)
    log.error("Error interno en %s %s [referencia %s]", environ.get("REQUEST_METHOD"),
              environ.get("PATH_INFO"), referencia, exc_info=exc_info or True)
    return ErrorOMM("Ocurrió un error interno; el equipo técnico fue avisado. Si se repite, comunique la "
                    "referencia.", {"referencia": referencia}, codigo="ERROR_INTERNO")


class AppWSGI(WsgiApp):
    """Toda respuesta sale en el formato del contrato: también las rutas inexistentes (404), el método que
    la ruta no admite (405) y cualquier error que escape a la ruta (500 con referencia)."""

    def __call__(self, environ, start_response):
        inicio = time.perf_counter()
        solicitud = id_de_solicitud(environ)
        # Para los logs de este greenthread (también la línea de acceso, que se escribe al terminar).
        fijar_solicitud(solicitud)
        plantilla = "sin_ruta"  # la métrica lleva la plantilla de la ruta, nunca la ruta con ids ni consulta
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
            plantilla = provider.url
            request.path_values = values
            respuesta = provider.handle_request(request)
        except MethodNotAllowed as exc:
            respuesta = respuesta_error(
                ErrorOMM("La ruta no admite el método " + environ.get("REQUEST_METHOD", "") + ".",
                         {"metodos_permitidos": sorted(exc.valid_methods or [])}, codigo="METODO_NO_PERMITIDO"),
                {"Allow": ", ".join(sorted(exc.valid_methods or []))})
        except NotFound:
            respuesta = respuesta_error(NoEncontrado("No existe esa ruta."))
        except HTTPException as exc:
            # Las descripciones de werkzeug están en inglés: aquí el mensaje del contrato, en español.
            if exc.code == 413:
                error = ErrorOMM("El cuerpo de la solicitud es demasiado grande.", codigo="DEMASIADO_GRANDE")
            elif exc.code == 400:
                error = ErrorOMM("La solicitud no se pudo leer.", codigo="VALIDACION")
            else:
                error = error_interno(environ)
            respuesta = respuesta_error(error)
        except Exception:
            respuesta = respuesta_error(error_interno(environ))
        respuesta.headers["X-Request-Id"] = solicitud
        for cabecera, valor in CABECERAS_SEGURAS.items():
            respuesta.headers.setdefault(cabecera, valor)
        observar_http(plantilla, environ.get("REQUEST_METHOD", ""), respuesta.status_code,
                      time.perf_counter() - inicio)
        return respuesta(environ, start_response)


class IdUUID(BaseConverter):
    """Un `<..._id>` de la API solo calza con un UUID: «/beneficiarias/candidatas» no es la ruta de una
    beneficiaria, y el 405 (cabecera Allow) nombra solo los métodos de la ruta que de verdad calza."""
    regex = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


_ID_EN_RUTA = re.compile(r"<([a-z_]+_id)>")


class ServidorWeb(WebServer):
    def get_wsgi_app(self):
        return AppWSGI(self)

    def make_url_map(self):
        url_map = Map(converters={"id_uuid": IdUUID})
        for provider in self._providers:
            rule = provider.get_url_rule()
            if rule.rule.startswith("/api/"):
                rule = Rule(_ID_EN_RUTA.sub(r"<id_uuid:\1>", rule.rule), methods=rule.methods)
            rule.endpoint = provider
            url_map.add(rule)
        return url_map

    def context_data_from_headers(self, request):
        # El worker de la ruta (y cada RPC y evento que salga de él) lleva el id de la solicitud.
        return {CLAVE_CONTEXTO: id_de_solicitud(request.environ)}


class EntradaHTTP(HttpRequestHandler):
    """@http de nameko con el servidor de arriba; lo que escape del trabajador es un 500 del contrato."""
    server = ServidorWeb()

    def response_from_exception(self, exc):
        # Aquí no llega el environ: la referencia es nueva; AppWSGI pone igual el X-Request-Id.
        return respuesta_error(error_interno({}, (type(exc), exc, exc.__traceback__)))


http = EntradaHTTP.decorator


def _error_nulo(campo):
    return ErrorValidacion("Hay datos inválidos en la solicitud.",
                           {campo: ["Contiene el carácter nulo (\\u0000), que no está permitido."]})


def _profundidad(valor, nivel=0):
    if nivel > MAX_PROFUNDIDAD:
        return nivel
    if isinstance(valor, dict):
        return max([_profundidad(v, nivel + 1) for v in valor.values()] or [nivel])
    if isinstance(valor, list):
        return max([_profundidad(v, nivel + 1) for v in valor] or [nivel])
    return nivel


def leer_json(request, limite):
    if request.content_length is not None and request.content_length > limite:
        raise ErrorOMM(f"El cuerpo supera el máximo de {limite // 1024} KiB.", codigo="DEMASIADO_GRANDE")
    crudo = request.stream.read(limite + 1)
    if len(crudo) > limite:
        raise ErrorOMM(f"El cuerpo supera el máximo de {limite // 1024} KiB.", codigo="DEMASIADO_GRANDE")
    if not crudo.strip():
        return {}
    try:
        texto = crudo.decode("utf-8")
    except UnicodeDecodeError:
        raise ErrorValidacion("El cuerpo no es texto UTF-8 válido.", {"_cuerpo": ["Codificación inválida."]}) from None
    try:
        datos = json.loads(texto)
    except (ValueError, RecursionError):
        raise ErrorValidacion("El cuerpo no es JSON válido.", {"_cuerpo": ["JSON mal formado."]}) from None
    if _profundidad(datos) > MAX_PROFUNDIDAD:
        raise ErrorValidacion("El JSON está anidado demasiado profundo.", {"_cuerpo": ["Demasiados niveles."]})
    if contiene_nulo(datos):
        raise _error_nulo("_cuerpo")
    return datos


def ruta(metodo, camino, resumen, roles=(), **opciones):
    """Declara una ruta; `roles=None` la hace pública (sin token)."""
    definicion = Ruta(metodo, camino, resumen, roles, **opciones)
    RUTAS.append(definicion)

    def decorador(funcion):
        definicion.funcion = funcion  # las páginas web llaman la misma operación (gateway.web.Pagina.api)

        @functools.wraps(funcion)
        def envoltura(self, request, **params):
            try:
                for nombre, valor in params.items():
                    # Un id que no es UUID no puede existir: 404 sin molestar al servicio ni a la base.
                    if nombre.endswith("_id") and not es_uuid(valor):
                        raise NoEncontrado("No se encontró el recurso.", {nombre: valor[:60]})
                peticion = self._preparar(request, definicion)
                resultado = self._con_idempotencia(
                    peticion, definicion, lambda: funcion(self, peticion, **params))
            except ErrorOMM as exc:
                if exc.estado_http >= 500 and exc.codigo == "ERROR_INTERNO":
                    exc = error_interno(request.environ)
                return respuesta_error(exc)
            except IntegrityError as exc:
                if not choque_de_unicidad(exc):
                    return respuesta_error(error_interno(request.environ))
                # Dos solicitudes iguales a la vez (dos administradoras crean la misma usuaria): una gana.
                return respuesta_error(ErrorOMM("Otra solicitud acaba de guardar lo mismo; actualice y revise.",
                                                codigo="DUPLICADO"))
            except Exception:
                return respuesta_error(error_interno(request.environ))
            if isinstance(resultado, Response):
                return resultado
            estado, datos = resultado
            return respuesta_json(datos, estado)
        envoltura.definicion = definicion
        return http(metodo, camino)(envoltura)
    return decorador


_TOKENS_RPC = {}


def token_rpc(token_api, yo):
    """El token corto de RPC de este token de la API, firmado de nuevo cuando le queda menos de un minuto (vale
    5): firmar uno por petición costaba una firma Ed25519, y a cada servicio una verificación más."""
    ahora = time.time()  # el reloj del vencimiento del token, no uno monótono
    visto = _TOKENS_RPC.get(token_api)
    if visto is None or ahora - visto[0] > 60 * (MINUTOS_RPC - 1):
        if len(_TOKENS_RPC) >= 4096:
            _TOKENS_RPC.clear()
        visto = _TOKENS_RPC[token_api] = (ahora, emitir_token(yo))
    return visto[1]


class PuertaHTTP:
    """Mezcla del servicio gateway: lo que toda ruta hace antes y después del caso concreto."""

    def _preparar(self, request, definicion):
        token = None
        yo = None
        if definicion.roles is not None:
            cabecera = request.headers.get("Authorization", "")
            if not cabecera.startswith("Bearer "):
                raise NoAutenticado("Falta el token de acceso (Authorization: Bearer ...).")
            token = cabecera[7:].strip()
            yo = self.autenticar(token)
            if definicion.roles and yo.rol not in definicion.roles:
                raise Prohibido("Su rol no tiene permiso para esta operación.", {"rol": yo.rol})
            # A los servicios no va el token de la API: uno de pocos minutos, emitido tras ver la cuenta activa.
            self.propagar_identidad(token_rpc(token, yo))
        cuerpo, archivos = {}, {}
        if definicion.multipart:
            if request.content_length and request.content_length > definicion.max_cuerpo:
                raise ErrorOMM("El archivo es demasiado grande.", codigo="DEMASIADO_GRANDE")
            archivos = {k: v.read(definicion.max_cuerpo + 1) for k, v in request.files.items()}
            # Los campos de texto del formulario (p. ej. la leyenda de una foto) llegan como cuerpo.
            cuerpo = {k: v for k, v in request.form.items()}
            # Solo «archivo» y los campos del esquema del formulario, como dice el documento (additionalProperties).
            permitidos = {"archivo"} | (set() if isinstance(definicion.multipart, bool)
                                        else set(definicion.multipart._declared_fields))
            desconocidos = sorted((set(cuerpo) | set(archivos)) - permitidos)
            if desconocidos:
                raise ErrorValidacion("Hay datos inválidos en la solicitud.",
                                      {k.replace("\x00", "")[:60]: ["Campo desconocido."] for k in desconocidos})
            if contiene_nulo(cuerpo):
                raise _error_nulo("_cuerpo")
        elif definicion.cuerpo is not None or request.method in ("POST", "PUT", "PATCH"):
            cuerpo = leer_json(request, definicion.max_cuerpo)
            if definicion.cuerpo is not None:
                if not isinstance(cuerpo, dict):
                    raise ErrorValidacion("Se esperaba un objeto JSON.", {"_cuerpo": ["Se esperaba un objeto JSON."]})
                errores = errores_de_tipo(definicion.cuerpo, cuerpo)
                if errores:
                    raise ErrorValidacion("Hay datos inválidos en la solicitud.", errores)
        consulta = {k: v for k, v in request.args.items()}
        for nombre, valor in consulta.items():
            if contiene_nulo(nombre) or contiene_nulo(valor):
                raise _error_nulo(nombre.replace("\x00", ""))
        clave = request.headers.get("Idempotency-Key")
        if clave is not None and not CLAVE_IDEMPOTENCIA.fullmatch(clave):
            raise ErrorValidacion("Idempotency-Key debe tener de 1 a 100 caracteres ASCII visibles, sin espacios.",
                                  {"Idempotency-Key": ["Formato inválido."]})
        return Peticion(yo, token, cuerpo, consulta, clave, request.remote_addr or "", archivos,
                        f"{request.method} {request.path}"[:200])

    def llamar(self, servicio, metodo, *args, tiempo=TIEMPO_RPC, **kwargs):
        """RPC con tiempo máximo; los errores del servicio vuelven como ErrorOMM."""
        return rpc.llamar(getattr(self, servicio), servicio, metodo, *args, tiempo=tiempo, **kwargs)

    def en_paralelo(self, llamadas):
        """Varias RPC a la vez [(servicio, metodo, *args)]: la respuesta tarda lo que la más lenta."""
        return rpc.en_paralelo(self.llamar, llamadas)
