"""Lo que otros servicios pueden mostrar de ayudas: las categorías y su nombre para una persona.

Módulo público y estable (reportes lo importa); dominio, modelos y operaciones siguen siendo internos.
"""
CATEGORIAS = ("alimentos", "panales", "economica_medicamentos", "otro")
NOMBRES_CATEGORIA = {
    "alimentos": "Entrega de ayuda social de alimentos",
    "panales": "Entrega de ayuda social de pañales",
    "economica_medicamentos": "Ayuda económica para compra de medicamentos",
    "otro": "Otras ayudas sociales",
}
