"""Issue 16, lo de notificaciones sin el sistema entero: a dónde puede ir un webhook (SSRF), los límites de una
plantilla propia, STARTTLS que verifica el certificado, la bandeja que no muestra lo que no cifró y los .eml 0600.

Los servidores son reales (HTTP y HTTPS locales, SMTP de aiosmtpd con STARTTLS); el de punta a punta, con el
worker de Celery y la API, está en tests/test_seguridad_servicios.py.
"""
import datetime
import ipaddress
import logging
import os
import socket
import ssl
import stat
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import urllib3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from notificaciones import canales, destinos, plantillas
from notificaciones.canales import ErrorPermanente, ErrorTransitorio
from notificaciones.models import PREFIJO_CIFRADO, Notificacion
from omm_pruebas import puerto_libre

# --- SSRF: lo que no se guarda --------------------------------------------------------------------------------

PROHIBIDAS = [
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",  # metadatos de la nube
    "http://127.0.0.1:5672/",  # RabbitMQ
    "http://avisos.cis.hn/omm",  # sin cifrar
    "https://169.254.169.254/latest/meta-data/",
    "https://127.0.0.1:15672/api/queues",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",  # IPv4 de loopback dentro de IPv6
    "https://[::ffff:a9fe:a9fe]/",  # 169.254.169.254 dentro de IPv6
    "https://[fe80::1]/",
    "https://[fc00::1]/",
    "https://[64:ff9b::a9fe:a9fe]/",  # NAT64 hacia los metadatos
    "https://[2002:7f00:1::]/",  # 6to4 de 127.0.0.1
    "https://10.0.0.5/", "https://172.16.3.4/", "https://192.168.1.1/", "https://100.64.0.1/",
    "https://224.0.0.1/", "https://0.0.0.0/", "https://255.255.255.255/", "https://240.0.0.1/",
    "https://2130706433/", "https://0x7f000001/", "https://127.1/", "https://0177.0.0.1/",  # 127.0.0.1 disfrazada
    "https://localhost/", "https://LOCALHOST./", "https://panel.localhost/",
    "https://rabbitmq:15672/", "https://postgres/",  # el nombre de un contenedor vecino
    "https://usuario:clave@avisos.cis.hn/",
    "ftp://avisos.cis.hn/", "file:///etc/passwd", "gopher://127.0.0.1:5672/_", "https://avisos.cis.hn:99999/",
    "https://аvisos.cis.hn/",  # con una «а» cirílica: el nombre va en xn--
    "https://127.0.0.1%2f@avisos.cis.hn/", "https://avisos.cis.hn%00.127.0.0.1/",
]


@pytest.mark.parametrize("url", PROHIBIDAS)
def test_un_webhook_hacia_la_red_interna_o_sin_https_no_se_guarda(url):
    with pytest.raises(destinos.DestinoProhibido):
        destinos.revisar(url, {})


def test_un_webhook_publico_por_https_se_guarda():
    for url in ("https://avisos.cis.hn/omm", "https://avisos.cis.hn:8443/omm?municipio=0309",
                "https://93.184.216.34/avisos", "https://[2606:4700:4700::1111]/avisos"):
        assert destinos.revisar(url, {}).scheme == "https"


def test_solo_el_destino_interno_autorizado_pasa_y_solo_ese_puerto():
    entorno = {destinos.VARIABLE_INTERNOS: "127.0.0.1:8081, cis.intranet:443"}
    assert destinos.revisar("http://127.0.0.1:8081/cis", entorno)
    assert destinos.revisar("https://cis.intranet/avisos", entorno)
    for url in ("http://127.0.0.1:5672/", "http://127.0.0.1/", "http://localhost:8081/", "http://2130706433:8081/"):
        with pytest.raises(destinos.DestinoProhibido):
            destinos.revisar(url, entorno)


