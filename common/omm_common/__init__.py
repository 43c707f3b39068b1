"""Código que los cuatro servicios y el gateway comparten, sin reglas de dominio."""
from .avisos import filtrar_avisos

# Antes de que algo de omm_common traiga nameko (y con él eventlet): ver avisos.py.
filtrar_avisos()
