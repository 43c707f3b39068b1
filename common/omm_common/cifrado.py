"""Cifrado en reposo (AES-GCM) con claves derivadas por HKDF: un solo lugar para todo el proyecto.

Cada servicio tiene su propio secreto (variable de entorno) y deriva de él una clave por uso y
municipio: nadie descifra lo de otro servicio ni lo de otro municipio.
"""
import base64
import hashlib
import hmac
import json
import os
import uuid
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


def cifrar(clave, valor, asociado, relleno=0):
    """`valor` (JSON) -> base64(nonce|cifrado); `asociado` ata el texto a su dueño (no se puede mover).

    `relleno`: el JSON se completa con espacios hasta un múltiplo de tantos bytes, para que el largo del cifrado
    no diga qué hay dentro (true/false, qué condición)."""
    nonce = os.urandom(12)
    datos = json.dumps(valor, ensure_ascii=False).encode()
    if relleno:
        datos += b" " * (-len(datos) % relleno)
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


@lru_cache(maxsize=64)
def _secretos(variable, actual, version, anteriores):
    if len(actual) < 32:
        raise RuntimeError(f"{variable} no está definida o tiene menos de 32 caracteres.")
    version = int(version or "1")
    return version, {**{int(k): v for k, v in json.loads(anteriores or "{}").items()}, version: actual}


class Boveda:
    """El cifrado en reposo de un servicio: su secreto (variable de entorno) -> una clave por municipio, versión y
    uso (HKDF); cada valor atado a su fila y campo; índices ciegos (HMAC) para buscar por igualdad exacta.

    Formato guardado: "r<versión>:<base64(nonce|cifrado)>" ("r": atado al registro). Rotar: subir la versión
    (`variable_version`), dejar el secreto viejo en `variable_anteriores` ('{"1": "<viejo>"}') y recifrar.
    """
    MARCA = "r"
    RELLENO = 32

    def __init__(self, variable, sal, variable_version=None, variable_anteriores=None):
        self.variable, self.sal = variable, sal
        self.variable_version, self.variable_anteriores = variable_version, variable_anteriores

    def secretos(self):
        """(versión actual, {versión: secreto}); leído del entorno en cada llamada (se puede cambiar en pruebas),
        interpretado una vez por valor (se llama por cada campo cifrado: una importación son decenas de miles)."""
        def leer(variable):
            return os.environ.get(variable, "") if variable else ""
        return _secretos(self.variable, leer(self.variable), leer(self.variable_version),
                         leer(self.variable_anteriores))

    def version_actual(self):
        return self.secretos()[0]

    def clave(self, municipio, version=None, uso="datos"):
        return self._clave_y_version(municipio, version, uso)[0]

    def _clave_y_version(self, municipio, version, uso):
        actual, secretos = self.secretos()
        version = version or actual
        if version not in secretos:
            raise RuntimeError(f"Falta el secreto de la versión {version} de {self.variable}.")
        return derivar(secretos[version], self.sal, f"{uso}:{municipio}:v{version}"), version

    def cifrar(self, municipio, valor, campo, registro_id, version=None):
        """`valor` (JSON) -> "r<versión>:..."; `campo` es "tabla.campo"; `registro_id`, el id de la fila."""
        if registro_id is None:
            raise RuntimeError(f"{campo}: la fila necesita su id antes de cifrar (se ata a él).")
        clave, version = self._clave_y_version(municipio, version, "datos")
        return f"{self.MARCA}{version}:" + cifrar(clave, valor, asociado(municipio, campo, registro_id),
                                                  self.RELLENO)

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


class CampoCifrado:
    """Atributo de un modelo SQLAlchemy que se guarda cifrado con `boveda` en la columna `columna`, atado a la fila
    ("tabla.<atributo>" + id) y a la clave de su municipio. Se lee y se asigna como un atributo en claro; en SQL
    no se puede comparar: para buscar por igualdad exacta (y restricciones únicas) `indice` nombra la columna
    con el HMAC del valor (`indice_de`). `vacio`: lo que se lee si la columna es NULL (p. ej. list).

    La fila necesita `municipio` antes de asignar (en el constructor, antes que este atributo); si no tiene id,
    recibe aquí un UUID (el cifrado se ata a él).
    """

    def __init__(self, boveda, columna, indice=None, vacio=None):
        self.boveda, self.columna, self.indice, self.vacio = boveda, columna, indice, vacio

    def __set_name__(self, dueno, nombre):
        self.nombre = nombre

    def campo(self, tabla):
        return f"{tabla}.{self.nombre}"

    def indice_de(self, municipio, valor):
        return None if valor is None else self.boveda.indice(municipio, f"{self.nombre}:{valor}")

    def __get__(self, fila, tipo=None):
        if fila is None:
            return self
        texto = getattr(fila, self.columna)
        if texto is None:
            return self.vacio() if callable(self.vacio) else self.vacio
        # Descifrado una vez por texto: una lista larga lee cada campo varias veces.
        memoria = fila.__dict__.setdefault("_omm_en_claro", {})
        if memoria.get(self.nombre, (None,))[0] != texto:
            memoria[self.nombre] = (texto, self.boveda.descifrar(fila.municipio, texto,
                                                                 self.campo(fila.__tablename__), fila.id))
        valor = memoria[self.nombre][1]
        return list(valor) if isinstance(valor, list) else dict(valor) if isinstance(valor, dict) else valor

    def __set__(self, fila, valor):
        if fila.municipio is None:
            raise RuntimeError(f"{self.nombre}: asigne el municipio de la fila antes (su clave cifra el valor).")
        if fila.id is None:
            fila.id = str(uuid.uuid4())
        setattr(fila, self.columna, self.cifrar(fila.__tablename__, fila.municipio, fila.id, valor))
        if self.indice:
            setattr(fila, self.indice, self.indice_de(fila.municipio, valor))

    def cifrar(self, tabla, municipio, registro_id, valor):
        """El texto cifrado de `valor` para esa fila (también para un INSERT de muchas filas); None queda None."""
        return None if valor is None else self.boveda.cifrar(municipio, valor, self.campo(tabla), registro_id)


def en_columnas(modelo, valores):
    """Los atributos de una fila (con los en claro, más municipio e id) -> las columnas para `sa.insert(modelo)`
    de muchas filas: cada CampoCifrado del modelo va cifrado (y su índice ciego, si tiene)."""
    salida = dict(valores)
    for nombre, campo in vars(modelo).items():
        if isinstance(campo, CampoCifrado) and nombre in salida:
            valor = salida.pop(nombre)
            salida[campo.columna] = campo.cifrar(modelo.__tablename__, salida["municipio"], salida["id"], valor)
            if campo.indice:
                salida[campo.indice] = campo.indice_de(salida["municipio"], valor)
    return salida