@pytest.mark.parametrize("ip, prohibida", [
    ("8.8.8.8", False), ("93.184.216.34", False), ("2606:4700:4700::1111", False),
    ("127.0.0.1", True), ("10.1.2.3", True), ("169.254.169.254", True), ("100.64.0.1", True), ("0.0.0.0", True),
    ("198.18.0.1", True), ("192.0.2.1", True), ("224.0.0.251", True), ("255.255.255.255", True),
    ("::1", True), ("::", True), ("fe80::1%eth0", True), ("fd00::1", True), ("ff02::1", True), ("fec0::1", True),
    ("::ffff:10.0.0.1", True), ("::ffff:8.8.8.8", False), ("64:ff9b::808:808", False), ("64:ff9b::7f00:1", True),
    ("2002:a9fe:a9fe::", True), ("2001:0:4136:e378:8000:63bf:80ff:fffe", True),
])
def test_direcciones_que_no_son_publicas(ip, prohibida):
    assert destinos.ip_prohibida(ip) is prohibida


def test_un_nombre_que_resuelve_a_loopback_no_se_envia():
    # «localhost.» pasa por el DNS real del sistema (/etc/hosts): se revisa lo que resolvió, no cómo se escribe.
    with pytest.raises(destinos.DestinoProhibido):
        destinos.resolver(urlsplit("https://localhost./"), {})


def test_si_alguna_de_las_direcciones_del_nombre_es_interna_no_se_envia():
    # Un DNS que da una pública y una interna (para ganar la carrera en la conexión) no pasa.
    def dos_respuestas(host, puerto, type=0):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", puerto)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", puerto))]
    with pytest.raises(destinos.DestinoProhibido):
        destinos.resolver(urlsplit("https://avisos.cis.hn/"), {}, dos_respuestas)


# --- Servidores HTTP/HTTPS reales -----------------------------------------------------------------------------

class Servidor:
    """HTTP(S) local: responde `estado` (con Location si redirige) y guarda lo que recibe."""

    def __init__(self, estado=200, destino=None, tls=None):
        servidor = self
        self.recibidas = []

        class Manejador(BaseHTTPRequestHandler):
            def do_POST(self):
                cuerpo = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                servidor.recibidas.append({"ruta": self.path, "cabeceras": dict(self.headers), "cuerpo": cuerpo})
                self.send_response(servidor.estado)
                if servidor.destino:
                    self.send_header("Location", servidor.destino)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.estado, self.destino = estado, destino
        self.http = ThreadingHTTPServer(("127.0.0.1", puerto_libre()), Manejador)
        if tls:
            self.http.socket = tls.wrap_socket(self.http.socket, server_side=True)
        self.puerto = self.http.server_address[1]
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def cerrar(self):
        self.http.shutdown()
        self.http.server_close()


