"""Textos de los mensajes (Jinja2). Un nombre solo aparece si el servicio dueño lo entregó con consentimiento.

Todo lo que una persona lee va en castellano llano: las fechas de los datos llegan ya en letras («3 de
diciembre de 2026»; también en una plantilla editada por la coordinadora), y los códigos se muestran con los
filtros `actividad`, `violencia`, `categoria` y `lempiras` («Club de embarazadas», «Física y Psicológica»).
"""
import functools
import json
import os
import re
import select
import signal
import time
import warnings
from datetime import date

from jinja2 import ChainableUndefined, nodes
from jinja2.exceptions import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ayudas.contrato import NOMBRES_CATEGORIA, AyudaEntregada, EntregaAnulada, ExistenciasBajas
from capacitaciones.contrato import (
    NOMBRES_TIPO, ParticipanteInscrita, SesionCancelada, SesionProgramada, SesionReprogramada,
)
from casos.contrato import NOMBRES_TIPO_VIOLENCIA, CasoDerivado, SeguimientoVencido
from omm_common.textos import fecha_larga, lempiras

from .dominio import MAX_PLANTILLA, NOMBRES_DESTINATARIO, REGLA_AVISO_ADMINISTRACION, recortar_sms

NOMBRES_ROL = {"coordinadora": "coordinadora", "tecnica": "técnica", "promotora": "promotora", "cis": "CIS",
               "mancomunidad": "mancomunidad", "admin": "administración"}
NOMBRES_CAMPO = {"email": "correo", "telefono": "teléfono", "webhook_url": "dirección de su sistema",
                 "rol": "rol", "municipio": "municipio", "mancomunidad": "mancomunidad", "activo": "activa o no",
                 "nombre": "nombre", "contrasena": "contraseña"}

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



# Límites de una plantilla propia (la que edita una coordinadora): el worker de Celery es de todos los
# municipios, y una plantilla que tarda horas atrasaría la derivación urgente de otro.
MAX_SALIDA = 20_000  # caracteres del texto compuesto (un correo largo tiene unos 2 000)
MAX_RANGO = 1000  # elementos de range(); en total por texto, para que dos bucles no multipliquen
MAX_SEGUNDOS = 2.0  # de CPU para componerla; el reloj de pared da un poco más
MAX_MEMORIA = 256 * 1024 * 1024  # bytes que puede crecer el proceso que la compone


class PlantillaInvalida(ValueError):
    """La plantilla propia no se puede usar; el texto lo lee la coordinadora."""


class _Limitado(SandboxedEnvironment):
    """El sandbox de Jinja2 ya impide llamar a lo que no debe; esto además acota lo que crece sin llamar nada."""

    intercepted_binops = frozenset(["**", "*"])

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            numeros = all(isinstance(x, (int, float)) for x in (left, right))
            if not (numeros and abs(right) <= 64 and abs(left) < 10 ** 12):
                raise PlantillaInvalida("usa potencias demasiado grandes.")
            return left ** right
        for veces, secuencia in ((right, left), (left, right)):
            if isinstance(secuencia, (str, list, tuple)) and isinstance(veces, int):
                if len(secuencia) * veces > MAX_SALIDA:
                    raise PlantillaInvalida(f"arma un texto de más de {MAX_SALIDA} caracteres.")
        return left * right


def _rango(*args):
    cuantos = len(range(*args))
    presupuesto = _rango.restante - cuantos
    if presupuesto < 0:
        raise PlantillaInvalida(f"recorre más de {MAX_RANGO} elementos con range().")
    _rango.restante = presupuesto
    return range(*args)


_rango.restante = MAX_RANGO


