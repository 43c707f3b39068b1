"""El sistema completo como procesos reales, igual que en deploy/Procfile, para las pruebas entre servicios."""
import sys
from pathlib import Path

import requests

from omm_common import colas
from omm_common.migraciones import migrar
from omm_pruebas import (
    ClienteHTTP, Proceso, detener_todos, entorno_base, esperar, esperar_ping, preparar_gateway, proceso_nameko,
    puerto_libre, solo_claves,
)

RAIZ = Path(__file__).resolve().parents[1]
SERVICIOS = {"casos": "Casos", "ayudas": "Ayudas", "capacitaciones": "Capacitaciones",
             "notificaciones": "Notificaciones", "reportes": "Reportes"}
# Los que emiten eventos (tienen outbox y relay); reportes solo compone agregados.
CON_OUTBOX = ("casos", "ayudas", "capacitaciones", "notificaciones")
BIN = Path(sys.executable).parent


# Usuario del broker de cada proceso (omm_common/broker.py); Celery (worker y beat) es uno.
TIPO_BROKER = {"relays": "relays", "celery_worker": "celery", "celery_beat": "celery"}


class Sistema:
    def __init__(self, amqp, base_pg, carpeta, uris=None, **env_extra):
        """`amqp`: la URI del arnés (operadora del vhost); `uris`: {tipo: uri} del usuario de cada proceso. Sin
        `uris`, todos entran con la del arnés."""
        self.amqp, self.base_pg, self.carpeta = amqp, base_pg, Path(carpeta)
        self.uris = uris or {}
        self.env_extra = env_extra
        self.procesos = {}
        self.urls = {}
        self.api = None

    def preparar(self):
        for s in list(SERVICIOS) + ["gateway"]:
            self.urls[s] = self.base_pg(s)
            if s == "gateway":
                preparar_gateway(self.urls[s])
            else:
                migrar(s, self.urls[s])
        from casos.service import Casos
        from notificaciones.service import Notificaciones
        colas.declarar(Notificaciones, self.uri("notificaciones"))
        colas.declarar(Casos, self.uri("casos"))  # el aviso al CIS vuelve a casos (NotificacionEnviada/Confirmada)
        self.puerto = puerto_libre()
        self.env = entorno_base(self.amqp, GATEWAY_DIRECCION=f"127.0.0.1:{self.puerto}", OMM_VAR=self.carpeta,
                                **{f"{s.upper()}_DB_URL": u for s, u in self.urls.items()}, **self.env_extra)
        return self

    def uri(self, nombre):
        return self.uris.get(TIPO_BROKER.get(nombre, nombre), self.amqp)

    def _comandos(self):
        comandos = {s: ("nameko", s, c) for s, c in SERVICIOS.items()}
        comandos["gateway"] = ("nameko", "gateway", "Gateway")
        comandos["relays"] = [str(BIN / "omm-relay"), *CON_OUTBOX]
        comandos["celery_worker"] = [str(BIN / "celery"), "-A", "notificaciones.tareas", "worker",
                                     "--loglevel", "INFO", "--pool", "prefork", "--concurrency", "2",
                                     "--without-gossip", "--without-mingle", "--hostname",
                                     f"worker-{self.puerto}@localhost"]
        # Como en el Procfile: /health da por caído al sistema sin el beat (su latido es despachar_atascadas).
        comandos["celery_beat"] = [str(BIN / "celery"), "-A", "notificaciones.calendario", "beat", "--loglevel", "INFO",
                                   "--schedule", str(self.carpeta / "celerybeat-schedule")]
        return comandos

    def iniciar(self, nombre):
        comando = self._comandos()[nombre]
        if isinstance(comando, tuple):
            _, servicio, clase = comando
            p = proceso_nameko(servicio, clase, {**self.env, "AMQP_URI": self.uri(nombre)}, self.carpeta)
        else:
            # Los relays firman los eventos de los servicios que publican; Celery es notificaciones.
            emisores = comando[1:] if nombre == "relays" else ("notificaciones",)
            env = {**solo_claves(self.env, *emisores), "AMQP_URI": self.uri(nombre)}
            p = Proceso(nombre, comando, env, str(RAIZ), str(self.carpeta / f"{nombre}.log"))
        self.procesos[nombre] = p.iniciar()
        return p

    def arrancar(self):
        for nombre in self._comandos():
            self.iniciar(nombre)
        for s in SERVICIOS:
            esperar_ping(self.amqp, s, 90)
        base = f"http://127.0.0.1:{self.puerto}"
        esperar(lambda: requests.get(f"{base}/health", timeout=5).json()["estado"] == "ok", 60,
                mensaje="gateway sano")
        self.api = ClienteHTTP(base)
        return self

    def detener(self):
        detener_todos(list(self.procesos.values()))

    def log(self, nombre):
        return (self.carpeta / f"{nombre}.log").read_text(errors="replace")
