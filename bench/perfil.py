"""Dónde se va el tiempo de una petición: py-spy muestrea los procesos medidos mientras corre la carga.

    perfil = Perfil({"gateway": pid_gw, "ayudas": pid_ay}, segundos=10)
    with perfil:
        r = correr(...)            # la carga
    perfil.imprimir(r["n"])        # ms de CPU por petición, por proceso y por capa

Las capas se reconocen por el archivo de cada marco (SQLAlchemy, marshmallow, firma del token, el broker,
el driver de la base, werkzeug, JSON, eventlet, el código propio): el tiempo «propio» de cada muestra va a la
capa de su marco más profundo. Solo cuenta CPU (py-spy sin --idle): lo que un proceso espera no suma.

En esta máquina py-spy no alcanza a muestrear al ritmo pedido (con la carga vio 1,4 ms por escritura donde /proc
contaba 6,2): sus muestras dan la forma, no el tamaño. Con `cpu={proceso: ms}` (de `CPU`, medida en la misma
corrida) cada capa se escala a la CPU que /proc contó para ese proceso.
"""
import collections
import os
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
            salida.unlink(missing_ok=True)  # si py-spy falla, sin perfil; nunca el de una corrida anterior
            with salida.with_suffix(".err").open("w") as errores:  # por qué py-spy no dejó muestras, si pasa
                self.procesos[nombre] = (subprocess.Popen(
                    [str(py_spy), "record", "--pid", str(pid), "--duration", str(int(self.segundos)),
                     "--rate", str(self.frecuencia), "--format", "raw", "--output", str(salida), "--nonblocking"],
                    stdout=subprocess.DEVNULL, stderr=errores), salida)
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

    def resumen(self, peticiones, cpu=None):
        """{proceso: {capa: ms por petición}} y los 8 marcos propios más caros de cada proceso; con `cpu`, escalados
        a la CPU medida de cada proceso."""
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
            if cpu and cpu.get(nombre) and por_capa:
                ms = cpu[nombre] / sum(por_capa.values())
            salida[nombre] = {"capas": {c: n * ms for c, n in por_capa.most_common()},
                              "total_ms": sum(por_capa.values()) * ms,
                              "propio_mas_caro": {m: n * ms for m, n in por_marco.most_common(8)}}
        return salida

    def imprimir(self, peticiones, titulo="", cpu=None):
        resumen = self.resumen(peticiones, cpu)
        escala = "escalados a la CPU de /proc" if cpu else f"muestreo {self.frecuencia}/s"
        print(f"\nPerfil {titulo} ({peticiones} peticiones; ms de CPU por petición, {escala}):")
        for nombre, datos in resumen.items():
            if not datos["capas"]:
                print(f"  {nombre}: py-spy no dejó muestras")
                continue
            print(f"  {nombre}: {datos['total_ms']:.1f} ms")
            for c, ms in datos["capas"].items():
                if ms >= 0.05:
                    print(f"    {c:<34}{ms:>7.2f}")
            print("    dentro del código propio (el marco propio más profundo, con lo que llama):")
            for m, ms in datos["propio_mas_caro"].items():
                print(f"      {ms:>6.2f}  {m[:110]}")
        return resumen


class CPU:
    """CPU de cada proceso de la máquina mientras corre la carga (utime + stime de /proc), en ms por petición.

    py-spy ve solo Python; esto ve también PostgreSQL, RabbitMQ y el generador de carga, y dice por qué la
    base nameko rinde más: su petición cuesta menos CPU en total, no solo en Python.

        with CPU({"gateway": pid_gw, "ayudas": pid_ay}) as cpu:
            r = correr(...)
        cpu.por_peticion(r["n"])   # {"gateway": 1.7, "ayudas": 4.3, "postgres": ..., "rabbitmq": ..., ...}
    """
    TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")

    def __init__(self, pids):
        self.pids = pids

    def _grupos(self):
        grupos = {nombre: [pid] + descendientes(pid) for nombre, pid in self.pids.items()}
        grupos["postgres"], grupos["rabbitmq"] = [], []
        for entrada in Path("/proc").iterdir():
            if entrada.name.isdigit():
                try:
                    comando = (entrada / "comm").read_text().strip()
                except OSError:
                    continue
                if comando == "postgres":
                    grupos["postgres"].append(int(entrada.name))
                elif comando in ("beam.smp", "erl_child_setup", "epmd"):
                    grupos["rabbitmq"].append(int(entrada.name))
        grupos["generador"] = [os.getpid()]
        return grupos

    def _foto(self):
        foto = {nombre: {pid: _ticks(pid) for pid in pids} for nombre, pids in self._grupos().items()}
        campos = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        # user+nice y system+irq+softirq; sin idle, iowait ni steal (el tiempo que la máquina virtual no tuvo)
        foto["_maquina"] = {0: (sum(int(campos[i]) for i in (0, 1)), sum(int(campos[i]) for i in (2, 5, 6)))}
        return foto

    def __enter__(self):
        self.antes = self._foto()
        return self

    def __exit__(self, *_):
        self.despues = self._foto()

    def por_peticion(self, peticiones, sistema=False):
        """ms de CPU por petición de cada grupo; con `sistema`, solo la parte en el núcleo (llamadas al sistema:
        sockets, epoll), que py-spy no ve."""
        salida = {}
        for nombre, ahora in self.despues.items():
            antes = self.antes.get(nombre, {})
            # un proceso que nació durante la medida (un backend nuevo de PostgreSQL) cuenta entero
            ticks = sum(t[1] - antes.get(pid, (0, 0))[1] if sistema else sum(t) - sum(antes.get(pid, (0, 0)))
                        for pid, t in ahora.items() if t is not None)
            salida["toda la máquina" if nombre == "_maquina" else nombre] = ticks * self.TICK_MS / max(peticiones, 1)
        medidos = sum(v for k, v in salida.items() if k != "toda la máquina")
        salida["otros procesos"] = max(salida["toda la máquina"] - medidos, 0.0)
        return salida


def _ticks(pid):
    try:
        campos = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return int(campos[11]), int(campos[12])  # utime y stime, en ticks del reloj


def descendientes(pid):
    hijos = []
    try:
        for h in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            hijos += [int(h)] + descendientes(int(h))
    except OSError:
        pass
    return hijos
