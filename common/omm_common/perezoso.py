"""Módulos que se cargan la primera vez que se usan (importlib.util.LazyLoader).

Para los que generan PDF y hojas de cálculo: reportlab y openpyxl (con numpy) son unos 24 MiB por proceso, y
un servicio que arranca no los necesita hasta que alguien pide un recibo o un informe.
"""
import importlib.util
import sys


def modulo_perezoso(nombre):
    if nombre in sys.modules:
        return sys.modules[nombre]
    spec = importlib.util.find_spec(nombre)
    cargador = importlib.util.LazyLoader(spec.loader)
    spec.loader = cargador
    modulo = importlib.util.module_from_spec(spec)
    sys.modules[nombre] = modulo
    cargador.exec_module(modulo)
    return modulo
