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


def _configuracion_compose():
    """Lo que compose da a todos los procesos (x-configuracion): sin secretos."""
    return yaml.safe_load((RAIZ / "docker-compose.yml").read_text())["x-configuracion"]


def test_cada_variable_leida_esta_definida_en_compose_y_en_el_ejemplo():
    servicios = _compose()["services"]
    ejemplo = {l.split("=", 1)[0] for l in (RAIZ / "deploy" / "omm.env.example").read_text().splitlines()
               if "=" in l and not l.startswith("#")}
    leidas = _variables_leidas()
    assert {"AMQP_URI", "OMM_CLAVES_PUBLICAS", "AYUDAS_DB_URL", "GATEWAY_DB_URL"} <= leidas
    configuracion = _configuracion_compose()
    # Cada secreto va solo a quien lo usa (test_cada_contenedor_recibe_los_secretos_de_k8s): aquí, que lo que el
    # código lee tenga de dónde salir, y que la configuración sin secretos llegue a todos.
    definidas = set(configuracion)
    for nombre in _procfile():
        entorno = servicios[nombre]["environment"]
        assert configuracion.items() <= entorno.items(), nombre
        assert "AMQP_URI" in entorno, nombre
        definidas |= set(entorno)
    assert not sorted(leidas - definidas - {"AMQP_URI_NOTIFICACIONES", "AMQP_URI_CASOS"}), \
        f"ningún proceso de compose define {sorted(leidas - definidas)}"
    assert not sorted(leidas - ejemplo), f"deploy/omm.env.example no documenta {sorted(leidas - ejemplo)}"
    # Ningún secreto en la configuración común.
    assert not {v for v in configuracion if re.search(r"CLAVE|SECRETO|CONTRASENA|_DB_URL|AMQP_URI", v)
                and v != "OMM_CLAVES_PUBLICAS"}


def test_compose_tiene_una_base_por_servicio():
    entorno = _compose()["services"]["migraciones"]["environment"]
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
    from omm_common import broker
    texto = (RAIZ / "docker-compose.yml").read_text()
    obligatorias = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):\?", texto))
    todas = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", texto))
    assert {"POSTGRES_CONTRASENA", "OMM_CLAVES_PUBLICAS", "CASOS_CLAVE_MAESTRA"} <= obligatorias
    assert {f"OMM_BROKER_{t.upper()}" for t in broker.TIPOS} <= obligatorias
    ejemplo = _ejemplo_env()
    assert not sorted(obligatorias - ejemplo), f".env.example no trae {sorted(obligatorias - ejemplo)}"
    assert not sorted(todas - ejemplo), f".env.example no trae {sorted(todas - ejemplo)}"
    # Cada secreto obligatorio dice cómo generarlo y viene sin valor real.
    assert "secrets.token_hex(32)" in (RAIZ / ".env.example").read_text()
    for linea in (RAIZ / ".env.example").read_text().splitlines():
        if linea.split("=", 1)[0] in obligatorias:
            assert linea.endswith("=CAMBIAR"), linea


# --- Broker: un usuario por tipo de proceso, cada secreto solo a quien lo usa (issue 16) ---

def interpolar(texto, variables):
    """La interpolación de compose (${X}, ${X:-omisión}, ${X:?error}, $$) con las variables de un .env."""
    def valor(m):
        if m[0] == "$$":
            return "$"
        nombre, operador, resto = m[1], m[2], m[3]
        if variables.get(nombre):
            return variables[nombre]
        if operador == ":?":
            raise KeyError(f"{nombre}: {resto}")
        return resto if operador == ":-" else ""
    return re.sub(r"\$\$|\$\{([A-Z][A-Z0-9_]*)(?:(:-|:\?)([^}]*))?\}", valor, texto)


def _env_de_prueba():
    """Un .env lleno: cada CAMBIAR con un valor distinto (así se ve qué contenedor recibe cuál)."""
    valores = {}
    for linea in (RAIZ / ".env.example").read_text().splitlines():
        if "=" in linea and not linea.startswith("#"):
            nombre, valor = linea.split("=", 1)
            valores[nombre] = f"{nombre.lower().replace('_', '')}x{len(valores)}" if valor == "CAMBIAR" else valor
    return valores


def _compose_interpolado(env=None):
    return yaml.safe_load(interpolar((RAIZ / "docker-compose.yml").read_text(), env or _env_de_prueba()))


def _tipo_de_uri(variable, contenedor):
    """El tipo de proceso cuyo usuario debe ir en `variable` (AMQP_URI o AMQP_URI_<TIPO>) de `contenedor`."""
    from .sistema import TIPO_BROKER
    return variable[len("AMQP_URI_"):].lower() if variable.startswith("AMQP_URI_") else \
        TIPO_BROKER.get(contenedor, contenedor)


