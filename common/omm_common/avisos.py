"""Avisos de terceros con los que convivimos, cada uno con su porqué; todos los demás se ven.

`nameko run` los emite antes de importar nuestro código: a esos procesos les llegan por PYTHONWARNINGS
(scripts/run, omm_pruebas). Los demás procesos (relay, Celery, omm-*) importan omm_common antes
que nameko, y `filtrar_avisos()` (en omm_common/__init__.py) los filtra por mensaje y categoría.
"""
import warnings

# Formato de -W: el mensaje es un prefijo literal y el módulo, un nombre exacto.
FILTROS_NAMEKO_RUN = (
    # nameko 2.14 (la última de su línea) importa pkg_resources; setuptools queda < 81 en constraints.txt.
    "ignore:pkg_resources is deprecated as an API:UserWarning",
    # eventlet avisa al importarse que solo recibe correcciones; nameko corre sobre él. `nameko run` lo
    # importa en nameko.cli.commands, y el mensaje empieza con un salto de línea que -W no deja escribir.
    "ignore::Warning:nameko.cli.commands",
)
PYTHONWARNINGS = ",".join(FILTROS_NAMEKO_RUN)


def filtrar_avisos():
    """Los mismos dos avisos, por mensaje, para los procesos que no son `nameko run`, y el del fork."""
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated", category=Warning)
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated as an API", category=UserWarning)
    # El worker de Celery (prefork) importa eventlet con nameko, pero no lo parchea ni lo usa antes del fork.
    warnings.filterwarnings("ignore", message=r"Using fork\(\) is a bad idea", category=DeprecationWarning,
                            module="eventlet")
