"""Datos de demostración de notificaciones, cargados por la API en cada municipio."""


def cargar(cliente, municipio):
    pass
