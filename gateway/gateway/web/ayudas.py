"""Pantallas de ayudas (aplicación web de las oficinas)."""


class RutasWebAyudas:
    pass
