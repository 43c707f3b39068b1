pytest_plugins = ["omm_pruebas"]

# scripts/test corre las pruebas en dos procesos (pytest-xdist, un archivo entero por proceso: cada uno levanta
# su propio sistema). Los archivos más largos, primero: si uno de ellos quedara para el final, el otro proceso
# esperaría sin nada que hacer. Solo cambia el orden, nunca lo que se prueba.
LARGOS = ("test_fallas.py", "test_propiedades_api.py", "test_camino_por_omision.py", "test_web_ayudas.py",
          "test_web_capacitaciones.py", "test_web_casos.py", "test_web_administracion.py", "test_web_avisos.py",
          "test_web_informes.py")


def pytest_collection_modifyitems(items):
    def clave(item):
        nombre = item.path.name
        return LARGOS.index(nombre) if nombre in LARGOS else len(LARGOS)
    items.sort(key=clave)  # sort es estable: dentro de cada archivo, el orden de siempre
