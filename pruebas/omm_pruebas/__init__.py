"""Plugin de pytest con lo que todas las pruebas necesitan: bases PostgreSQL nuevas, un vhost de
RabbitMQ propio, tokens firmados y servicios nameko reales arrancados como procesos.
"""
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from omm_common.avisos import PYTHONWARNINGS

RAIZ = Path(__file__).resolve().parents[2]
PG_ADMIN = os.environ.get("OMM_PRUEBAS_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("OMM_PRUEBAS_AMQP", "amqp://guest:guest@127.0.0.1:5672")

if "OMM_CLAVES_PUBLICAS" not in os.environ:
    # Este proceso de pruebas firma como cualquiera (gateway y servicios); cada proceso que lanza, solo como sí mismo.
    from omm_common import claves as _claves
    os.environ.update(_claves.entorno(_claves.juego(), *_claves.EMISORES))
os.environ.setdefault("CASOS_CLAVE_MAESTRA", secrets.token_hex(32))
os.environ.setdefault("NOTIFICACIONES_CLAVE", secrets.token_hex(32))
os.environ.setdefault("GATEWAY_CLAVE_RESPUESTAS", secrets.token_hex(32))
os.environ.setdefault("AYUDAS_CLAVE_DATOS", secrets.token_hex(32))
os.environ.setdefault("CAPACITACIONES_CLAVE_DATOS", secrets.token_hex(32))


def _pg_base():
    return PG_ADMIN.rsplit("/", 1)[0]


def crear_base_pg(prefijo):
    nombre = f"omm_t_{prefijo}_{uuid.uuid4().hex[:8]}"
    motor = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with motor.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{nombre}"')
    motor.dispose()
    return f"{_pg_base()}/{nombre}"


def borrar_base_pg(url):
    nombre = url.rsplit("/", 1)[1]
    motor = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with motor.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')
    motor.dispose()


@contextmanager
def _fabrica_bases():
    creadas = []

    def crear(prefijo="x"):
        url = crear_base_pg(prefijo)
        creadas.append(url)
        return url
    try:
        yield crear
    finally:
        for url in creadas:
            borrar_base_pg(url)


@pytest.fixture
def base_pg():
    """Fábrica de bases PostgreSQL vacías, borradas al terminar la prueba."""
    with _fabrica_bases() as crear:
        yield crear


@pytest.fixture(scope="module")
def base_pg_modulo():
    """Igual que base_pg, compartida por todas las pruebas de un módulo."""
    with _fabrica_bases() as crear:
        yield crear


def _rabbitmqctl(*args):
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def vhost_propio(prefijo="omm_t"):
    """Un vhost de RabbitMQ nuevo: nada de otras corridas ni de otros procesos se cuela en las colas."""
    vhost = f"{prefijo}_{uuid.uuid4().hex[:8]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    try:
        yield f"{AMQP_BASE}/{vhost}"
    finally:
        try:
            _rabbitmqctl("delete_vhost", vhost)
        except Exception:
            pass


@contextmanager
def broker_propio(prefijo="omm_t"):
    """Un vhost nuevo con un usuario por tipo de proceso y los permisos de producción (omm_common/broker.py).

    Da (uri del arnés, {tipo: uri}). El arnés (guest en este vhost) hace de operadora: declara, mira y publica
    lo que una prueba necesite; cada proceso del sistema entra con su propio usuario restringido."""
    from omm_common import broker
    with vhost_propio(prefijo) as uri_arnes:
        vhost = uri_arnes.rsplit("/", 1)[1]
        claves = broker.contrasenas()
        broker.aplicar(claves, vhost, prefijo=vhost, limpiar=False)
        base = AMQP_BASE.split("://", 1)[0] + "://" + AMQP_BASE.rsplit("@", 1)[1] + f"/{vhost}"
        try:
            yield uri_arnes, {t: broker.uri(base, t, claves[t], prefijo=vhost) for t in broker.TIPOS}
        finally:
            broker.borrar_usuarios(vhost)


@pytest.fixture(scope="session")
def amqp_uri():
    with vhost_propio() as uri:
        yield uri


def token(rol, municipio=None, mancomunidad=None, usuario_id=None, minutos=30):
    """Un token de RPC como el que el gateway pone en cada llamada; con rol «servicio», el de notificaciones."""
    from omm_common.contexto import Identidad, emitir_token, token_de_servicio
    if rol == "servicio":
        return token_de_servicio("notificaciones", minutos)
    return emitir_token(Identidad(usuario_id=usuario_id or str(uuid.uuid4()), usuario=f"{rol}.prueba",
                                  rol=rol, municipio=municipio, mancomunidad=mancomunidad), minutos)


def token_de_servicio_prueba(nombre="notificaciones"):
    from omm_common.contexto import token_de_servicio
    return token_de_servicio(nombre)


@contextmanager
def cliente_rpc(amqp, token_=None, timeout=20):
    """RPC standalone con el token como dato de contexto, igual que lo manda el gateway."""
    from nameko.standalone.rpc import ClusterRpcProxy
    datos = {"omm_token": token_} if token_ else {}
    with ClusterRpcProxy({"AMQP_URI": amqp}, context_data=datos, timeout=timeout) as rpc:
        yield rpc


class Proceso:
    def __init__(self, nombre, comando, env, cwd, log):
        self.nombre, self.comando, self.env, self.cwd, self.log = nombre, comando, env, cwd, log
        self.popen = None

    def iniciar(self):
        # El hijo hereda el descriptor; el nuestro se cierra ya (antes quedaba abierto: ResourceWarning).
        with open(self.log, "ab") as salida:
            self.popen = subprocess.Popen(self.comando, env=self.env, cwd=self.cwd, stdout=salida,
                                          stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def detener(self, senal=signal.SIGTERM, espera=15):
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, senal)
            try:
                self.popen.wait(espera)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)

    def matar(self):
        self.detener(signal.SIGKILL, 5)

    def vivo(self):
        return self.popen is not None and self.popen.poll() is None


