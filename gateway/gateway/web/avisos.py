"""Pantallas de avisos (aplicación web de las oficinas)."""


class RutasWebAvisos:
    pass
