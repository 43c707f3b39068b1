"""docker-compose.yml no se puede levantar aquí (no hay Docker): se revisa que esté completo.

Cada proceso del Procfile existe en compose con el mismo comando, y cada variable de entorno
que el código o las configs leen está definida para los procesos de la aplicación.
"""
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

RAIZ = Path(__file__).resolve().parents[1]
# Variables que no son de los procesos desplegados (pruebas, demo local) o que solo ajustan lo que ya tiene valor.
# OMM_SERVICIO: cada config.yaml y cada configurar() ya nombran su proceso en los logs.
NO_DESPLIEGUE = {"OMM_PRUEBAS_PG", "OMM_PRUEBAS_AMQP", "OMM_DEMO_CONTRASENA", "OMM_GATEWAY_URL", "DB_URL",
                 "MAX_WORKERS", "PYTHON", "OMM_SERVICIO"}


def _compose():
    return yaml.safe_load((RAIZ / "docker-compose.yml").read_text())


def _procfile():
    procesos = {}
    for linea in (RAIZ / "deploy" / "Procfile").read_text().splitlines():
        if linea.strip() and not linea.startswith("#"):
            nombre, comando = linea.split(":", 1)
            procesos[nombre.strip()] = shlex.split(comando)
    return procesos


def expandir(comando, entorno):
    """Un comando del Procfile como lo deja el shell de honcho con el entorno del proceso (${X:-y}, $X)."""
    def valor(m):
        return entorno.get(m[1] or m[3]) or (m[2] or "")
    return [re.sub(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)", valor, c) for c in comando]


def mismo_comando(desplegado, procfile, entorno):
    """Exec sin shell (compose, Kubernetes) frente a la línea del Procfile expandida con el mismo entorno.

    Bajo /app/ la ruta del calendario del beat puede ser absoluta donde el Procfile la da relativa."""
    # `env AMQP_URI="${AMQP_URI_<TIPO>:-$AMQP_URI}"`: el usuario del broker de cada proceso; compose y k8s dan
    # a cada contenedor ya su AMQP_URI.
    if procfile[:1] == ["env"] and procfile[1].startswith("AMQP_URI="):
        procfile = procfile[2:]
    esperado = expandir(procfile, entorno)
    return desplegado == esperado or [c.replace("/app/", "") for c in desplegado] == esperado


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
        assert mismo_comando(en_compose, comando, servicios[nombre]["environment"]), \
            f"{nombre}: {en_compose} != {comando}"
    assert {"rabbitmq", "postgres", "migraciones"} <= set(servicios)


def test_cada_variable_leida_esta_definida_en_compose_y_en_el_ejemplo():
    servicios = _compose()["services"]
    ejemplo = {l.split("=", 1)[0] for l in (RAIZ / "deploy" / "omm.env.example").read_text().splitlines()
               if "=" in l and not l.startswith("#")}
    leidas = _variables_leidas()
    assert {"AMQP_URI", "OMM_CLAVES_PUBLICAS", "AYUDAS_DB_URL", "GATEWAY_DB_URL"} <= leidas
    for nombre in _procfile():
        entorno = servicios[nombre]["environment"]
        faltan = sorted(leidas - set(entorno))
        assert not faltan, f"{nombre} no define {faltan}"
    assert not sorted(leidas - ejemplo), f"deploy/omm.env.example no documenta {sorted(leidas - ejemplo)}"


def test_compose_tiene_una_base_por_servicio():
    entorno = _compose()["services"]["ayudas"]["environment"]
    bases = {entorno[f"{s}_DB_URL"].rsplit("/", 1)[1] for s in
             ("GATEWAY", "CASOS", "AYUDAS", "CAPACITACIONES", "NOTIFICACIONES", "REPORTES")}
    assert len(bases) == 6
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
        if comando[:1] == ["env"]:  # el usuario del broker: Sistema da a cada proceso su AMQP_URI
            comando = comando[2:]
        if isinstance(comandos[nombre], list):
            # Las pruebas solo agregan opciones al final (hostname propio, sin gossip).
            en_pruebas = [Path(comandos[nombre][0]).name] + comandos[nombre][1:]
            assert en_pruebas[:len(comando)] == comando, f"{nombre}: {en_pruebas} != {comando}"


# --- Producción con compose: salud, secretos, imagen ---

def _ejemplo_env():
    return {l.split("=", 1)[0] for l in (RAIZ / ".env.example").read_text().splitlines()
            if "=" in l and not l.startswith("#")}


def test_cada_contenedor_de_compose_declara_su_salud():
    for nombre, servicio in _compose()["services"].items():
        salud = servicio.get("healthcheck")
        assert salud, f"{nombre} no tiene healthcheck"
        if servicio.get("restart") == "no":
            # Tareas de una vez (migraciones, demo): su salud es su código de salida.
            assert salud == {"disable": True}, nombre
        else:
            assert salud.get("test") and not salud.get("disable"), f"{nombre}: healthcheck sin prueba"
            assert servicio.get("restart") == "unless-stopped", nombre


def test_cada_variable_de_compose_esta_en_env_example():
    texto = (RAIZ / "docker-compose.yml").read_text()
    obligatorias = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):\?", texto))
    todas = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", texto))
    assert {"RABBITMQ_CONTRASENA", "POSTGRES_CONTRASENA", "OMM_CLAVES_PUBLICAS", "CASOS_CLAVE_MAESTRA"} <= obligatorias
    # Cada clave privada, solo a su proceso (y a los relays, que publican los eventos de cuatro servicios).
    servicios = _compose()["services"]
    for emisor, procesos in {"GATEWAY": {"gateway"}, "CASOS": {"casos", "relays"},
                             "REPORTES": {"reportes"},
                             "NOTIFICACIONES": {"notificaciones", "celery_worker", "relays"}}.items():
        con = {n for n, sv in servicios.items() if f"OMM_CLAVE_PRIVADA_{emisor}" in (sv.get("environment") or {})}
        assert con == procesos, (emisor, con)
    ejemplo = _ejemplo_env()
    assert not sorted(obligatorias - ejemplo), f".env.example no trae {sorted(obligatorias - ejemplo)}"
    assert not sorted(todas - ejemplo), f".env.example no trae {sorted(todas - ejemplo)}"
    # Cada secreto obligatorio dice cómo generarlo y viene sin valor real.
    assert "secrets.token_hex(32)" in (RAIZ / ".env.example").read_text()
    for linea in (RAIZ / ".env.example").read_text().splitlines():
        if linea.split("=", 1)[0] in obligatorias:
            assert linea.endswith("=CAMBIAR"), linea


