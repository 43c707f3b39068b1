"""Un ejemplo realista por cuerpo de solicitud, por operationId (el nombre de la función de la ruta).

Van al documento (requestBody.example) y tests/test_openapi_ejemplos.py los valida con el mismo esquema
marshmallow de la ruta y con el JSON Schema del documento. Los ids son de ejemplo: con ellos la API responde 404.
"""
EJEMPLOS = {}
