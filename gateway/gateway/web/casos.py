"""Pantallas de casos (aplicación web de las oficinas)."""


class RutasWebCasos:
    pass
