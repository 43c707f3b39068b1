"""Barridos de privacidad tras una corrida sembrada por el gateway.

Se siembran por la API un caso de violencia (nombre, DNI, teléfono, comunidad, relato, nota de seguimiento
y motivo de una derivación urgente al CIS, con consentimiento), una beneficiaria con entrega de
medicamentos que avisa al CIS y una embarazada inscrita en el club con consentimiento. Mientras tanto
colas propias copian todo lo que pasa por cada intercambio del vhost. Luego se buscan los valores
sembrados en los eventos, las tareas de Celery, el tráfico RPC, cada log y un pg_dump de cada base.

Dónde deben estar (lo que cada prueba permite, todo lo demás es una fuga):
- Eventos y tareas de Celery: en ningún mensaje (referencias y categorías, nunca datos personales).
- RPC: cada dato solo en la conversación del personal (coordinadora/técnica/promotora) con el servicio
  dueño por el gateway: la solicitud y la respuesta. El relato, la nota y el motivo solo en la solicitud
  del método que los registra y en respuestas de casos a ese personal. Lo que el CIS puede recibir con
  consentimiento (nombre, teléfono; comunidad de beneficiaria y participante) además en la respuesta del
  dueño a la consulta de notificaciones (`datos_derivacion`, `contacto_para_salud`,
  `contacto_participante`) y en la respuesta de notificaciones a la bandeja del CIS o la coordinadora.
  El DNI, la comunidad de la sobreviviente y la observación de la entrega nunca salen del dueño.
- Logs: en ninguno.
- Bases: casos solo cifrado; ayudas y capacitaciones guardan en claro a su beneficiaria y su
  participante, y nada de los demás; notificaciones y gateway, nada.

Las usuarias son de Lamaní (0307), creadas aquí por la administración: fuera de las mancomunidades de
la demo, así ninguna cifra ni contacto de otra prueba cambia. Cada valor lleva una ficha aleatoria de
letras que no son hexadecimales: los datos de otras pruebas y los ids no pueden dar falsos positivos.
"""
import json
import re
import secrets
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jwt
import pytest
from kombu import Connection
from nameko.standalone.events import get_event_exchange

from omm_pruebas import CONTRASENA_PRUEBAS, esperar

from .sistema import SERVICIOS
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.integracion

M = "0307"
LETRAS = "ghjkmnpqrstvwxyz"  # sin a-f: una ficha nunca aparece dentro de un id hexadecimal
PERSONAL = {"casos": {"coordinadora", "tecnica"}, "ayudas": {"coordinadora", "tecnica", "promotora"},
            "capacitaciones": {"coordinadora", "tecnica", "promotora"}}
CONTACTO_CIS = {"casos": "datos_derivacion", "ayudas": "contacto_para_salud",
                "capacitaciones": "contacto_participante"}


def _ficha():
    return "".join(secrets.choice(LETRAS) for _ in range(9)).capitalize()


def _digitos(n):
    return "".join(secrets.choice("0123456789") for _ in range(n))


@dataclass(frozen=True)
class Dato:
    etiqueta: str
    duenio: str
    formas: tuple
    al_cis: bool = False  # con consentimiento puede llegar al CIS
    registra: str | None = None  # narrativas: único método del dueño que puede recibirlas


def _persona(prefijo, duenio, anio, nombre, apellido, comunidad, comunidad_al_cis):
    fichas = [_ficha() for _ in range(3)]
    dni = f"{M}-{anio}-{_digitos(5)}"
    a, b = f"9{_digitos(3)}", _digitos(4)
    valores = {"nombres": f"{nombre} {fichas[0]}", "apellidos": f"{apellido} {fichas[1]}", "dni": dni,
               "telefono": f"+504 {a}-{b}", "comunidad": f"{comunidad} {fichas[2]}"}
    datos = [Dato(f"{prefijo}.nombres", duenio, (fichas[0].lower(),), True),
             Dato(f"{prefijo}.apellidos", duenio, (fichas[1].lower(),), True),
             Dato(f"{prefijo}.dni", duenio, (dni, dni.replace("-", ""), dni.replace("-", " "))),
             Dato(f"{prefijo}.telefono", duenio, (f"{a}-{b}", f"{a}{b}", f"{a} {b}"), True),
             Dato(f"{prefijo}.comunidad", duenio, (fichas[2].lower(),), comunidad_al_cis)]
    return valores, datos