def test_compose_guarda_correo_y_calendario_en_volumenes_y_la_demo_es_opcional():
    compose = _compose()
    servicios = compose["services"]
    for nombre in ("celery_worker", "celery_beat"):
        assert "var:/app/var" in servicios[nombre]["volumes"], nombre
    assert "var" in compose["volumes"]
    assert servicios["celery_beat"]["command"][-1].startswith("/app/var/")
    assert servicios["demo"]["profiles"] == ["demo"]
    assert all("profiles" not in s for n, s in servicios.items() if n != "demo")


def _python_de(prueba):
    """El programa de un healthcheck ["CMD", "python", "-c", programa], o None."""
    if prueba[:3] == ["CMD", "python", "-c"]:
        return prueba[3]
    return None


def test_las_pruebas_de_salud_de_compose_son_python_valido():
    for nombre, servicio in _compose()["services"].items():
        programa = _python_de(servicio["healthcheck"].get("test", []))
        if programa:
            compile(programa, f"healthcheck de {nombre}", "exec")


def test_la_salud_de_relays_y_beat_distingue_su_proceso(tmp_path):
    """Se corre de verdad contra un proceso hijo (su /proc/<pid> en lugar del PID 1 del contenedor)."""
    servicios = _compose()["services"]
    for nombre, marca in (("relays", "omm-relay"), ("celery_beat", "beat")):
        programa = _python_de(servicios[nombre]["healthcheck"]["test"])
        for argumento, esperado in ((marca, 0), ("otro-proceso", 1)):
            hijo = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", argumento])
            try:
                r = subprocess.run([sys.executable, "-c", programa.replace("/proc/1/", f"/proc/{hijo.pid}/")],
                                   capture_output=True, timeout=30)
                assert r.returncode == esperado, f"{nombre} con {argumento}: {r.returncode} {r.stderr[-300:]}"
            finally:
                hijo.kill()
                hijo.wait()


def test_la_imagen_instala_dependencias_antes_del_codigo():
    lineas = [l.strip() for l in (RAIZ / "deploy" / "Dockerfile").read_text().splitlines()]
    indice = {l: i for i, l in enumerate(lineas)}
    instala_terceros = next(i for i, l in enumerate(lineas) if "pip install -c constraints.txt" in l)
    assert indice["COPY constraints.txt ./"] < instala_terceros
    for paquete in ("common", "services/casos", "services/ayudas", "services/capacitaciones",
                    "services/notificaciones", "services/reportes", "gateway", "demo"):
        assert indice[f"COPY {paquete}/pyproject.toml {paquete}/"] < instala_terceros
    assert instala_terceros < indice["COPY common common"] < indice["COPY services services"]
    assert any("pip install --no-deps" in l for l in lineas[indice["COPY gateway gateway"]:])
    texto = "\n".join(lineas)
    assert '"setuptools<81"' in texto
    # Nada de silenciar todo: solo los avisos con nombre de omm_common/avisos.py (common/tests lo comprueba).
    assert "PYTHONWARNINGS=ignore" not in texto and 'PYTHONWARNINGS="ignore"' not in texto
    usuario = [l for l in lineas if l.startswith("USER ")]
    assert usuario and usuario[-1] not in ("USER root", "USER 0")


