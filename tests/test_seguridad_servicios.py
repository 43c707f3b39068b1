"""Issue 16 (hallazgos 4, 5 y 6 y los bajos de notificaciones), de punta a punta y como lo haría quien ataca:
por la API real, con el worker de Celery real y el servicio de ayudas real.

- SSRF: una coordinadora registra como webhook del CIS la API de metadatos, RabbitMQ, una IP interna
  disfrazada...: 400 que nombra `webhook_url`. Un webhook autorizado que responde con una redirección hacia otro
  servidor: el worker no la sigue y el segundo servidor no recibe nada, tampoco cuando la URL interna ya estaba
  guardada en la base (una fila de antes) y la coordinadora reintenta.
- Plantilla lenta: las que se ven al guardarlas, 400; la que solo se ve al componerla falla en segundos con un
  texto claro, y el aviso de otro municipio enviado al mismo tiempo sale igual.
- Bomba .xlsx: ~0,3 MB que se descomprimen en ~300 MB: 413 en segundos, sin que crezca el proceso de ayudas.
- Bandeja: un texto plano escrito directo en la base no se muestra al CIS como mensaje del sistema.
- Bases SQLite: 0600 (y su -wal), la carpeta 0700.
"""
import io
import os
import stat
import threading
import time
import zipfile
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from omm_common.db import crear_motor
from omm_common.migraciones import migrar
from omm_common.tiempo import hoy_honduras
from omm_pruebas import _fabrica_bases, esperar, puerto_libre, vhost_propio

from .sistema import Sistema

pytestmark = pytest.mark.integracion

PRONTO = (hoy_honduras() + timedelta(days=20)).isoformat()
DESTINATARIOS = "/api/v1/notificaciones/destinatarios"


