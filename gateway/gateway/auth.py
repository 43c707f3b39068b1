"""Contraseñas (argon2), emisión de tokens y freno a quien adivina contraseñas."""
import math
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from omm_common.contexto import AUD_API, Identidad, emitir_token
from omm_common.errores import ErrorOMM, NoAutenticado
from omm_common.tiempo import ahora_utc

from .models import IntentoFallido, TokenRevocado, Usuario

_hasher = PasswordHasher()
_HASH_FICTICIO = _hasher.hash("contrasena-ficticia-para-tiempo-constante")

MINUTOS_TOKEN = 60
MINIMO_CONTRASENA = 10  # el de POST /api/v1/usuarios (schemas.UsuarioEntrada)
MINIMO_CONTRASENA_ADMIN = 12  # una cuenta de administración abre todas las demás (el de omm-admin)
# Tres contadores (issue 16): la cuenta desde una dirección (el freno de quien adivina), la cuenta desde
# cualquier parte (adivinar desde muchas direcciones; más alto, para que nadie bloquee a otra a propósito desde
# la suya) y la dirección (quien rocía muchas cuentas). Una oficina entera sale por una sola dirección (NAT):
# cada acierto desde ella le perdona FALLOS_POR_USUARIO fallos, y un contador sin fallos en un día se olvida.
FALLOS_POR_USUARIO = 5
FALLOS_POR_CUENTA = 20
FALLOS_POR_DIRECCION = 30
BLOQUEO_BASE = timedelta(minutes=1)
BLOQUEO_MAXIMO = timedelta(hours=1)
OLVIDO = timedelta(hours=24)


def hashear(contrasena):
    return _hasher.hash(contrasena)


def identidad_de(u):
    return Identidad(usuario_id=u.id, usuario=u.usuario, rol=u.rol, municipio=u.municipio,
                     mancomunidad=u.mancomunidad, nombre=u.nombre)


def _claves(usuario, direccion):
    """[la cuenta desde esta dirección, la cuenta, la dirección]."""
    u = usuario.lower()[:60]
    return [f"u:{u}|ip:{direccion[:50]}", f"u:{u}", f"ip:{direccion[:50]}"]


def _limite(clave):
    if clave.startswith("ip:"):
        return FALLOS_POR_DIRECCION
    return FALLOS_POR_USUARIO if "|ip:" in clave else FALLOS_POR_CUENTA


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
        if fila.fallos and fila.actualizado_en is not None and ahora - fila.actualizado_en > OLVIDO:
            fila.fallos = 0  # los errores de hace semanas no suman con los de hoy
        fila.fallos += 1
        fila.actualizado_en = ahora
        limite = _limite(clave)
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
    _acierto(sesion, claves)
    if _hasher.check_needs_rehash(u.hash_contrasena):
        u.hash_contrasena = hashear(contrasena)
    return respuesta_de_token(u)


def _acierto(sesion, claves):
    """La cuenta queda limpia; la dirección (quizá una oficina entera) se perdona en parte."""
    sesion.execute(sa.delete(IntentoFallido).where(IntentoFallido.clave.in_(claves[:2])))
    direccion = sesion.get(IntentoFallido, claves[2])
    if direccion is not None:
        direccion.fallos = max(0, direccion.fallos - FALLOS_POR_USUARIO)
        if direccion.fallos < FALLOS_POR_DIRECCION:
            direccion.bloqueado_hasta = None


def respuesta_de_token(u):
    """Token nuevo para `u` y lo que la pantalla necesita saber de ella (también si debe cambiar la contraseña)."""
    return token_para(*foto_para_token(u))


def foto_para_token(u):
    """Lo que hace falta para emitir su token, tomado dentro de la transacción."""
    return identidad_de(u), usuario_publico(u), u.credenciales_desde


