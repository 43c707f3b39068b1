"""Las usuarias y mancomunidades de la demostración, en la base del gateway (su dueño).

El resto de la demo (catálogo, contactos del CIS, un año de actividad) lo carga el paquete omm_demo por
la API HTTP, con las mismas reglas que usa una persona.
"""
import sqlalchemy as sa

from omm_common.municipios import buscar

from . import auth
from .models import Mancomunidad, Municipio, Usuario

MANCOMUNIDADES = {
    # codigo: (nombre, municipios). La segunda existe para probar que una mancomunidad no ve a otra.
    "MAMCOPAZ": ("Mancomunidad de Municipios del Centro de La Paz y Comayagua", ["0309", "0302", "0306"]),
    "MANSUCOH": ("Mancomunidad del Sur de Comayagua", ["0318"]),
}
ROLES_MUNICIPALES = ("coordinadora", "tecnica", "promotora", "cis")
# Lo que se lee en pantallas, recibos y listas firmadas: un puesto en su oficina, con tildes.
PUESTOS = {"coordinadora": "Coordinadora", "tecnica": "Técnica", "promotora": "Promotora", "cis": "CIS"}


def nombre_usuario(rol, municipio=None):
    return f"{rol}.{municipio}" if municipio else rol


def nombre_visible(rol, municipio):
    """«Técnica de Lejamaní»: el nombre del municipio sale del CSV oficial."""
    return f"{PUESTOS[rol]} de {buscar(municipio).nombre}"


def cargar_usuarias(sesion, contrasena):
    """Idempotente: si ya hay usuarias no toca nada. Devuelve True si cargó."""
    if sesion.scalar(sa.select(sa.func.count()).select_from(Usuario)):
        return False
    hash_demo = auth.hashear(contrasena)
    for codigo, (nombre, miembros) in MANCOMUNIDADES.items():
        sesion.add(Mancomunidad(codigo=codigo, nombre=nombre))
        sesion.flush()
        for m in miembros:
            sesion.get(Municipio, m).mancomunidad = codigo
            for rol in ROLES_MUNICIPALES:
                sesion.add(Usuario(usuario=nombre_usuario(rol, m), nombre=nombre_visible(rol, m), rol=rol,
                                   municipio=m, hash_contrasena=hash_demo))
        sesion.add(Usuario(usuario=nombre_usuario("mancomunidad", codigo.lower()), nombre=f"Técnica de la {nombre}",
                           rol="mancomunidad", mancomunidad=codigo, hash_contrasena=hash_demo))
    sesion.add(Usuario(usuario="admin", nombre="Administración", rol="admin", hash_contrasena=hash_demo))
    return True
