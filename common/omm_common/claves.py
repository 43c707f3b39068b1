"""Firmas Ed25519 por tipo de proceso: quién emitió un token o un evento, sin un secreto compartido.

Cada proceso recibe solo su clave privada (OMM_CLAVE_PRIVADA_CASOS=<base64> para casos; el proceso de relays,
las de los servicios cuyos eventos publica) y las públicas de todos (OMM_CLAVES_PUBLICAS="gateway:<b64>,...").
Así un servicio no puede hacerse pasar por el gateway (los tokens de personas solo los emite el gateway) ni
publicar eventos a nombre de otro: la firma lo delata. Un proceso de pruebas tiene todas (hace de cualquiera).
"""
import base64
import os
import stat
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

EMISORES = ("gateway", "casos", "ayudas", "capacitaciones", "notificaciones", "reportes")


class SinClave(RuntimeError):
    pass


def _b64(datos):
    return base64.urlsafe_b64encode(datos).decode().rstrip("=")


def _de_b64(texto):
    return base64.urlsafe_b64decode(texto + "=" * (-len(texto) % 4))


def variable_privada(emisor):
    return f"OMM_CLAVE_PRIVADA_{emisor.upper()}"


@lru_cache(maxsize=None)
def _privada(texto):
    return Ed25519PrivateKey.from_private_bytes(_de_b64(texto))


@lru_cache(maxsize=None)
def _publicas(texto):
    return {e: Ed25519PublicKey.from_public_bytes(_de_b64(v)) for e, v in _pares_de(texto).items()}


def _pares_de(texto):
    salida = {}
    for parte in texto.split(","):
        if ":" in parte:
            emisor, valor = parte.strip().split(":", 1)
            salida[emisor] = valor
    return salida


def privada(emisor):
    texto = os.environ.get(variable_privada(emisor)) if emisor in EMISORES else None
    if not texto:
        raise SinClave(f"Este proceso no tiene la clave privada de «{emisor}» ({variable_privada(emisor)}).")
    return _privada(texto)


def publica(emisor):
    clave = _publicas(os.environ.get("OMM_CLAVES_PUBLICAS", "")).get(emisor)
    if clave is None:
        raise SinClave(f"No se conoce la clave pública de «{emisor}» (OMM_CLAVES_PUBLICAS).")
    return clave


def firmar(emisor, datos: bytes) -> str:
    return _b64(privada(emisor).sign(datos))


def verificar(emisor, datos: bytes, firma) -> bool:
    if emisor not in EMISORES or not isinstance(firma, str):
        return False
    try:
        publica(emisor).verify(_de_b64(firma), datos)
        return True
    except (InvalidSignature, ValueError, SinClave):
        return False


def derivar(emisor, etiqueta: bytes) -> bytes:
    """Un secreto propio del emisor para otro uso (p. ej. los códigos de las constancias), de su clave privada."""
    import hashlib
    import hmac
    crudo = privada(emisor).private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                          serialization.NoEncryption())
    return hmac.new(crudo, b"omm|" + etiqueta, hashlib.sha256).digest()


def generar():
    """(privada, pública) en base64, para un emisor nuevo."""
    clave = Ed25519PrivateKey.generate()
    crudo = clave.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    return _b64(crudo), _b64(clave.public_key().public_bytes(serialization.Encoding.Raw,
                                                             serialization.PublicFormat.Raw))


def juego(carpeta=None):
    """{emisor: (privada, pública)} de los seis emisores: en `carpeta` (0600) si se da, creados una vez."""
    salida = {}
    for emisor in EMISORES:
        archivo = Path(carpeta) / f"{emisor}.clave" if carpeta else None
        if archivo is not None and archivo.exists():
            priv = archivo.read_text().strip()
            clave = Ed25519PrivateKey.from_private_bytes(_de_b64(priv))
            pub = _b64(clave.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
            salida[emisor] = (priv, pub)
            continue
        salida[emisor] = generar()
        if archivo is not None:
            archivo.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(archivo.parent, stat.S_IRWXU)
            fd = os.open(archivo, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(salida[emisor][0] + "\n")
    return salida


def entorno(claves, *emisores):
    """Las variables de un proceso que firma como `emisores` y conoce todas las públicas."""
    return {**{variable_privada(e): claves[e][0] for e in emisores},
            "OMM_CLAVES_PUBLICAS": ",".join(f"{e}:{pub}" for e, (_, pub) in claves.items())}


def main(argv=None):
    """omm-claves <carpeta>: imprime las variables de las seis claves (crea en la carpeta las que falten).
    Lo usa scripts/run; en producción cada proceso recibe solo la suya (deploy/)."""
    import sys
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("uso: omm-claves <carpeta>")
    for nombre, valor in entorno(juego(args[0]), *EMISORES).items():
        print(f"{nombre}={valor}")


if __name__ == "__main__":
    main()