def detener_todos(procesos, espera=15):
    """SIGTERM a todos a la vez y luego se espera a cada uno: cerrar de a uno sumaba sus esperas."""
    vivos = [p for p in procesos if p.vivo()]
    for p in vivos:
        try:
            os.killpg(p.popen.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    limite = time.time() + espera
    for p in vivos:
        try:
            p.popen.wait(max(0.1, limite - time.time()))
        except subprocess.TimeoutExpired:
            p.detener(signal.SIGKILL, 5)


def entorno_base(amqp, **extra):
    env = dict(os.environ)
    env.update({"AMQP_URI": amqp, "PYTHONWARNINGS": PYTHONWARNINGS, "LOG_LEVEL": "INFO"})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def solo_claves(env, *emisores):
    """El entorno de un proceso que firma solo como `emisores` (como en producción: su propia clave)."""
    from omm_common import claves
    return {k: v for k, v in env.items()
            if not k.startswith("OMM_CLAVE_PRIVADA_") or k in {claves.variable_privada(e) for e in emisores}}


def proceso_nameko(servicio, clase, env, carpeta_logs):
    """`nameko run` real de un servicio, con la config de su carpeta y solo su clave privada."""
    env = solo_claves(env, servicio)
    carpeta = RAIZ / "gateway" if servicio == "gateway" else RAIZ / "services" / servicio
    comando = [sys.executable, "-m", "nameko", "run", "--config", str(carpeta / "config.yaml"),
               f"{servicio}.service:{clase}"]
    return Proceso(servicio, comando, env, str(carpeta), str(Path(carpeta_logs) / f"{servicio}.log"))


def esperar(condicion, segundos=30, cada=0.2, mensaje="condición"):
    limite = time.time() + segundos
    ultimo = None
    while time.time() < limite:
        try:
            resultado = condicion()
            if resultado:
                return resultado
        except Exception as exc:  # la condición aún no se cumple
            ultimo = exc
        time.sleep(cada)
    raise AssertionError(f"no se cumplió a tiempo: {mensaje} (último error: {ultimo!r})")


def esperar_ping(amqp, servicio, segundos=60):
    def ping():
        with cliente_rpc(amqp, timeout=3) as rpc:
            return getattr(rpc, servicio).ping() == "ok"
    return esperar(ping, segundos, 0.5, f"ping de {servicio}")


@contextmanager
def _fabrica_servicios(amqp, carpeta_logs):
    procesos = []

    def arrancar(servicio, clase, **env):
        p = proceso_nameko(servicio, clase, entorno_base(amqp, **env), carpeta_logs).iniciar()
        procesos.append(p)
        if servicio != "gateway":
            esperar_ping(amqp, servicio)
        return p
    try:
        yield arrancar
    finally:
        detener_todos(procesos)


@pytest.fixture
def servicio_real(amqp_uri, tmp_path):
    """Arranca servicios nameko reales: servicio_real("ayudas", "Ayudas", AYUDAS_DB_URL=url)."""
    with _fabrica_servicios(amqp_uri, tmp_path) as arrancar:
        yield arrancar


@pytest.fixture(scope="module")
def servicio_real_modulo(amqp_uri, tmp_path_factory):
    """Igual que servicio_real, con procesos compartidos por todas las pruebas de un módulo."""
    with _fabrica_servicios(amqp_uri, tmp_path_factory.mktemp("logs")) as arrancar:
        yield arrancar

def puerto_libre():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONTRASENA_PRUEBAS = "contrasena-de-pruebas-123"


class ClienteHTTP:
    """Cliente del gateway para pruebas: inicia sesión por usuaria y guarda los tokens."""

    def __init__(self, base, contrasena=CONTRASENA_PRUEBAS):
        import requests
        self.base = base
        self.http = requests.Session()
        self.tokens = {}
        self.contrasena = contrasena

    def token(self, usuario, contrasena=None):
        contrasena = contrasena or self.contrasena
        if usuario not in self.tokens:
            r = self.http.post(f"{self.base}/api/v1/auth/token", json={"usuario": usuario, "contrasena": contrasena})
            assert r.status_code == 200, r.text
            self.tokens[usuario] = r.json()["access_token"]
        return self.tokens[usuario]

    def pedir(self, metodo, ruta, usuario=None, cabeceras=None, **kwargs):
        h = dict(cabeceras or {})
        if usuario:
            h["Authorization"] = f"Bearer {self.token(usuario)}"
        return self.http.request(metodo, f"{self.base}{ruta}", headers=h, timeout=30, **kwargs)

    def get(self, ruta, usuario=None, **kw):
        return self.pedir("GET", ruta, usuario, **kw)

    def post(self, ruta, usuario=None, **kw):
        return self.pedir("POST", ruta, usuario, **kw)

    def put(self, ruta, usuario=None, **kw):
        return self.pedir("PUT", ruta, usuario, **kw)

    def patch(self, ruta, usuario=None, **kw):
        return self.pedir("PATCH", ruta, usuario, **kw)


def preparar_gateway(url_db):
    """Migra la base del gateway y crea las usuarias de la demo con la contraseña de pruebas."""
    from gateway.demo import cargar_usuarias
    from omm_common.db import crear_motor, unidad_de_trabajo
    from omm_common.migraciones import migrar
    migrar("gateway", url_db)
    motor = crear_motor(url_db)
    with unidad_de_trabajo(motor) as uow:
        cargar_usuarias(uow.sesion, CONTRASENA_PRUEBAS)
    motor.dispose()


def _fabrica_gateway(servicio_real, base_pg):
    def arrancar(**env):
        url = base_pg("gateway")
        preparar_gateway(url)
        puerto = puerto_libre()
        proceso = servicio_real("gateway", "Gateway", GATEWAY_DB_URL=url, GATEWAY_DIRECCION=f"127.0.0.1:{puerto}",
                                **env)
        base = f"http://127.0.0.1:{puerto}"
        import requests
        esperar(lambda: requests.get(f"{base}/health", timeout=5).status_code in (200, 503), 60,
                mensaje="gateway HTTP")
        cliente = ClienteHTTP(base)
        cliente.url_db = url
        cliente.proceso = proceso
        return cliente
    return arrancar


@pytest.fixture
def gateway_real(servicio_real, base_pg):
    """Gateway real (nameko run, HTTP) con su base PostgreSQL y las usuarias de la demo."""
    return _fabrica_gateway(servicio_real, base_pg)


@pytest.fixture(scope="module")
def gateway_real_modulo(servicio_real_modulo, base_pg_modulo):
    return _fabrica_gateway(servicio_real_modulo, base_pg_modulo)


class ProxyTCP:
    """Reenvía un puerto local a otro; apagarlo es una caída de red real para quien lo use."""

    def __init__(self, destino_puerto, destino_host="127.0.0.1"):
        import socket
        import threading
        self._socket, self._threading = socket, threading
        self.destino = (destino_host, destino_puerto)
        self.puerto = puerto_libre()
        self._servidor = None
        self._conexiones = []

    def encender(self):
        s = self._socket.socket()
        s.setsockopt(self._socket.SOL_SOCKET, self._socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.puerto))
        s.listen(50)
        self._servidor = s
        self._threading.Thread(target=self._aceptar, args=(s,), daemon=True).start()
        return self

    def _aceptar(self, servidor):
        while True:
            try:
                cliente, _ = servidor.accept()
            except OSError:
                return
            try:
                remoto = self._socket.create_connection(self.destino)
            except OSError:
                cliente.close()
                continue
            self._conexiones += [cliente, remoto]
            for a, b in ((cliente, remoto), (remoto, cliente)):
                self._threading.Thread(target=self._copiar, args=(a, b), daemon=True).start()

    @staticmethod
    def _copiar(origen, destino):
        try:
            while True:
                datos = origen.recv(65536)
                if not datos:
                    break
                destino.sendall(datos)
        except OSError:
            pass
        finally:
            for s in (origen, destino):
                try:
                    s.close()
                except OSError:
                    pass

    def apagar(self):
        if self._servidor:
            self._servidor.close()
            self._servidor = None
        for c in self._conexiones:
            try:
                c.shutdown(self._socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        self._conexiones = []


class ServidorHTTP:
    """Servidor HTTP local real que hace de proveedor de SMS o de sistema del CIS.

    Responde con los estados de `guion` en orden (luego 200) y guarda cada solicitud recibida.
    """

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        servidor = self

        class Manejador(BaseHTTPRequestHandler):
            def do_POST(self):
                cuerpo = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with servidor._candado:
                    estado = servidor.guion.pop(0) if servidor.guion else 200
                    servidor.recibidas.append({"ruta": self.path, "cabeceras": dict(self.headers),
                                               "cuerpo": cuerpo, "estado": estado})
                self.send_response(estado)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}' if estado < 400 else b'{"error": "prueba"}')

            def log_message(self, *args):
                pass

        self._candado = threading.Lock()
        self.guion = []
        self.recibidas = []
        self.http = ThreadingHTTPServer(("127.0.0.1", puerto_libre()), Manejador)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def exitosas(self, ruta=None):
        return [r for r in self.recibidas if r["estado"] < 400 and (ruta is None or r["ruta"] == ruta)]

    def cerrar(self):
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture(scope="session")
def servidor_http():
    s = ServidorHTTP()
    yield s
    s.cerrar()


class Buzon:
    """Servidor SMTP real (aiosmtpd) que guarda lo que recibe."""

    def __init__(self):
        self.mensajes = []
        self.rechazar = set()  # direcciones que el servidor rechaza con 550

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rechazar:
            return "550 buzón inexistente"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.mensajes.append(envelope)
        return "250 OK"

    def para(self, direccion):
        return [m for m in self.mensajes if direccion in m.rcpt_tos]

    def textos(self, direccion):
        """Asunto y cuerpo ya decodificados (quoted-printable, UTF-8) de lo recibido por esa dirección."""
        import email
        from email import policy
        salida = []
        for m in self.para(direccion):
            msg = email.message_from_bytes(m.content, policy=policy.default)
            salida.append(f"{msg['Subject']}\n{msg.get_body().get_content()}")
        return salida


@pytest.fixture(scope="session")
def smtp():
    from aiosmtpd.controller import Controller
    buzon = Buzon()
    controlador = Controller(buzon, hostname="127.0.0.1", port=puerto_libre())
    controlador.start()
    buzon.puerto = controlador.port
    yield buzon
    controlador.stop()