def _siembra():
    sobreviviente, datos = _persona("sobreviviente", "casos", 1992, "Yolany", "Zelaya", "Aldea", False)
    beneficiaria, d_b = _persona("beneficiaria", "ayudas", 1958, "Bertila", "Osorio", "Caserío", True)
    participante, d_p = _persona("participante", "capacitaciones", 2001, "Keyla", "Maradiaga", "Barrio", True)
    f = [_ficha() for _ in range(4)]
    textos = {"relato": f"Me amenazó con el machete {f[0]} frente a mis hijos en la quebrada",
              "nota": f"Llamó llorando {f[1]} desde la casa de su hermana",
              "motivo": f"Profilaxis y atención médica {f[2]} tras la agresión",
              "observaciones": f"Insulina para la diabetes {f[3]} según receta"}
    datos += [Dato("sobreviviente.relato", "casos", (f[0].lower(),), registra="crear_caso"),
              Dato("sobreviviente.nota", "casos", (f[1].lower(),), registra="registrar_seguimiento"),
              Dato("sobreviviente.motivo", "casos", (f[2].lower(),), registra="registrar_derivacion"),
              Dato("beneficiaria.observaciones", "ayudas", (f[3].lower(),))]
    return {"sobreviviente": sobreviviente, "beneficiaria": beneficiaria, "participante": participante,
            **textos}, datos + d_b + d_p


def _hallados(texto, datos):
    bajo = texto.lower()
    return [d for d in datos if any(forma.lower() in bajo for forma in d.formas)]


# --- Captura en RabbitMQ ---------------------------------------------------------------------------------

def _rabbitmqctl(*args):
    r = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=60, check=True)
    return r.stdout


def _listar(vhost, que, *campos):
    return json.loads(_rabbitmqctl(f"list_{que}", "-p", vhost, *campos, "--formatter", "json", "--quiet"))


@dataclass
class Mensaje:
    intercambio: str
    clave: str
    propiedades: dict
    cabeceras: dict
    cuerpo: str
    texto: str


