"""Fronteras entre paquetes: de otro servicio solo se importa su módulo público `contrato`.

Se lee cada .py de cada paquete (omm_common, gateway y cada servicio; sin sus pruebas ni sus migraciones)
con `ast`, sin importarlo: cuenta todo import, también el que está dentro de una función. omm_common no
importa ningún servicio ni el gateway. Las herramientas (el plugin de pruebas omm_pruebas, la demo
omm_demo, bench/) no son parte del sistema desplegado y quedan fuera.
"""
import ast
from importlib.metadata import entry_points
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parents[1]
COMUN = "omm_common"
# Fuera del análisis: pruebas y migraciones (Alembic las carga aparte).
EXCLUIDOS = set()


def _paquetes():
    paquetes = {COMUN: RAIZ / "common" / "omm_common", "gateway": RAIZ / "gateway" / "gateway"}
    for carpeta in sorted((RAIZ / "services").iterdir()):
        if (carpeta / carpeta.name / "__init__.py").is_file():
            paquetes[carpeta.name] = carpeta / carpeta.name
    return paquetes


PAQUETES = _paquetes()
SERVICIOS = sorted(set(PAQUETES) - {COMUN, "gateway"})


def _archivos(carpeta):
    for archivo in sorted(carpeta.rglob("*.py")):
        partes = archivo.relative_to(carpeta).parts
        if archivo in EXCLUIDOS or "tests" in partes or "migraciones" in partes:
            continue
        yield archivo


def _importados(arbol):
    """(línea, texto del import, módulos que trae) de cada import absoluto del archivo."""
    for nodo in ast.walk(arbol):
        if isinstance(nodo, ast.Import):
            for alias in nodo.names:
                yield nodo.lineno, f"import {alias.name}", [alias.name]
        elif isinstance(nodo, ast.ImportFrom) and nodo.level == 0 and nodo.module:
            nombres = [a.name for a in nodo.names]
            texto = f"from {nodo.module} import {', '.join(nombres)}"
            if nodo.module in PAQUETES:
                # `from casos import contrato` trae el submódulo; `from casos import algo` también cuenta.
                yield nodo.lineno, texto, [f"{nodo.module}.{n}" for n in nombres]
            else:
                yield nodo.lineno, texto, [nodo.module]


def _ruta(archivo):
    return archivo.relative_to(RAIZ) if archivo.is_relative_to(RAIZ) else archivo


def _violaciones(paquete, carpeta):
    for archivo in _archivos(carpeta):
        arbol = ast.parse(archivo.read_text(encoding="utf-8"), filename=str(archivo))
        for linea, texto, modulos in _importados(arbol):
            for modulo in modulos:
                otro = modulo.split(".")[0]
                if otro not in PAQUETES or otro in (paquete, COMUN):
                    continue
                if paquete == COMUN:
                    motivo = "omm_common no importa ningún servicio ni el gateway"
                elif modulo == f"{otro}.contrato":
                    continue
                else:
                    motivo = f"de {otro} solo se importa {otro}.contrato"
                yield f"{_ruta(archivo)}:{linea}: «{texto}» ({motivo})"


def test_se_encuentran_todos_los_paquetes():
    # Si una carpeta cambia de lugar, la prueba no debe quedar revisando nada.
    assert {"casos", "ayudas", "capacitaciones", "notificaciones", "reportes"} <= set(SERVICIOS)
    for paquete, carpeta in PAQUETES.items():
        assert list(_archivos(carpeta)), f"{paquete}: no se encontró ningún .py en {carpeta}"


@pytest.mark.parametrize("servicio", SERVICIOS)
def test_cada_servicio_publica_su_contrato(servicio):
    assert (PAQUETES[servicio] / "contrato.py").is_file(), f"services/{servicio}/{servicio}/contrato.py no existe"


@pytest.mark.parametrize("paquete", sorted(PAQUETES))
def test_de_otro_paquete_solo_se_importa_su_contrato(paquete):
    malas = list(_violaciones(paquete, PAQUETES[paquete]))
    assert not malas, ("Imports que cruzan la frontera de un servicio (use <servicio>.contrato; si falta algo, "
                       "agréguelo al contrato del dueño):\n  " + "\n  ".join(malas))


def test_la_prueba_ve_un_import_prohibido(tmp_path):
    # Un import dentro de una función también cuenta, y `from x import contrato` sí está permitido.
    (tmp_path / "malo.py").write_text(
        "from casos import contrato\nimport ayudas.contrato\n\n\ndef f():\n    from casos.operaciones import x\n"
        "    from ayudas import schemas\n")
    malas = list(_violaciones("gateway", tmp_path))
    assert len(malas) == 2
    assert "malo.py:6: «from casos.operaciones import x»" in malas[0] and "casos.contrato" in malas[0]
    assert "malo.py:7: «from ayudas import schemas»" in malas[1]
    assert len(list(_violaciones(COMUN, tmp_path))) == 4


def test_omm_resumenes_encuentra_los_resumenes_por_punto_de_entrada():
    # omm_common no importa servicios: cada uno declara su Resumen en su pyproject.toml.
    from omm_common.resumenes import Resumen
    declarados = {e.name: e for e in entry_points(group="omm.resumenes")}
    assert set(declarados) == {"casos", "ayudas", "capacitaciones"}
    assert all(isinstance(e.load(), Resumen) for e in declarados.values())
