"""Cifrado en reposo con una clave por municipio (AES-GCM) e índices ciegos (HMAC) para buscar.

La clave de cada municipio se deriva con HKDF del secreto maestro (`CASOS_CLAVE_MAESTRA`) y su
versión (`CASOS_CLAVE_VERSION`): un municipio nunca descifra lo de otro, y rotar es cambiar el
secreto, dejar el anterior en `CASOS_CLAVES_ANTERIORES` y correr `omm-casos-rotar`.

Cada valor va atado a su fila y su campo (municipio + "tabla.campo" + id como dato asociado, formato
"r<versión>:..."): copiado a otro caso u otro campo no se descifra. El formato anterior ("v<versión>:",
atado solo al municipio) lo convierte la migración 0006 y después se niega al leer.
"""
import sqlalchemy as sa

from omm_common.cifrado import Boveda
from omm_common.municipios import normalizar_nombre

BOVEDA = Boveda("CASOS_CLAVE_MAESTRA", b"omm-casos", "CASOS_CLAVE_VERSION", "CASOS_CLAVES_ANTERIORES")


def version_actual():
    return BOVEDA.version_actual()


def version_de(texto):
    return BOVEDA.version_de(texto)


def _atadura(fila, campo):
    """("tabla.campo", id de la fila). Las filas con id UUID lo reciben aquí si aún no lo tienen: se cifra antes
    del INSERT. Los motivos de la bitácora se atan a su entrada (auditoria_id, que ya debe existir)."""
    clave = sa.inspect(type(fila)).primary_key[0].key
    if getattr(fila, clave) is None and clave == "id":
        from .models import nuevo_id
        fila.id = nuevo_id()
    return f"{fila.__tablename__}.{campo}", getattr(fila, clave)


def poner(fila, campo, valor, version=None):
    """Cifra `valor` en `fila.<campo>` atado a esa fila y ese campo (None queda None)."""
    setattr(fila, campo, None if valor is None else BOVEDA.cifrar(fila.municipio, valor, *_atadura(fila, campo),
                                                                  version=version))


def leer(fila, campo):
    """El valor descifrado de `fila.<campo>`; omm_common.cifrado.DatoAjeno si no es de esta fila y campo."""
    return BOVEDA.descifrar(fila.municipio, getattr(fila, campo), *_atadura(fila, campo))


def recifrar(fila, campo, version):
    """A la versión `version` de la clave, si no está ya; devuelve el valor descifrado."""
    valor = leer(fila, campo)
    if getattr(fila, campo) is not None and version_de(getattr(fila, campo)) != version:
        poner(fila, campo, valor, version)
    return valor


def indices_ciegos(municipio, nombres, apellidos, dni=None, version=None):
    """Un HMAC por palabra del nombre normalizado y uno por el DNI: se busca por igualdad exacta."""
    return sorted({indice(municipio, p, version) for p in normalizar_nombre(f"{nombres} {apellidos}").split()}
                  | ({indice(municipio, f"dni:{dni}", version)} if dni else set()))


def indice(municipio, palabra, version=None):
    return BOVEDA.indice(municipio, palabra, version=version)


def terminos_busqueda(municipio, q):
    q = (q or "").strip()
    digitos = q.replace("-", "")
    if digitos.isdigit() and len(digitos) == 13:
        return [indice(municipio, f"dni:{digitos}")]
    return [indice(municipio, p) for p in normalizar_nombre(q).split()]
