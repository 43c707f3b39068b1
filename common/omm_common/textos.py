"""Cómo se escriben fechas y montos para una persona: «3 de diciembre de 2026», «L 1,250.00».

Aparte de documentos.py a propósito: avisos, casos y el gateway los usan sin cargar reportlab ni openpyxl
(unos 24 MiB por proceso que nunca genera un PDF ni una hoja).
"""
from decimal import Decimal, InvalidOperation

MESES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
         "noviembre", "diciembre")


def fecha_larga(fecha):
    return f"{fecha.day} de {MESES[fecha.month - 1]} de {fecha.year}"


def lempiras(monto):
    """1250 -> 'L 1,250.00', como se escribe en un recibo hondureño; sin monto, texto vacío."""
    try:
        return f"L {Decimal(str(monto)):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return ""
