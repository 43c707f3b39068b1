"""Las palabras de la oficina en pantalla: nunca un código ni un valor de enumeración."""
from ayudas.contrato import NOMBRES_CATEGORIA, NOMBRES_CONDICION, NOMBRES_MOTIVO_SIN_DNI, NOMBRES_MOVIMIENTO
from capacitaciones.contrato import NOMBRES_GRUPO_EDAD, NOMBRES_TIPO
from casos.contrato import NOMBRES_CONTEXTO, NOMBRES_GBVIMS_CON_VACIO, NOMBRES_NIVEL_RIESGO, NOMBRES_TIPO_VIOLENCIA

ROLES = {"coordinadora": "Coordinadora", "tecnica": "Técnica", "promotora": "Promotora", "cis": "CIS",
         "mancomunidad": "Mancomunidad", "admin": "Administración"}
ESTADOS = {"abierto": "Abierto", "en_seguimiento": "En seguimiento", "cerrado": "Cerrado", "derivado": "Derivado",
           "pendiente": "Pendiente", "enviada": "Enviada", "confirmada": "Confirmada", "fallida": "Fallida",
           "descartada": "Descartada", "programada": "Programada", "realizada": "Realizada",
           "cancelada": "Cancelada", "anulada": "Anulada", "activa": "Activa", "finalizada": "Finalizada",
           "en_curso": "En curso", "si": "Sí", "no": "No"}
SEXOS = {"F": "Mujer", "M": "Hombre", "mujer": "Mujer", "hombre": "Hombre"}
CANALES = {"email": "Correo", "sms": "SMS", "webhook": "Sistema externo (webhook)"}

GRUPOS = {
    "violencia": NOMBRES_TIPO_VIOLENCIA, "gbvims": NOMBRES_GBVIMS_CON_VACIO, "contexto": NOMBRES_CONTEXTO,
    "riesgo": NOMBRES_NIVEL_RIESGO, "categoria": NOMBRES_CATEGORIA, "condicion": NOMBRES_CONDICION,
    "sin_dni": NOMBRES_MOTIVO_SIN_DNI, "movimiento": NOMBRES_MOVIMIENTO, "actividad": NOMBRES_TIPO,
    "edad": NOMBRES_GRUPO_EDAD, "rol": ROLES, "estado": ESTADOS, "sexo": SEXOS, "canal": CANALES,
}
_TODOS = {}
for _grupo in GRUPOS.values():
    for _k, _v in _grupo.items():
        _TODOS.setdefault(_k, _v)


def etiqueta(valor, grupo=None):
    """«psicologica» -> «Psicológica»; lo desconocido, legible («en_seguimiento» -> «En seguimiento»)."""
    if valor is None or valor == "":
        return ""
    if isinstance(valor, bool):
        return "Sí" if valor else "No"
    if isinstance(valor, (list, tuple)):
        return ", ".join(etiqueta(v, grupo) for v in valor)
    texto = str(valor)
    nombres = GRUPOS.get(grupo, _TODOS)
    if texto in nombres:
        return nombres[texto]
    if texto in _TODOS:
        return _TODOS[texto]
    return texto.replace("_", " ")[:1].upper() + texto.replace("_", " ")[1:]
