"""/api/v1/docs: el documento OpenAPI navegable (Swagger UI guardado en el repositorio, archivos/LEEME.txt).

Sin ningún servidor de afuera: los archivos salen de aquí, la página pide solo /api/v1/openapi.json y lleva una
Content-Security-Policy sin scripts ni estilos en línea. No es parte de la API (no va en el documento).
"""
from pathlib import Path

from werkzeug.wrappers import Response

from ..http import http, respuesta_error
from omm_common.errores import NoEncontrado

CARPETA = Path(__file__).parent / "archivos"
ARCHIVOS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css", "omm-docs.js": "text/javascript"}
POLITICA = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "font-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")


class RutasDocumentacion:
    @http("GET", "/api/v1/docs")
    def documentacion(self, request):
        return Response((CARPETA / "index.html").read_bytes(), mimetype="text/html",
                        headers={"Content-Security-Policy": POLITICA})

    @http("GET", "/api/v1/docs/<archivo>")
    def documentacion_archivo(self, request, archivo):
        if archivo not in ARCHIVOS:
            return respuesta_error(NoEncontrado("No existe ese archivo de la documentación."))
        # Cambian solo con el repositorio: un día en caché basta.
        return Response((CARPETA / archivo).read_bytes(), mimetype=ARCHIVOS[archivo],
                        headers={"Cache-Control": "public, max-age=86400", "Content-Security-Policy": POLITICA})
