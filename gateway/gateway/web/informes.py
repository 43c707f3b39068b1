"""Pantallas de informes (aplicación web de las oficinas)."""


class RutasWebInformes:
    pass
