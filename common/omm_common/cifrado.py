"""Cifrado en reposo (AES-GCM) con claves derivadas por HKDF: un solo lugar para todo el proyecto.

Cada servicio tiene su propio secreto (variable de entorno) y deriva de él una clave por uso y
municipio: nadie descifra lo de otro servicio ni lo de otro municipio.
"""
import base64
import hashlib
import hmac
import json
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errores import ErrorOMM


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


class DatoAjeno(ErrorOMM):
    """Un cifrado que no se descifra con la clave, la fila y el campo donde está: copiado de otra fila u otro
    campo, alterado, o en un formato que ya no se acepta. Se niega: nunca se muestra como si fuera de esta fila."""
    codigo = "ERROR_INTERNO"


def asociado(municipio, campo, registro_id):
    """Dato asociado de AES-GCM: municipio + "tabla.campo" + id de la fila. Un cifrado copiado a otra fila, a otro
    campo o a otro municipio deja de descifrarse (issue 16: antes solo el municipio iba atado)."""
    return f"{municipio}|{campo}|{registro_id}".encode()


class Boveda:
    """El cifrado en reposo de un servicio: su secreto (variable de entorno) -> una clave por municipio, versión y
    uso (HKDF); cada valor atado a su fila y campo; índices ciegos (HMAC) para buscar por igualdad exacta.

    Formato guardado: "r<versión>:<base64(nonce|cifrado)>" ("r": atado al registro). Rotar: subir la versión
    (`variable_version`), dejar el secreto viejo en `variable_anteriores` ('{"1": "<viejo>"}') y recifrar.
    """
    MARCA = "r"

    def __init__(self, variable, sal, variable_version=None, variable_anteriores=None):
        self.variable, self.sal = variable, sal
        self.variable_version, self.variable_anteriores = variable_version, variable_anteriores

    def secretos(self):
        actual = secreto(self.variable)
        version = int(os.environ.get(self.variable_version, "1") or "1") if self.variable_version else 1
        crudo = os.environ.get(self.variable_anteriores) if self.variable_anteriores else None
        anteriores = {int(k): v for k, v in json.loads(crudo or "{}").items()}
        return version, {**anteriores, version: actual}

    def version_actual(self):
        return self.secretos()[0]

    def clave(self, municipio, version=None, uso="datos"):
        actual, secretos = self.secretos()
        version = version or actual
        if version not in secretos:
            raise RuntimeError(f"Falta el secreto de la versión {version} de {self.variable}.")
        return derivar(secretos[version], self.sal, f"{uso}:{municipio}:v{version}")

    def cifrar(self, municipio, valor, campo, registro_id, version=None):
        """`valor` (JSON) -> "r<versión>:..."; `campo` es "tabla.campo"; `registro_id`, el id de la fila."""
        if registro_id is None:
            raise RuntimeError(f"{campo}: la fila necesita su id antes de cifrar (se ata a él).")
        version = version or self.version_actual()
        return f"{self.MARCA}{version}:" + cifrar(self.clave(municipio, version), valor,
                                                  asociado(municipio, campo, registro_id))

    def version_de(self, texto):
        """La versión de la clave de un cifrado atado; None si no tiene el formato atado (lo de antes)."""
        marca, _, resto = (texto or "").partition(":")
        if not resto or not marca.startswith(self.MARCA) or not marca[len(self.MARCA):].isdigit():
            return None
        return int(marca[len(self.MARCA):])

    def descifrar(self, municipio, texto, campo, registro_id):
        if texto is None:
            return None
        version = self.version_de(texto)
        if version is None:
            raise DatoAjeno(f"El dato cifrado de {campo} no tiene el formato atado a su registro; no se muestra.")
        try:
            return descifrar(self.clave(municipio, version), texto.partition(":")[2],
                             asociado(municipio, campo, registro_id))
        except (InvalidTag, ValueError) as e:
            raise DatoAjeno(f"El dato cifrado de {campo} no pertenece a este registro; no se muestra.") from e

    def indice(self, municipio, texto, uso="indice", version=None):
        """HMAC-SHA256 (hex) de `texto` con la clave del municipio: igual texto, igual índice; no se invierte."""
        return hmac.new(self.clave(municipio, version, uso), texto.encode(), hashlib.sha256).hexdigest()
