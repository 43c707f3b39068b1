"""Issue 16, hallazgo 3 (el broker era un libro abierto), jugado como quien ataca con las credenciales de un proceso.

Con el usuario de RabbitMQ de CADA tipo de proceso (omm_common/broker.py) se intenta lo que antes hacía falta
para leerlo todo: ligar una cola a `nameko-rpc` o a `casos.events` con `#`, ligar las respuestas de otro,
consumir la cola de pedidos de otro servicio, publicar un evento en el intercambio de otro. El broker lo
rechaza (ACCESS_REFUSED). Cada intento se repite con el arnés (permisos totales en el vhost): ahí funciona, así
que la prueba puede fallar. Y el sistema, con esos usuarios, sigue funcionando de punta a punta.
"""
import uuid
from urllib.parse import unquote, urlsplit

import amqp
import pytest
from amqp.exceptions import AccessRefused

import omm_pruebas
from omm_common import broker
from omm_pruebas import esperar
from omm_common.tiempo import hoy_honduras

M = "0412"
NOMBRE = "Eulalia Paguada"


def _conectar(uri):
    p = urlsplit(uri)
    conexion = amqp.Connection(f"{p.hostname}:{p.port}", userid=unquote(p.username), password=unquote(p.password),
                               virtual_host=unquote(p.path[1:]), connect_timeout=10)
    conexion.connect()
    return conexion


def _intentar(uri, accion):
    """Corre accion(canal) con las credenciales de `uri`; devuelve la excepción del broker o None si pudo."""
    conexion = _conectar(uri)
    try:
        accion(conexion.channel())
        return None
    except AccessRefused as exc:
        return exc
    finally:
        try:
            conexion.close()
        except Exception:  # el broker ya cerró el canal o la conexión tras el 403
            pass


def _cola_propia(tipo):
    """Un nombre de cola que `tipo` sí puede declarar (su cola de respuestas), para que lo rechazado sea la liga."""
    if tipo in broker.SERVICIOS or tipo == "celery":
        return f"rpc.reply-{tipo}-{uuid.uuid4()}"
    return f"espia-{uuid.uuid4().hex}"  # relays no declara colas: ni eso puede


def _espiar(intercambio, clave, tipo):
    def accion(canal):
        cola = _cola_propia(tipo)
        canal.queue_declare(cola, auto_delete=True, arguments={"x-expires": 60000})
        canal.queue_bind(cola, intercambio, clave)
    return accion


def _publicar(intercambio, clave, cuerpo=b"{}"):
    def accion(canal):
        canal.confirm_select()
        canal.basic_publish_confirm(amqp.Message(cuerpo, content_type="application/json"), exchange=intercambio,
                                    routing_key=clave)
    return accion


# --- sin infraestructura: la tabla dice lo mismo que el código ---

def test_la_tabla_de_eventos_consumidos_es_la_de_los_manejadores():
    from casos.service import Casos
    from notificaciones.service import Notificaciones
    from omm_common.colas import colas_de
    for clase in (Notificaciones, Casos):
        reales = {}
        for cola in colas_de(clase):
            reales.setdefault(cola.exchange.name.removesuffix(".events"), set()).add(cola.routing_key)
        assert reales == {o: set(t) for o, t in broker.CONSUME[clase.name].items()}, clase.name


def test_nadie_puede_ligar_comodines_ni_lo_ajeno():
    import re
    for tipo in broker.TIPOS:
        p = broker.permisos(tipo)
        for intercambio, (escritura, lectura) in p.topicos.items():
            for clave in ("#", "*.*", "*", "casos.#", "rpc.reply-gateway-" + str(uuid.uuid4()), str(uuid.uuid4())):
                if clave.startswith("rpc.reply-gateway") and tipo == "gateway":
                    continue
                assert not re.match(lectura, clave), (tipo, intercambio, clave)
        assert not re.match(p.read, "rpc-casos") or tipo == "casos"
        assert not re.match(p.write, "casos.events") or tipo == "relays"