def token_para(identidad, publico, credenciales_desde):
    _esperar_frontera(credenciales_desde)
    token = emitir_token(identidad, MINUTOS_TOKEN, audiencia=AUD_API)
    return {
        "access_token": token, "token_type": "bearer", "expira_en": MINUTOS_TOKEN * 60,
        "debe_cambiar_contrasena": publico["debe_cambiar_contrasena"], "usuario": publico,
    }


def usuario_publico(u):
    return {"id": u.id, "usuario": u.usuario, "nombre": u.nombre, "rol": u.rol,
            "municipio": u.municipio, "mancomunidad": u.mancomunidad, "activo": u.activo,
            "debe_cambiar_contrasena": bool(u.debe_cambiar_contrasena)}


def exigir_activo(sesion, usuario_id):
    u = sesion.get(Usuario, usuario_id)
    if u is None or not u.activo:
        raise NoAutenticado("El usuario no existe o fue desactivado.")
    return u


# --- vigencia de los tokens ---

def frontera(credenciales_desde):
    """Primer `iat` (segundos enteros, como lo escribe el JWT) que vale tras un cambio de credenciales.

    Un token emitido antes del cambio tiene iat <= su instante < credenciales_desde <= frontera: no vale.
    """
    if credenciales_desde is None:
        return None
    return math.ceil(credenciales_desde.timestamp())


def _esperar_frontera(credenciales_desde):
    """Un token emitido en el mismo segundo del cambio llevaría un iat anterior a él: se espera (< 1 s)."""
    limite = frontera(credenciales_desde)
    if limite is not None:
        falta = limite - ahora_utc().timestamp()
        if falta > 0:
            time.sleep(falta + 0.01)  # en el gateway, eventlet hace cooperativa esta espera


def revocar_tokens(u):
    """Los tokens que `u` tiene ahora dejan de valer (los nuevos, emitidos después, sí valen)."""
    u.credenciales_desde = ahora_utc()


class CambioDeContrasenaRequerido(ErrorOMM):
    codigo = "CAMBIO_DE_CONTRASENA_REQUERIDO"

    @property
    def estado_http(self):
        return 403


@dataclass(frozen=True)
class EstadoCuenta:
    frontera: int | None
    debe_cambiar_contrasena: bool
    revocados: frozenset = frozenset()  # jti de sus tokens cerrados con /auth/salida que aún no vencen


def estado_de(sesion, usuario_id):
    u = exigir_activo(sesion, usuario_id)
    revocados = sesion.scalars(sa.select(TokenRevocado.jti).where(
        TokenRevocado.usuario_id == usuario_id, TokenRevocado.vence_en > ahora_utc())).all()
    return EstadoCuenta(frontera(u.credenciales_desde), bool(u.debe_cambiar_contrasena), frozenset(revocados))


def exigir_vigente(estado, reclamos):
    """El token es de antes del último cambio de contraseña, rol o municipio, o se cerró: ya no vale."""
    iat = reclamos.get("iat")
    if estado.frontera is not None and (not isinstance(iat, (int, float)) or iat < estado.frontera):
        raise NoAutenticado("Sus credenciales cambiaron (contraseña, rol o municipio); inicie sesión de nuevo.")
    if reclamos.get("jti") in estado.revocados:
        raise NoAutenticado("Esta sesión se cerró; inicie sesión de nuevo.")


def cerrar_token(sesion, usuario_id, reclamos):
    """Revoca este token (y olvida los cerrados que ya vencieron). Repetirlo no cambia nada."""
    ahora = ahora_utc()
    sesion.execute(sa.delete(TokenRevocado).where(TokenRevocado.usuario_id == usuario_id,
                                                  TokenRevocado.vence_en <= ahora))
    jti = reclamos.get("jti")
    if jti and sesion.get(TokenRevocado, jti) is None:
        sesion.add(TokenRevocado(jti=jti, usuario_id=usuario_id,
                                 vence_en=datetime.fromtimestamp(reclamos["exp"], timezone.utc)))


