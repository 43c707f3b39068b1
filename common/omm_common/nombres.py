"""Nombres de personas comparables: la misma mujer escrita con o sin tildes, con uno o dos apellidos, en otro orden.

Sin DNI, lo único que une dos registros es el nombre, la fecha de nacimiento y la comunidad; este módulo
solo dice cuán parecidos son dos nombres. Quién pregunta decide qué hacer: ofrecer candidatas, nunca fusionar solo.
"""
import re
from difflib import SequenceMatcher

from .municipios import sin_acentos

_NO_LETRA = re.compile(r"[^a-z ]+")
PARTICULAS = {"de", "del", "la", "las", "los", "y", "da", "van", "von"}
UMBRAL = 0.85


def normalizar(*partes):
    """'María José  de la O Pérez' -> ('jose', 'maria', 'o', 'perez'): sin tildes ni partículas, ordenado."""
    texto = sin_acentos(" ".join(p or "" for p in partes).lower())
    palabras = _NO_LETRA.sub(" ", texto).split()
    return tuple(sorted(p for p in palabras if p not in PARTICULAS))


def clave(*partes):
    """Texto para guardar en una columna indexada (búsqueda y candidatas)."""
    return " ".join(normalizar(*partes))


def parecido(a, b):
    """0..1 entre dos nombres ya normalizados (tuplas o claves). Un apellido de más no separa a la misma persona:
    se compara también el nombre más corto contra sus palabras en el más largo."""
    a = a.split() if isinstance(a, str) else list(a)
    b = b.split() if isinstance(b, str) else list(b)
    if not a or not b:
        return 0.0
    total = SequenceMatcher(None, " ".join(a), " ".join(b)).ratio()
    corto, largo = (a, b) if len(a) <= len(b) else (b, a)
    comunes = [p for p in largo if any(SequenceMatcher(None, p, q).ratio() >= UMBRAL for q in corto)]
    contenido = 1.0 if len(corto) >= 2 and len(comunes) >= len(corto) else 0.0
    return max(total, contenido)


def es_candidata(a, b, umbral=UMBRAL):
    return parecido(a, b) >= umbral
