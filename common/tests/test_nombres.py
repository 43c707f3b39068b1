"""La misma persona escrita de otra manera se reconoce; otra persona no."""
import pytest

from omm_common import nombres


@pytest.mark.parametrize("a,b", [
    (("María José", "López Cruz"), ("Maria Jose", "Lopez Cruz")),  # sin tildes
    (("María José", "López Cruz"), ("López Cruz", "María José")),  # otro orden
    (("María", "López Cruz"), ("María", "López")),  # un apellido de menos
    (("Ana Gabriela", "Gonzáles"), ("Ana Gabriela", "González")),  # una letra
    (("Rosa", "de la O Pérez"), ("Rosa", "O Pérez")),  # partículas
])
def test_la_misma_persona(a, b):
    assert nombres.es_candidata(nombres.normalizar(*a), nombres.normalizar(*b))


@pytest.mark.parametrize("a,b", [
    (("María", "López"), ("Marta", "Hernández")),
    (("Ana", "Cruz"), ("Juana", "Martínez Cruz")),
])
def test_otra_persona(a, b):
    assert not nombres.es_candidata(nombres.normalizar(*a), nombres.normalizar(*b))


def test_la_clave_es_texto_estable():
    assert nombres.clave("  María José", "de la O PÉREZ ") == "jose maria o perez"