class Captura:
    """Una cola propia por intercambio del vhost; los mensajes se copian ahí y se leen con basic_get.

    Tópicos con `#`, fanout sin clave, headers con x-match=all sin cabeceras (todo), directos con cada
    clave que tienen enlazada. El intercambio por defecto no admite enlaces: para él se enciende el
    firehose del vhost y se enlaza `publish.` (lo publicado al intercambio "") de amq.rabbitmq.trace.
    Celery publica sus tareas justamente ahí (intercambio "", clave notificaciones.envios).
    """

    def __init__(self, amqp):
        self.amqp, self.vhost = amqp, unquote(urlsplit(amqp).path.lstrip("/"))
        self.prefijo = f"privacidad.captura.{secrets.token_hex(4)}"
        self.colas, self.mensajes, self.intercambios = [], [], {}
        self.conexion = self.canal = None
        self.firehose = False

    def iniciar(self):
        self.conexion = Connection(self.amqp)
        self.canal = self.conexion.channel()
        # Un intercambio de eventos nace con su primer evento (notificaciones publica ya avanzada la
        # corrida): se declara antes, igual que lo declara nameko, para que también tenga su copia.
        for servicio in SERVICIOS:
            get_event_exchange(servicio, {}).bind(self.canal).declare()
        claves = {}
        for b in _listar(self.vhost, "bindings", "source_name", "routing_key"):
            claves.setdefault(b["source_name"], set()).add(b["routing_key"])
        for x in _listar(self.vhost, "exchanges", "name", "type"):
            nombre, tipo = x["name"], x["type"]
            self.intercambios[nombre] = tipo
            if nombre == "":
                continue
            if nombre == "amq.rabbitmq.trace":
                _rabbitmqctl("trace_on", "-p", self.vhost)
                self.firehose = True
                enlaces = [("publish.", None)]
            elif tipo == "topic":
                enlaces = [("#", None)]
            elif tipo == "fanout":
                enlaces = [("", None)]
            elif tipo == "headers":
                enlaces = [("", {"x-match": "all"})]
            else:  # direct: no hay comodín; se copian las claves que algún consumidor escucha
                enlaces = [(c, None) for c in sorted(claves.get(nombre, ()))]
            cola = f"{self.prefijo}.{len(self.colas)}"
            # x-expires: si la prueba muere sin limpiar, RabbitMQ borra la cola sola.
            self.canal.queue_declare(queue=cola, durable=False, auto_delete=False, arguments={"x-expires": 900000})
            for clave, argumentos in enlaces:
                self.canal.queue_bind(queue=cola, exchange=nombre, routing_key=clave, arguments=argumentos or {})
            self.colas.append(cola)
        return self

    def leer(self):
        for cola in self.colas:
            while (m := self.canal.basic_get(queue=cola, no_ack=True)) is not None:
                self.mensajes.append(self._mensaje(m))
        return self.mensajes

    @staticmethod
    def _mensaje(m):
        propiedades = dict(m.properties)
        cabeceras = dict(propiedades.pop("application_headers", None) or {})
        intercambio, clave = m.delivery_info["exchange"], m.delivery_info["routing_key"]
        if intercambio == "amq.rabbitmq.trace":  # copia del firehose: vale lo publicado originalmente
            intercambio = cabeceras.get("exchange_name", "")
            clave = (cabeceras.get("routing_keys") or [""])[0]
            original = cabeceras.get("properties") or {}
            cabeceras = dict(original.get("headers") or {})
            propiedades = {k: v for k, v in original.items() if k != "headers"}
        cuerpo = m.body.decode("utf-8", "replace") if isinstance(m.body, bytes) else str(m.body)
        try:  # el JSON puede traer \u00e9: se busca también en el texto ya decodificado
            normal = json.dumps(json.loads(cuerpo), ensure_ascii=False)
        except ValueError:
            normal = ""
        texto = "\n".join((cuerpo, normal, json.dumps(cabeceras, ensure_ascii=False, default=str),
                           json.dumps(propiedades, ensure_ascii=False, default=str)))
        return Mensaje(intercambio, clave, propiedades, cabeceras, cuerpo, texto)

    def terminar(self):
        try:
            if self.canal is not None:
                self.leer()
                for cola in self.colas:
                    self.canal.queue_delete(queue=cola)
        finally:
            if self.firehose:
                _rabbitmqctl("trace_off", "-p", self.vhost)
            if self.conexion is not None:
                self.conexion.release()

    def intercambios_finales(self):
        return {x["name"] for x in _listar(self.vhost, "exchanges", "name", "type")}


# --- Siembra por el gateway --------------------------------------------------------------------------------

def _crear(api, ruta, usuaria, cuerpo, clave):
    # Con Idempotency-Key, como la página web: la respuesta también puede quedar guardada.
    r = api.post(ruta, usuaria, json=cuerpo, cabeceras={"Idempotency-Key": clave})
    assert r.status_code == 201, f"{ruta}: {r.status_code} {r.text}"
    return r.json()


def _usuarias(api, sufijo):
    nombres = {}
    for rol in ("coordinadora", "tecnica", "cis"):
        usuario = f"{rol}.priv{sufijo}"
        r = api.post("/api/v1/usuarios", "admin", json={"usuario": usuario, "nombre": f"{rol.capitalize()} Lamaní",
                                                        "contrasena": CONTRASENA_PRUEBAS, "rol": rol, "municipio": M})
        assert r.status_code == 201, r.text
        nombres[rol] = usuario
    return nombres