def test_el_contexto_de_la_imagen_deja_fuera_entornos_datos_y_secretos():
    ignorado = set((RAIZ / ".dockerignore").read_text().split())
    assert {".venv", "var", ".git", ".env", "**/__pycache__", "**/*.pyc", "bench", ".pytest_cache",
            "**/node_modules", "deploy/k8s/secretos.env"} <= ignorado
    # Lo que la imagen sí necesita no se excluye.
    assert not ignorado & {"deploy", "common", "services", "gateway", "constraints.txt"}


# --- omm-admin crear-admin: la primera cuenta, con el comando instalado de verdad ---

def _omm_admin(db_url, *args, contrasena=None, archivo=None):
    entorno = {k: v for k, v in os.environ.items() if k != "OMM_ADMIN_CONTRASENA"}
    entorno["GATEWAY_DB_URL"] = db_url
    if contrasena is not None:
        entorno["OMM_ADMIN_CONTRASENA"] = contrasena
    extra = ["--contrasena-archivo", str(archivo)] if archivo else []
    return subprocess.run([str(Path(sys.executable).parent / "omm-admin"), "crear-admin", *args, *extra],
                          env=entorno, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)


def test_crear_admin_deja_una_cuenta_que_inicia_sesion_y_es_idempotente(tmp_path, monkeypatch):
    import sqlalchemy as sa

    from gateway import auth
    from gateway.models import Usuario
    from omm_common.db import crear_motor, unidad_de_trabajo

    db_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    subprocess.run([str(Path(sys.executable).parent / "omm-migrar"), "gateway"],
                   env={**os.environ, "GATEWAY_DB_URL": db_url}, check=True, capture_output=True, timeout=120)
    contrasena = "una-clave-larga-de-prueba"

    def iniciar(clave):
        motor = crear_motor(db_url)
        try:
            with unidad_de_trabajo(motor) as uow:
                return auth.iniciar_sesion(uow.sesion, "admin.region", clave, "127.0.0.1")
        finally:
            motor.dispose()

    def cuentas():
        motor = crear_motor(db_url)
        try:
            with unidad_de_trabajo(motor) as uow:
                return [(u.usuario, u.rol, u.hash_contrasena) for u in uow.sesion.scalars(sa.select(Usuario))]
        finally:
            motor.dispose()

    r = _omm_admin(db_url, "--usuario", "admin.region", "--nombre", "Administración regional", contrasena=contrasena)
    assert r.returncode == 0, r.stderr[-500:]
    assert "creada" in r.stdout
    sesion = iniciar(contrasena)
    assert sesion and sesion["access_token"] and sesion["usuario"]["rol"] == "admin"
    antes = cuentas()
    assert [(u, rol) for u, rol, _ in antes] == [("admin.region", "admin")]

    # Otra vez, aun con otra contraseña: dice que existe, sale con 0 y no cambia nada.
    r = _omm_admin(db_url, "--usuario", "admin.region", "--nombre", "Otra", contrasena="otra-clave-larga-distinta")
    assert r.returncode == 0, r.stderr[-500:]
    assert "ya existe" in r.stdout
    assert cuentas() == antes

    # --restablecer cambia la contraseña (leída de un archivo): la nueva entra, la vieja no.
    archivo = tmp_path / "clave.txt"
    archivo.write_text("clave-nueva-restablecida\n")
    r = _omm_admin(db_url, "--usuario", "admin.region", "--nombre", "Administración", "--restablecer", archivo=archivo)
    assert r.returncode == 0, r.stderr[-500:]
    assert iniciar("clave-nueva-restablecida")
    assert iniciar(contrasena) is None
    assert len(cuentas()) == 1


def test_crear_admin_rechaza_una_contrasena_corta_sin_tocar_la_base(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    r = _omm_admin(db_url, "--usuario", "admin", "--nombre", "Administración", contrasena="corta123")
    assert r.returncode != 0
    assert "contraseña" in r.stderr and "12 caracteres" in r.stderr
    assert not (tmp_path / "gateway.db").exists()
    # Sin contraseña y sin terminal no se queda esperando: lo dice y sale.
    r = _omm_admin(db_url, "--usuario", "admin", "--nombre", "Administración")
    assert r.returncode != 0 and "OMM_ADMIN_CONTRASENA" in r.stderr


def test_reportes_migra_despues_del_gateway_en_cada_despliegue():
    """Su primera migración copia el POA y los textos que guardaba el gateway: el gateway va antes."""
    listas = {
        "scripts/run": re.search(r'for s in ([a-z ]+); do omm-migrar', (RAIZ / "scripts" / "run").read_text()),
        "compose": re.search(r"for s in ([a-z ]+); do omm-migrar", " ".join(_compose()["services"]["migraciones"]
                                                                           ["command"])),
        "k8s": re.search(r"for s in ([a-z ]+); do omm-migrar", (RAIZ / "deploy" / "k8s" / "migraciones.yaml").read_text()),
    }
    for donde, m in listas.items():
        orden = m.group(1).split()
        assert "reportes" in orden and orden.index("gateway") < orden.index("reportes"), (donde, orden)
