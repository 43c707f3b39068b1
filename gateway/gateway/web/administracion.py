"""Pantallas de administracion (aplicación web de las oficinas)."""


class RutasWebAdministracion:
    pass