def _sembrar(api, u, v, email_cis, telefono_cis, clave):
    hoy = hoy_honduras()
    for c in ({"clave": "cis", "nombre": "CIS Lamaní", "email": email_cis, "telefono": telefono_cis},
              {"clave": "coordinadora", "nombre": "OMM Lamaní", "email": f"omm.{clave}@prueba.hn",
               "telefono": "+504 2700-0307"}):
        r = api.put("/api/v1/notificaciones/destinatarios", u["coordinadora"], json=c)
        assert r.status_code == 200, r.text
    t = u["tecnica"]
    caso = _crear(api, "/api/v1/casos", t, {
        "fecha_atencion": hoy.isoformat(), "fecha_incidente": hoy.isoformat(),
        "sobreviviente": {**v["sobreviviente"], "fecha_nacimiento": "1992-03-04"},
        "tipos_violencia": ["sexual", "fisica"], "contexto": "expareja", "relato": v["relato"],
        "nivel_riesgo": "extremo", "agresor": {"relacion": "expareja", "sexo": "hombre", "grupo_edad": "30_44"},
        "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": True}}, f"{clave}-caso")
    _crear(api, f"/api/v1/casos/{caso['id']}/seguimientos", t, {
        "fecha": hoy.isoformat(), "tipo": "llamada", "nota": v["nota"],
        "proxima_fecha": (hoy + timedelta(days=30)).isoformat()}, f"{clave}-seguimiento")
    derivacion = _crear(api, f"/api/v1/casos/{caso['id']}/derivaciones", t,
                        {"destino": "cis", "motivo": v["motivo"], "urgente": True}, f"{clave}-derivacion")
    assert derivacion["urgente"] is True
    # Uso corriente: buscar el caso por DNI y por nombre, y abrirlo.
    for q in (v["sobreviviente"]["dni"], v["sobreviviente"]["apellidos"]):
        r = api.get("/api/v1/casos", t, params={"q": q})
        assert r.status_code == 200 and [x["id"] for x in r.json()["items"]] == [caso["id"]], r.text
    assert api.get(f"/api/v1/casos/{caso['id']}", t).status_code == 200

    tipo = f"med_{clave}"
    _crear(api, "/api/v1/ayudas/tipos", t, {"codigo": tipo, "nombre": "Ayuda para medicamentos",
                                             "categoria": "economica_medicamentos", "unidad": "lempiras",
                                             "frecuencia_dias": 30, "monto_maximo": 1500}, f"{clave}-tipo")
    beneficiaria = _crear(api, "/api/v1/ayudas/beneficiarias", t, {
        **v["beneficiaria"], "fecha_nacimiento": "1958-07-21", "condiciones": ["enfermedad_base", "tercera_edad"],
        "consentimiento_salud": True}, f"{clave}-beneficiaria")
    _crear(api, "/api/v1/ayudas/entregas", t, {
        "beneficiaria_id": beneficiaria["id"], "tipo_codigo": tipo, "cantidad": 1, "monto": 900,
        "fecha": hoy.isoformat(), "observaciones": v["observaciones"]}, f"{clave}-entrega")
    r = api.get("/api/v1/ayudas/beneficiarias", t, params={"dni": v["beneficiaria"]["dni"]})
    assert r.status_code == 200 and r.json()["total"] == 1, r.text

    club = _crear(api, "/api/v1/capacitaciones", t, {
        "titulo": "Club de embarazadas de Lamaní", "tipo": "club_embarazadas", "institucion": "CIS Lamaní",
        "lugar": "Centro de salud", "cupo": 30,
        "sesiones": [{"fecha": (hoy + timedelta(days=10)).isoformat(), "tema": "Control prenatal"}]}, f"{clave}-club")
    _crear(api, f"/api/v1/capacitaciones/{club['id']}/inscripciones", t, {
        "participante": {**v["participante"], "fecha_nacimiento": "2001-09-09", "embarazada": True,
                         "semanas_gestacion": 14},
        "consentimiento_salud": True}, f"{clave}-inscripcion")
    return caso


