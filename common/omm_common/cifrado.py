"""Cifrado en reposo (AES-GCM) con claves derivadas por HKDF: un solo lugar para todo el proyecto.

Cada servicio tiene su propio secreto (variable de entorno) y deriva de él una clave por uso y
municipio: nadie descifra lo de otro servicio ni lo de otro municipio.
"""
import base64
import json
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def secreto(variable):
    valor = os.environ.get(variable, "")
    if len(valor) < 32:
        raise RuntimeError(f"{variable} no está definida o tiene menos de 32 caracteres.")
    return valor


@lru_cache(maxsize=4096)
def derivar(secreto_, sal, info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=sal, info=info.encode()).derive(secreto_.encode())


def cifrar(clave, valor, asociado):
    """`valor` (JSON) -> base64(nonce|cifrado); `asociado` ata el texto a su dueño (no se puede mover)."""
    nonce = os.urandom(12)
    datos = json.dumps(valor, ensure_ascii=False).encode()
    return base64.b64encode(nonce + AESGCM(clave).encrypt(nonce, datos, asociado)).decode()


def descifrar(clave, texto, asociado):
    crudo = base64.b64decode(texto)
    return json.loads(AESGCM(clave).decrypt(crudo[:12], crudo[12:], asociado))
