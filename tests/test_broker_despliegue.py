"""El RabbitMQ de docker-compose.yml y el TLS al broker, de verdad, en un nodo RabbitMQ propio (tests/fallas.py).

1. El nodo arranca con deploy/rabbitmq.conf y las definiciones que escribe el contenedor broker_definiciones
   (su mismo comando, con el entorno que compose le da): solo existen los usuarios de omm_common.broker, guest
   no entra, y cada contenedor entra con la AMQP_URI que compose le arma.
2. El mismo nodo escucha TLS con un certificado de una CA propia. Con `amqps://` y AMQP_SSL (la CA) entran de
   verdad por TLS los procesos que no leen un config.yaml de nameko: Celery (la app de worker y beat, un worker
   real y su sonda de compose), los relays, omm-declarar-colas y la sonda de salud de los servicios (que pide a
   un servicio nameko real, también por TLS); RabbitMQ dice que cada conexión es TLS (list_connections ssl).
   Con otra CA no entran: AMQP_SSL llega a la conexión y el certificado se verifica.
"""
import datetime
import ipaddress
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from omm_common import broker, claves
from omm_pruebas import PYTHONWARNINGS, esperar, puerto_libre

from .fallas import RabbitPrivado
from .test_despliegue import RAIZ, _compose_interpolado, _tipo_de_uri

pytestmark = pytest.mark.integracion
BIN = Path(sys.executable).parent


def _ca(nombre):
    clave = ec.generate_private_key(ec.SECP256R1())
    sujeto = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, nombre)])
    ahora = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(sujeto).issuer_name(sujeto).public_key(clave.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(ahora - datetime.timedelta(hours=1))
            .not_valid_after(ahora + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(clave, hashes.SHA256()))
    return clave, cert


def _servidor(ca_clave, ca_cert):
    clave = ec.generate_private_key(ec.SECP256R1())
    ahora = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_cert.subject).public_key(clave.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(ahora - datetime.timedelta(hours=1)).not_valid_after(ahora + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_clave, hashes.SHA256()))
    return clave, cert