def _certificados(carpeta, nombre):
    """Una autoridad de pruebas y un certificado para `nombre` firmado por ella."""
    ahora = datetime.datetime.now(datetime.timezone.utc)
    vigencia = dict(not_valid_before=ahora - datetime.timedelta(days=1), not_valid_after=ahora + datetime.timedelta(days=2))
    clave_ca, clave = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    nombre_ca = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Autoridad de pruebas OMM")])
    uso = x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                        key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
                        decipher_only=False)
    ca = (x509.CertificateBuilder(subject_name=nombre_ca, issuer_name=nombre_ca, public_key=clave_ca.public_key(),
                                  serial_number=x509.random_serial_number(), **vigencia)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(uso, critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(clave_ca.public_key()), critical=False)
          .sign(clave_ca, hashes.SHA256()))
    alternativo = (x509.IPAddress(ipaddress.ip_address(nombre)) if nombre[0].isdigit() else x509.DNSName(nombre))
    hoja = (x509.CertificateBuilder(subject_name=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, nombre)]),
                                    issuer_name=nombre_ca, public_key=clave.public_key(),
                                    serial_number=x509.random_serial_number(), **vigencia)
            .add_extension(x509.SubjectAlternativeName([alternativo]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(clave_ca.public_key()), critical=False)
            .sign(clave_ca, hashes.SHA256()))
    rutas = {n: str(carpeta / n) for n in ("ca.pem", "cert.pem", "clave.pem")}
    (carpeta / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (carpeta / "cert.pem").write_bytes(hoja.public_bytes(serialization.Encoding.PEM))
    (carpeta / "clave.pem").write_bytes(clave.private_bytes(serialization.Encoding.PEM,
                                                            serialization.PrivateFormat.PKCS8,
                                                            serialization.NoEncryption()))
    return rutas


def _contexto_servidor(rutas):
    contexto = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    contexto.load_cert_chain(rutas["cert.pem"], rutas["clave.pem"])
    return contexto


@pytest.fixture
def par_redirige():
    """Un servidor que redirige (307 conserva el POST) a otro que no debe recibir nada."""
    robado = Servidor()
    primero = Servidor(307, f"http://127.0.0.1:{robado.puerto}/robado")
    yield primero, robado
    primero.cerrar()
    robado.cerrar()


DESTINO = SimpleNamespace(webhook_url=None, email=None, telefono=None)


def _webhook(url, internos=""):
    return canales.Webhook({"NOTIFICACIONES_WEBHOOK_SECRETO": "secreto-webhook-de-pruebas-0123456789",
                            destinos.VARIABLE_INTERNOS: internos}), SimpleNamespace(webhook_url=url)


@pytest.mark.parametrize("estado", [301, 302, 303, 307, 308])
def test_el_webhook_no_sigue_redirecciones(par_redirige, estado):
    primero, robado = par_redirige
    primero.estado = estado
    canal, destino = _webhook(f"http://127.0.0.1:{primero.puerto}/cis", f"127.0.0.1:{primero.puerto}")
    with pytest.raises(ErrorPermanente, match="redirección"):
        canal.enviar(destino, "Asunto", "Derivación de Marta Lagos", "n-1")
    assert len(primero.recibidas) == 1
    assert robado.recibidas == []


def test_el_sms_tampoco_sigue_redirecciones(par_redirige):
    primero, robado = par_redirige
    sms = canales.Sms({"SMS_URL": f"http://127.0.0.1:{primero.puerto}/sms", "SMS_CLAVE": "k"})
    with pytest.raises(ErrorPermanente, match="redirección"):
        sms.enviar(SimpleNamespace(telefono="+504 9999-0000"), "", "texto", "n-2")
    assert robado.recibidas == []


def test_un_webhook_interno_guardado_antes_no_se_envia(par_redirige):
    # Una fila de antes de la revisión al guardar: el worker la revisa otra vez y no conecta.
    _, robado = par_redirige
    for url in (f"http://127.0.0.1:{robado.puerto}/robado", f"https://localhost:{robado.puerto}/robado",
                f"https://127.1:{robado.puerto}/"):
        canal, destino = _webhook(url)
        with pytest.raises(ErrorPermanente, match="interna|https|dominio"):
            canal.enviar(destino, "Asunto", "Derivación de Marta Lagos", "n-3")
    assert robado.recibidas == []


def test_se_conecta_a_la_ip_revisada_y_el_tls_se_verifica_con_el_nombre(tmp_path):
    rutas = _certificados(tmp_path, "cis.prueba")
    servidor = Servidor(tls=_contexto_servidor(rutas))
    try:
        confianza = ssl.create_default_context(cafile=rutas["ca.pem"])
        partes = urlsplit(f"https://cis.prueba:{servidor.puerto}/avisos?m=0309")
        # La IP ya revisada va aparte: el nombre de la URL no se vuelve a resolver (cis.prueba no existe en DNS).
        assert destinos.enviar_a("127.0.0.1", partes, b"{}", {"Content-Type": "application/json"}, 5, confianza) == 200
        recibida = servidor.recibidas[-1]
        assert recibida["ruta"] == "/avisos?m=0309" and recibida["cabeceras"]["Host"] == f"cis.prueba:{servidor.puerto}"
        # El certificado es de cis.prueba: otro nombre a la misma IP no pasa, ni sin la autoridad que lo firmó.
        with pytest.raises(urllib3.exceptions.SSLError):
            destinos.enviar_a("127.0.0.1", urlsplit(f"https://otro.prueba:{servidor.puerto}/"), b"{}", {}, 5,
                              confianza)
        with pytest.raises(urllib3.exceptions.SSLError):
            destinos.enviar_a("127.0.0.1", partes, b"{}", {}, 5)
        assert len(servidor.recibidas) == 1
    finally:
        servidor.cerrar()


def test_webhook_con_certificado_que_no_verifica_es_error_claro(tmp_path):
    rutas = _certificados(tmp_path, "127.0.0.1")
    servidor = Servidor(tls=_contexto_servidor(rutas))
    try:
        canal, destino = _webhook(f"https://127.0.0.1:{servidor.puerto}/cis", f"127.0.0.1:{servidor.puerto}")
        with pytest.raises(ErrorTransitorio, match="certificado"):
            canal.enviar(destino, "Asunto", "texto", "n-4")
        assert servidor.recibidas == []
    finally:
        servidor.cerrar()


# --- Plantillas propias con límites ---------------------------------------------------------------------------

CONTEXTO = {"municipio": "Lejamaní", "datos": {"tipo_nombre": "Bolsa de alimentos", "cantidad": 2}}


@pytest.mark.parametrize("texto", [
    "{% for i in range(10**9) %}x{% endfor %}",
    "{% for i in range(1000000000) %}x{% endfor %}",
    "{% for i in range(999) %}{% for j in range(999) %}{% for k in range(999) %}{% endfor %}{% endfor %}{% endfor %}",
    "{% for i in datos %}{% for j in datos %}x{% endfor %}{% endfor %}",
    "{% for x in [1] recursive %}{{ loop([x]) }}{% endfor %}",
    "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "{{ 9 ** 9 ** 9 }}",
    "{% if %}",
    "x" * 2001,
])
def test_una_plantilla_que_no_termina_pronto_no_se_guarda(texto):
    with pytest.raises(plantillas.PlantillaInvalida):
        plantillas.validar_plantilla(texto)


def test_la_plantilla_de_una_coordinadora_sigue_funcionando():
    texto = "Quedan {{ datos.cantidad }} de {{ datos.tipo_nombre }} en {{ municipio }}.{% for i in range(3) %}!{% endfor %}"
    plantillas.validar_plantilla(texto)
    assert plantillas.componer("ExistenciasBajas", CONTEXTO, texto)[1] == \
        "Quedan 2 de Bolsa de alimentos en Lejamaní.!!!"


@pytest.mark.parametrize("texto, motivo", [
    # Pasan la revisión al guardar (una plantilla de antes no la tuvo): los detienen los límites al componer.
    ('{% for c in "x"|center(300000000) %}{% endfor %}fin', "tardó|memoria"),  # horas de CPU
    ('{{ "x"|center(3000000000) }}', "memoria"),  # 3 GB de una vez
    ('{% for i in range(1000) %}{{ "x"|center(1000) }}{% endfor %}', "20000 caracteres"),  # 1 MB de salida
    ('{{ "ab" * 100000000 }}', "20000 caracteres"),
    ("{% for i in range(1000) %}{% endfor %}{% for i in range(1000) %}{% endfor %}", "range"),
    ("{% for i in range(10**6) %}x{% endfor %}", "potencias|range"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "SecurityError|Undefined|^$"),
])
def test_al_componer_una_plantilla_desmedida_falla_pronto_y_con_un_texto_claro(texto, motivo):
    inicio = time.monotonic()
    try:
        salida = plantillas.componer("ExistenciasBajas", CONTEXTO, texto)[1]
    except plantillas.PlantillaInvalida as exc:
        salida = str(exc)
        assert salida and "Traceback" not in salida
    else:
        assert salida == ""  # lo que el sandbox no deja ver queda vacío
    import re
    assert re.search(motivo, salida), salida
    # Holgado: en una máquina cargada; sin los límites cualquiera de estas tarda minutos u horas.
    assert time.monotonic() - inicio < 60


def test_las_plantillas_del_sistema_no_pasan_por_el_proceso_aparte(monkeypatch):
    # Las del código son de confianza y se componen en el proceso: el costo del hijo es solo para las propias.
    monkeypatch.setattr(plantillas.os, "fork", lambda: pytest.fail("no debía crear un proceso"))
    assert "Bolsa de alimentos" in plantillas.componer("ExistenciasBajas", CONTEXTO)[1]


# --- Correo: STARTTLS con el certificado verificado; .eml 0600 ------------------------------------------------

@pytest.fixture
def smtp_tls(tmp_path):
    from aiosmtpd.controller import Controller

    class Buzon:
        mensajes = []

        async def handle_DATA(self, server, session, envelope):
            self.mensajes.append(envelope)
            return "250 OK"

    rutas = _certificados(tmp_path, "localhost")
    buzon = Buzon()
    controlador = Controller(buzon, hostname="127.0.0.1", port=puerto_libre(),
                             tls_context=_contexto_servidor(rutas), require_starttls=True)
    controlador.start()
    yield SimpleNamespace(puerto=controlador.port, buzon=buzon, rutas=rutas)
    controlador.stop()


def _correo(smtp_tls, **extra):
    return canales.Correo({"SMTP_HOST": "localhost", "SMTP_PORT": str(smtp_tls.puerto), "SMTP_TLS": "1",
                           "SMTP_REMITENTE": "omm@prueba.hn", **extra})


def _enviar_correo(correo):
    aceptados = []
    correo.enviar(SimpleNamespace(email="cis@salud.hn"), "Asunto", "Derivación de Marta Lagos", "n-5",
                  lambda: aceptados.append(True))
    return aceptados


def test_starttls_con_un_certificado_que_no_firma_nadie_conocido_no_envia(smtp_tls):
    with pytest.raises(ErrorTransitorio, match="certificado"):
        _enviar_correo(_correo(smtp_tls))
    assert smtp_tls.buzon.mensajes == []


def test_starttls_verifica_el_nombre_con_la_autoridad_instalada(smtp_tls, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", smtp_tls.rutas["ca.pem"])  # como una autoridad instalada en el sistema
    assert _enviar_correo(_correo(smtp_tls)) == [True]
    assert len(smtp_tls.buzon.mensajes) == 1
    # El certificado es de «localhost»: por la IP no coincide el nombre y no se envía.
    with pytest.raises(ErrorTransitorio, match="certificado"):
        _enviar_correo(_correo(smtp_tls, SMTP_HOST="127.0.0.1"))
    assert len(smtp_tls.buzon.mensajes) == 1


def test_starttls_sin_verificar_solo_con_la_variable_explicita(smtp_tls):
    assert _enviar_correo(_correo(smtp_tls, SMTP_TLS_SIN_VERIFICAR="1")) == [True]
    assert len(smtp_tls.buzon.mensajes) == 1


def test_el_eml_y_su_carpeta_solo_los_lee_el_proceso(tmp_path):
    vieja = tmp_path / "correo"
    vieja.mkdir(mode=0o755)
    os.chmod(vieja, 0o755)  # la que dejó una versión anterior
    correo = canales.Correo({"OMM_VAR": str(tmp_path)})
    _enviar_correo(correo)
    archivo = vieja / "n-5.eml"
    assert b"Marta Lagos" in archivo.read_bytes()
    assert stat.S_IMODE(archivo.stat().st_mode) == 0o600
    assert stat.S_IMODE(vieja.stat().st_mode) == 0o700
    assert not list(vieja.glob(".*.tmp"))


# --- Bandeja: lo que no cifró este servicio no se muestra -----------------------------------------------------

def test_la_bandeja_no_muestra_texto_plano_ni_el_cifrado_de_otra_fila(monkeypatch, caplog):
    monkeypatch.setenv("NOTIFICACIONES_CLAVE", "clave-de-pruebas-de-la-bandeja-0123456789")
    buena = Notificacion(id="n-buena", municipio="0309")
    buena.mensaje = "Derivación de Marta Lagos"
    assert buena.mensaje_cifrado.startswith(PREFIJO_CIFRADO) and buena.mensaje == "Derivación de Marta Lagos"
    caplog.set_level(logging.ERROR, logger="omm.notificaciones")
    # Escrito directo en la base, sin cifrar: antes se mostraba como un mensaje legítimo.
    falsa = Notificacion(id="n-falsa", municipio="0309", mensaje_cifrado="URGENTE: llame ya al 9999-0000")
    assert falsa.mensaje is None
    # El cifrado de otra fila (o de otro municipio) tampoco: va atado a la suya.
    movida = Notificacion(id="n-otra", municipio="0309", mensaje_cifrado=buena.mensaje_cifrado)
    assert movida.mensaje is None
    basura = Notificacion(id="n-basura", municipio="0309", mensaje_cifrado=PREFIJO_CIFRADO + "no-es-base64")
    assert basura.mensaje is None
    textos = caplog.text
    assert "n-falsa" in textos and "n-otra" in textos and "9999-0000" not in textos
