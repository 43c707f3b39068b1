"""Lo que otros usan de reportes: los esquemas de entrada y salida y los indicadores del POA.

Módulo público y estable: el gateway importa solo esto; dominio, modelos, operaciones y documentos siguen
siendo internos. Reportes no publica eventos (no tiene outbox).
"""
from .dominio import INDICADORES, NOMBRES_INDICADOR, NOMBRES_TRIMESTRE_POA, TRIMESTRES
from .schemas import (
    FiltroInforme, FiltroPoa, FiltroRegion, FiltroTextos, InformeSalida, LogoSalida, PoaEntrada, PoaSalida,
    RegionSalida, TextosInforme, TextosSalida,
)

__all__ = [
    "INDICADORES", "NOMBRES_INDICADOR", "NOMBRES_TRIMESTRE_POA", "TRIMESTRES",
    "FiltroRegion", "FiltroInforme", "FiltroPoa", "PoaEntrada", "PoaSalida", "TextosInforme", "FiltroTextos",
    "TextosSalida", "LogoSalida", "RegionSalida", "InformeSalida",
]
