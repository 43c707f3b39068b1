"""Quién llama: el token firmado viaja como dato de contexto de nameko y cada servicio lo verifica.

El gateway no pasa rol ni municipio sueltos: un mensaje RPC con un contexto inventado
no lleva una firma válida y se rechaza (defensa en profundidad).

Firmas Ed25519 (omm_common.claves): los tokens de personas solo los emite el gateway, con su clave privada,
que ningún servicio tiene; un servicio solo firma tokens de sí mismo. Dos audiencias: el token de la API
(`omm-api`, el que recibe quien inicia sesión, una hora) solo lo acepta el gateway; por RPC viaja uno de pocos
minutos (`omm-rpc`) que el gateway emite en cada solicitud tras comprobar que la cuenta sigue activa. Quien
copie un token de la API y lo mande directo por AMQP no obtiene nada.
"""
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from nameko.extensions import DependencyProvider

from . import claves
from .errores import NoAutenticado, Prohibido
from .tiempo import ahora_utc

CLAVE_CONTEXTO = "omm_token"
ROLES = ("coordinadora", "tecnica", "promotora", "cis", "mancomunidad", "admin")
ROL_SERVICIO = "servicio"
ALGORITMO = "EdDSA"
EMISOR = "gateway"  # el único que emite tokens de personas
AUD_API = "omm-api"
AUD_RPC = "omm-rpc"
MINUTOS_RPC = 5


@dataclass(frozen=True)
class Identidad:
    usuario_id: str
    usuario: str
    rol: str
    municipio: str | None = None
    mancomunidad: str | None = None
    nombre: str | None = None  # el de la persona, para recibos y listas firmadas (lo que se ve, no un id)

    def exigir_rol(self, *roles):
        if self.rol not in roles:
            raise Prohibido("Su rol no tiene permiso para esta operación.", {"rol": self.rol})
        return self

    def exigir_municipio(self):
        if not self.municipio:
            raise Prohibido("Esta operación requiere un usuario de un municipio.")
        return self.municipio


def emitir_token(identidad, minutos=MINUTOS_RPC, ahora=None, audiencia=AUD_RPC):
    """Token de una persona; solo puede emitirlo quien tiene la clave privada del gateway."""
    return _firmar(EMISOR, identidad, minutos, ahora, audiencia)


def _firmar(emisor, identidad, minutos, ahora, audiencia):
    ahora = ahora or ahora_utc()
    reclamos = {
        "iss": emisor,
        "aud": audiencia,
        "sub": identidad.usuario_id,
        "usr": identidad.usuario,
        "rol": identidad.rol,
        "mun": identidad.municipio,
        "man": identidad.mancomunidad,
        "nom": identidad.nombre,
        "iat": ahora,
        "exp": ahora + timedelta(minutes=minutos),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(reclamos, claves.privada(emisor), algorithm=ALGORITMO)


def token_de_servicio(nombre, minutos=5):
    """Para llamadas RPC de un servicio a otro (p. ej. notificaciones pide un nombre con consentimiento),
    firmado con la clave del propio servicio: nadie más puede hablar en su nombre."""
    return _firmar(nombre, Identidad(usuario_id=f"servicio:{nombre}", usuario=nombre, rol=ROL_SERVICIO),
                   minutos, None, AUD_RPC)


# Tokens ya verificados, hasta que vencen: cada RPC y cada petición a la API verificaban la firma Ed25519 y
# decodificaban el JWT otra vez. Que la cuenta siga activa no se recuerda aquí (el gateway lo mira aparte).
_VERIFICADOS = {}
MAX_VERIFICADOS = 4096


def verificar_token(token, audiencia=AUD_RPC):
    if not token or not isinstance(token, str):
        raise NoAutenticado("Falta el token de acceso.")
    visto = _VERIFICADOS.get((token, audiencia))
    if visto is not None:
        if visto[1]["exp"] > time.time():
            return visto
        _VERIFICADOS.pop((token, audiencia), None)
        raise NoAutenticado("El token de acceso venció; inicie sesión de nuevo.")
    resultado = _verificar(token, audiencia)
    if len(_VERIFICADOS) >= MAX_VERIFICADOS:
        _VERIFICADOS.clear()
    _VERIFICADOS[(token, audiencia)] = resultado
    return resultado


def _verificar(token, audiencia):
    try:
        emisor = jwt.decode(token, options={"verify_signature": False}).get("iss")
        if emisor not in claves.EMISORES:
            raise jwt.InvalidIssuerError()
        reclamos = jwt.decode(
            token, claves.publica(emisor), algorithms=[ALGORITMO], issuer=emisor, audience=audiencia,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise NoAutenticado("El token de acceso venció; inicie sesión de nuevo.") from None
    except (jwt.PyJWTError, claves.SinClave):
        raise NoAutenticado("El token de acceso no es válido.") from None
    rol = reclamos.get("rol")
    # Una persona, solo si la firmó el gateway; un servicio, solo en nombre propio.
    if not ((rol in ROLES and emisor == EMISOR) or (rol == ROL_SERVICIO and reclamos.get("usr") == emisor)):
        raise NoAutenticado("El token de acceso no es válido.")
    return Identidad(
        usuario_id=reclamos["sub"], usuario=reclamos.get("usr", ""), rol=reclamos["rol"],
        municipio=reclamos.get("mun"), mancomunidad=reclamos.get("man"), nombre=reclamos.get("nom"),
    ), reclamos


class Llamante:
    """Identidad de quien hizo la llamada; se verifica al pedirla, no al crear el worker."""

    def __init__(self, datos_contexto):
        self._token = datos_contexto.get(CLAVE_CONTEXTO)

    def identidad(self):
        return verificar_token(self._token)[0]

    def exigir(self, *roles):
        return self.identidad().exigir_rol(*roles)

    def exigir_servicio(self, *nombres):
        """Solo esos servicios (el token de un servicio solo lo firma ese servicio)."""
        yo = self.identidad().exigir_rol(ROL_SERVICIO)
        if yo.usuario not in nombres:
            raise Prohibido("Este servicio no puede pedir estos datos.", {"servicio": yo.usuario})
        return yo


class IdentidadLlamante(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return Llamante(worker_ctx.data)


class PropagarIdentidad(DependencyProvider):
    """En el gateway: pone el token del usuario en el contexto que viaja con cada RPC."""

    def get_dependency(self, worker_ctx):
        def establecer(token):
            worker_ctx.data[CLAVE_CONTEXTO] = token
        return establecer