def _notificaciones(api, usuaria):
    r = api.get("/api/v1/notificaciones", usuaria, params={"por_pagina": 200})
    assert r.status_code == 200, r.text
    return r.json()["items"]


@dataclass
class Corrida:
    valores: dict
    datos: list
    mensajes: list
    intercambios: dict
    intercambios_finales: set
    caso: dict
    carpeta: Path
    urls: dict
    al_cis: list  # correos y SMS que salieron hacia el CIS


@pytest.fixture(scope="module")
def corrida(sistema, smtp, servidor_http):
    api, clave = sistema.api, secrets.token_hex(4)
    valores, datos = _siembra()
    u = _usuarias(api, clave)
    email_cis = f"cis.privacidad.{clave}@salud.prueba.hn"
    captura = Captura(sistema.amqp)
    antes_sms = len(servidor_http.recibidas)
    try:
        captura.iniciar()
        caso = _sembrar(api, u, valores, email_cis, "+504 2700-1307", clave)
        # Los avisos al CIS salen (correo con los tres nombres: hubo consentimiento) y todo queda enviado.
        fichas = [valores[p]["apellidos"] for p in ("sobreviviente", "beneficiaria", "participante")]
        esperar(lambda: all(f in "\n".join(smtp.textos(email_cis)) for f in fichas), 90, mensaje="correos al CIS")
        esperados = {"CasoDerivado", "AyudaEntregada", "ParticipanteInscrita"}

        def enviadas():
            ns = _notificaciones(api, u["coordinadora"])
            return ns if esperados <= {n["evento_tipo"] for n in ns} and all(
                n["estado"] == "enviada" for n in ns) else None
        ns = esperar(enviadas, 90, mensaje="notificaciones enviadas")
        assert any(n["canal"] == "sms" for n in ns)  # la derivación fue urgente
        assert api.get("/api/v1/notificaciones", u["cis"]).status_code == 200  # el CIS abre su bandeja
        # Hasta que el relay publique cada NotificacionEnviada: así también esos eventos pasan por el barrido.
        # Las de los eventos de esta corrida (la bandeja también tiene los avisos de la administración por crear
        # las cuentas, enviados antes de que empezara la captura).
        ids = {n["id"] for n in ns if n["evento_tipo"] in esperados}

        def publicadas():
            vistas = {json.loads(m.cuerpo)["datos"]["notificacion_id"] for m in captura.leer()
                      if m.clave == "NotificacionEnviada"}
            return ids <= vistas
        esperar(publicadas, 60, mensaje="eventos NotificacionEnviada")
    finally:
        captura.terminar()
    al_cis = smtp.textos(email_cis) + [r["cuerpo"].decode("utf-8", "replace")
                                       for r in servidor_http.recibidas[antes_sms:]]
    return Corrida(valores, datos, captura.mensajes, captura.intercambios, captura.intercambios_finales(), caso,
                   sistema.carpeta, sistema.urls, al_cis)


def _fugas(mensajes, datos, permitido=lambda m, d: False):
    fugas = []
    for m in mensajes:
        for d in _hallados(m.texto, datos):
            if not permitido(m, d):
                fugas.append(f"{d.etiqueta} en {m.intercambio or '(por defecto)'} / {m.clave}")
    return sorted(set(fugas))


def _eventos(corrida):
    return [m for m in corrida.mensajes if m.intercambio.endswith(".events")]


def _rpc(corrida):
    return [m for m in corrida.mensajes if m.intercambio == "nameko-rpc"]


def _otros(corrida):
    return [m for m in corrida.mensajes if m.intercambio != "nameko-rpc" and not m.intercambio.endswith(".events")]


