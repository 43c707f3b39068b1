"""Códigos oficiales de municipios de Honduras (los 4 primeros dígitos del DNI)."""
import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from .tiempo import hoy_honduras


@dataclass(frozen=True)
class Municipio:
    codigo: str
    nombre: str
    departamento: str

    @property
    def sigla(self):
        """Prefijo del código humano de un caso: Lejamaní -> LEJ."""
        letras = re.sub(r"[^A-Z]", "", sin_acentos(self.nombre).upper())
        return (letras + "XXX")[:3]


def sin_acentos(texto):
    return "".join(c for c in unicodedata.normalize("NFKD", texto) if not unicodedata.combining(c))


def normalizar_nombre(texto):
    """Forma de búsqueda: sin acentos, minúsculas, espacios simples."""
    return " ".join(sin_acentos(texto or "").lower().split())


@lru_cache(maxsize=1)
def todos():
    with resources.files("omm_common").joinpath("datos/municipios-honduras.csv").open(encoding="utf-8") as f:
        return {
            fila["codigo"]: Municipio(fila["codigo"], fila["municipio"], fila["departamento"])
            for fila in csv.DictReader(f)
        }


def buscar(codigo):
    return todos().get(codigo)


def normalizar_dni(texto, hoy=None):
    """Devuelve el DNI en 13 dígitos o lanza ValueError con el motivo en español."""
    if not isinstance(texto, str):
        raise ValueError("El DNI debe ser un texto de 13 dígitos.")
    limpio = texto.strip().replace("-", "").replace(" ", "")
    if not re.fullmatch(r"\d{13}", limpio):
        raise ValueError("El DNI debe tener 13 dígitos (se aceptan guiones: 0309-1985-00123).")
    if limpio[:4] not in todos():
        raise ValueError(f"El DNI empieza con {limpio[:4]}, que no es un código de municipio de Honduras.")
    anio = int(limpio[4:8])
    actual = (hoy or hoy_honduras()).year
    if not 1900 <= anio <= actual:
        raise ValueError(f"El año de inscripción del DNI ({anio}) no es plausible.")
    return limpio
