"""Quién llama: el token firmado viaja como dato de contexto de nameko y cada servicio lo verifica.

El gateway no pasa rol ni municipio sueltos: un mensaje RPC con un contexto inventado
no lleva una firma válida y se rechaza (defensa en profundidad).
"""
import os
import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from nameko.extensions import DependencyProvider

from .errores import NoAutenticado, Prohibido
from .tiempo import ahora_utc

CLAVE_CONTEXTO = "omm_token"
ROLES = ("coordinadora", "tecnica", "promotora", "cis", "mancomunidad", "admin")
ROL_SERVICIO = "servicio"
ALGORITMO = "HS256"
EMISOR = "omm-gateway"


def secreto_jwt():
    secreto = os.environ.get("OMM_JWT_SECRETO")
    if not secreto or len(secreto) < 32:
        raise RuntimeError("OMM_JWT_SECRETO no está definido o tiene menos de 32 caracteres.")
    return secreto


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


def emitir_token(identidad, minutos=60, ahora=None):
    ahora = ahora or ahora_utc()
    reclamos = {
        "iss": EMISOR,
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
    return jwt.encode(reclamos, secreto_jwt(), algorithm=ALGORITMO)


def token_de_servicio(nombre, minutos=5):
    """Para llamadas RPC de un servicio a otro (p. ej. notificaciones pide un nombre con consentimiento)."""
    return emitir_token(Identidad(usuario_id=f"servicio:{nombre}", usuario=nombre, rol=ROL_SERVICIO), minutos)


def verificar_token(token):
    if not token or not isinstance(token, str):
        raise NoAutenticado("Falta el token de acceso.")
    try:
        reclamos = jwt.decode(
            token, secreto_jwt(), algorithms=[ALGORITMO], issuer=EMISOR,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise NoAutenticado("El token de acceso venció; inicie sesión de nuevo.") from None
    except jwt.PyJWTError:
        raise NoAutenticado("El token de acceso no es válido.") from None
    if reclamos.get("rol") not in ROLES + (ROL_SERVICIO,):
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


class IdentidadLlamante(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return Llamante(worker_ctx.data)


class PropagarIdentidad(DependencyProvider):
    """En el gateway: pone el token del usuario en el contexto que viaja con cada RPC."""

    def get_dependency(self, worker_ctx):
        def establecer(token):
            worker_ctx.data[CLAVE_CONTEXTO] = token
        return establecer
