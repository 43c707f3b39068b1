"""Fallas reales mientras una clienta registra 500 entregas por el gateway.

(a) RabbitMQ se detiene 20 s y vuelve, (b) el servicio de notificaciones muere con SIGKILL y se
relanza, (c) el worker de Celery muere con SIGKILL a mitad de una tarea y se relanza, (d)
PostgreSQL se reinicia. Después de cada una: toda entrega que la clienta vio registrada (201, o
200 al repetir la clave) existe una sola vez, cada AyudaEntregada dio exactamente una notificación
al CIS por correo (y una en la bandeja), el servidor SMTP real recibió un solo correo por entrega,
y los servicios siguieron sin que nadie hiciera nada.

Las fallas se inyectan a un nodo RabbitMQ y a un clúster PostgreSQL propios (tests/fallas.py):
los compartidos de la máquina no se tocan.
"""
import time
from collections import Counter
from contextlib import contextmanager

import pytest
import requests
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from omm_pruebas import esperar, puerto_libre

from .fallas import BuzonConTrampa, ClienteEntregas, PostgresPrivado, RabbitPrivado, SistemaConBeat
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.fallas

M = "0309"
TECNICA = f"tecnica.{M}"
CIS = "cis.0309@fallas.prueba.hn"
TIPO = "med_fallas"
N = 500
N_BENEFICIARIAS = 10


class Entorno:
    def __init__(self, sistema, rabbit, pg, buzon):
        self.sistema, self.rabbit, self.pg, self.buzon = sistema, rabbit, pg, buzon
        self.beneficiarias = []
        self.motores = {}

    def motor(self, servicio):
        if servicio not in self.motores:
            self.motores[servicio] = sa.create_engine(self.sistema.urls[servicio], pool_pre_ping=True)
        return self.motores[servicio]

    def consultar(self, servicio, sql, **params):
        with self.motor(servicio).connect() as c:
            return c.execute(sa.text(sql), params).all()


def _preparar_datos(entorno):
    api = entorno.sistema.api
    for c in ({"clave": "cis", "nombre": "CIS Lejamaní", "email": CIS, "telefono": "+504 2700-0309"},
              {"clave": "coordinadora", "nombre": "OMM Lejamaní", "email": "omm.0309@fallas.prueba.hn",
               "telefono": "+504 2700-0000"}):
        r = api.put("/api/v1/notificaciones/destinatarios", f"coordinadora.{M}", json=c)
        assert r.status_code == 200, r.text
    # Frecuencia 0: la misma beneficiaria puede recibir el mismo tipo el mismo día sin 409.
    r = api.post("/api/v1/ayudas/tipos", TECNICA, json={
        "codigo": TIPO, "nombre": "Medicamentos", "categoria": "economica_medicamentos", "unidad": "lempiras",
        "frecuencia_dias": 0, "monto_maximo": 1500})
    assert r.status_code == 201, r.text
    # Un presupuesto que alcanza para las entregas de todos los escenarios.
    r = api.put("/api/v1/ayudas/presupuesto", f"coordinadora.{M}",
                json={"anio": hoy_honduras().year, "monto": 10_000_000})
    assert r.status_code == 200, r.text
    for i in range(N_BENEFICIARIAS):
        r = api.post("/api/v1/ayudas/beneficiarias", TECNICA, json={
            "nombres": f"Paciente{i}", "apellidos": "Fallas", "dni": f"{M}-1960-{i + 1:05d}",
            "fecha_nacimiento": "1960-01-01", "comunidad": "Centro", "condiciones": ["enfermedad_base"],
            "consentimiento_salud": True})
        assert r.status_code == 201, r.text
        entorno.beneficiarias.append(r.json()["id"])


@pytest.fixture(scope="module")
def entorno(tmp_path_factory):
    """Un sistema completo (con beat) sobre RabbitMQ y PostgreSQL privados, para los cuatro escenarios."""
    rabbit, pg = RabbitPrivado(), PostgresPrivado()
    buzon = BuzonConTrampa()
    smtp = Controller(buzon, hostname="127.0.0.1", port=puerto_libre())
    smtp.start()
    sistema = None
    try:
        rabbit.iniciar()
        pg.iniciar()
        sistema = SistemaConBeat(rabbit.url, pg.crear_base, tmp_path_factory.mktemp("fallas"),
                                 SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_REMITENTE="omm@fallas.prueba.hn",
                                 NOTIFICACIONES_ESPERA_BASE="2").preparar()
        sistema.arrancar()
        e = Entorno(sistema, rabbit, pg, buzon)
        _preparar_datos(e)
        yield e
        for m in e.motores.values():
            m.dispose()
    finally:
        if sistema is not None:
            sistema.detener()
        rabbit.parar()
        pg.borrar()
        smtp.stop()


