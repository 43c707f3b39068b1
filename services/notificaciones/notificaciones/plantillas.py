"""Textos de los mensajes (Jinja2). Un nombre solo aparece si el servicio dueño lo entregó con consentimiento.

Todo lo que una persona lee va en castellano llano: las fechas de los datos llegan ya en letras («3 de
diciembre de 2026»; también en una plantilla editada por la coordinadora), y los códigos se muestran con los
filtros `actividad`, `violencia`, `categoria` y `lempiras` («Club de embarazadas», «Física y Psicológica»).
"""
import re
from datetime import date

from jinja2 import ChainableUndefined
from jinja2.sandbox import SandboxedEnvironment

from ayudas.contrato import NOMBRES_CATEGORIA, AyudaEntregada, EntregaAnulada, ExistenciasBajas
from capacitaciones.contrato import (
    NOMBRES_TIPO, ParticipanteInscrita, SesionCancelada, SesionProgramada, SesionReprogramada,
)
from casos.contrato import NOMBRES_TIPO_VIOLENCIA, CasoDerivado, SeguimientoVencido
from omm_common.documentos import fecha_larga, lempiras

from .dominio import NOMBRES_DESTINATARIO, recortar_sms

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _fecha(valor):
    """Una fecha (o su texto ISO) en letras; cualquier otra cosa, tal cual."""
    if isinstance(valor, date):
        return fecha_larga(valor)
    if isinstance(valor, str) and _ISO.match(valor):
        try:
            return fecha_larga(date.fromisoformat(valor))
        except ValueError:
            return valor
    return valor


def _nombre(nombres, generico):
    def filtro(codigo):
        return nombres.get(codigo, generico) if codigo else generico
    return filtro


def _lista(palabras):
    """«Física», «Física y Sexual», «Física, Psicológica y Sexual»."""
    palabras = [p for p in palabras if p]
    if len(palabras) <= 1:
        return "".join(palabras)
    return ", ".join(palabras[:-1]) + " y " + palabras[-1]


def _violencia(codigos):
    return _lista([NOMBRES_TIPO_VIOLENCIA.get(c, "otra") for c in (codigos or [])])



# Sandbox: una regla editada por una coordinadora no puede ejecutar nada; un dato ausente queda vacío.
_entorno = SandboxedEnvironment(undefined=ChainableUndefined, autoescape=False, trim_blocks=True)
_entorno.filters.update(
    fecha=_fecha, actividad=_nombre(NOMBRES_TIPO, "actividad"), violencia=_violencia,
    categoria=_nombre(NOMBRES_CATEGORIA, "ayuda"), lempiras=lempiras,
    destinatario=_nombre(NOMBRES_DESTINATARIO, "contacto"),
)

_OFICINA = "Para más información llame a la OMM de {{ municipio }}{% if oficina.telefono %} ({{ oficina.telefono }}){% endif %}."
# Al principio del SMS, que se recorta al final: el lugar puede perderse, a quién llamar no.
_OFICINA_SMS = "OMM de {{ municipio }}{% if oficina.telefono %} (tel. {{ oficina.telefono }}){% endif %}: "
_HORA_LUGAR = "{% if datos.hora %} a las {{ datos.hora }}{% endif %}{% if datos.lugar %} en {{ datos.lugar }}{% endif %}"
_ACTIVIDAD = "{{ datos.tipo|actividad|lower }}"
# Reprogramar puede cambiar solo la hora: entonces no se dice «del 3 de diciembre pasa al 3 de diciembre».
_MISMO_DIA = "{% if datos.fecha == datos.fecha_anterior %}"

