"""Filtro de logs del gateway: la línea de acceso nunca guarda la consulta de la URL.

`GET /api/v1/casos?q=<nombre o DNI>` es uso corriente; el servidor WSGI de nameko escribe la línea de la
solicitud tal cual y así el nombre o el DNI quedaba en el log. La ruta (con ids, nunca datos) se conserva.
"""
import logging
import re

_CONSULTA = re.compile(r"(\b[A-Z]+ [^\s?\"]*)\?[^\s\"]*")


class SinConsulta(logging.Filter):
    def filter(self, record):
        mensaje = record.getMessage()
        limpio = _CONSULTA.sub(r"\1?<consulta omitida>", mensaje)
        if limpio != mensaje:
            record.msg, record.args = limpio, None
        return True
