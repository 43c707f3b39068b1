"""Contactos de demostración de cada municipio: su CIS y su coordinadora (datos ficticios)."""
from omm_common.municipios import buscar


def contactos(municipio):
    nombre = buscar(municipio).nombre
    return [
        {"clave": "cis", "nombre": f"Centro Integral de Salud de {nombre}",
         "email": f"cis.{municipio}@salud.demo.hn", "telefono": f"+504 2700-{municipio}"},
        {"clave": "coordinadora", "nombre": f"Coordinación OMM {nombre}",
         "email": f"omm.{municipio}@municipio.demo.hn", "telefono": f"+504 2780-{municipio}"},
    ]


def cargar(cliente, municipio):
    for contacto in contactos(municipio):
        cliente.put(f"coordinadora.{municipio}", "/api/v1/notificaciones/destinatarios", contacto)
