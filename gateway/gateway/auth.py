"""Contraseñas (argon2), emisión de tokens y freno a quien adivina contraseñas."""
import time
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from omm_common.contexto import Identidad, emitir_token
from omm_common.errores import ErrorOMM, NoAutenticado
from omm_common.tiempo import ahora_utc

from .models import IntentoFallido, Usuario

_hasher = PasswordHasher()
_HASH_FICTICIO = _hasher.hash("contrasena-ficticia-para-tiempo-constante")

MINUTOS_TOKEN = 60
FALLOS_POR_USUARIO = 5
FALLOS_POR_DIRECCION = 30
BLOQUEO_BASE = timedelta(minutes=1)
BLOQUEO_MAXIMO = timedelta(hours=1)


def hashear(contrasena):
    return _hasher.hash(contrasena)


def identidad_de(u):
    return Identidad(usuario_id=u.id, usuario=u.usuario, rol=u.rol, municipio=u.municipio,
                     mancomunidad=u.mancomunidad, nombre=u.nombre)


def _claves(usuario, direccion):
    return [f"u:{usuario.lower()}", f"ip:{direccion}"]


def _bloqueo_vigente(sesion, claves, ahora):
    for clave in claves:
        fila = sesion.get(IntentoFallido, clave)
        if fila and fila.bloqueado_hasta and fila.bloqueado_hasta > ahora:
            segundos = int((fila.bloqueado_hasta - ahora).total_seconds()) + 1
            raise ErrorOMM("Demasiados intentos fallidos; espere antes de intentar de nuevo.",
                           {"reintentar_en_segundos": segundos}, codigo="DEMASIADOS_INTENTOS")


def _registrar_fallo(sesion, claves, ahora):
    for clave in claves:
        fila = sesion.get(IntentoFallido, clave) or IntentoFallido(clave=clave, fallos=0)
        fila.fallos += 1
        fila.actualizado_en = ahora
        limite = FALLOS_POR_USUARIO if clave.startswith("u:") else FALLOS_POR_DIRECCION
        if fila.fallos >= limite:
            # Cada fallo más allá del límite dobla la espera, hasta una hora.
            espera = min(BLOQUEO_BASE * (2 ** (fila.fallos - limite)), BLOQUEO_MAXIMO)
            fila.bloqueado_hasta = ahora + espera
        sesion.add(fila)


def iniciar_sesion(sesion, usuario, contrasena, direccion):
    ahora = ahora_utc()
    claves = _claves(usuario, direccion)
    _bloqueo_vigente(sesion, claves, ahora)
    u = sesion.scalar(sa.select(Usuario).where(Usuario.usuario == usuario))
    try:
        _hasher.verify(u.hash_contrasena if u else _HASH_FICTICIO, contrasena)
        valido = u is not None and u.activo
    except (VerificationError, InvalidHashError):
        valido = False
    if not valido:
        _registrar_fallo(sesion, claves, ahora)
        return None
    sesion.execute(sa.delete(IntentoFallido).where(IntentoFallido.clave == claves[0]))
    if _hasher.check_needs_rehash(u.hash_contrasena):
        u.hash_contrasena = hashear(contrasena)
    token = emitir_token(identidad_de(u), MINUTOS_TOKEN)
    return {
        "access_token": token, "token_type": "bearer", "expira_en": MINUTOS_TOKEN * 60,
        "usuario": usuario_publico(u),
    }


def usuario_publico(u):
    return {"id": u.id, "usuario": u.usuario, "nombre": u.nombre, "rol": u.rol,
            "municipio": u.municipio, "mancomunidad": u.mancomunidad, "activo": u.activo}


def exigir_activo(sesion, usuario_id):
    u = sesion.get(Usuario, usuario_id)
    if u is None or not u.activo:
        raise NoAutenticado("El usuario no existe o fue desactivado.")
    return u


class ActivasRecientes:
    """Recuerda por unos segundos qué usuarias están activas, para no ir a la base en cada petición.

    Desactivar en esta instancia surte efecto al instante (se olvida); en otras instancias del
    gateway, a más tardar en `segundos`.
    """

    def __init__(self, segundos=5.0):
        self.segundos = segundos
        self._vistas = {}

    def activa(self, usuario_id, consultar):
        ahora = time.monotonic()
        visto = self._vistas.get(usuario_id)
        if visto is not None and ahora - visto < self.segundos:
            return
        consultar()
        self._vistas[usuario_id] = ahora

    def olvidar(self, usuario_id):
        self._vistas.pop(usuario_id, None)
