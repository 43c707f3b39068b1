"""Quién puede hacer qué en RabbitMQ: un usuario por tipo de proceso, con permisos solo sobre lo suyo.

Único lugar de verdad de los permisos del broker. Lo usan scripts/run (`omm-broker preparar`), el arnés de
pruebas (omm_pruebas), docker-compose (`omm-broker definiciones`, que el contenedor carga al arrancar) y k8s.

Nombres que usa nameko (2.14) y Celery, y por qué cada permiso:
- `nameko-rpc` (topic): todas las RPC. Cada servicio liga su cola `rpc-<s>` con la clave `<s>.*` y su cola de
  respuestas `rpc.reply-<s>-<uuid>` con la clave igual al nombre de la cola (rpc.py lo cambia: nameko ligaba
  con el uuid pelado, que cualquiera que recibiera un pedido podía ligar y leer las respuestas ajenas).
  Los permisos de tópico dicen qué claves puede ligar (read) y publicar (write) cada usuario: nadie liga `#`
  ni las claves de otro; cada quien pide solo a los servicios que llama.
- `<s>.events` (topic): eventos. Solo los relays publican en los de los cuatro que emiten (y el gateway en el
  suyo); quien consume liga solo los tipos que maneja, en colas `evt-<origen>-<tipo>--<s>.<metodo>`.
- Celery: intercambio `notificaciones.envios` con sus colas `notificaciones.envios` y `notificaciones.urgentes`; el
  ping de control (`celery.pidbox`, fanout, y `reply.celery.pidbox` con colas `<oid>.reply.celery.pidbox`);
  `celeryev` para latidos entre workers.

RabbitMQ exige «configure» sobre un intercambio para declararlo, y nameko lo declara al arrancar; por eso quien
liga una cola a `<origen>.events` también puede configurar ese intercambio (README, «Seguridad del broker»).
"""
import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
NADA = "^$"

SERVICIOS = ("gateway", "casos", "ayudas", "capacitaciones", "notificaciones", "reportes")
EMITEN = ("casos", "ayudas", "capacitaciones", "notificaciones")  # tienen outbox; sus eventos los publica relays
TIPOS = SERVICIOS + ("relays", "celery")
COLA_CELERY = "notificaciones.envios"
# Los avisos urgentes (derivación urgente al CIS, escalamiento) van por su propia cola: no esperan detrás de una
# ráfaga de avisos comunes (una importación, un día de entregas). El mismo worker consume las dos.
COLA_URGENTES = "notificaciones.urgentes"
COLAS_CELERY = (COLA_URGENTES, COLA_CELERY)

# Eventos que consume cada servicio ({origen: tipos}); test_broker.py los compara con los manejadores reales.
CONSUME = {
    "notificaciones": {
        "casos": ("CasoDerivado", "SeguimientoVencido"),
        "ayudas": ("AyudaEntregada", "EntregaAnulada", "ExistenciasBajas"),
        "capacitaciones": ("ParticipanteInscrita", "SesionCancelada", "SesionProgramada", "SesionReprogramada"),
    },
    "casos": {"notificaciones": ("NotificacionConfirmada", "NotificacionEnviada")},
    "reportes": {"gateway": ("TerritorioCambiado",)},
    "gateway": {"gateway": ("CuentaCambiada",)},  # cada instancia olvida la cuenta que otra cambió (cuentas.py)
}
# A qué servicios pide RPC cada tipo (además de su propio ping, que hacen las sondas de k8s y compose).
LLAMA = {
    "gateway": ("casos", "ayudas", "capacitaciones", "notificaciones", "reportes"),
    "reportes": ("gateway", "casos", "ayudas", "capacitaciones", "notificaciones"),
    "celery": ("casos", "ayudas", "capacitaciones"),  # notificaciones/envio.py: datos para el CIS y recordatorios
}
# En qué intercambios de eventos publica cada tipo.
PUBLICA = {"gateway": ("gateway",), "relays": EMITEN}


@dataclass
class Permisos:
    configure: str
    write: str
    read: str
    topicos: dict = field(default_factory=dict)  # {intercambio: (write, read)}


def _uno(*alternativas):
    alternativas = [a for a in alternativas if a]
    return "^(" + "|".join(alternativas) + ")$" if alternativas else NADA


def _esc(nombre):
    return re.escape(nombre)


