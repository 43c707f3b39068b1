"""La aplicación web de las oficinas: HTML del servidor sobre las mismas operaciones que la API.

Cada página llama las funciones de las rutas `/api/v1` (`Pagina.api`), con la identidad de la sesión y sus
roles: ninguna lee una base de servicio ni repite una regla. Vive en el gateway porque es la misma borde
HTTP: la misma autenticación, las mismas cuentas y el mismo proceso que ya levanta el comando del README.
"""
from .nucleo import (  # noqa: F401
    MENU, PaginasWeb, Redireccion, en_inicio, errores_de, formulario, menu, pagina, redirigir,
)