# Sandbox: una regla editada por una coordinadora no puede ejecutar nada; un dato ausente queda vacío.
_entorno = _Limitado(undefined=ChainableUndefined, autoescape=False, trim_blocks=True)
_entorno.globals["range"] = _rango
_entorno.filters.update(
    fecha=_fecha, actividad=_nombre(NOMBRES_TIPO, "actividad"), violencia=_violencia,
    categoria=_nombre(NOMBRES_CATEGORIA, "ayuda"), lempiras=lempiras,
    destinatario=_nombre(NOMBRES_DESTINATARIO, "contacto"), rol=_nombre(NOMBRES_ROL, "rol"),
    campos=lambda campos: _lista([NOMBRES_CAMPO.get(c, c) for c in campos or []]),
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
    # Lo que la administración cambió en la oficina: la coordinación debe poder notar lo que no pidió.
    REGLA_AVISO_ADMINISTRACION.codigo: (
        "Cambio de la administración en la OMM de {{ municipio }}",
        "{% if datos.accion == 'usuaria_creada' %}La administración del sistema creó la cuenta «{{ datos.usuario }}» "
        "con el rol {{ datos.rol|rol }} en la OMM de {{ municipio }}."
        "{% elif datos.accion == 'usuaria_cambiada' %}La administración del sistema cambió la cuenta "
        "«{{ datos.usuario }}» ({{ datos.campos|campos }}); ahora tiene el rol {{ datos.rol|rol }} en la OMM de "
        "{{ municipio }}."
        "{% elif datos.accion == 'usuaria_salio' %}La administración del sistema cambió el rol o el lugar de la "
        "cuenta «{{ datos.usuario }}»: ya no pertenece a la OMM de {{ municipio }}."
        "{% elif datos.accion == 'contrasena_restablecida' %}La administración del sistema restableció la "
        "contraseña de la cuenta «{{ datos.usuario }}» ({{ datos.rol|rol }}); deberá cambiarla al entrar."
        "{% else %}La administración del sistema {{ 'registró' if datos.accion == 'contacto_creado' else 'cambió' }} "
        "el contacto «{{ datos.clave|destinatario }}»{% if datos.campos %} ({{ datos.campos|campos }}){% endif %}. "
        "Hasta que usted lo revise y lo confirme en Avisos, Contactos, ese contacto recibe los avisos sin "
        "nombres.{% endif %} Si usted no pidió este cambio, comuníquese con la administración del sistema y con "
        "la mancomunidad.",
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
    """Devuelve (asunto, cuerpo). `cuerpo_propio` es la plantilla editada en la regla, si la hay: se compone
    aparte y con límites (componer_propia); si no cabe en ellos, PlantillaInvalida."""
    asunto, cuerpo = PLANTILLAS[clave]
    contexto = {"persona": None, "urgente": False, "oficina": {}, "minutos": 60, "canal": None, **contexto}
    contexto["datos"] = presentar(contexto.get("datos"))
    texto = componer_propia(cuerpo_propio, contexto) if cuerpo_propio else _compilada(cuerpo).render(contexto)
    return " ".join(_compilada(asunto).render(contexto).split()), texto.strip()


@functools.lru_cache(maxsize=None)
def _compilada(texto):
    """Las plantillas del sistema, compiladas una vez por proceso: compilar costaba más que componer (perfil
    de bench/avisos_cis.py). Las propias de una coordinadora no pasan por aquí: se compilan en su proceso hijo."""
    return _entorno.from_string(texto)


def _generar(plantilla, contexto):
    """Compone por partes y corta apenas el texto pasa de MAX_SALIDA: no se arma uno enorme para medirlo."""
    _rango.restante = MAX_RANGO
    partes, largo = [], 0
    for parte in plantilla.generate(contexto):
        largo += len(parte)
        if largo > MAX_SALIDA:
            raise PlantillaInvalida(f"produce un texto de más de {MAX_SALIDA} caracteres.")
        partes.append(parte)
    return "".join(partes)


def _limitar_este_proceso():
    import resource
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    segundos = max(1, int(MAX_SEGUNDOS + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (segundos, segundos + 1))
    try:
        with open("/proc/self/statm") as statm:
            ocupada = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (ocupada + MAX_MEMORIA, ocupada + MAX_MEMORIA))
    except (OSError, ValueError):
        pass  # sin /proc: queda el límite de tiempo


def componer_propia(texto, contexto):
    """La plantilla de una coordinadora se compone en un proceso hijo con tope de CPU y de memoria, y se
    espera a lo sumo unos segundos: ni un bucle de horas ni un texto de gigas ocupan al worker compartido.
    Un error (de sintaxis, de límite, del sandbox) es PlantillaInvalida con un texto para la coordinadora."""
    lector, escritor = os.pipe()
    with warnings.catch_warnings():
        # eventlet (importado con nameko) avisa en todo fork; el hijo no lo usa: compone y termina.
        warnings.filterwarnings("ignore", message=r"Using fork\(\) is a bad idea", category=DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # el hijo: compone, escribe el resultado y termina sin pasar por nada del padre
        try:
            os.close(lector)
            try:
                _limitar_este_proceso()
                # También compilarla va aquí: Jinja2 evalúa al compilar lo que es constante ({{ "x"|center(10**9) }}).
                try:
                    plantilla = _entorno.from_string(texto)
                except (TemplateError, RecursionError):
                    raise PlantillaInvalida("tiene un error de sintaxis.") from None
                resultado = {"texto": _generar(plantilla, contexto)}
            except PlantillaInvalida as exc:
                resultado = {"error": str(exc)}
            except MemoryError:
                resultado = {"error": "necesita demasiada memoria."}
            except RecursionError:
                resultado = {"error": "se anida demasiado."}
            except Exception as exc:  # del sandbox o de un dato: la coordinadora ve el tipo, no una traza
                resultado = {"error": f"falló al componerse ({type(exc).__name__})."}
            datos = json.dumps(resultado).encode()
            while datos:
                datos = datos[os.write(escritor, datos):]
        finally:
            os._exit(0)
    os.close(escritor)
    try:
        crudo = _leer_del_hijo(lector, time.monotonic() + MAX_SEGUNDOS * 2 + 1)
    finally:
        os.close(lector)
        _terminar(pid)
    try:
        resultado = json.loads(crudo) if crudo else {}
    except ValueError:
        resultado = {}
    if "texto" in resultado:
        return resultado["texto"]
    raise PlantillaInvalida(resultado.get("error") or f"tardó más de {MAX_SEGUNDOS:g} s o necesitó demasiada "
                                                      "memoria; se detuvo.")


def _leer_del_hijo(lector, limite):
    partes, largo = [], 0
    while True:
        restante = limite - time.monotonic()
        if restante <= 0 or not select.select([lector], [], [], restante)[0]:
            return b""  # no terminó a tiempo
        parte = os.read(lector, 65536)
        if not parte:
            return b"".join(partes)
        largo += len(parte)
        if largo > MAX_SALIDA * 8:  # JSON con escapes: más que esto no es un texto dentro del límite
            return b""
        partes.append(parte)


def _terminar(pid):
    try:
        os.kill(pid, signal.SIGKILL)  # si ya terminó, no hace nada; si no, no se le espera más
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass  # otro ya lo recogió


def nombre_destinatario(clave):
    return NOMBRES_DESTINATARIO.get(clave, clave)


def texto_sms(cuerpo):
    return recortar_sms(cuerpo)


def validar_plantilla(texto):
    """Al guardar la regla: una plantilla que no compila, que es más larga que MAX_PLANTILLA o que ya se ve que
    no termina pronto (bucles anidados o recursivos, macros, potencias, range() grande) se rechaza con un texto
    para la coordinadora. Lo que no se ve aquí lo detienen los límites al componerla (componer_propia)."""
    if len(texto) > MAX_PLANTILLA:
        raise PlantillaInvalida(f"tiene más de {MAX_PLANTILLA} caracteres.")
    try:
        arbol = _entorno.parse(texto)
    except (TemplateError, RecursionError, MemoryError):
        raise PlantillaInvalida("tiene un error de sintaxis.") from None
    if next(arbol.find_all((nodes.Macro, nodes.CallBlock, nodes.Extends, nodes.Include, nodes.Import,
                            nodes.FromImport, nodes.Block)), None) is not None:
        raise PlantillaInvalida("usa macros, bloques o inclusiones; escriba el texto con {{ }}, {% if %} y "
                                "{% for %}.")
    if next(arbol.find_all(nodes.Pow), None) is not None:
        raise PlantillaInvalida("usa potencias (**).")
    for bucle in arbol.find_all(nodes.For):
        if bucle.recursive:
            raise PlantillaInvalida("usa un bucle recursivo.")
        if next(bucle.find_all(nodes.For), None) is not None:
            raise PlantillaInvalida("tiene un bucle dentro de otro.")
    for llamada in arbol.find_all(nodes.Call):
        if isinstance(llamada.node, nodes.Name) and llamada.node.name == "range":
            try:
                argumentos = [a.as_const() for a in llamada.args]
            except nodes.Impossible:
                continue  # depende de los datos: lo acota el límite al componer
            try:
                cuantos = len(range(*argumentos))
            except (TypeError, ValueError, OverflowError):
                raise PlantillaInvalida("llama a range() con valores inválidos.") from None
            if cuantos > MAX_RANGO:
                raise PlantillaInvalida(f"recorre más de {MAX_RANGO} elementos con range().")