def test_cada_contenedor_entra_al_broker_con_su_propio_usuario_y_nadie_con_guest():
    from urllib.parse import urlsplit

    from omm_common import broker
    env = _env_de_prueba()
    servicios = _compose_interpolado(env)["services"]
    texto = yaml.safe_dump(_compose())  # sin los comentarios
    assert "guest" not in texto
    assert "RABBITMQ_DEFAULT_USER" not in texto and "RABBITMQ_DEFAULT_PASS" not in texto
    contrasenas = {env[f"OMM_BROKER_{t.upper()}"]: t for t in broker.TIPOS}
    assert len(contrasenas) == len(broker.TIPOS)
    vistos = set()
    for nombre, servicio in servicios.items():
        entorno = servicio.get("environment") or {}
        uris = {v: u for v, u in entorno.items() if v == "AMQP_URI" or v.startswith("AMQP_URI_")}
        tipos = set()
        for variable, uri in uris.items():
            tipo = _tipo_de_uri(variable, nombre)
            p = urlsplit(uri)
            assert (p.scheme, p.hostname, p.port) == ("amqp", "rabbitmq", 5672), (nombre, variable)
            assert p.username == broker.usuario(tipo), (nombre, variable, p.username)
            assert contrasenas.get(p.password) == tipo, f"{nombre}: {variable} no lleva la contraseña de {tipo}"
            tipos.add(tipo)
        # Ninguna otra contraseña del broker en ese contenedor (salvo quien escribe las definiciones).
        ajenas = {t for c, t in contrasenas.items() if any(c in str(v) for v in entorno.values())} - tipos
        if nombre == "broker_definiciones":
            assert ajenas == set(broker.TIPOS) and not uris
        else:
            assert not ajenas, f"{nombre} recibe la contraseña del broker de {sorted(ajenas)}"
        vistos |= tipos
        if nombre in _procfile():
            assert "AMQP_URI" in uris, nombre
    assert vistos == set(broker.TIPOS)
    # Declarar las colas de notificaciones y casos (migraciones) con el usuario de cada uno.
    assert set(servicios["migraciones"]["environment"]) & {"AMQP_URI", "AMQP_URI_NOTIFICACIONES", "AMQP_URI_CASOS"} \
        == {"AMQP_URI_NOTIFICACIONES", "AMQP_URI_CASOS"}
    # La demo habla con el gateway por HTTP: ni broker ni claves.
    assert not {v for v in servicios["demo"]["environment"] if "AMQP" in v or "CLAVE" in v}


def test_rabbitmq_carga_las_definiciones_que_escribe_broker_definiciones():
    servicios = _compose()["services"]
    definiciones, rabbitmq = servicios["broker_definiciones"], servicios["rabbitmq"]
    assert rabbitmq["depends_on"] == {"broker_definiciones": {"condition": "service_completed_successfully"}}
    (volumen_escrito,) = definiciones["volumes"]
    nombre_volumen, carpeta_escrita = volumen_escrito.split(":")
    assert nombre_volumen in _compose()["volumes"]
    comando = definiciones["command"][-1]
    assert comando.startswith("omm-broker definiciones > ")
    escrito = comando.rsplit(" ", 1)[-1]
    assert escrito.startswith(carpeta_escrita + "/")
    # RabbitMQ ve ese volumen (solo lectura) y su conf.d carga el archivo de ahí.
    montajes = {m.split(":")[0]: m.split(":")[1:] for m in rabbitmq["volumes"]}
    carpeta_rabbit, modo = montajes[nombre_volumen]
    assert modo == "ro"
    destino_conf, modo = montajes["./deploy/rabbitmq.conf"]
    assert destino_conf.startswith("/etc/rabbitmq/conf.d/") and modo == "ro"
    conf = dict(l.split(" = ", 1) for l in (RAIZ / "deploy" / "rabbitmq.conf").read_text().splitlines()
                if l and not l.startswith("#"))
    assert conf["load_definitions"] == escrito.replace(carpeta_escrita, carpeta_rabbit, 1)
    assert conf["loopback_users.guest"] == "true"
    # La imagen deja escribir ahí al usuario sin root (un volumen nuevo hereda el dueño de la carpeta).
    assert carpeta_escrita in (RAIZ / "deploy" / "Dockerfile").read_text()


