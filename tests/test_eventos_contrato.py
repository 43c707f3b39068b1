"""Los eventos de cada `contrato.py` contra el catálogo de ../shared/CONTRACT.md.

Cada evento del catálogo es una sola clase, con ese nombre, en el contrato de su dueño; lleva al menos los
campos que el catálogo lista («...» no cuenta); es una dataclass congelada; y ningún campo se llama como
un dato personal. Las clases de eventos que el catálogo no nombra están anotadas aquí, con su porqué.
"""
import dataclasses
import importlib
import re
from pathlib import Path

import pytest

from omm_common.eventos import Evento

CONTRATO = Path(__file__).resolve().parents[1].parent / "shared" / "CONTRACT.md"
DUENOS = ("casos", "ayudas", "capacitaciones", "notificaciones", "reportes")
# El catálogo describe este en las reglas por defecto («follow-up overdue (scheduled job)»), sin nombre.
FUERA_DEL_CATALOGO = {
    "SeguimientoVencido": "casos",
    # Correcciones con historia (issue 19): el catálogo permite añadir; estos son hechos nuevos de sus dueños.
    "CasoReabierto": "casos", "RiesgoReevaluado": "casos",
    "EntregaAnulada": "ayudas", "BeneficiariasFusionadas": "ayudas",
    "SesionReprogramada": "capacitaciones", "SesionCancelada": "capacitaciones",
}
# Nombres de campo que delatan un dato personal (también como parte: `telefono_contacto`, `nombres_madre`).
DATOS_PERSONALES = {"nombre", "nombres", "apellidos", "dni", "telefono", "relato", "direccion", "comunidad",
                    "email", "correo", "fecha_nacimiento", "nota", "motivo"}
# Categorías, no datos de una persona: violencia_sexual_72h o criterio_oficina; el nombre de un tipo de ayuda.
PERMITIDOS = {"motivo_urgencia", "tipo_nombre"}


def _catalogo():
    """{evento: (dueño, campos)} de la tabla de eventos (columnas dueño | evento | campos)."""
    if not CONTRATO.is_file():
        pytest.skip(f"no está {CONTRATO} (en CI shared/ se copia junto al repositorio)")
    eventos, en_tabla = {}, False
    for linea in CONTRATO.read_text(encoding="utf-8").splitlines():
        celdas = [c.strip() for c in linea.strip().strip("|").split("|")] if linea.lstrip().startswith("|") else []
        if len(celdas) == 3 and celdas[1].lower() in ("event", "evento"):
            en_tabla = True
            continue
        if not en_tabla:
            continue
        if not celdas:
            break
        if set(celdas[0]) <= set("-: "):
            continue
        dueno, nombres, campos = celdas
        campos = {c.strip() for c in campos.split(",")} - {"...", "…", ""}
        for nombre in re.findall(r"`(\w+)`", nombres):
            eventos[nombre] = (dueno, campos)
    assert eventos, f"no encontré la tabla de eventos en {CONTRATO}"
    return eventos


def _clases(dueno):
    """Las clases de eventos declaradas en el contrato del dueño (no las importadas de otro lado)."""
    modulo = importlib.import_module(f"{dueno}.contrato")
    return {nombre: c for nombre, c in vars(modulo).items()
            if isinstance(c, type) and issubclass(c, Evento) and c is not Evento and c.__module__ == modulo.__name__}


def _todas():
    return {dueno: _clases(dueno) for dueno in DUENOS}


def test_la_tabla_del_catalogo_se_lee_entera():
    catalogo = _catalogo()
    assert {"CasoDerivado", "AyudaEntregada", "SesionProgramada", "NotificacionConfirmada"} <= set(catalogo)
    assert catalogo["CasoCerrado"] == ("casos", {"caso_id", "codigo"})


def test_cada_evento_del_catalogo_es_una_clase_en_el_contrato_de_su_dueno():
    todas = _todas()
    faltan = []
    for evento, (dueno, _) in _catalogo().items():
        en = [d for d, clases in todas.items() if evento in clases]
        if en != [dueno]:
            faltan.append(f"{evento}: se espera una clase en {dueno}.contrato, está en {en or 'ninguno'}")
    assert not faltan, "\n".join(faltan)


def test_ningun_contrato_declara_eventos_que_el_catalogo_no_conoce():
    catalogo = _catalogo()
    conocidos = {e: d for e, (d, _) in catalogo.items()} | FUERA_DEL_CATALOGO
    sobran = [f"{dueno}.contrato.{nombre}" for dueno, clases in _todas().items() for nombre in clases
              if conocidos.get(nombre) != dueno]
    assert not sobran, f"eventos fuera de CONTRACT.md (agréguelos al catálogo): {sobran}"


def test_cada_evento_lleva_al_menos_los_campos_del_catalogo():
    todas = _todas()
    faltan = []
    for evento, (dueno, campos) in _catalogo().items():
        propios = {f.name for f in dataclasses.fields(todas[dueno][evento])}
        if campos - propios:
            faltan.append(f"{dueno}.contrato.{evento}: faltan {sorted(campos - propios)}")
    assert not faltan, "\n".join(faltan)


def _cada_clase():
    return [(d, n, c) for d, clases in _todas().items() for n, c in sorted(clases.items())]


def test_cada_evento_es_una_dataclass_congelada_con_su_nombre_por_tipo():
    clases = _cada_clase()
    assert len(clases) >= 15
    for dueno, nombre, clase in clases:
        assert dataclasses.is_dataclass(clase) and clase.__dataclass_params__.frozen, f"{dueno}.{nombre} no es frozen"
        assert clase.tipo_evento == nombre and isinstance(clase.version, int)
        # Un campo con el nombre de estos atributos de clase los taparía en cada instancia.
        nombres = {f.name for f in dataclasses.fields(clase)}
        assert not nombres & {"tipo_evento", "version", "datos"}, f"{dueno}.{nombre}: campo reservado"


def _parece_personal(campo):
    if campo in PERMITIDOS:
        return False
    return bool(set(campo.split("_")) & DATOS_PERSONALES) or any(d in campo for d in DATOS_PERSONALES if "_" in d)


@pytest.mark.parametrize("campo, personal", [
    ("nombre", True), ("telefono_contacto", True), ("apellidos", True), ("fecha_nacimiento_madre", True),
    ("motivo", True), ("nota", True), ("motivo_urgencia", False), ("caso_id", False), ("tipo_codigo", False),
    ("consentimiento_salud", False), ("lugar", False),
])
def test_la_lista_de_datos_personales_reconoce_sus_nombres(campo, personal):
    assert _parece_personal(campo) is personal


def test_ningun_campo_de_un_evento_es_un_dato_personal():
    malos = [f"{dueno}.contrato.{nombre}.{campo.name}" for dueno, nombre, clase in _cada_clase()
             for campo in dataclasses.fields(clase) if _parece_personal(campo.name)]
    assert not malos, f"campos que parecen datos personales (los eventos llevan referencias y categorías): {malos}"