# --- Pruebas -----------------------------------------------------------------------------------------------

def test_la_captura_cubre_cada_intercambio(corrida):
    assert set(corrida.intercambios) >= corrida.intercambios_finales, "apareció un intercambio sin cola de captura"
    assert {"nameko-rpc", "casos.events", "ayudas.events", "capacitaciones.events",
            "notificaciones.events"} <= set(corrida.intercambios)
    tipos = {m.clave for m in _eventos(corrida)}
    assert {"CasoRegistrado", "SeguimientoRegistrado", "CasoDerivado", "BeneficiariaRegistrada", "AyudaEntregada",
            "ParticipanteInscrita", "NotificacionEnviada"} <= tipos
    assert any(m.cabeceras.get("task") == "notificaciones.tareas.enviar" for m in _otros(corrida))


def test_ningun_evento_lleva_nombres_dni_telefonos_ni_relatos(corrida):
    assert _fugas(_eventos(corrida), corrida.datos) == []


def test_las_tareas_de_celery_no_llevan_datos_personales(corrida):
    otros = _otros(corrida)
    assert any(m.cabeceras.get("task") for m in otros)
    assert _fugas(otros, corrida.datos) == []


def _pedidos(rpc):
    """Cada solicitud por su correlation_id, con quién la hizo (rol del token y primer eslabón de la cadena)."""
    pedidos = {}
    for m in rpc:
        if m.propiedades.get("reply_to"):
            token = m.cabeceras.get("nameko.omm_token")
            rol = jwt.decode(token, options={"verify_signature": False})["rol"] if token else None
            cadena = m.cabeceras.get("nameko.call_id_stack") or [""]
            servicio, _, metodo = m.clave.partition(".")
            pedidos[m.propiedades.get("correlation_id")] = {
                "servicio": servicio, "metodo": metodo, "rol": rol, "gateway": cadena[0].startswith("gateway.")}
    return pedidos


def test_el_trafico_rpc_lleva_cada_dato_solo_donde_debe(corrida):
    rpc = _rpc(corrida)
    pedidos = _pedidos(rpc)

    def permitido(m, d):
        es_pedido = bool(m.propiedades.get("reply_to"))
        p = pedidos.get(m.propiedades.get("correlation_id"))
        if p is None:
            return False
        del_personal = p["gateway"] and p["servicio"] == d.duenio and p["rol"] in PERSONAL[d.duenio]
        if d.registra:  # relato, nota y motivo: la solicitud que los registra y las respuestas de casos
            return del_personal and (not es_pedido or p["metodo"] == d.registra)
        if del_personal:
            return True
        if not d.al_cis or es_pedido:
            return False
        # Con consentimiento: el dueño responde a notificaciones, y notificaciones a la bandeja.
        return ((p["servicio"] == d.duenio and p["metodo"] == CONTACTO_CIS[d.duenio] and p["rol"] == "servicio")
                or (p["servicio"] == "notificaciones" and p["gateway"] and p["rol"] in ("cis", "coordinadora")))

    # Control: el barrido sí ve los datos donde deben estar.
    vistos = {(pedidos.get(m.propiedades.get("correlation_id"), {}).get("metodo"), d.etiqueta)
              for m in rpc for d in _hallados(m.texto, corrida.datos)}
    assert {("crear_caso", "sobreviviente.relato"), ("registrar_derivacion", "sobreviviente.motivo"),
            ("datos_derivacion", "sobreviviente.apellidos"), ("contacto_para_salud", "beneficiaria.apellidos"),
            ("contacto_participante", "participante.apellidos")} <= vistos
    assert _fugas(rpc, corrida.datos, permitido) == []


