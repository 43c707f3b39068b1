"""Datos de demostración de casos, cargados por la API en cada municipio."""


def cargar(cliente, municipio):
    pass
