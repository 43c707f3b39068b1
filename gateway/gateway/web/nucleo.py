"""Sesión por cookie, CSRF, cabeceras de seguridad, plantillas y el puente a las operaciones de la API."""
import functools
import gzip
import hashlib
import hmac
import logging
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from werkzeug.wrappers import Response

from omm_common.contexto import emitir_token
from omm_common import municipios
from omm_common.textos import fecha_larga, lempiras
from omm_common.errores import ErrorOMM, ErrorValidacion, NoAutenticado, NoEncontrado, Prohibido
from omm_common.tiempo import HONDURAS, ahora_utc

from .. import auth
from ..http import Peticion, error_interno, http
from ..models import SesionWeb, Usuario
from . import textos

log = logging.getLogger("omm.web")

COOKIE = "omm_sesion"
COOKIE_ENTRADA = "omm_entrada"  # CSRF del formulario de entrada, antes de que haya sesión
CARPETA_ESTATICOS = Path(__file__).parent / "estatico"
# Una página con datos de personas nunca se guarda en caché ni se enmarca; ningún script en línea.
CABECERAS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
ACTUALIZAR_ACTIVIDAD = timedelta(seconds=30)


def minutos_de_inactividad():
    return int(os.environ.get("OMM_WEB_INACTIVIDAD_MINUTOS", "15"))


def cookie_segura(request):
    """Secure detrás de TLS (directo o por un proxy que lo diga); en http://localhost el navegador la rechazaría."""
    return request.scheme == "https" or request.headers.get("X-Forwarded-Proto") == "https" or \
        os.environ.get("OMM_WEB_COOKIE_SEGURA") == "1"


def _hash(valor):
    return hashlib.sha256(valor.encode()).hexdigest()


# --- plantillas ---

def _fecha(valor):
    if not valor:
        return ""
    if isinstance(valor, str):
        try:
            valor = datetime.fromisoformat(valor) if "T" in valor else date.fromisoformat(valor[:10])
        except ValueError:
            return valor
    if isinstance(valor, datetime):
        valor = valor.astimezone(HONDURAS).date() if valor.tzinfo else valor.date()
    return fecha_larga(valor)


def _fecha_hora(valor):
    if not valor:
        return ""
    if isinstance(valor, str):
        try:
            valor = datetime.fromisoformat(valor)
        except ValueError:
            return valor
    local = valor.astimezone(HONDURAS) if valor.tzinfo else valor
    return f"{fecha_larga(local.date())}, {local:%H:%M}"


def _municipio(codigo):
    m = municipios.buscar(codigo) if codigo else None
    return m.nombre if m else (codigo or "")


def iniciales(nombre):
    return "".join(p[0].upper() + "." for p in (nombre or "").split() if p[:1].isalpha())


@functools.lru_cache(maxsize=None)
def _version(nombre):
    return hashlib.sha256((CARPETA_ESTATICOS / nombre).read_bytes()).hexdigest()[:12]


def estatico(nombre):
    """URL de un archivo estático con su huella: se guarda un año y cambia de URL cuando cambia el archivo."""
    return f"/estatico/{nombre}?v={_version(nombre)}"