def cola_respuestas(nombre):
    """Patrón de las colas de respuesta RPC de `nombre` (servicio nameko o proxy standalone con ese nombre)."""
    return rf"rpc\.reply-{_esc(nombre)}-{UUID}"


def _colas_eventos(servicio):
    consume = CONSUME.get(servicio, {})
    if not consume:
        return None
    pares = "|".join(f"{_esc(o)}-({'|'.join(tipos)})" for o, tipos in consume.items())
    # La de un manejador BROADCAST termina en -<hex> (una por instancia).
    return rf"evt-({pares})--{_esc(servicio)}\.[A-Za-z_]+(-[0-9a-f]+)?"


def _escribe_rpc(tipo):
    destinos = LLAMA.get(tipo, ()) + ((tipo,) if tipo in SERVICIOS else ())
    pedidos = rf"({'|'.join(_esc(d) for d in destinos)})\.[a-z_]+" if destinos else None
    # Quien atiende RPC responde a quien sea que llamó (servicio o proxy standalone).
    respuestas = rf"rpc\.reply-[a-z_]+-{UUID}" if tipo in SERVICIOS else None
    return _uno(pedidos, respuestas)


def permisos(tipo):
    if tipo not in TIPOS:
        raise ValueError(f"tipo de proceso desconocido: {tipo}")
    conf, escr, lect = [], [], []
    topicos = {}
    if tipo in SERVICIOS or tipo == "celery":
        respuestas = cola_respuestas(tipo)
        conf += ["nameko-rpc", respuestas]
        escr += ["nameko-rpc", respuestas]
        lect += ["nameko-rpc", respuestas]
        liga = [rf"{_esc(tipo)}\.\*"] if tipo in SERVICIOS else []
        topicos["nameko-rpc"] = (_escribe_rpc(tipo), _uno(*liga, respuestas))
    if tipo in SERVICIOS:
        propia = rf"rpc-{_esc(tipo)}"
        conf.append(propia)
        escr.append(propia)
        lect.append(propia)
        colas = _colas_eventos(tipo)
        if colas:
            conf.append(colas)
            escr.append(colas)
            lect.append(colas)
        for origen, tipos in CONSUME.get(tipo, {}).items():
            intercambio = f"{origen}.events"
            conf.append(_esc(intercambio))
            lect.append(_esc(intercambio))
            topicos[intercambio] = (NADA, _uno(*tipos))
    for origen in PUBLICA.get(tipo, ()):
        intercambio = f"{origen}.events"
        conf.append(_esc(intercambio))
        escr.append(_esc(intercambio))
        w, r = topicos.get(intercambio, (NADA, NADA))
        topicos[intercambio] = ("^[A-Za-z]+$", r)
    if tipo == "notificaciones":  # encola las entregas en Celery (dependencies.py); al publicar Celery liga la cola
        conf += [_esc(c) for c in COLAS_CELERY]
        escr += [_esc(c) for c in COLAS_CELERY]
        lect += [_esc(c) for c in COLAS_CELERY]
    if tipo == "gateway":  # /health: largo de la cola de Celery y ping de control al worker
        respuesta_ping = rf"{UUID}\.reply\.celery\.pidbox"
        conf += [r"celery\.pidbox", r"reply\.celery\.pidbox", respuesta_ping]
        escr += [r"celery\.pidbox", respuesta_ping]
        lect += [r"reply\.celery\.pidbox", respuesta_ping]
    if tipo == "celery":
        propios = [*(_esc(c) for c in COLAS_CELERY), r"celery\.pidbox", r"reply\.celery\.pidbox", r".+\.celery\.pidbox",
                   r"celeryev", r"celeryev\..+"]
        conf += propios
        escr += propios
        lect += propios
    return Permisos(_uno(*conf), _uno(*escr), _uno(*lect), topicos)


# --- usuarios, contraseñas y URIs ---

def usuario(tipo, prefijo="omm"):
    return f"{prefijo}-{tipo}"


def variable_uri(tipo):
    return f"AMQP_URI_{tipo.upper()}"


def uri(base, tipo, contrasena, prefijo="omm"):
    """La URI de `tipo` sobre `base` (amqp[s]://host:puerto/vhost, sin credenciales)."""
    p = urlsplit(base)
    host = p.hostname + (f":{p.port}" if p.port else "")
    return urlunsplit((p.scheme, f"{quote(usuario(tipo, prefijo), safe='')}:{quote(contrasena, safe='')}@{host}",
                       p.path or "/", p.query, ""))


