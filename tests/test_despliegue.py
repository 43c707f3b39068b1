"""docker-compose.yml no se puede levantar aquí (no hay Docker): se revisa que esté completo.

Cada proceso del Procfile existe en compose con el mismo comando, y cada variable de entorno
que el código o las configs leen está definida para los procesos de la aplicación.
"""
import re
import shlex
from pathlib import Path

import yaml

RAIZ = Path(__file__).resolve().parents[1]
# Variables que no son de los procesos desplegados (pruebas, demo local) o que solo ajustan lo que ya tiene valor.
NO_DESPLIEGUE = {"OMM_PRUEBAS_PG", "OMM_PRUEBAS_AMQP", "OMM_DEMO_CONTRASENA", "OMM_GATEWAY_URL", "DB_URL",
                 "MAX_WORKERS", "PYTHON"}


def _compose():
    return yaml.safe_load((RAIZ / "docker-compose.yml").read_text())


def _procfile():
    procesos = {}
    for linea in (RAIZ / "deploy" / "Procfile").read_text().splitlines():
        if linea.strip() and not linea.startswith("#"):
            nombre, comando = linea.split(":", 1)
            procesos[nombre.strip()] = shlex.split(comando)
    return procesos


def _variables_leidas():
    nombres = set()
    for config in list((RAIZ / "services").glob("*/config.yaml")) + [RAIZ / "gateway" / "config.yaml"]:
        nombres |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", config.read_text()))
    patron = re.compile(r"""os\.(?:environ\.get|environ\[|getenv)\(?\s*["']([A-Z][A-Z0-9_]*)["']""")
    for py in list((RAIZ / "services").rglob("*.py")) + list((RAIZ / "gateway").rglob("*.py")) + \
            list((RAIZ / "common").rglob("*.py")):
        if "/tests/" in str(py) or py.name.startswith("test_") or py.name == "pruebas.py":
            continue
        nombres |= set(patron.findall(py.read_text()))
    # El relay arma <SERVICIO>_DB_URL a partir del nombre del servicio.
    nombres |= {f"{s.upper()}_DB_URL" for s in ("casos", "ayudas", "capacitaciones", "notificaciones", "gateway")}
    return nombres - NO_DESPLIEGUE


def test_cada_proceso_del_procfile_esta_en_compose_con_el_mismo_comando():
    servicios = _compose()["services"]
    for nombre, comando in _procfile().items():
        assert nombre in servicios, f"falta {nombre} en docker-compose.yml"
        en_compose = servicios[nombre]["command"]
        # El beat guarda su calendario bajo var/: en compose la ruta es absoluta.
        normalizar = [c.replace("/app/", "") for c in en_compose]
        assert normalizar == comando, f"{nombre}: {en_compose} != {comando}"
    assert {"rabbitmq", "postgres", "migraciones"} <= set(servicios)


def test_cada_variable_leida_esta_definida_en_compose_y_en_el_ejemplo():
    servicios = _compose()["services"]
    ejemplo = {l.split("=", 1)[0] for l in (RAIZ / "deploy" / "omm.env.example").read_text().splitlines()
               if "=" in l and not l.startswith("#")}
    leidas = _variables_leidas()
    assert {"AMQP_URI", "OMM_JWT_SECRETO", "AYUDAS_DB_URL", "GATEWAY_DB_URL"} <= leidas
    for nombre in _procfile():
        entorno = servicios[nombre]["environment"]
        faltan = sorted(leidas - set(entorno))
        assert not faltan, f"{nombre} no define {faltan}"
    assert not sorted(leidas - ejemplo), f"deploy/omm.env.example no documenta {sorted(leidas - ejemplo)}"


def test_compose_tiene_una_base_por_servicio():
    entorno = _compose()["services"]["ayudas"]["environment"]
    bases = {entorno[f"{s}_DB_URL"].rsplit("/", 1)[1] for s in
             ("GATEWAY", "CASOS", "AYUDAS", "CAPACITACIONES", "NOTIFICACIONES")}
    assert len(bases) == 5
    init = (RAIZ / "deploy" / "postgres-init.sql").read_text()
    assert all(b in init or b == "omm_gateway" for b in bases)


def test_las_pruebas_de_sistema_arrancan_los_procesos_del_procfile_con_el_mismo_comando():
    from .sistema import Sistema
    s = Sistema(None, None, ".")
    s.puerto = 0
    comandos = s._comandos()
    for nombre, comando in _procfile().items():
        if nombre == "celery_beat":  # las pruebas llaman las tareas periódicas sin esperar al beat
            continue
        assert nombre in comandos, f"tests/sistema.py no arranca {nombre}"
        if isinstance(comandos[nombre], list):
            # Las pruebas solo agregan opciones al final (hostname propio, sin gossip).
            en_pruebas = [Path(comandos[nombre][0]).name] + comandos[nombre][1:]
            assert en_pruebas[:len(comando)] == comando, f"{nombre}: {en_pruebas} != {comando}"