ENTORNO = Environment(loader=PackageLoader("gateway.web", "plantillas"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
ENTORNO.filters.update(fecha=_fecha, fecha_hora=_fecha_hora, lempiras=lempiras, etiqueta=textos.etiqueta,
                       iniciales=iniciales, municipio=_municipio)
# Una clave nueva por formulario (no por página): dos formularios de la misma página nunca comparten la suya.
ENTORNO.globals.update(estatico=estatico, nueva_clave=lambda: uuid.uuid4().hex)


# --- lo que cada módulo de páginas registra ---

MENU = []  # (orden, etiqueta, enlace, roles)
INICIO = []  # (roles, función(self) -> [aviso])


def menu(etiqueta, enlace, roles, orden=50):
    MENU.append((orden, etiqueta, enlace, tuple(roles)))
    MENU.sort(key=lambda x: x[0])


def en_inicio(*roles):
    """Lo que la página de inicio muestra a esos roles: [{"texto", "enlace", "urgente"?, "cifra"?}]."""
    def decorador(funcion):
        INICIO.append((roles, funcion))
        return funcion
    return decorador


@dataclass
class Web:
    """Lo de esta solicitud: quién es, su CSRF, su token de una sola solicitud, la dirección."""
    yo: object
    csrf: str
    token: str
    direccion: str
    debe_cambiar: bool
    request: object


class Redireccion(Exception):
    """Ir a otra página (303) desde dentro de una: tras guardar (PRG) o cuando falta algo antes."""

    def __init__(self, destino):
        super().__init__(destino)
        self.destino = destino


def redirigir(destino):
    return Response(status=303, headers={"Location": destino})


def _comprimir(respuesta, request):
    if "gzip" in request.headers.get("Accept-Encoding", "") and respuesta.status_code == 200 \
            and not respuesta.direct_passthrough and respuesta.mimetype in ("text/html", "text/css",
                                                                            "application/javascript", "image/svg+xml"):
        datos = respuesta.get_data()
        if len(datos) > 1000:
            respuesta.set_data(gzip.compress(datos, 6))
            respuesta.headers["Content-Encoding"] = "gzip"
            respuesta.headers["Vary"] = "Accept-Encoding"
    return respuesta


def formulario(request, *campos, vacios=False):
    """Los campos del formulario como los espera la API: sin espacios de más y sin los vacíos."""
    datos = {}
    for k in (campos or request.form.keys()):
        if k in ("csrf", "clave"):
            continue
        v = request.form.get(k)
        if v is None:
            continue
        v = v.strip()
        if v or vacios:
            datos[k] = v
    return datos


def pagina(metodos, camino, roles=(), publica=False):
    """Declara una página. `roles=()`: cualquiera con sesión. Un POST sin el CSRF de la sesión se rechaza."""
    def decorador(funcion):
        @functools.wraps(funcion)
        def envoltura(self, request, **params):
            return self._atender_pagina(request, funcion, roles, publica, params)
        return http(metodos, camino)(envoltura)
    return decorador


class PaginasWeb:
    """Mezcla del gateway: lo que toda página hace antes y después de lo suyo."""

    # --- sesión ---

    def _abrir_sesion(self, uow_sesion, usuario_id):
        valor = secrets.token_urlsafe(32)
        uow_sesion.add(SesionWeb(id_hash=_hash(valor), usuario_id=usuario_id, csrf=secrets.token_urlsafe(24),
                                 creada_en=ahora_utc(), ultima_actividad=ahora_utc()))
        return valor

    def _cookie(self, respuesta, request, valor, nombre=COOKIE, borrar=False):
        if borrar:
            respuesta.delete_cookie(nombre, path="/", httponly=True, samesite="Strict",
                                    secure=cookie_segura(request))
        else:
            respuesta.set_cookie(nombre, valor, path="/", httponly=True, samesite="Strict",
                                 secure=cookie_segura(request))
        return respuesta

    def _sesion_web(self, request):
        """La sesión vigente de la cookie, o None (y la vencida se borra)."""
        valor = request.cookies.get(COOKIE)
        if not valor or len(valor) > 100:
            return None
        ahora = ahora_utc()
        with self.uow() as uow:
            s = uow.sesion.get(SesionWeb, _hash(valor))
            if s is None:
                return None
            u = uow.sesion.get(Usuario, s.usuario_id)
            vencida = ahora - s.ultima_actividad > timedelta(minutes=minutos_de_inactividad())
            revocada = u is None or not u.activo or (u.credenciales_desde is not None
                                                     and s.creada_en < u.credenciales_desde)
            if vencida or revocada:
                uow.sesion.delete(s)
                return None
            if ahora - s.ultima_actividad > ACTUALIZAR_ACTIVIDAD:
                s.ultima_actividad = ahora
            identidad = auth.identidad_de(u)
            csrf, debe_cambiar = s.csrf, bool(u.debe_cambiar_contrasena)
        # Un token de pocos minutos, solo para las RPC de esta solicitud: la cookie nunca lleva uno.
        return Web(identidad, csrf, emitir_token(identidad, 5), request.remote_addr or "", debe_cambiar, request)

    def _cerrar_sesion(self, request):
        valor = request.cookies.get(COOKIE)
        if valor:
            with self.uow() as uow:
                s = uow.sesion.get(SesionWeb, _hash(valor))
                if s is not None:
                    uow.sesion.delete(s)

    # --- atender ---

    def _atender_pagina(self, request, funcion, roles, publica, params):
        self.web = None
        try:
            if not publica:
                self.web = self._sesion_web(request)
                if self.web is None:
                    return self._cabeceras(redirigir("/entrar?motivo=sesion" if request.cookies.get(COOKIE)
                                                     else "/entrar"), request)
                if self.web.debe_cambiar and request.path not in ("/contrasena", "/salir"):
                    return self._cabeceras(redirigir("/contrasena"), request)
                if roles and self.web.yo.rol not in roles:
                    raise Prohibido("Su rol no tiene acceso a esta pantalla.")
                if request.method == "POST" and not hmac.compare_digest(request.form.get("csrf", ""),
                                                                         self.web.csrf):
                    return self._cabeceras(self.render("error.html", titulo="Formulario vencido", estado=403,
                                                       mensaje="El formulario venció o no vino de esta aplicación. "
                                                               "Vuelva a la pantalla e inténtelo de nuevo."), request)
                self.propagar_identidad(self.web.token)
            respuesta = funcion(self, request, **params)
        except Redireccion as exc:
            respuesta = redirigir(exc.destino)
        except NoAutenticado:
            respuesta = redirigir("/entrar?motivo=sesion")
        except Prohibido as exc:
            respuesta = self.render("error.html", titulo="Sin permiso", estado=403, mensaje=exc.mensaje)
        except NoEncontrado:
            respuesta = self.render("error.html", titulo="No encontrado", estado=404,
                                    mensaje="No se encontró lo que busca. Puede que no exista o que sea de otro "
                                            "municipio.")
        except ErrorOMM as exc:
            if exc.estado_http >= 500:
                exc = error_interno(request.environ)
            respuesta = self.render("error.html", titulo="No se pudo completar", estado=exc.estado_http,
                                    mensaje=exc.mensaje, referencia=(exc.detalles or {}).get("referencia"))
        except Exception:
            exc = error_interno(request.environ)
            respuesta = self.render("error.html", titulo="Error", estado=500, mensaje=exc.mensaje,
                                    referencia=exc.detalles["referencia"])
        return self._cabeceras(respuesta, request)

    def _cabeceras(self, respuesta, request):
        for k, v in CABECERAS.items():
            respuesta.headers.setdefault(k, v)
        return _comprimir(respuesta, request)

    def render(self, plantilla, estado=200, **contexto):
        web = getattr(self, "web", None)
        yo = web.yo if web else None
        contexto.setdefault("errores", {})
        html = ENTORNO.get_template(plantilla).render(
            yo=yo, csrf=web.csrf if web else contexto.pop("csrf_entrada", ""),
            clave=uuid.uuid4().hex, menu=[(e, h) for _, e, h, r in MENU if yo and yo.rol in r],
            ruta_actual=web.request.path if web else "", inactividad=minutos_de_inactividad() * 60,
            rol_etiqueta=textos.ROLES.get(yo.rol, yo.rol) if yo else "", **contexto)
        return Response(html, status=estado, mimetype="text/html")

    # --- el puente a la API ---

    def api(self, nombre, cuerpo=None, consulta=None, clave=None, archivos=None, **params):
        """La operación de la ruta `nombre` del gateway, con la identidad de la sesión y sus mismos roles.

        Devuelve lo que la ruta: (estado, datos) o una Response (archivos). Sus errores salen como ErrorOMM.
        """
        definicion = getattr(type(self), nombre).definicion
        yo = self.web.yo
        if definicion.roles and yo.rol not in definicion.roles:
            raise Prohibido("Su rol no tiene permiso para esta operación.", {"rol": yo.rol})
        # La clave de idempotencia vale por ruta concreta, como en la API (/acuse/<id> de cada fila es otra).
        camino = definicion.ruta
        for nombre, valor in params.items():
            camino = camino.replace(f"<{nombre}>", str(valor))
        p = Peticion(yo, self.web.token, cuerpo or {}, consulta or {}, clave, self.web.direccion, archivos or {},
                     f"{definicion.metodo} {camino}"[:200])
        return self._con_idempotencia(p, definicion, lambda: definicion.funcion(self, p, **params))

    def datos(self, nombre, *args, **kwargs):
        """Solo los datos de `api` (para leer)."""
        resultado = self.api(nombre, *args, **kwargs)
        return resultado[1] if isinstance(resultado, tuple) else resultado

    def intentar(self, nombre, *args, **kwargs):
        """(datos, None) o (None, error): para mostrar el error junto al campo en vez de una página de error."""
        try:
            return self.datos(nombre, *args, **kwargs), None
        except ErrorValidacion as exc:
            return None, exc
        except ErrorOMM as exc:
            # Un 403/404 que nombra campos (la contraseña actual, un tipo de ayuda que no existe) va junto al campo.
            nombra_campos = isinstance(exc.detalles, dict) and any(isinstance(v, list) for v in exc.detalles.values())
            if exc.estado_http >= 500 or (exc.estado_http in (401, 403, 404) and not nombra_campos):
                raise
            return None, exc


def errores_de(exc):
    """{campo: "mensaje"} de un error de la API, para ponerlo junto a su campo."""
    if exc is None:
        return {}
    detalles = exc.detalles if isinstance(exc.detalles, dict) else {}
    salida = {}
    for campo, mensajes in detalles.items():
        if isinstance(mensajes, list):
            salida[campo] = " ".join(str(m) for m in mensajes if isinstance(m, str)) or exc.mensaje
        elif isinstance(mensajes, dict):
            salida[campo] = " ".join(str(m) for v in mensajes.values() for m in (v if isinstance(v, list) else [v]))
    return salida


def marcar(texto):
    return Markup(texto)