PLANTILLAS = {
    CasoDerivado.tipo_evento: (
        "{% if urgente %}URGENTE: {% endif %}Derivación de la OMM de {{ municipio }} al CIS",
        "{% if urgente %}URGENTE{% if datos.motivo_urgencia == 'violencia_sexual_72h' %} (violencia sexual, "
        "menos de 72 horas){% endif %}: {% endif %}"
        "La OMM de {{ municipio }} derivó al CIS el caso {{ datos.codigo }}. "
        "{% if persona %}Persona: {{ persona.nombre }}{% if persona.telefono %}, teléfono {{ persona.telefono }}{% endif %}. "
        "{% else %}Hay una derivación pendiente de atención. {% endif %}"
        "{% if canal != 'sms' and datos.tipos_violencia %}Tipo de violencia: {{ datos.tipos_violencia|violencia }}. "
        "{% endif %}" + _OFICINA,
    ),
    AyudaEntregada.tipo_evento: (
        "Ayuda para medicamentos entregada por la OMM de {{ municipio }}",
        "La OMM de {{ municipio }} entregó una ayuda económica para medicamentos el {{ datos.fecha }}"
        "{% if datos.monto %} por {{ datos.monto|lempiras }}{% endif %}. "
        "{% if persona %}Beneficiaria: {{ persona.nombre }}{% if persona.telefono %}, teléfono {{ persona.telefono }}{% endif %}"
        "{% if persona.comunidad %}, comunidad {{ persona.comunidad }}{% endif %}. Se sugiere seguimiento de su enfermedad de base. "
        "{% endif %}" + _OFICINA,
    ),
    EntregaAnulada.tipo_evento: (
        "Entrega anulada por la OMM de {{ municipio }}",
        "La OMM de {{ municipio }} anuló la entrega del {{ datos.fecha }} ({{ datos.categoria|categoria|lower }}"
        "{% if datos.monto %}, {{ datos.monto|lempiras }}{% endif %}) que le había avisado. "
        "{% if persona %}Beneficiaria: {{ persona.nombre }}{% if persona.telefono %}, teléfono {{ persona.telefono }}{% endif %}. "
        "{% endif %}El aviso anterior sobre esa entrega queda sin efecto. " + _OFICINA,
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
        "Se programó una sesión del club de embarazadas de {{ municipio }} el {{ datos.fecha }}" + _HORA_LUGAR
        + ". " + _OFICINA,
    ),
    SesionReprogramada.tipo_evento: (
        "{{ datos.tipo|actividad }}: la sesión del {{ datos.fecha_anterior }} "
        + _MISMO_DIA + "cambia de hora{% else %}pasa al {{ datos.fecha }}{% endif %}",
        "La sesión de " + _ACTIVIDAD + " de {{ municipio }} del {{ datos.fecha_anterior }} "
        + _MISMO_DIA + "cambió de hora: será{% else %}se reprogramó para el {{ datos.fecha }}{% endif %}"
        + _HORA_LUGAR + ". " + _OFICINA,
    ),
    SesionCancelada.tipo_evento: (
        "{{ datos.tipo|actividad }}: sesión del {{ datos.fecha }} cancelada",
        "Se canceló la sesión de " + _ACTIVIDAD + " de {{ municipio }} del {{ datos.fecha }}" + _HORA_LUGAR + ". "
        + _OFICINA,
    ),
    # Por SMS a las inscritas (la clave es la regla): cortos, con a quién llamar al principio.
    "sesion_reprogramada_participantes": (
        "{{ datos.tipo|actividad }}: cambio de fecha",
        _OFICINA_SMS + "la sesión de " + _ACTIVIDAD + " del {{ datos.fecha_anterior }} " + _MISMO_DIA
        + "cambia de hora: será{% else %}pasa al {{ datos.fecha }}{% endif %}" + _HORA_LUGAR + ".",
    ),
    "sesion_cancelada_participantes": (
        "{{ datos.tipo|actividad }}: sesión cancelada",
        _OFICINA_SMS + "se canceló la sesión de " + _ACTIVIDAD + " del {{ datos.fecha }}" + _HORA_LUGAR + ".",
    ),
    ExistenciasBajas.tipo_evento: (
        "Existencias bajas: {{ datos.tipo_nombre or 'un tipo de ayuda' }} — quedan {{ datos.cantidad }} "
        "{{ 'unidad' if datos.cantidad == 1 else 'unidades' }}",
        "Quedan {{ datos.cantidad }} {{ 'unidad' if datos.cantidad == 1 else 'unidades' }} de "
        "{{ datos.tipo_nombre or 'un tipo de ayuda' }} en la OMM de {{ municipio }}; "
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
        "Le recordamos la sesión del club de embarazadas mañana, {{ datos.fecha }}" + _HORA_LUGAR
        + ". OMM de {{ municipio }}{% if oficina.telefono %}, tel. {{ oficina.telefono }}{% endif %}.",
    ),
}


def presentar(datos):
    """Los datos del evento como se leen: cada fecha en letras. Los códigos quedan (las plantillas comparan
    con ellos) y se muestran con los filtros."""
    return {clave: _fecha(valor) for clave, valor in (datos or {}).items()}


def componer(clave, contexto, cuerpo_propio=None):
    """Devuelve (asunto, cuerpo). `cuerpo_propio` es la plantilla editada en la regla, si la hay."""
    asunto, cuerpo = PLANTILLAS[clave]
    contexto = {"persona": None, "urgente": False, "oficina": {}, "minutos": 60, "canal": None, **contexto}
    contexto["datos"] = presentar(contexto.get("datos"))
    return (" ".join(_entorno.from_string(asunto).render(contexto).split()),
            _entorno.from_string(cuerpo_propio or cuerpo).render(contexto).strip())


def nombre_destinatario(clave):
    return NOMBRES_DESTINATARIO.get(clave, clave)


def texto_sms(cuerpo):
    return recortar_sms(cuerpo)


def validar_plantilla(texto):
    """Para la edición de reglas: una plantilla que no compila se rechaza al guardarla."""
    _entorno.parse(texto)
