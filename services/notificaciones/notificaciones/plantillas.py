"""Textos de los mensajes (Jinja2). Un nombre solo aparece si el servicio dueño lo entregó con consentimiento."""
from jinja2 import ChainableUndefined
from jinja2.sandbox import SandboxedEnvironment

from ayudas.contrato import AyudaEntregada, ExistenciasBajas
from capacitaciones.contrato import ParticipanteInscrita, SesionProgramada
from casos.contrato import CasoDerivado, SeguimientoVencido

from .dominio import recortar_sms

# Sandbox: una regla editada por una coordinadora no puede ejecutar nada; un dato ausente queda vacío.
_entorno = SandboxedEnvironment(undefined=ChainableUndefined, autoescape=False, trim_blocks=True)

_OFICINA = "Para más información llame a la OMM de {{ municipio }}{% if oficina.telefono %} ({{ oficina.telefono }}){% endif %}."

PLANTILLAS = {
    CasoDerivado.tipo_evento: (
        "{% if urgente %}URGENTE: {% endif %}Derivación de la OMM de {{ municipio }} al CIS",
        "{% if urgente %}URGENTE{% if datos.motivo_urgencia == 'violencia_sexual_72h' %} (violencia sexual, "
        "menos de 72 horas){% endif %}: {% endif %}"
        "La OMM de {{ municipio }} derivó al CIS el caso {{ datos.codigo }}. "
        "{% if persona %}Persona: {{ persona.nombre }}{% if persona.telefono %}, teléfono {{ persona.telefono }}{% endif %}. "
        "{% else %}Hay una derivación pendiente de atención. {% endif %}" + _OFICINA,
    ),
    AyudaEntregada.tipo_evento: (
        "Ayuda para medicamentos entregada por la OMM de {{ municipio }}",
        "La OMM de {{ municipio }} entregó una ayuda económica para medicamentos el {{ datos.fecha }}"
        "{% if datos.monto %} por L {{ '%.2f'|format(datos.monto) }}{% endif %}. "
        "{% if persona %}Beneficiaria: {{ persona.nombre }}{% if persona.telefono %}, teléfono {{ persona.telefono }}{% endif %}"
        "{% if persona.comunidad %}, comunidad {{ persona.comunidad }}{% endif %}. Se sugiere seguimiento de su enfermedad de base. "
        "{% endif %}" + _OFICINA,
    ),
    ParticipanteInscrita.tipo_evento: (
        "Nueva participante en el club de embarazadas de {{ municipio }}",
        "Se inscribió una nueva participante en el club de embarazadas de {{ municipio }}. "
        "{% if persona %}{{ persona.nombre }}{% if persona.telefono %}, teléfono {{ persona.telefono }}{% endif %}"
        "{% if persona.semanas_gestacion %}, {{ persona.semanas_gestacion }} semanas de gestación{% endif %}. "
        "{% endif %}Por favor inclúyala en el control prenatal. " + _OFICINA,
    ),
    SesionProgramada.tipo_evento: (
        "Sesión del club de embarazadas de {{ municipio }} el {{ datos.fecha }}",
        "Se programó una sesión del club de embarazadas de {{ municipio }} el {{ datos.fecha }}"
        "{% if datos.lugar %} en {{ datos.lugar }}{% endif %}. " + _OFICINA,
    ),
    ExistenciasBajas.tipo_evento: (
        "Existencias bajas: {{ datos.tipo_codigo }}",
        "Quedan {{ datos.cantidad }} unidades de {{ datos.tipo_codigo }} en la OMM de {{ municipio }}; "
        "están por debajo del mínimo configurado.",
    ),
    SeguimientoVencido.tipo_evento: (
        "Seguimiento vencido del caso {{ datos.codigo }}",
        "El caso {{ datos.codigo }} tenía seguimiento programado para el {{ datos.proxima_fecha }} y no se ha registrado.",
    ),
    "escalamiento": (
        "URGENTE sin acuse del CIS: caso {{ datos.codigo }}",
        "La derivación urgente del caso {{ datos.codigo }} al CIS no ha sido confirmada en {{ minutos }} minutos. "
        "Comuníquese con el CIS de inmediato.",
    ),
    "recordatorio_club": (
        "Recordatorio del club de embarazadas",
        "Le recordamos la sesión del club de embarazadas mañana {{ datos.fecha }}"
        "{% if datos.lugar %} en {{ datos.lugar }}{% endif %}. OMM de {{ municipio }}.",
    ),
}


def componer(clave, contexto, cuerpo_propio=None):
    """Devuelve (asunto, cuerpo). `cuerpo_propio` es la plantilla editada en la regla, si la hay."""
    asunto, cuerpo = PLANTILLAS[clave]
    contexto = {"persona": None, "urgente": False, "oficina": {}, "minutos": 60, **contexto}
    return (_entorno.from_string(asunto).render(contexto).strip(),
            _entorno.from_string(cuerpo_propio or cuerpo).render(contexto).strip())


def texto_sms(cuerpo):
    return recortar_sms(cuerpo)


def validar_plantilla(texto):
    """Para la edición de reglas: una plantilla que no compila se rechaza al guardarla."""
    _entorno.parse(texto)
