"""Dónde se va el tiempo de una petición: py-spy muestrea los procesos medidos mientras corre la carga.

    perfil = Perfil({"gateway": pid_gw, "ayudas": pid_ay}, segundos=10)
    with perfil:
        r = correr(...)            # la carga
    perfil.imprimir(r["n"])        # ms de CPU por petición, por proceso y por capa

Las capas se reconocen por el archivo de cada marco (SQLAlchemy, marshmallow, firma del token, el broker,
el driver de la base, werkzeug, JSON, eventlet, el código propio): el tiempo «propio» de cada muestra va a la
capa de su marco más profundo. Solo cuenta CPU (py-spy sin --idle): lo que un proceso espera no suma.
"""
import collections
import signal
import subprocess
import sys
from pathlib import Path

CAPAS = (  # py-spy nombra cada marco «función (paquete/archivo.py:línea)»
    ("SQLAlchemy (ORM y SQL)", ("(sqlalchemy/",)),
    ("driver de la base", ("(psycopg2/", "(sqlite3/", "(psycogreen/")),
    ("marshmallow (esquemas)", ("(marshmallow/", "(apispec/")),
    ("token: firma y verificación", ("(jwt/", "(cryptography/", "(omm_common/claves.py", "(omm_common/contexto.py")),
    ("broker (kombu/amqp)", ("(kombu/", "(amqp/", "(vine/")),
    ("nameko", ("(nameko/",)),
    ("werkzeug (HTTP)", ("(werkzeug/",)),
    ("JSON", ("(json/", "(simplejson/")),
    ("eventlet", ("(eventlet/", "(greenlet/", "(dns/")),
    ("registro (logging)", ("(logging/", "(pythonjsonlogger/", "(omm_common/registro.py")),
    ("código propio", ("(gateway/", "(ayudas/", "(casos/", "(capacitaciones/", "(notificaciones/", "(reportes/",
                       "(omm_common/")),
)


def capa(marco):
    for nombre, pistas in CAPAS:
        if any(p in marco for p in pistas):
            return nombre
    return "otras (biblioteca estándar...)"


class Perfil:
    def __init__(self, pids, segundos, frecuencia=250, carpeta=None, nombre="perfil"):
        self.pids, self.segundos, self.frecuencia, self.nombre = pids, segundos, frecuencia, nombre
        self.carpeta = Path(carpeta or "var/bench/perfiles")
        self.carpeta.mkdir(parents=True, exist_ok=True)
        self.procesos = {}

    def __enter__(self):
        py_spy = Path(sys.executable).parent / "py-spy"
        for nombre, pid in self.pids.items():
            salida = self.carpeta / f"{self.nombre}-{nombre}.txt"
            self.procesos[nombre] = (subprocess.Popen(
                [str(py_spy), "record", "--pid", str(pid), "--duration", str(int(self.segundos)),
                 "--rate", str(self.frecuencia), "--format", "raw", "--output", str(salida), "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), salida)
        return self

    def __exit__(self, *_):
        for proceso, _ in self.procesos.values():
            try:
                proceso.wait(timeout=self.segundos + 20)
            except subprocess.TimeoutExpired:
                proceso.send_signal(signal.SIGINT)  # py-spy escribe lo muestreado al recibir Ctrl-C
                try:
                    proceso.wait(timeout=15)
                except subprocess.TimeoutExpired:  # a veces py-spy se cuelga con un proceso: sin su perfil
                    proceso.kill()
                    proceso.wait()

    def resumen(self, peticiones):
        """{proceso: {capa: ms por petición}} y los 8 marcos propios más caros de cada proceso."""
        salida = {}
        for nombre, (_, archivo) in self.procesos.items():
            por_capa, por_marco = collections.Counter(), collections.Counter()
            if archivo.exists():
                for linea in archivo.read_text().splitlines():
                    pila, _, n = linea.rpartition(" ")
                    if not pila or not n.isdigit():
                        continue
                    marcos = pila.split(";")
                    por_capa[capa(marcos[-1])] += int(n)
                    propio = next((m for m in reversed(marcos) if capa(m) == "código propio"), None)
                    if propio:
                        por_marco[propio] += int(n)
            ms = 1000 / self.frecuencia / max(peticiones, 1)
            salida[nombre] = {"capas": {c: n * ms for c, n in por_capa.most_common()},
                              "total_ms": sum(por_capa.values()) * ms,
                              "propio_mas_caro": {m: n * ms for m, n in por_marco.most_common(8)}}
        return salida

    def imprimir(self, peticiones, titulo=""):
        resumen = self.resumen(peticiones)
        print(f"\nPerfil {titulo} ({peticiones} peticiones; ms de CPU por petición, muestreo {self.frecuencia}/s):")
        for nombre, datos in resumen.items():
            print(f"  {nombre}: {datos['total_ms']:.1f} ms")
            for c, ms in datos["capas"].items():
                if ms >= 0.05:
                    print(f"    {c:<34}{ms:>7.2f}")
            print("    dentro del código propio (el marco propio más profundo, con lo que llama):")
            for m, ms in datos["propio_mas_caro"].items():
                print(f"      {ms:>6.2f}  {m[:110]}")
        return resumen