def exigir_sin_cambio_pendiente(estado, permitida):
    if estado.debe_cambiar_contrasena and not permitida:
        raise CambioDeContrasenaRequerido(
            "Debe cambiar la contraseña temporal antes de continuar (POST /api/v1/yo/contrasena).",
            {"debe_cambiar_contrasena": True})


# --- cambio y restablecimiento ---

def verificar_contrasena_actual(sesion, u, contrasena, direccion):
    """True si es la suya. Un fallo cuenta para el bloqueo de la cuenta como uno al iniciar sesión: quien robó
    un token no puede adivinar la contraseña por aquí sin freno, y la cuenta bloqueada tampoco entra. No cuenta
    para el de la dirección (ese frena a quien prueba muchas cuentas; aquí solo hay una, la del token, y una
    oficina detrás de una sola IP no debe quedar fuera por el error de una persona)."""
    ahora = ahora_utc()
    claves = _claves(u.usuario, direccion)
    _bloqueo_vigente(sesion, claves, ahora)
    try:
        _hasher.verify(u.hash_contrasena, contrasena)
    except (VerificationError, InvalidHashError):
        _registrar_fallo(sesion, claves[:2], ahora)
        return False
    sesion.execute(sa.delete(IntentoFallido).where(IntentoFallido.clave.in_(claves[:2])))
    return True


def es_la_misma(u, contrasena):
    try:
        return _hasher.verify(u.hash_contrasena, contrasena)
    except (VerificationError, InvalidHashError):
        return False


def error_de_politica(rol, contrasena):
    """Lo que el esquema no sabe: una cuenta de administración pide más caracteres. None si cumple."""
    if rol == "admin" and len(contrasena) < MINIMO_CONTRASENA_ADMIN:
        return f"Una cuenta de administración necesita al menos {MINIMO_CONTRASENA_ADMIN} caracteres."
    return None


def fijar_contrasena(sesion, u, contrasena, temporal=False):
    """Nueva contraseña: los tokens anteriores dejan de valer; una temporal obliga a cambiarla al entrar.
    Quien restablece suele venir de un bloqueo: se levanta el de la cuenta."""
    u.hash_contrasena = hashear(contrasena)
    u.debe_cambiar_contrasena = temporal
    revocar_tokens(u)
    if temporal:
        cuenta = _claves(u.usuario, "")[1]
        sesion.execute(sa.delete(IntentoFallido).where(sa.or_(IntentoFallido.clave == cuenta,
                                                               IntentoFallido.clave.startswith(cuenta + "|ip:", autoescape=True))))


def contrasena_temporal():
    """Fácil de dictar por teléfono (sin 0/O ni 1/l) y con ~80 bits de azar."""
    letras = "abcdefghijkmnpqrstuvwxyz23456789"
    grupos = ["".join(secrets.choice(letras) for _ in range(4)) for _ in range(4)]
    return "-".join(grupos)


class ActivasRecientes:
    """Recuerda el estado de cada cuenta (activa, desde cuándo valen sus tokens, si debe cambiar la
    contraseña, sus tokens cerrados), para no ir a la base en cada petición.

    Un cambio surte efecto al instante en la instancia que lo hizo y, por el aviso CuentaCambiada
    (cuentas.py), en las demás instancias del gateway; si el aviso se pierde, a más tardar en `segundos`.
    """

    def __init__(self, segundos=30.0):
        self.segundos = segundos
        self._vistas = {}

    def estado(self, usuario_id, consultar):
        ahora = time.monotonic()
        visto = self._vistas.get(usuario_id)
        if visto is not None and ahora - visto[0] < self.segundos:
            return visto[1]
        valor = consultar()
        self._vistas[usuario_id] = (ahora, valor)
        return valor

    def olvidar(self, usuario_id):
        self._vistas.pop(usuario_id, None)


ACTIVAS = ActivasRecientes()
