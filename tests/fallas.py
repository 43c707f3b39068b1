"""Infraestructura privada y real para las pruebas de fallas (tests/test_fallas.py).

Otras personas corren pruebas a la vez contra el RabbitMQ (5672) y el PostgreSQL (5432)
compartidos: esos nunca se detienen ni se reconfiguran. Aquí se levantan un nodo RabbitMQ y un
clúster PostgreSQL propios, con las herramientas reales de Debian, y las fallas se les inyectan a
ellos. Todo se crea y se borra desde las fixtures.
"""
import asyncio
import email
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from email import policy
from pathlib import Path

import requests
import sqlalchemy as sa

from omm_pruebas import CONTRASENA_PRUEBAS, Buzon, esperar, puerto_libre

from .sistema import Sistema


class ProcesoCaido(AssertionError):
    """Un proceso del sistema terminó solo mientras la clienta registraba entregas."""

    def __init__(self, muertos, texto):
        super().__init__(texto)
        self.muertos = muertos


def _correr(comando, env=None, timeout=120, check=True):
    r = subprocess.run(comando, env=env, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(comando)} terminó con {r.returncode}: {r.stdout}{r.stderr}")
    return r


class RabbitPrivado:
    """Un nodo RabbitMQ propio (otro nombre, otros puertos, otros datos) en la misma máquina."""

    def __init__(self):
        self.nodo = f"omm_fallas_{uuid.uuid4().hex[:8]}@localhost"
        self.puerto = puerto_libre()
        self.puerto_dist = puerto_libre()
        # Fuera de /tmp/pytest-of-*, que es 0700: el nodo corre como la usuaria rabbitmq.
        self.carpeta = Path(tempfile.mkdtemp(prefix="omm_fallas_rabbit_"))
        self.url = f"amqp://guest:guest@127.0.0.1:{self.puerto}/"

    def _env(self):
        c = self.carpeta
        env = dict(os.environ)
        env.update({
            "RABBITMQ_NODENAME": self.nodo,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.puerto),
            "RABBITMQ_DIST_PORT": str(self.puerto_dist),
            # Archivos propios vacíos: el rabbitmq.conf del sistema fija el listener en 5672, y los
            # plugins (management, prometheus) abrirían puertos que ya usa el nodo compartido.
            "RABBITMQ_CONF_ENV_FILE": str(c / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(c / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(c / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(c / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(c / "mnesia"),
            "RABBITMQ_LOG_BASE": str(c / "log"),
            "RABBITMQ_PID_FILE": str(c / "nodo.pid"),
        })
        return env

    def ctl(self, *args, timeout=120, check=True):
        return _correr(["rabbitmqctl", "-n", self.nodo, *args], self._env(), timeout, check)

    def iniciar(self, conf=""):
        """`conf`: líneas más para su rabbitmq.conf (las definiciones de compose, un listener TLS)."""
        c = self.carpeta
        for sub in ("mnesia", "log"):
            (c / sub).mkdir()
        (c / "rabbitmq-env.conf").write_text(
            'export ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}"\n')
        (c / "rabbitmq.conf").write_text("loopback_users.guest = true\n" + conf)
        (c / "enabled_plugins").write_text("[].\n")
        c.chmod(0o755)
        for ruta in [c, *c.rglob("*")]:
            shutil.chown(ruta, "rabbitmq", "rabbitmq")
        _correr(["rabbitmq-server", "-detached"], self._env())
        # -detached vuelve antes de que el nodo se registre en epmd: await_startup falla hasta entonces.
        esperar(lambda: self.ctl("await_startup", timeout=60, check=False).returncode == 0, 90, 0.5,
                f"arranque del nodo {self.nodo}")
        return self

    def detener_app(self):
        """Detiene la aplicación rabbit: cierra el puerto y todas las conexiones (el nodo Erlang sigue)."""
        self.ctl("stop_app")
        esperar(lambda: not _puerto_abierto(self.puerto), 30, mensaje="puerto AMQP cerrado")

    def iniciar_app(self):
        self.ctl("start_app")
        esperar(lambda: _puerto_abierto(self.puerto), 60, mensaje="puerto AMQP abierto")

    def parar(self):
        try:
            self.ctl("stop", timeout=60)
        except Exception:
            pid = self.carpeta / "nodo.pid"
            if pid.exists():  # solo el proceso de este nodo, por su pid
                try:
                    os.kill(int(pid.read_text().strip()), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
        shutil.rmtree(self.carpeta, ignore_errors=True)


def _puerto_abierto(puerto):
    import socket
    try:
        with socket.create_connection(("127.0.0.1", puerto), timeout=1):
            return True
    except OSError:
        return False


class PostgresPrivado:
    """Un clúster PostgreSQL propio (pg_createcluster) con confianza para 127.0.0.1."""

    def __init__(self):
        self.version = sorted(os.listdir("/etc/postgresql"), key=lambda v: float(v))[-1]
        self.nombre = f"omm_fallas_{uuid.uuid4().hex[:8]}"
        self.puerto = puerto_libre()
        self.admin = f"postgresql://postgres@127.0.0.1:{self.puerto}/postgres"

    def _ctl(self, accion):
        _correr(["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.nombre, accion])

    def iniciar(self):
        # --auth-host=trust deja en su pg_hba.conf "host all all 127.0.0.1/32 trust".
        _correr(["pg_createcluster", self.version, self.nombre, "-p", str(self.puerto), "--start-conf", "manual",
                 "--", "--auth-host=trust", "--auth-local=trust"])
        self._ctl("start")
        esperar(lambda: _puerto_abierto(self.puerto), 60, mensaje="PostgreSQL privado")
        return self

    def detener(self):
        self._ctl("stop")

    def arrancar(self):
        self._ctl("start")
        esperar(lambda: _puerto_abierto(self.puerto), 60, mensaje="PostgreSQL privado de vuelta")

    def crear_base(self, prefijo="x"):
        """Misma forma que la fábrica de omm_pruebas, para Sistema(base_pg=...)."""
        nombre = f"omm_f_{prefijo}_{uuid.uuid4().hex[:8]}"
        motor = sa.create_engine(self.admin, isolation_level="AUTOCOMMIT")
        with motor.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{nombre}"')
        motor.dispose()
        return self.admin.rsplit("/", 1)[0] + f"/{nombre}"

    def borrar(self):
        _correr(["pg_dropcluster", "--stop", self.version, self.nombre], check=False)


class BuzonConTrampa(Buzon):
    """Servidor SMTP real que puede retener una conversación en un punto dado.

    `armar("RCPT")`: el worker queda a mitad de la tarea antes de que el servidor acepte el correo.
    `armar("QUIT")`: el servidor ya respondió 250 al DATA (aceptó el correo) y el worker espera la
    despedida; la fila ya debe estar confirmada. Así se mata al worker en un punto exacto, no al azar.
    """

    def __init__(self):
        super().__init__()
        self.trampa = None
        self.retenidas = 0
        self._soltar = threading.Event()

    def armar(self, punto):
        self._soltar.clear()
        self.retenidas = 0
        self.trampa = punto

    def soltar(self):
        self.trampa = None
        self._soltar.set()

    async def _retener(self, punto, session):
        if self.trampa != punto:
            return
        self.retenidas += 1
        while not self._soltar.is_set():
            await asyncio.sleep(0.05)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await self._retener("RCPT", session)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_QUIT(self, server, session, envelope):
        await self._retener("QUIT", session)
        return "221 Bye"

    def por_notificacion(self):
        """Cuántos correos recibió el servidor por id de notificación (cabecera X-OMM-Notificacion)."""
        return Counter(_referencia(m.content) for m in list(self.mensajes))


def _referencia(contenido):
    return email.message_from_bytes(contenido, policy=policy.default)["X-OMM-Notificacion"]


class SistemaConBeat(Sistema):
    """El Procfile completo: también el beat de Celery, que reencola las notificaciones atascadas."""

    def muertos(self):
        """{proceso: (código de salida, última línea de su log)} de los que terminaron."""
        salida = {}
        for nombre, p in self.procesos.items():
            if not p.vivo():
                lineas = [x for x in self.log(nombre).splitlines() if x.strip()]
                salida[nombre] = (p.popen.returncode, lineas[-1][:200] if lineas else "")
        return salida

    def _comandos(self):
        comandos = super()._comandos()
        comandos["celery_beat"] = [str(Path(comandos["relays"][0]).parent / "celery"), "-A", "notificaciones.calendario",
                                   "beat", "--loglevel", "INFO", "--schedule",
                                   str(self.carpeta / "celerybeat-schedule")]
        return comandos


class ClienteEntregas:
    """Lo que hace un cliente real: una Idempotency-Key por entrega y, ante un error de conexión,
    un 5xx o un 409 EN_PROCESO, reintenta con la misma clave hasta que el sistema responda."""

    REINTENTABLE = (500, 502, 503, 504)

    def __init__(self, base, usuario, cuerpo_de, prefijo, n, hilos=4, plazo=60):
        self.base, self.usuario, self.cuerpo_de = base, usuario, cuerpo_de
        self.prefijo, self.n, self.hilos, self.plazo = prefijo, n, hilos, plazo
        self.resultados = {}  # clave -> {"estado", "id", "intentos", "errores"}
        self._local = threading.local()
        self._token = None
        self._hilo = None
        self._parar = threading.Event()

    def _sesion(self):
        if not hasattr(self._local, "s"):
            self._local.s = requests.Session()
        return self._local.s

    def _iniciar_sesion(self):
        r = requests.post(f"{self.base}/api/v1/auth/token", json={"usuario": self.usuario,
                                                                  "contrasena": CONTRASENA_PRUEBAS}, timeout=30)
        assert r.status_code == 200, r.text
        self._token = r.json()["access_token"]

    def _una(self, i):
        clave = f"{self.prefijo}-{i:04d}"
        errores, intentos = [], 0
        limite = time.time() + self.plazo
        while time.time() < limite and not self._parar.is_set():
            intentos += 1
            try:
                r = self._sesion().post(f"{self.base}/api/v1/ayudas/entregas", json=self.cuerpo_de(i), timeout=30,
                                        headers={"Authorization": f"Bearer {self._token}", "Idempotency-Key": clave})
            except requests.RequestException as exc:
                errores.append(type(exc).__name__)
                time.sleep(min(0.25 * intentos, 2))
                continue
            if r.status_code in (200, 201):
                self.resultados[clave] = {"estado": r.status_code, "id": r.json()["id"], "intentos": intentos,
                                          "errores": errores}
                return
            enproceso = r.status_code == 409 and r.json().get("error") == "EN_PROCESO"
            if r.status_code in self.REINTENTABLE or enproceso:
                errores.append(r.status_code if not enproceso else "409 EN_PROCESO")
                time.sleep(min(0.25 * intentos, 2))
                continue
            self.resultados[clave] = {"estado": r.status_code, "id": None, "intentos": intentos,
                                      "errores": errores + [r.text[:300]]}
            return
        self.resultados[clave] = {"estado": None, "id": None, "intentos": intentos, "errores": errores}

    def _correr(self):
        with ThreadPoolExecutor(self.hilos) as pool:
            list(pool.map(self._una, range(self.n)))

    def iniciar(self):
        self._iniciar_sesion()
        self._hilo = threading.Thread(target=self._correr, daemon=True)
        self._hilo.start()
        return self

    def exitosas(self):
        return sum(1 for r in list(self.resultados.values()) if r["estado"] in (200, 201))

    def esperar_exitosas(self, cuantas, segundos=120):
        esperar(lambda: self.exitosas() >= cuantas, segundos, 0.1, f"{cuantas} entregas registradas")

    def detener(self):
        self._parar.set()
        self._hilo.join(60)

    def terminar(self, sistema, segundos=300):
        """Espera a que la clienta termine; si un proceso del sistema muere, falla en ese momento."""
        limite = time.time() + segundos
        try:
            while self._hilo.is_alive():
                muertos = sistema.muertos()
                if muertos:
                    colas = "\n".join(f"--- final del log de {n} ---\n" + "\n".join(sistema.log(n).splitlines()[-40:])
                                      for n in muertos)
                    raise ProcesoCaido(muertos, f"proceso(s) terminado(s) durante la prueba (código de salida, "
                                                f"última línea del log): {muertos}; "
                                                f"{self.n - self.exitosas()} entregas sin registrar\n{colas}")
                if time.time() > limite:
                    raise AssertionError(f"la clienta no terminó a tiempo: {self.n - self.exitosas()} entregas "
                                         "sin registrar")
                self._hilo.join(0.5)
        finally:
            self.detener()  # que sus hilos no sigan reintentando después de la prueba
        return self.resultados