# --- contra el RabbitMQ real, con el sistema en marcha y sus usuarios ---

pytestmark_integracion = pytest.mark.integracion


@pytestmark_integracion
@pytest.mark.parametrize("tipo", broker.TIPOS)
def test_con_las_credenciales_de_cada_proceso_no_se_liga_una_cola_espia(sistema, tipo):
    uri = sistema.uris[tipo]
    for intercambio in ("nameko-rpc", "casos.events", "ayudas.events"):
        for clave in ("#", "*.*", "casos.*" if intercambio == "nameko-rpc" else "CasoRegistrado"):
            if intercambio == "nameko-rpc" and clave == "casos.*" and tipo == "casos":
                continue  # la suya
            error = _intentar(uri, _espiar(intercambio, clave, tipo))
            assert error is not None, f"{tipo} pudo ligar {clave} a {intercambio}"
    # Control: la operadora del vhost sí puede (sin permisos la prueba no distinguiría nada).
    assert _intentar(sistema.amqp, _espiar("nameko-rpc", "#", "arnes")) is None


@pytestmark_integracion
@pytest.mark.parametrize("tipo", [t for t in broker.TIPOS if t != "gateway"])
def test_nadie_liga_ni_lee_las_respuestas_del_gateway(sistema, tipo):
    # Quien atiende un pedido del gateway ve su reply_to; con él ya no liga una cola para copiar las respuestas.
    clave = f"rpc.reply-gateway-{uuid.uuid4()}"
    assert _intentar(sistema.uris[tipo], _espiar("nameko-rpc", clave, tipo)) is not None
    # Ni declarar una cola con el nombre de las del gateway.
    assert _intentar(sistema.uris[tipo], lambda c: c.queue_declare(clave, auto_delete=True)) is not None


@pytestmark_integracion
@pytest.mark.parametrize("tipo", ["ayudas", "gateway", "notificaciones", "celery", "reportes"])
def test_un_evento_de_casos_publicado_con_otras_credenciales_lo_rechaza_el_broker(sistema, tipo):
    error = _intentar(sistema.uris[tipo], _publicar("casos.events", "CasoDerivado"))
    assert error is not None and error.code == 403, tipo
    # Control: los relays publican ahí (una clave sin colas ligadas: no llega a nadie).
    assert _intentar(sistema.uris["relays"], _publicar("casos.events", "PruebaSinColas")) is None


@pytestmark_integracion
def test_ayudas_no_consume_los_pedidos_de_casos_ni_pide_a_casos(sistema):
    ayudas = sistema.uris["ayudas"]
    error = _intentar(ayudas, lambda c: c.basic_consume("rpc-casos", callback=lambda m: None))
    assert error is not None and "rpc-casos" in str(error)
    error = _intentar(ayudas, lambda c: c.basic_get("rpc-casos"))
    assert error is not None
    # Ni publica un pedido a casos.obtener_caso (las respuestas de casos sí: responde a quien la llame).
    error = _intentar(ayudas, _publicar("nameko-rpc", "casos.obtener_caso"))
    assert error is not None and error.code == 403
    # Control: reportes sí pide a casos, con su cola de respuestas ligada por su nombre (omm_common/rpc.py).
    from omm_common.rpc import proxy_rpc
    with proxy_rpc("reportes", sistema.uris["reportes"], timeout=20) as rpc:
        assert rpc.casos.ping() == "ok"


