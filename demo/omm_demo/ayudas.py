"""Datos de demostración de ayudas: el catálogo del informe de Lejamaní, cargado por la API."""
from omm_common.tiempo import hoy_honduras

TIPOS_AYUDA = [
    {"codigo": "bolsa_alimentos", "nombre": "Bolsa de alimentos", "categoria": "alimentos", "unidad": "bolsa",
     "frecuencia_dias": 30, "existencia_minima": 10},
    {"codigo": "panales", "nombre": "Pañales para adulto mayor", "categoria": "panales", "unidad": "paquete",
     "frecuencia_dias": 15, "existencia_minima": 10},
    {"codigo": "ayuda_medicamentos", "nombre": "Ayuda económica para medicamentos",
     "categoria": "economica_medicamentos", "unidad": "lempiras", "frecuencia_dias": 30, "monto_maximo": 1500},
]


def cargar(cliente, municipio):
    coordinadora = f"coordinadora.{municipio}"
    for tipo in TIPOS_AYUDA:
        cliente.post(coordinadora, "/api/v1/ayudas/tipos", tipo)
    # Existencias iniciales (donación de la alcaldía) y el presupuesto del año para medicamentos.
    for codigo, cantidad in (("bolsa_alimentos", 60), ("panales", 40)):
        cliente.post(coordinadora, "/api/v1/ayudas/inventario/movimientos",
                     {"tipo_codigo": codigo, "cantidad": cantidad, "motivo": "donacion",
                      "origen": "Alcaldía municipal"})
    cliente.put(coordinadora, "/api/v1/ayudas/presupuesto", {"anio": hoy_honduras().year, "monto": 60000})
