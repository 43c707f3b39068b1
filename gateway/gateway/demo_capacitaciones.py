"""Datos de demostración de capacitaciones, cargados por la API en cada municipio."""


def cargar(cliente, municipio):
    pass