@pytestmark_integracion
def test_con_usuarios_restringidos_el_sistema_funciona_de_punta_a_punta(sistema, smtp):
    api = sistema.api
    for rol in ("tecnica", "coordinadora", "cis"):
        r = api.post("/api/v1/usuarios", "admin", json={
            "usuario": f"{rol}.{M}", "nombre": f"{rol} {M}", "rol": rol, "municipio": M,
            "contrasena": omm_pruebas.CONTRASENA_PRUEBAS})
        assert r.status_code in (201, 409), r.text
    correo = f"cis.{M}@salud.prueba.hn"
    r = api.put("/api/v1/notificaciones/destinatarios", f"coordinadora.{M}",
                json={"clave": "cis", "nombre": f"CIS {M}", "email": correo})
    assert r.status_code == 200, r.text
    r = api.patch("/api/v1/notificaciones/reglas/medicamentos_cis", f"coordinadora.{M}", json={"canales": ["email"]})
    assert r.status_code == 200, r.text
    api.post("/api/v1/ayudas/tipos", f"tecnica.{M}", json={
        "codigo": "med", "nombre": "Medicamentos", "categoria": "economica_medicamentos", "unidad": "L",
        "frecuencia_dias": 0, "monto_maximo": 1500})
    # Una RPC del gateway (ayudas) y un evento por el relay hasta notificaciones; el worker de Celery pide el
    # contacto a ayudas por RPC con su usuario y manda el aviso al CIS.
    b = api.post("/api/v1/ayudas/beneficiarias", f"tecnica.{M}", json={
        "nombres": "Eulalia", "apellidos": "Paguada", "dni": f"{M}-1950-00001", "fecha_nacimiento": "1950-01-01",
        "comunidad": "Centro", "consentimiento_salud": True})
    assert b.status_code == 201, b.text
    r = api.post("/api/v1/ayudas/entregas", f"tecnica.{M}", json={
        "beneficiaria_id": b.json()["id"], "tipo_codigo": "med", "cantidad": 1, "monto": 300,
        "fecha": hoy_honduras().isoformat()})
    assert r.status_code == 201, r.text
    esperar(lambda: any(NOMBRE in t for t in smtp.textos(correo)), 90, mensaje="aviso al CIS por correo")
    # /health: el gateway lee la cola de Celery y el worker contesta su ping, todo con sus usuarios.
    salud = api.get("/health").json()
    assert salud["estado"] == "ok", salud
    # Y sin rodeos: nada se cayó por un permiso que faltaba (la tarea periódica habría tapado un encolado fallido).
    for nombre in sistema.procesos:
        assert "ACCESS_REFUSED" not in sistema.log(nombre) and "AccessRefused" not in sistema.log(nombre), nombre


@pytestmark_integracion
def test_pedidos_rpc_malformados_no_tumban_al_servicio(sistema):
    """Quien puede pedir a ayudas (el gateway) pone en el broker pedidos que nameko no esperaba: sin reply_to,
    sin args, un cuerpo que no es un objeto, uno que no es JSON. Antes, el primero mataba el contenedor de
    ayudas entero (KeyError al responder). Ahora se descartan con una línea en el log y ayudas sigue atendiendo."""
    from omm_common.rpc import proxy_rpc
    gateway = sistema.uris["gateway"]

    def pedir(cuerpo, reply_to=True, tipo="application/json"):
        def accion(canal):
            canal.confirm_select()
            propiedades = {"content_type": tipo}
            if reply_to:
                propiedades.update(reply_to=f"rpc.reply-gateway-{uuid.uuid4()}", correlation_id=uuid.uuid4().hex)
            canal.basic_publish_confirm(amqp.Message(cuerpo, **propiedades), exchange="nameko-rpc",
                                        routing_key="ayudas.ping")
        return accion

    for cuerpo, reply_to, tipo in ((b'{"args": [], "kwargs": {}}', False, "application/json"),
                                   (b'{"kwargs": {}}', False, "application/json"),
                                   (b'["no", "soy", "un", "objeto"]', True, "application/json"),
                                   (b"\xff no es json", True, "application/json"),
                                   (b"texto", False, "text/plain")):
        assert _intentar(gateway, pedir(cuerpo, reply_to, tipo)) is None
    with proxy_rpc("gateway", gateway, timeout=20) as rpc:
        for _ in range(3):
            assert rpc.ayudas.ping() == "ok"
    esperar(lambda: "pedido RPC descartado" in (sistema.carpeta / "ayudas.log").read_text(), 30,
            mensaje="el descarte queda en el log de ayudas")