def vhost_de(base):
    ruta = urlsplit(base).path
    return "/" if ruta in ("", "/") else ruta[1:].replace("%2F", "/").replace("%2f", "/")


def contrasenas(archivo=None):
    """{tipo: contraseña}: leídas de `archivo` (OMM_BROKER_<TIPO>=...) y las que falten, generadas y guardadas (0600)."""
    salida = {}
    if archivo is not None and Path(archivo).exists():
        for linea in Path(archivo).read_text().splitlines():
            nombre, _, valor = linea.partition("=")
            if nombre.startswith("OMM_BROKER_") and valor:
                salida[nombre[len("OMM_BROKER_"):].lower()] = valor
    faltan = [t for t in TIPOS if t not in salida]
    for tipo in faltan:
        salida[tipo] = secrets.token_urlsafe(24)
    if archivo is not None and faltan:
        ruta = Path(archivo)
        ruta.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(ruta, os.O_WRONLY | os.O_CREAT | os.O_APPEND, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "a") as f:
            for tipo in faltan:
                f.write(f"OMM_BROKER_{tipo.upper()}={salida[tipo]}\n")
        os.chmod(ruta, stat.S_IRUSR | stat.S_IWUSR)
    return salida


def hash_contrasena(contrasena, sal=None):
    """El password_hash de RabbitMQ (rabbit_password_hashing_sha256): base64(sal + sha256(sal + contraseña))."""
    sal = sal or secrets.token_bytes(4)
    return base64.b64encode(sal + hashlib.sha256(sal + contrasena.encode()).digest()).decode()