def _escribir_pem(ruta, objeto):
    if hasattr(objeto, "private_bytes"):
        ruta.write_bytes(objeto.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    else:
        ruta.write_bytes(objeto.public_bytes(serialization.Encoding.PEM))
    return ruta


@pytest.fixture(scope="module")
def nodo(tmp_path_factory):
    """Un nodo propio con la configuración de compose (definiciones) y un listener TLS de una CA propia."""
    rabbit = RabbitPrivado()
    c = rabbit.carpeta
    # Las definiciones, con el comando y el entorno exactos del contenedor broker_definiciones.
    servicios = _compose_interpolado()["services"]
    entorno = {k: v for k, v in os.environ.items() if not k.startswith("OMM_BROKER_")}
    entorno.update(servicios["broker_definiciones"]["environment"])
    comando = servicios["broker_definiciones"]["command"][-1].split(" > ")[0].split()
    r = subprocess.run([str(BIN / comando[0]), *comando[1:]], env=entorno, capture_output=True, text=True,
                       timeout=60, check=True)
    (c / "definiciones.json").write_text(r.stdout)
    conf = (RAIZ / "deploy" / "rabbitmq.conf").read_text().replace(
        "/etc/rabbitmq/omm/definiciones.json", str(c / "definiciones.json"))
    ca_clave, ca_cert = _ca("CA de prueba OMM")
    clave, cert = _servidor(ca_clave, ca_cert)
    ca = _escribir_pem(c / "ca.pem", ca_cert)
    puerto_tls = puerto_libre()
    conf += (f"\nlisteners.ssl.default = {puerto_tls}\n"
             f"ssl_options.cacertfile = {ca}\n"
             f"ssl_options.certfile = {_escribir_pem(c / 'servidor.pem', cert)}\n"
             f"ssl_options.keyfile = {_escribir_pem(c / 'servidor.key', clave)}\n"
             "ssl_options.verify = verify_none\n"
             "ssl_options.fail_if_no_peer_cert = false\n")
    otra = _escribir_pem(tmp_path_factory.mktemp("otra_ca") / "otra.pem", _ca("Otra CA")[1])
    rabbit.iniciar(conf)
    rabbit.ca, rabbit.otra_ca, rabbit.puerto_tls, rabbit.servicios = str(ca), str(otra), puerto_tls, servicios
    try:
        yield rabbit
    finally:
        rabbit.parar()


def _a_nodo(uri, puerto, esquema="amqp", host="127.0.0.1"):
    """La URI de compose (rabbitmq:5672) apuntada al nodo de la prueba."""
    p = urlsplit(uri)
    return urlunsplit((esquema, f"{p.username}:{p.password}@{host}:{puerto}", p.path, "", ""))


def _conectar(uri):
    from kombu import Connection
    with Connection(uri, connect_timeout=10) as c:
        c.ensure_connection(max_retries=1)
        return True


def test_el_rabbitmq_de_compose_tiene_solo_los_usuarios_de_omm_y_cada_contenedor_entra(nodo):
    usuarios = {l.split("\t")[0] for l in nodo.ctl("-q", "list_users").stdout.splitlines()[1:] if l.strip()}
    assert usuarios == {broker.usuario(t) for t in broker.TIPOS}, usuarios
    # guest no existe (ni por la red ni desde aquí); las definiciones le dieron a cada usuario lo suyo.
    from amqp.exceptions import AccessRefused
    with pytest.raises((AccessRefused, ConnectionError, OSError)):
        _conectar(f"amqp://guest:guest@127.0.0.1:{nodo.puerto}/")
    topicos = nodo.ctl("-q", "list_topic_permissions", "-p", "/").stdout
    assert "omm-casos\tnameko-rpc" in topicos and "#" not in topicos
    for nombre, servicio in nodo.servicios.items():
        for variable, uri in (servicio.get("environment") or {}).items():
            if variable == "AMQP_URI" or variable.startswith("AMQP_URI_"):
                assert urlsplit(uri).username == broker.usuario(_tipo_de_uri(variable, nombre))
                assert _conectar(_a_nodo(uri, nodo.puerto)), (nombre, variable)


def _entorno_tls(nodo, tipo, ca):
    uri = _a_nodo(broker.uri("amqp://x/", tipo, "x"), nodo.puerto_tls, "amqps", "localhost")
    contrasena = urlsplit(next(u for n, s in nodo.servicios.items() for v, u in (s.get("environment") or {}).items()
                               if v.startswith("AMQP_URI") and _tipo_de_uri(v, n) == tipo)).password
    uri = uri.replace(":x@", f":{contrasena}@")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMQP_", "OMM_CLAVE"))}
    env.update({"AMQP_URI": uri, f"AMQP_URI_{tipo.upper()}": uri, "PYTHONWARNINGS": PYTHONWARNINGS,
                # La misma forma que documenta .env.example: server_hostname null verifica el nombre del broker.
                "AMQP_SSL": f"{{ca_certs: {ca}, cert_reqs: 2, server_hostname: null}}"})
    return env


CELERY = ("from notificaciones.tareas import app\n"
          "c = app.connection_for_write()\n"
          "c.ensure_connection(max_retries=1)\n"
          "assert c.connection.transport.sock.version().startswith('TLS'), c.connection.transport.sock\n"
          "print('ok')\n")
RELAY = ("from omm_common.relay import Relay\n"
         "from nameko.standalone.events import get_event_exchange\n"
         "r = Relay('casos', None, __import__('os').environ['AMQP_URI'])\n"
         "x = get_event_exchange('casos', {})\n"
         "r.publicador.publish({'prueba': 'tls'}, exchange=x, routing_key='PruebaTls', declare=[x])\n"
         "print('ok')\n")


@pytest.mark.parametrize("cliente", ["celery", "relays", "declarar-colas"])
def test_amqp_ssl_llega_a_celery_relays_y_declarar_colas(nodo, cliente):
    def correr(ca):
        if cliente == "celery":
            comando, tipo = [sys.executable, "-c", CELERY], "celery"
        elif cliente == "relays":
            comando, tipo = [sys.executable, "-c", RELAY], "relays"
        else:
            comando, tipo = [str(BIN / "omm-declarar-colas"), "notificaciones.service:Notificaciones"], "notificaciones"
        return subprocess.run(comando, env=_entorno_tls(nodo, tipo, ca), capture_output=True, text=True, timeout=120,
                              cwd=RAIZ)
    r = correr(nodo.ca)
    assert r.returncode == 0, r.stderr[-1500:]
    # Con otra CA, el certificado del broker no se acepta: las opciones de AMQP_SSL son las que usa la conexión.
    r = correr(nodo.otra_ca)
    assert r.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in r.stderr, r.stderr[-1500:]
    if cliente == "declarar-colas":
        colas = nodo.ctl("-q", "list_queues", "-p", "/", "name").stdout
        assert "evt-casos-CasoDerivado--notificaciones" in colas


@contextmanager
def _proceso(comando, env, cwd, log):
    """Un proceso real del sistema con su log; se detiene (TERM, y KILL si no sale) al terminar la prueba."""
    with open(log, "w") as salida:
        proceso = subprocess.Popen(comando, env=env, cwd=cwd, stdout=salida, stderr=subprocess.STDOUT)
        try:
            yield proceso
        finally:
            proceso.terminate()
            try:
                proceso.wait(20)
            except subprocess.TimeoutExpired:
                proceso.kill()
                proceso.wait()


def _esperar_sonda(correr, log, mensaje):
    """Espera a que la sonda (correr() -> CompletedProcess) salga con 0; si no, falla con su error y el log."""
    ultima = []

    def contesta():
        ultima[:] = [correr()]
        return ultima[0].returncode == 0
    try:
        esperar(contesta, 90, 1, mensaje)
    except AssertionError:
        pytest.fail(f"{mensaje}: {ultima[0].stderr[-1500:]}\nlog: {Path(log).read_text()[-3000:]}")


def _todas_por_tls(nodo, usuario):
    conexiones = nodo.ctl("-q", "list_connections", "user", "ssl").stdout
    assert f"{usuario}\ttrue" in conexiones and "\tfalse" not in conexiones, conexiones


def test_la_sonda_de_salud_pide_por_tls_con_el_usuario_del_servicio(nodo, tmp_path):
    """Un servicio nameko real (reportes) sobre TLS y la sonda de compose y k8s (python -m omm_common.rpc)."""
    env = _entorno_tls(nodo, "reportes", nodo.ca)
    privada, _ = claves.generar()
    env.update({"REPORTES_DB_URL": f"sqlite:///{tmp_path / 'reportes.db'}", "OMM_CLAVE_PRIVADA_REPORTES": privada,
                "LOG_LEVEL": "INFO"})
    subprocess.run([str(BIN / "omm-migrar"), "reportes"], env=env, check=True, capture_output=True, timeout=120)
    prueba = nodo.servicios["reportes"]["healthcheck"]["test"][1:]
    comando = [sys.executable if c == "python" else c for c in prueba]  # el python de este entorno

    def sonda(entorno):
        return subprocess.run(comando, env=entorno, capture_output=True, text=True, timeout=60, cwd=RAIZ)
    log = tmp_path / "reportes.log"
    with _proceso([sys.executable, "-m", "nameko", "run", "--config", "config.yaml", "reportes.service:Reportes"],
                  env, RAIZ / "services" / "reportes", log):
        _esperar_sonda(lambda: sonda(env), log, "la sonda de reportes por TLS")
        _todas_por_tls(nodo, "omm-reportes")
        # Con el usuario de otro servicio la sonda no puede ligar la cola de respuestas de reportes.
        r = sonda(_entorno_tls(nodo, "ayudas", nodo.ca))
        assert r.returncode != 0 and "ACCESS_REFUSED" in r.stderr, r.stderr[-1500:]
        # La sonda de antes (ClusterRpcProxy a secas) ya no sirve con el usuario restringido.
        vieja = ("import os, sys; from nameko.standalone.rpc import ClusterRpcProxy as P; "
                 "sys.exit(P({'AMQP_URI': os.environ['AMQP_URI'], 'AMQP_SSL': {'ca_certs': os.environ['CA']}}, "
                 "timeout=10).start().reportes.ping() != 'ok')")
        r = subprocess.run([sys.executable, "-c", vieja], env={**env, "CA": nodo.ca}, capture_output=True, text=True,
                           timeout=60)
        assert r.returncode != 0 and "ACCESS_REFUSED" in r.stderr, r.stderr[-1500:]


def test_el_worker_de_celery_y_su_sonda_van_por_tls_con_el_usuario_de_celery(nodo, tmp_path):
    """El worker real y el ping de control de su healthcheck de compose (celery inspect ping), por TLS."""
    env = _entorno_tls(nodo, "celery", nodo.ca)
    env["NOTIFICACIONES_DB_URL"] = f"sqlite:///{tmp_path / 'notificaciones.db'}"
    prueba = nodo.servicios["celery_worker"]["healthcheck"]["test"]
    assert prueba[0] == "CMD-SHELL"
    sonda = prueba[1].replace("$HOSTNAME", "prueba-tls").replace("celery -A", f"{BIN / 'celery'} -A")
    log = tmp_path / "worker.log"
    with _proceso([str(BIN / "celery"), "-A", "notificaciones.tareas", "worker", "--pool", "solo",
                   "-n", "celery@prueba-tls", "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
                  env, RAIZ, log):
        _esperar_sonda(lambda: subprocess.run(["sh", "-c", sonda], env=env, capture_output=True, text=True,
                                              timeout=60, cwd=RAIZ), log, "el ping del worker por TLS")
        _todas_por_tls(nodo, "omm-celery")