@pytest.fixture(autouse=True)
def sano(entorno):
    """Cada escenario empieza con todo en pie, aunque el anterior haya dejado un proceso caído."""
    s = entorno.sistema
    entorno.buzon.soltar()
    for nombre in s.muertos():
        s.iniciar(nombre)
    esperar(lambda: requests.get(f"{s.api.base}/health", timeout=10).json()["estado"] == "ok", 90,
            mensaje="sistema sano antes del escenario")


def _cuerpo(entorno):
    hoy = hoy_honduras().isoformat()

    def cuerpo(i):
        return {"beneficiaria_id": entorno.beneficiarias[i % len(entorno.beneficiarias)], "tipo_codigo": TIPO,
                "cantidad": 1, "monto": 100, "fecha": hoy}
    return cuerpo


def _con_falla(entorno, prefijo, falla, tras=150):
    """Registra N entregas y, cuando van `tras`, inyecta la falla; devuelve lo que vio la clienta."""
    s = entorno.sistema
    cliente = ClienteEntregas(s.api.base, TECNICA, _cuerpo(entorno), prefijo, N).iniciar()
    inicio = time.time()
    cliente.esperar_exitosas(tras)
    try:
        falla(cliente)
    except BaseException:
        cliente.detener()
        raise
    resultados = cliente.terminar(s)
    reintentos = Counter(str(x) for r in resultados.values() for x in r["errores"])
    print(f"\n[{prefijo}] {N} entregas en {time.time() - inicio:.0f} s; "
          f"{sum(1 for r in resultados.values() if r['errores'])} necesitaron reintento: {dict(reintentos)}")
    return resultados


@contextmanager
def _entregas_en_curso(entorno):
    """Retiene el presupuesto con un bloqueo real de PostgreSQL hasta que haya entregas esperándolo
    dentro de ayudas: la falla las encuentra siempre a mitad de camino (con carga casi siempre pasa)."""
    conexion = entorno.motor("ayudas").connect()
    tx = conexion.begin()
    try:
        conexion.execute(sa.text("SELECT 1 FROM presupuestos WHERE municipio = :m FOR UPDATE"), {"m": M})
        esperar(lambda: entorno.consultar("ayudas", "SELECT count(*) FROM pg_stat_activity WHERE "
                                                    "datname = current_database() AND wait_event_type = 'Lock'"
                                          )[0][0] >= 2, 30, 0.05, "entregas esperando el presupuesto")
        yield
    finally:
        try:
            tx.rollback()
            conexion.close()
        except sa.exc.DBAPIError:  # PostgreSQL se detuvo con esta conexión abierta
            conexion.invalidate()


def _notificaciones(entorno, entregas):
    filas = entorno.consultar("notificaciones", "SELECT id, canal, estado, referencia FROM notificaciones "
                              "WHERE evento_tipo = 'AyudaEntregada' AND destinatario = 'cis'")
    por_entrega = {}
    for id_, canal, estado, ref in filas:
        entrega = (ref or {}).get("entrega_id")
        if entrega in entregas:
            por_entrega.setdefault(entrega, []).append((id_, canal, estado))
    return por_entrega