def definiciones(claves, vhost="/", prefijo="omm", administrador=None):
    """Las definiciones de RabbitMQ (usuarios, vhost, permisos y permisos de tópico), para import_definitions
    o para que el contenedor las cargue al arrancar. `administrador`: (usuario, contraseña) de quien opera."""
    usuarios, perms, topicos = [], [], []
    for tipo in TIPOS:
        nombre = usuario(tipo, prefijo)
        usuarios.append({"name": nombre, "password_hash": hash_contrasena(claves[tipo]),
                         "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []})
        p = permisos(tipo)
        perms.append({"user": nombre, "vhost": vhost, "configure": p.configure, "write": p.write, "read": p.read})
        for intercambio, (w, r) in sorted(p.topicos.items()):
            topicos.append({"user": nombre, "vhost": vhost, "exchange": intercambio, "write": w, "read": r})
    if administrador:
        nombre, contrasena = administrador
        usuarios.append({"name": nombre, "password_hash": hash_contrasena(contrasena),
                         "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]})
        perms.append({"user": nombre, "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"})
    return {"users": usuarios, "vhosts": [{"name": vhost}], "permissions": perms, "topic_permissions": topicos}


def aplicar(claves, vhost="/", prefijo="omm", rabbitmqctl="rabbitmqctl", timeout=120, limpiar=True):
    """Crea o actualiza los usuarios y sus permisos con una sola llamada a rabbitmqctl (import_definitions).

    Importar reemplaza la contraseña y los permisos de cada usuario; antes se borran sus permisos de tópico
    para que no sobreviva uno viejo más amplio."""
    defs = definiciones(claves, vhost, prefijo)
    existentes = _usuarios_existentes(rabbitmqctl, timeout) if limpiar else set()
    for u in defs["users"]:
        if u["name"] in existentes:
            subprocess.run([rabbitmqctl, "clear_topic_permissions", "-p", vhost, u["name"]],
                           check=False, capture_output=True, timeout=timeout)
    # Por la entrada estándar: ni un archivo con los hashes en /tmp ni que el nodo tenga que poder leerlo.
    subprocess.run([rabbitmqctl, "import_definitions"], input=json.dumps(defs), text=True, check=True,
                   capture_output=True, timeout=timeout)
    # La importación puede terminar después de que rabbitmqctl vuelve: se espera a ver el último permiso.
    limite = time.monotonic() + timeout
    esperado = {(t["user"], t["exchange"]) for t in defs["topic_permissions"]}
    while time.monotonic() < limite:
        r = subprocess.run([rabbitmqctl, "-q", "list_topic_permissions", "-p", vhost], capture_output=True,
                           text=True, timeout=timeout)
        vistos = {tuple(linea.split("\t")[:2]) for linea in r.stdout.splitlines()[1:]}
        if esperado <= vistos:
            return
        time.sleep(1)
    raise RuntimeError(f"RabbitMQ no mostró los permisos importados en el vhost {vhost}")


def _usuarios_existentes(rabbitmqctl, timeout):
    r = subprocess.run([rabbitmqctl, "-q", "list_users"], capture_output=True, text=True, timeout=timeout)
    return {linea.split("\t")[0] for linea in r.stdout.splitlines()[1:] if linea.strip()}


def borrar_usuarios(prefijo, rabbitmqctl="rabbitmqctl", timeout=60):
    """Borra los usuarios de `prefijo` (los de una prueba), en paralelo: rabbitmqctl tarda en arrancar."""
    procesos = [subprocess.Popen([rabbitmqctl, "delete_user", usuario(t, prefijo)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL) for t in TIPOS]
    for p in procesos:
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()


def opciones_ssl():
    """AMQP_SSL del entorno (YAML: `true` o un mapa de opciones de ssl.wrap_socket como ca_certs, cert_reqs,
    certfile, keyfile), para los procesos que no leen un config.yaml de nameko (Celery, relays, sondas)."""
    texto = os.environ.get("AMQP_SSL", "").strip()
    if not texto:
        return None
    import yaml
    return yaml.safe_load(texto)


def main(argv=None):
    p = argparse.ArgumentParser(prog="omm-broker", description="Usuarios y permisos de OMM en RabbitMQ")
    sub = p.add_subparsers(dest="orden", required=True)
    prep = sub.add_parser("preparar", help="crea o actualiza los usuarios (rabbitmqctl) e imprime las AMQP_URI_<TIPO>")
    prep.add_argument("--contrasenas", required=True, help="archivo 0600 con OMM_BROKER_<TIPO>=...; se crea")
    prep.add_argument("--base", default="amqp://localhost:5672/", help="amqp[s]://host:puerto/vhost, sin usuario")
    prep.add_argument("--prefijo", default="omm")
    uris = sub.add_parser("uris", help="imprime las AMQP_URI_<TIPO> sin tocar RabbitMQ (k8s: secretos.env)")
    uris.add_argument("--contrasenas", required=True, help="archivo 0600 con OMM_BROKER_<TIPO>=...; se crea")
    uris.add_argument("--base", required=True, help="amqp[s]://host:puerto/vhost, sin usuario")
    uris.add_argument("--prefijo", default="omm")
    defs = sub.add_parser("definiciones", help="imprime el definitions.json (compose, k8s)")
    defs.add_argument("--contrasenas", help="archivo OMM_BROKER_<TIPO>=...; si no, del entorno (OMM_BROKER_<TIPO>)")
    defs.add_argument("--vhost", default="/")
    defs.add_argument("--prefijo", default="omm")
    defs.add_argument("--administrador", help="usuario:contraseña de quien opera el broker (opcional)")
    sub.add_parser("permisos", help="imprime la tabla de permisos")
    a = p.parse_args(argv)
    if a.orden in ("preparar", "uris"):
        claves = contrasenas(a.contrasenas)
        if a.orden == "preparar":
            aplicar(claves, vhost_de(a.base), a.prefijo)
        for tipo in TIPOS:
            print(f"{variable_uri(tipo)}={uri(a.base, tipo, claves[tipo], a.prefijo)}")
    elif a.orden == "definiciones":
        if a.contrasenas:
            claves = contrasenas(a.contrasenas)
        else:
            faltan = [t for t in TIPOS if not os.environ.get(f"OMM_BROKER_{t.upper()}")]
            if faltan:
                sys.exit("faltan en el entorno: " + ", ".join(f"OMM_BROKER_{t.upper()}" for t in faltan))
            claves = {t: os.environ[f"OMM_BROKER_{t.upper()}"] for t in TIPOS}
        admin = tuple(a.administrador.split(":", 1)) if a.administrador else None
        json.dump(definiciones(claves, a.vhost, a.prefijo, admin), sys.stdout, indent=2)
        print()
    else:
        for tipo in TIPOS:
            pm = permisos(tipo)
            print(f"{usuario(tipo)}\n  configure {pm.configure}\n  write     {pm.write}\n  read      {pm.read}")
            for intercambio, (w, r) in sorted(pm.topicos.items()):
                print(f"  tópico {intercambio}: write {w}  read {r}")


if __name__ == "__main__":
    main()