def _permisos_impresos():
    """{usuario: {"configure": ..., "write": ..., "read": ..., intercambio: (write, read)}} de `omm-broker permisos`."""
    r = subprocess.run([str(Path(sys.executable).parent / "omm-broker"), "permisos"], capture_output=True,
                       text=True, timeout=60, check=True)
    tabla, actual = {}, None
    for linea in r.stdout.splitlines():
        if not linea.startswith(" "):
            actual = tabla.setdefault(linea.strip(), {})
            continue
        partes = linea.split()
        if partes[0] == "tópico":
            actual[partes[1].rstrip(":")] = (partes[3], partes[5])
        else:
            actual[partes[0]] = partes[1]
    return tabla


def test_las_definiciones_de_compose_dan_a_cada_usuario_lo_de_omm_broker_permisos(tmp_path):
    """El comando real de broker_definiciones, con el entorno que compose le da: cada tipo de omm_common.broker
    con los permisos que imprime `omm-broker permisos`, nadie más (ni guest ni un administrador), y el hash de cada
    usuario es el de la contraseña que lleva la AMQP_URI de su contenedor."""
    import base64
    import hashlib
    import json
    from urllib.parse import unquote, urlsplit

    from omm_common import broker
    servicios = _compose_interpolado()["services"]
    entorno = {k: v for k, v in os.environ.items() if not k.startswith("OMM_BROKER_")}
    entorno.update(servicios["broker_definiciones"]["environment"])
    comando = servicios["broker_definiciones"]["command"][-1].split(" > ")[0].split()
    r = subprocess.run([str(Path(sys.executable).parent / comando[0]), *comando[1:]], env=entorno,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr[-500:]
    defs = json.loads(r.stdout)
    usuarios = {u["name"]: u for u in defs["users"]}
    assert set(usuarios) == {broker.usuario(t) for t in broker.TIPOS}
    assert all(u["tags"] == [] for u in usuarios.values())
    assert defs["vhosts"] == [{"name": "/"}]
    impresos = _permisos_impresos()
    assert set(impresos) == set(usuarios)
    for p in defs["permissions"]:
        assert p["vhost"] == "/"
        assert {k: p[k] for k in ("configure", "write", "read")} == \
            {k: impresos[p["user"]][k] for k in ("configure", "write", "read")}, p["user"]
    assert {p["user"] for p in defs["permissions"]} == set(usuarios)
    topicos = {(t["user"], t["exchange"]): (t["write"], t["read"]) for t in defs["topic_permissions"]}
    assert topicos == {(u, i): v for u, tabla in impresos.items() for i, v in tabla.items()
                       if i not in ("configure", "write", "read")}
    # Sin comodines de lectura en ningún tópico (el espía de la issue ligaba `#`).
    assert all(".*" not in lectura for _, lectura in topicos.values())

    def verifica(usuario, contrasena):
        crudo = base64.b64decode(usuarios[usuario]["password_hash"])
        return crudo[4:] == hashlib.sha256(crudo[:4] + contrasena.encode()).digest()
    for nombre, servicio in servicios.items():
        for variable, uri in (servicio.get("environment") or {}).items():
            if variable == "AMQP_URI" or variable.startswith("AMQP_URI_"):
                p = urlsplit(uri)
                assert verifica(broker.usuario(_tipo_de_uri(variable, nombre)), unquote(p.password)), nombre


def test_cada_contenedor_recibe_los_secretos_que_k8s_le_da_y_ninguno_mas():
    """Mismo mínimo en compose que en deploy/k8s (test_despliegue_k8s los fija uno a uno): cada clave privada solo a
    su emisor (y a los relays), cada secreto de cifrado solo a su servicio, la base solo a quien la usa."""
    from .test_despliegue_k8s import _contenedores_k8s
    servicios = _compose()["services"]
    configuracion = set(_configuracion_compose())
    en_k8s = _contenedores_k8s()
    for nombre in [*_procfile(), "migraciones"]:
        compose, k8s = set(servicios[nombre]["environment"]) - configuracion, en_k8s[nombre] - {"OMM_CLAVES_PUBLICAS"}
        assert compose == k8s, f"{nombre}: solo en compose {sorted(compose - k8s)}, solo en k8s {sorted(k8s - compose)}"
    privadas = {n: {v for v in s.get("environment") or {} if v.startswith("OMM_CLAVE_PRIVADA_")}
                for n, s in servicios.items()}
    assert privadas["gateway"] == {"OMM_CLAVE_PRIVADA_GATEWAY"}
    assert privadas["celery_beat"] == set() and privadas["migraciones"] == set()
    assert privadas["relays"] == {f"OMM_CLAVE_PRIVADA_{s}" for s in ("CASOS", "AYUDAS", "CAPACITACIONES",
                                                                       "NOTIFICACIONES")}
    assert set(servicios["celery_beat"]["environment"]) - configuracion == {"AMQP_URI"}


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