class Receptor:
    """Servidor HTTP local que guarda cada POST y responde `estado`, con Location si redirige."""

    def __init__(self, estado=200, location=None):
        receptor = self
        self.recibidas, self.estado, self.location = [], estado, location

        class Manejador(BaseHTTPRequestHandler):
            def do_POST(self):
                receptor.recibidas.append((self.path, self.rfile.read(int(self.headers.get("Content-Length") or 0))))
                self.send_response(receptor.estado)
                if receptor.location:
                    self.send_header("Location", receptor.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", puerto_libre()), Manejador)
        self.puerto = self.http.server_address[1]
        threading.Thread(target=self.http.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def receptores():
    """El webhook autorizado redirige (307 repite el POST) hacia un servidor que no debe recibir nada."""
    robado = Receptor()
    cis = Receptor(307, f"http://127.0.0.1:{robado.puerto}/robado")
    yield cis, robado
    for r in (cis, robado):
        r.http.shutdown()
        r.http.server_close()


@pytest.fixture(scope="module")
def sis(tmp_path_factory, smtp, receptores):
    """El sistema entero, con un único destino interno autorizado para webhooks: el primer receptor."""
    cis, _ = receptores
    with _fabrica_bases() as base_pg, vhost_propio() as amqp:
        s = Sistema(amqp, base_pg, tmp_path_factory.mktemp("seguridad"), SMTP_HOST="127.0.0.1",
                    SMTP_PORT=smtp.puerto, SMTP_REMITENTE="omm@prueba.hn",
                    NOTIFICACIONES_WEBHOOK_SECRETO="secreto-webhook-de-pruebas-0123456789",
                    NOTIFICACIONES_WEBHOOK_INTERNOS=f"127.0.0.1:{cis.puerto}",
                    NOTIFICACIONES_ESPERA_BASE="0.3").preparar()
        try:
            yield s.arrancar()
        finally:
            s.detener()


def _notificaciones(api, usuaria, **filtros):
    r = api.get("/api/v1/notificaciones", usuaria, params={"por_pagina": 200, **filtros})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def _club(api, municipio):
    """Un club de embarazadas con una sesión próxima: SesionProgramada -> regla sesion_club_cis."""
    r = api.post("/api/v1/capacitaciones", f"tecnica.{municipio}", json={
        "titulo": "Club de embarazadas", "tipo": "club_embarazadas", "institucion": "CIS", "lugar": "Centro de Salud",
        "sesiones": [{"fecha": PRONTO, "hora": "09:00", "tema": "Control prenatal"}]})
    assert r.status_code == 201, r.text


def _sql(sis, consulta, **parametros):
    motor = sa.create_engine(sis.urls["notificaciones"])
    try:
        with motor.begin() as c:
            c.execute(sa.text(consulta), parametros)
    finally:
        motor.dispose()


# --- 4. SSRF ---------------------------------------------------------------------------------------------------

ATAQUES = [
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://127.0.0.1:5672/", "https://127.0.0.1:15672/api/queues", "https://169.254.169.254/latest/meta-data/",
    "https://[::ffff:169.254.169.254]/", "https://[::1]:5432/", "https://10.0.0.5/", "https://2130706433:5672/",
    "https://127.1/", "https://localhost:8000/api/v1/usuarios", "https://rabbitmq:15672/",
    "https://usuario:clave@avisos.cis.hn/", "http://avisos.cis.hn/omm",
]


def test_ssrf_ninguna_direccion_interna_se_guarda_como_webhook(sis):
    api = sis.api
    for url in ATAQUES:
        for usuaria, extra in (("coordinadora.0309", {}), ("admin", {"municipio": "0302"})):
            r = api.put(DESTINATARIOS, usuaria, json={"clave": "cis", "nombre": "CIS", "webhook_url": url, **extra})
            assert r.status_code == 400, (url, r.text)
            [mensaje] = r.json()["detalles"]["webhook_url"]
            assert "URL" in mensaje and "Traceback" not in mensaje, mensaje
    for usuaria, consulta in (("coordinadora.0309", {}), ("admin", {"municipio": "0302"})):
        guardados = api.get(DESTINATARIOS, usuaria, params=consulta).json()
        assert not [d for d in guardados if d.get("webhook_url")], guardados


def _webhooks(api):
    return _notificaciones(api, "coordinadora.0309", canal="webhook")


def test_ssrf_el_worker_no_sigue_la_redireccion_ni_envia_a_una_url_interna_ya_guardada(sis, receptores):
    api = sis.api
    cis, robado = receptores
    r = api.put(DESTINATARIOS, "coordinadora.0309", json={
        "clave": "cis", "nombre": "CIS Lejamaní", "webhook_url": f"http://127.0.0.1:{cis.puerto}/cis"})
    assert r.status_code == 200, r.text  # el único destino interno que la operación autorizó
    r = api.patch("/api/v1/notificaciones/reglas/sesion_club_cis", "coordinadora.0309", json={"canales": ["webhook"]})
    assert r.status_code == 200, r.text
    _club(api, "0309")
    [n] = esperar(lambda: [x for x in _webhooks(api) if x["estado"] == "fallida"], 180,
                  mensaje="el webhook que redirige, fallido")
    assert "redirección" in n["ultimo_error"] and n["intentos"] == 1, n
    assert [ruta for ruta, _ in cis.recibidas] == ["/cis"]
    assert robado.recibidas == []

    # Filas guardadas antes de esta revisión (o escritas directo en la base): el worker vuelve a revisar al
    # enviar, también lo que resuelve un nombre, y no conecta.
    for url, motivo in ((f"http://127.0.0.1:{robado.puerto}/robado", "https"),
                        (f"https://localhost:{robado.puerto}/robado", "dominio"),
                        (f"https://2130706433:{robado.puerto}/robado", "interna")):
        _sql(sis, "UPDATE destinatarios SET webhook_url = :url WHERE municipio = '0309' AND clave = 'cis'", url=url)
        r = api.post(f"/api/v1/notificaciones/{n['id']}/reintento", "coordinadora.0309")
        assert r.status_code == 200, r.text
        esperar(lambda: [x for x in _webhooks(api) if x["id"] == n["id"] and x["estado"] == "fallida"
                         and motivo in x["ultimo_error"]], 180, mensaje=f"reintento hacia {url} rechazado")
    assert robado.recibidas == []
    assert len(cis.recibidas) == 1


# --- 5. Plantillas sin límite ----------------------------------------------------------------------------------

REGLA = "/api/v1/notificaciones/reglas/sesion_club_cis"


def test_una_plantilla_desmedida_se_rechaza_al_guardarla_o_falla_pronto_sin_atrasar_a_otro_municipio(sis, smtp):
    api = sis.api
    for texto in ("{% for i in range(10**9) %}x{% endfor %}",
                  "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
                  "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}", "x" * 2001):
        r = api.patch(REGLA, "coordinadora.0302", json={"plantilla": texto})
        assert r.status_code == 400 and "plantilla" in r.json()["detalles"], r.text
    # Esta pasa la revisión al guardar (no se ve que tarda): la detienen los límites al componerla en el worker.
    lenta = '{% for c in "x"|center(100000000) %}{% endfor %}Sesión del club el {{ datos.fecha }}'
    r = api.patch(REGLA, "coordinadora.0302", json={"plantilla": lenta})
    assert r.status_code == 200, r.text
    for m in ("0302", "0306"):
        r = api.put(DESTINATARIOS, f"coordinadora.{m}", json={"clave": "cis", "nombre": "CIS",
                                                               "email": f"cis.{m}@salud.hn"})
        assert r.status_code == 200, r.text
    inicio = time.monotonic()
    _club(api, "0302")
    _club(api, "0306")
    # El aviso del otro municipio sale aunque la plantilla lenta llegó primero al worker.
    esperar(lambda: {x["canal"] for x in _notificaciones(api, "coordinadora.0306") if x["estado"] == "enviada"}
            >= {"email", "bandeja"}, 180, mensaje="avisos de 0306 enviados")
    def fallidas():
        todas = [x for x in _notificaciones(api, "coordinadora.0302") if x["estado"] == "fallida"]
        return todas if len(todas) == 2 else None
    for x in esperar(fallidas, 180, mensaje="avisos de 0302 fallidos por la plantilla"):
        error = x["ultimo_error"]
        assert "plantilla" in error and ("se detuvo" in error or "memoria" in error), x
        assert x["intentos"] == 1 and x["mensaje"] is None
    # Holgado (máquina cargada): sin límites, ese bucle de cien millones ocupa al worker varios minutos.
    assert time.monotonic() - inicio < 180
    assert smtp.para("cis.0302@salud.hn") == []
    assert len(smtp.para("cis.0306@salud.hn")) == 1


# --- Bajo: la bandeja no muestra lo que no cifró ---------------------------------------------------------------

def test_un_texto_plano_escrito_en_la_base_no_se_muestra_al_cis(sis):
    api = sis.api
    _club(api, "0318")
    [n] = esperar(lambda: [x for x in _notificaciones(api, "cis.0318", canal="bandeja") if x["estado"] == "enviada"],
                  180, mensaje="aviso en la bandeja del CIS de 0318")
    assert "club de embarazadas" in n["mensaje"]
    falso = "URGENTE: la OMM pide que llame ya al 9999-0000 y dé su contraseña"
    _sql(sis, "UPDATE notificaciones SET mensaje = :texto WHERE id = :id", texto=falso, id=n["id"])
    [visto] = [x for x in _notificaciones(api, "cis.0318", canal="bandeja") if x["id"] == n["id"]]
    assert visto["mensaje"] is None
    assert falso not in api.get("/api/v1/notificaciones", "cis.0318").text
    esperar(lambda: "no está cifrado" in sis.log("notificaciones"), 30, mensaje="el registro del texto plano")


# --- 6. Bomba .xlsx --------------------------------------------------------------------------------------------

def _bomba(filas):
    """Un libro que openpyxl abriría: una hoja con `filas` filas iguales, escritas en trozos dentro del zip."""
    ns = "http://schemas.openxmlformats.org/"
    salida = io.BytesIO()
    with zipfile.ZipFile(salida, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", f'<Types xmlns="{ns}package/2006/content-types"><Default Extension="rels" '
                   f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                   'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
                   'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                   'worksheet+xml"/></Types>')
        relacion = f'{ns}officeDocument/2006/relationships'
        z.writestr("_rels/.rels", f'<Relationships xmlns="{ns}package/2006/relationships"><Relationship Id="rId1" '
                   f'Type="{relacion}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{ns}spreadsheetml/2006/main" xmlns:r="{relacion}"><sheets>'
                   '<sheet name="Hoja1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{ns}package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{relacion}/worksheet" Target="worksheets/sheet1.xml"/>'
                   '</Relationships>')
        celdas = lambda *textos: "".join(f'<c t="inlineStr"><is><t>{t}</t></is></c>' for t in textos)  # noqa: E731
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as hoja:
            hoja.write(f'<worksheet xmlns="{ns}spreadsheetml/2006/main"><sheetData><row>'.encode()
                       + celdas("Nombres", "Apellidos", "DNI", "Fecha de nacimiento", "Comunidad").encode() + b"</row>")
            bloque = (f"<row>{celdas('Ana', 'Pérez', '0318-1980-00001', '1980-01-01', 'Centro')}</row>" * 1000).encode()
            for _ in range(filas // 1000):
                hoja.write(bloque)
            hoja.write(b"</sheetData></worksheet>")
    return salida.getvalue()


def _memoria_pico(pid):
    """VmHWM: lo más que llegó a ocupar el proceso en memoria desde que arrancó (kB)."""
    with open(f"/proc/{pid}/status") as estado:
        return next(int(linea.split()[1]) for linea in estado if linea.startswith("VmHWM:"))


def test_bomba_xlsx_rechazada_rapido_sin_crecer_el_proceso_de_ayudas(sis):
    api = sis.api
    pid = sis.procesos["ayudas"].popen.pid
    bomba = _bomba(1_000_000)  # un millón de filas, ~300 MB de XML
    assert len(bomba) < 1_000_000
    antes = _memoria_pico(pid)
    inicio = time.monotonic()
    r = api.post("/api/v1/ayudas/importaciones", "promotora.0318",
                 files={"archivo": ("lista.xlsx", bomba, "application/octet-stream")})
    duracion = time.monotonic() - inicio
    assert r.status_code == 413, r.text
    [mensaje] = r.json()["detalles"]["archivo"]
    assert "comprime demasiado" in mensaje, mensaje
    # Holgados (máquina cargada): sin la revisión fueron 77 s y +500 MB con un archivo así.
    assert duracion < 25, duracion
    assert _memoria_pico(pid) - antes < 64 * 1024, (antes, _memoria_pico(pid))
    # Una lista de verdad sigue entrando.
    r = api.post("/api/v1/ayudas/importaciones", "promotora.0318",
                 files={"archivo": ("lista.xlsx", _lista(), "application/octet-stream")})
    assert r.status_code == 200 and r.json()["creadas"] == 3, r.text


def _lista():
    from openpyxl import Workbook
    libro = Workbook()
    hoja = libro.active
    hoja.append(["Nombres", "Apellidos", "DNI", "Fecha de nacimiento", "Comunidad"])
    for i in range(3):
        hoja.append([f"Ana{i}", "Pérez", f"0318-1980-{i:05d}", "01/01/1980", "Centro"])
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


# --- Bajo: bases SQLite y su carpeta solo para el usuario del proceso ------------------------------------------

def test_las_bases_sqlite_se_crean_0600_en_una_carpeta_0700(tmp_path):
    carpeta = tmp_path / "var"
    url = f"sqlite:///{carpeta}/notificaciones.db"
    migrar("notificaciones", url)  # como omm-migrar en scripts/run, que usa SQLite por omisión
    assert stat.S_IMODE(carpeta.stat().st_mode) == 0o700
    motor = crear_motor(url)
    try:
        with motor.connect() as conexion:
            with conexion.begin():
                conexion.exec_driver_sql("INSERT INTO reglas (id, municipio, codigo, evento, destinatario, canales, "
                                         "urgente, activa) VALUES ('r', '0309', 'x', 'y', 'cis', '[]', 0, 1)")
            # Con la conexión abierta SQLite mantiene el -wal y el -shm: los crea con el modo de la base.
            archivos = sorted(carpeta.glob("notificaciones.db*"))
            assert {a.name for a in archivos} >= {"notificaciones.db", "notificaciones.db-wal"}
            for archivo in archivos:
                assert stat.S_IMODE(archivo.stat().st_mode) == 0o600, archivo
    finally:
        motor.dispose()
    # La que dejó una versión anterior con 0644 se corrige al abrirla.
    os.chmod(carpeta / "notificaciones.db", 0o644)
    crear_motor(url).dispose()
    assert stat.S_IMODE((carpeta / "notificaciones.db").stat().st_mode) == 0o600
