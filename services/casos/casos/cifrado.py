"""Cifrado en reposo con una clave por municipio (AES-GCM) e índices ciegos (HMAC) para buscar.

La clave de cada municipio se deriva con HKDF del secreto maestro (`CASOS_CLAVE_MAESTRA`) y su
versión (`CASOS_CLAVE_VERSION`): un municipio nunca descifra lo de otro, y rotar es cambiar el
secreto, dejar el anterior en `CASOS_CLAVES_ANTERIORES` y correr `omm-casos-rotar`.
"""
import base64
import hashlib
import hmac
import json
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from omm_common.municipios import normalizar_nombre


def _secretos():
    actual = os.environ.get("CASOS_CLAVE_MAESTRA", "")
    if len(actual) < 32:
        raise RuntimeError("CASOS_CLAVE_MAESTRA no está definida o tiene menos de 32 caracteres.")
    version = int(os.environ.get("CASOS_CLAVE_VERSION", "1"))
    anteriores = {int(k): v for k, v in json.loads(os.environ.get("CASOS_CLAVES_ANTERIORES") or "{}").items()}
    return version, {**anteriores, version: actual}


def version_actual():
    return _secretos()[0]


@lru_cache(maxsize=2048)
def _derivar(secreto, version, municipio, uso):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"omm-casos",
                info=f"{uso}:{municipio}:v{version}".encode()).derive(secreto.encode())


def _clave(municipio, version, uso="datos"):
    _, secretos = _secretos()
    if version not in secretos:
        raise RuntimeError(f"Falta el secreto de la versión {version} de las claves de casos.")
    return _derivar(secretos[version], version, municipio, uso)


def cifrar(municipio, valor, version=None):
    """`valor` (JSON) -> 'v<versión>:<base64(nonce|cifrado)>'; el municipio va como dato asociado."""
    version = version or version_actual()
    nonce = os.urandom(12)
    datos = json.dumps(valor, ensure_ascii=False).encode()
    cifrado = AESGCM(_clave(municipio, version)).encrypt(nonce, datos, municipio.encode())
    return f"v{version}:" + base64.b64encode(nonce + cifrado).decode()


def version_de(texto):
    return int(texto.split(":", 1)[0][1:])


def descifrar(municipio, texto):
    if texto is None:
        return None
    version = version_de(texto)
    crudo = base64.b64decode(texto.split(":", 1)[1])
    claro = AESGCM(_clave(municipio, version)).decrypt(crudo[:12], crudo[12:], municipio.encode())
    return json.loads(claro)


def indices_ciegos(municipio, nombres, apellidos, dni=None, version=None):
    """Un HMAC por palabra del nombre normalizado y uno por el DNI: se busca por igualdad exacta."""
    version = version or version_actual()
    return sorted({indice(municipio, p, version) for p in normalizar_nombre(f"{nombres} {apellidos}").split()}
                  | ({indice(municipio, f"dni:{dni}", version)} if dni else set()))


def indice(municipio, palabra, version=None):
    version = version or version_actual()
    return hmac.new(_clave(municipio, version, "indice"), palabra.encode(), hashlib.sha256).hexdigest()


def terminos_busqueda(municipio, q):
    q = (q or "").strip()
    digitos = q.replace("-", "")
    if digitos.isdigit() and len(digitos) == 13:
        return [indice(municipio, f"dni:{digitos}")]
    return [indice(municipio, p) for p in normalizar_nombre(q).split()]
