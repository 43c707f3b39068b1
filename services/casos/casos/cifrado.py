"""Cifrado en reposo con una clave por municipio (AES-GCM) e índices ciegos (HMAC) para buscar.

La clave de cada municipio se deriva con HKDF del secreto maestro (`CASOS_CLAVE_MAESTRA`) y su
versión (`CASOS_CLAVE_VERSION`): un municipio nunca descifra lo de otro, y rotar es cambiar el
secreto, dejar el anterior en `CASOS_CLAVES_ANTERIORES` y correr `omm-casos-rotar`.
"""
import hashlib
import hmac
import json
import os

from omm_common import cifrado
from omm_common.municipios import normalizar_nombre


def _secretos():
    actual = cifrado.secreto("CASOS_CLAVE_MAESTRA")
    version = int(os.environ.get("CASOS_CLAVE_VERSION", "1"))
    anteriores = {int(k): v for k, v in json.loads(os.environ.get("CASOS_CLAVES_ANTERIORES") or "{}").items()}
    return version, {**anteriores, version: actual}


def version_actual():
    return _secretos()[0]


def _clave(municipio, version, uso="datos"):
    _, secretos = _secretos()
    if version not in secretos:
        raise RuntimeError(f"Falta el secreto de la versión {version} de las claves de casos.")
    return cifrado.derivar(secretos[version], b"omm-casos", f"{uso}:{municipio}:v{version}")


def cifrar(municipio, valor, version=None):
    """`valor` (JSON) -> 'v<versión>:<base64(nonce|cifrado)>'; el municipio va como dato asociado."""
    version = version or version_actual()
    return f"v{version}:" + cifrado.cifrar(_clave(municipio, version), valor, municipio.encode())


def version_de(texto):
    return int(texto.split(":", 1)[0][1:])


def descifrar(municipio, texto):
    if texto is None:
        return None
    return cifrado.descifrar(_clave(municipio, version_de(texto)), texto.split(":", 1)[1], municipio.encode())


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