def test_al_cis_solo_sale_lo_consentido(corrida):
    hallados = {d.etiqueta for texto in corrida.al_cis for d in _hallados(texto, corrida.datos)}
    assert "sobreviviente.apellidos" in hallados  # control: hubo consentimiento para la derivación
    # Nunca el DNI, la comunidad de la sobreviviente, el relato, la nota, el motivo ni la observación.
    assert hallados <= {d.etiqueta for d in corrida.datos if d.al_cis}


def test_ningun_log_tiene_datos_personales(corrida):
    logs = sorted(corrida.carpeta.rglob("*.log"))
    assert {p.stem for p in logs} >= {"casos", "ayudas", "capacitaciones", "notificaciones", "gateway", "relays",
                                      "celery_worker"}
    fugas = []
    for p in logs:
        for n, linea in enumerate(p.read_text(errors="replace").splitlines(), 1):
            fugas += [f"{d.etiqueta} en {p.name}:{n}: {linea[:200]}" for d in _hallados(linea, corrida.datos)]
    assert fugas == []
    # Control: las búsquedas por DNI y nombre sí quedaron en el log de acceso, sin su consulta.
    assert "GET /api/v1/casos?<consulta omitida>" in (corrida.carpeta / "gateway.log").read_text(errors="replace")


def _volcado(url):
    """pg_dump de la base, celda por celda: ('tabla.columna', valor); fuera de los COPY, ('(esquema)', línea)."""
    salida = subprocess.run(["pg_dump", "--no-owner", url], capture_output=True, text=True, timeout=180,
                            check=True).stdout
    tabla = None
    for linea in salida.splitlines():
        if tabla is None:
            copia = re.match(r"COPY (\S+) \((.*)\) FROM stdin;$", linea)
            if copia:
                tabla = copia.group(1).removeprefix("public.")
                columnas = [c.strip().strip('"') for c in copia.group(2).split(",")]
            else:
                yield "(esquema)", linea
        elif linea == "\\.":
            tabla = None
        else:
            for columna, valor in zip(columnas, linea.split("\t")):
                yield f"{tabla}.{columna}", valor


def _fugas_en_base(corrida, servicio, datos):
    fugas = {}
    for lugar, valor in _volcado(corrida.urls[servicio]):
        for d in _hallados(valor, datos):
            fugas.setdefault(lugar, set()).add(d.etiqueta)
    return fugas


def test_la_base_de_casos_guarda_todo_cifrado(corrida):
    celdas = [v for _, v in _volcado(corrida.urls["casos"])]
    assert corrida.caso["codigo"] in celdas  # control: el caso está en esta base
    assert _fugas_en_base(corrida, "casos", corrida.datos) == {}


def test_ayudas_y_capacitaciones_guardan_solo_a_su_persona(corrida):
    for servicio, propia in (("ayudas", "beneficiaria"), ("capacitaciones", "participante")):
        ajenos = [d for d in corrida.datos if d.duenio != servicio]
        assert _fugas_en_base(corrida, servicio, ajenos) == {}, servicio
        # Su propia persona está (control: el nombre, en claro), pero DNI y teléfono van cifrados (issue 16),
        # como las condiciones y el embarazo (tests en services/ayudas y services/capacitaciones).
        celdas = [v for _, v in _volcado(corrida.urls[servicio])]
        assert corrida.valores[propia]["nombres"] in celdas
        for dato in (corrida.valores[propia]["dni"], corrida.valores[propia]["dni"].replace("-", ""),
                     corrida.valores[propia]["telefono"].split()[-1]):
            assert not [c for c in celdas if dato in c], (servicio, dato)


def test_la_base_de_notificaciones_no_guarda_datos_personales(corrida):
    # El texto de la bandeja (con lo que el dueño compartió para el CIS) se guarda cifrado.
    assert _fugas_en_base(corrida, "notificaciones", corrida.datos) == {}


def test_la_base_del_gateway_no_guarda_datos_personales(corrida):
    fugas = _fugas_en_base(corrida, "gateway", corrida.datos)
    # Las respuestas guardadas por Idempotency-Key van cifradas (y se borran al día).
    assert fugas == {}
