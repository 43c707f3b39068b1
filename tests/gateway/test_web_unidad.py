"""Piezas de la aplicación web sin infraestructura."""
import re

from gateway.web import nucleo, textos


def test_cada_formulario_de_una_pagina_lleva_su_propia_clave():
    # Dos acuses en la misma bandeja con la misma clave: el segundo recibiría la respuesta guardada del primero.
    html = nucleo.ENTORNO.from_string(
        '{% from "macros.html" import ocultos %}{{ ocultos("c", clave) }}{{ ocultos("c", clave) }}').render(clave="x")
    claves = re.findall(r'name="clave" value="([0-9a-f]{32})"', html)
    assert len(claves) == 2 and claves[0] != claves[1]


def test_palabras_de_la_oficina_nunca_un_codigo():
    assert textos.etiqueta("psicologica", "violencia") == "Psicológica"
    assert textos.etiqueta("en_seguimiento") == "En seguimiento"
    assert textos.etiqueta(True) == "Sí"
    assert nucleo._fecha("2026-12-03") == "3 de diciembre de 2026"
    assert nucleo.iniciales("María José López") == "M.J.L."
