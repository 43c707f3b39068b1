"""Pantallas de capacitaciones (aplicación web de las oficinas)."""


class RutasWebCapacitaciones:
    pass