def _verificar(entorno, prefijo, resultados):
    """Junta todo lo que no se cumple y lo dice de una vez."""
    s = entorno.sistema
    problemas = []

    # 1. La clienta terminó: cada entrega quedó registrada tras reintentar con su clave.
    no_exitosas = {k: r for k, r in resultados.items() if r["estado"] not in (200, 201)}
    if no_exitosas:
        muestra = {k: (r["estado"], r["errores"][-3:]) for k, r in list(no_exitosas.items())[:3]}
        problemas.append(f"{len(no_exitosas)} entregas nunca se vieron registradas (clave: último estado, "
                         f"últimos errores): {muestra}")
    vistas = {r["id"]: k for k, r in resultados.items() if r["id"]}

    # 2. Cada entrega vista existe una sola vez, con el id que recibió la clienta.
    filas = entorno.consultar("ayudas", "SELECT clave_idempotencia, id FROM entregas "
                                        "WHERE clave_idempotencia LIKE :p", p=f"{prefijo}-%")
    repetidas = {c: n for c, n in Counter(c for c, _ in filas).items() if n != 1}
    if repetidas:
        problemas.append(f"entregas guardadas más de una vez: {repetidas}")
    guardadas = {i for _, i in filas}
    claves = {i: c for c, i in filas}
    perdidas = sorted(k for i, k in vistas.items() if i not in guardadas)
    if perdidas:
        problemas.append(f"entregas confirmadas a la clienta que no existen: {perdidas[:10]}")
    sin_saberlo = sorted(c for c, i in filas if i not in vistas)
    if sin_saberlo:
        problemas.append(f"entregas guardadas que la clienta nunca vio confirmadas: {sin_saberlo[:10]}")

    # 3. Un solo evento AyudaEntregada por entrega guardada, y el outbox publicado.
    eventos = Counter(d["entrega_id"] for (d,) in entorno.consultar(
        "ayudas", "SELECT datos FROM outbox WHERE tipo = 'AyudaEntregada'") if d["entrega_id"] in guardadas)
    mal = {claves[i]: eventos.get(i, 0) for i in guardadas if eventos.get(i, 0) != 1}
    if mal:
        problemas.append(f"entregas sin exactamente un evento AyudaEntregada: {dict(list(mal.items())[:10])}")
    try:
        esperar(lambda: not entorno.consultar("ayudas", "SELECT 1 FROM outbox WHERE publicado_en IS NULL"), 60,
                mensaje="outbox de ayudas publicado")
    except AssertionError as exc:
        problemas.append(str(exc))

    # 4. Exactamente una notificación por correo y una en la bandeja del CIS por entrega, enviadas sin
    #    pasos manuales (el beat reencola las que quedaron pendientes sin tarea).
    esperado = [("bandeja", "enviada"), ("email", "enviada")]

    def todas_enviadas():
        por_entrega = _notificaciones(entorno, guardadas)
        return len(por_entrega) == len(guardadas) and all(
            sorted((c, e) for _, c, e in v) == esperado for v in por_entrega.values())
    inicio = time.time()
    try:
        esperar(todas_enviadas, 180, 1, "todas las notificaciones al CIS enviadas")
        print(f"[{prefijo}] avisos al CIS enviados {time.time() - inicio:.0f} s después de la última entrega")
    except AssertionError:
        por_entrega = _notificaciones(entorno, guardadas)
        resumen = Counter(tuple(sorted((c, e) for _, c, e in v)) for v in por_entrega.values())
        problemas.append(f"notificaciones al CIS por entrega ({len(por_entrega)} de {len(guardadas)} "
                         f"entregas con alguna): {dict(resumen)}")
    por_entrega = _notificaciones(entorno, guardadas)

    # 5. El servidor SMTP real recibió un solo correo por entrega (ni falta ni sobra).
    time.sleep(2)  # una tarea reentregada que fuera a duplicar ya habría llegado
    correos = entorno.buzon.por_notificacion()
    email_de = {e: next((i for i, c, _ in v if c == "email"), None) for e, v in por_entrega.items()}
    recibidos = {e: correos.get(email_de.get(e), 0) for e in guardadas}
    faltan = sorted(claves[e] for e, n in recibidos.items() if n == 0)
    if faltan:
        problemas.append(f"entregas cuyo correo no llegó al SMTP: {faltan[:10]}")
    dobles = {claves[e]: n for e, n in recibidos.items() if n > 1}
    if dobles:
        problemas.append(f"correos recibidos más de una vez por el SMTP (clave: cantidad): {dobles}")

    # 6. Todo sigue en pie sin intervención: procesos vivos y salud completa.
    if s.muertos():
        problemas.append(f"procesos caídos: {s.muertos()}")
    try:
        esperar(lambda: requests.get(f"{s.api.base}/health", timeout=10).json()["estado"] == "ok", 60,
                mensaje="salud del gateway")
    except AssertionError as exc:
        problemas.append(str(exc))

    if problemas:
        raise AssertionError(f"[{prefijo}] " + "\n".join(problemas))


def test_a_rabbitmq_detenido_20_s(entorno):
    def falla(cliente):
        with _entregas_en_curso(entorno):
            entorno.rabbit.detener_app()
        time.sleep(20)
        entorno.rabbit.iniciar_app()
    _verificar(entorno, "a-rabbit", _con_falla(entorno, "a-rabbit", falla))


def test_b_notificaciones_muere_con_sigkill(entorno):
    s = entorno.sistema

    def falla(cliente):
        s.procesos["notificaciones"].matar()
        s.iniciar("notificaciones")
    _verificar(entorno, "b-notif", _con_falla(entorno, "b-notif", falla))


def _matar_worker_en(entorno, punto):
    """SIGKILL al worker (todo su grupo) con sus dos tareas detenidas en `punto` de la conversación SMTP; luego se relanza."""
    s, buzon = entorno.sistema, entorno.buzon
    buzon.armar(punto)
    try:
        esperar(lambda: buzon.retenidas >= 2, 60, 0.05, f"las dos tareas del worker en {punto}")
        s.procesos["celery_worker"].matar()
    finally:
        buzon.soltar()
    s.iniciar("celery_worker")


def test_c_worker_muere_a_mitad_de_tarea(entorno):
    def falla(cliente):
        # Antes de que el servidor acepte: la tarea reentregada debe enviar una sola vez.
        _matar_worker_en(entorno, "RCPT")
        cliente.esperar_exitosas(300)
        # Con el correo ya aceptado (250 al DATA), en la despedida: la tarea reentregada no lo repite.
        _matar_worker_en(entorno, "QUIT")
    _verificar(entorno, "c-worker", _con_falla(entorno, "c-worker", falla))


def test_d_postgresql_se_reinicia(entorno):
    def falla(cliente):
        with _entregas_en_curso(entorno):
            entorno.pg.detener()
        time.sleep(5)
        entorno.pg.arrancar()
    _verificar(entorno, "d-pg", _con_falla(entorno, "d-pg", falla))
