"""El servicio real (nameko run) contra RabbitMQ y PostgreSQL reales, llamado por RPC."""
import base64
import calendar
import io
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from nameko.exceptions import RemoteError

from omm_common.errores import desde_error_remoto
from omm_common.migraciones import migrar
from omm_pruebas import cliente_rpc, token, token_de_servicio_prueba
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.integracion

HACE = hoy_honduras() - timedelta(days=120)  # sesiones ya realizadas, lejos del cambio de día en Honduras


@pytest.fixture(scope="module")
def capacitaciones(base_pg_modulo, servicio_real_modulo):
    url = base_pg_modulo("capacitaciones")
    migrar("capacitaciones", url)
    servicio_real_modulo("capacitaciones", "Capacitaciones", CAPACITACIONES_DB_URL=url)
    return url


@pytest.fixture(scope="module")
def tecnica(capacitaciones, amqp_uri):
    with cliente_rpc(amqp_uri, token("tecnica", "0309")) as rpc:
        yield rpc.capacitaciones


def _error(exc_info):
    return desde_error_remoto(exc_info.value)


def _actividad(rpc, **extra):
    cuerpo = {"titulo": "Taller de autoestima", "tipo": "taller", "lugar": "Salón municipal",
              "sesiones": [{"fecha": HACE.isoformat(), "hora": "09:00", "tema": "Autoestima"}]}
    cuerpo.update(extra)
    return rpc.crear_capacitacion(cuerpo)


def _participante(nombres="Ana", apellidos="Díaz", **extra):
    return {"participante": {"nombres": nombres, "apellidos": apellidos, "comunidad": "Centro", **extra},
            "consentimiento_salud": False}


def _eventos(url, capacitacion_id):
    motor = sa.create_engine(url)
    with motor.connect() as c:
        filas = c.execute(sa.text("SELECT tipo, datos FROM outbox ORDER BY ocurrido_en")).all()
    motor.dispose()
    return [(t, d) for t, d in filas if d.get("capacitacion_id") == capacitacion_id]


def test_el_servicio_rechaza_un_contexto_sin_firma_o_con_rol_ajeno(capacitaciones, amqp_uri):
    with cliente_rpc(amqp_uri, None) as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.capacitaciones.listar_capacitaciones({})
    assert _error(e).codigo == "NO_AUTENTICADO"
    with cliente_rpc(amqp_uri, "eyJhbGciOiJub25lIn0.eyJyb2wiOiJ0ZWNuaWNhIiwibXVuIjoiMDMwOSJ9.") as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.capacitaciones.listar_capacitaciones({})
    assert _error(e).codigo == "NO_AUTENTICADO"
    with cliente_rpc(amqp_uri, token("cis", "0309")) as rpc:
        # El CIS lee el club de embarazadas, pero no programa actividades.
        with pytest.raises(RemoteError) as e:
            rpc.capacitaciones.crear_capacitacion({})
        assert _error(e).codigo == "PROHIBIDO"
        # Los datos de contacto son solo para el servicio de notificaciones.
        with pytest.raises(RemoteError) as e:
            rpc.capacitaciones.telefonos_sesion("00000000-0000-0000-0000-000000000000", "0309")
        assert _error(e).codigo == "PROHIBIDO"


def test_actividad_de_otro_municipio_no_existe_para_mi(tecnica, amqp_uri):
    c = _actividad(tecnica, titulo="Sensibilización sobre violencia", tipo="sensibilizacion")
    i = tecnica.inscribir(c["id"], _participante())
    with cliente_rpc(amqp_uri, token("tecnica", "0302")) as rpc:
        for llamada in (lambda: rpc.capacitaciones.obtener_capacitacion(c["id"]),
                        lambda: rpc.capacitaciones.inscribir(c["id"], _participante("Rosa")),
                        lambda: rpc.capacitaciones.registrar_asistencia(c["id"], c["sesiones"][0]["id"],
                                                                        {"presentes": [i["id"]]}),
                        lambda: rpc.capacitaciones.constancia(c["id"], i["id"])):
            with pytest.raises(RemoteError) as e:
                llamada()
            assert _error(e).codigo == "NO_ENCONTRADO"
        assert all(x["id"] != c["id"] for x in rpc.capacitaciones.listar_capacitaciones({})["items"])
    with pytest.raises(RemoteError) as e:
        tecnica.obtener_capacitacion("no-es-un-uuid")
    assert _error(e).codigo == "NO_ENCONTRADO"


def test_inscripciones_simultaneas_no_pasan_del_cupo(tecnica, amqp_uri):
    c = _actividad(tecnica, titulo="Escuela de emprendimiento", tipo="escuela_emprendimiento",
                   institucion="INFOP", cupo=3)
    barrera = threading.Barrier(10)
    resultados = []

    def inscribir(n):
        with cliente_rpc(amqp_uri, token("promotora", "0309")) as rpc:
            barrera.wait(30)
            try:
                rpc.capacitaciones.inscribir(c["id"], _participante(f"Persona {'ABCDEFGHIJ'[n]}", "Prueba"))
                resultados.append("ok")
            except RemoteError as exc:
                resultados.append(desde_error_remoto(exc).codigo)

    hilos = [threading.Thread(target=inscribir, args=(n,)) for n in range(10)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(60)
    assert sorted(resultados) == ["CUPO_LLENO"] * 7 + ["ok"] * 3
    assert tecnica.obtener_capacitacion(c["id"])["inscritas"] == 3


def test_club_mensual_crea_n_sesiones_y_un_evento_por_sesion(tecnica, capacitaciones):
    anio = next(a for a in range(hoy_honduras().year + 2, hoy_honduras().year + 6)
                if not calendar.isleap(a))  # sesiones por venir (solo esas se anuncian), febrero de 28
    c = _actividad(tecnica, titulo="Club de embarazadas", tipo="club_embarazadas", institucion="CIS",
                   lugar="CIS de Lejamaní", sesiones=[{"fecha": f"{anio}-01-31", "hora": "08:30"}],
                   recurrencia={"meses": 6})
    fechas = [s["fecha"] for s in c["sesiones"]]
    assert fechas == [f"{anio}-{m}" for m in ("01-31", "02-28", "03-31", "04-30", "05-31", "06-30")]
    eventos = _eventos(capacitaciones, c["id"])
    assert [t for t, _ in eventos].count("CapacitacionProgramada") == 1
    programadas = [d for t, d in eventos if t == "SesionProgramada"]
    assert sorted(d["fecha"] for d in programadas) == fechas
    assert all(d["tipo"] == "club_embarazadas" and d["lugar"] == "CIS de Lejamaní" for d in programadas)
    nueva = tecnica.agregar_sesion(c["id"], {"fecha": f"{anio}-07-31", "tema": "Lactancia"})
    assert len(tecnica.obtener_capacitacion(c["id"])["sesiones"]) == 7
    assert nueva["id"] in [d["sesion_id"] for t, d in _eventos(capacitaciones, c["id"]) if t == "SesionProgramada"]


def test_la_misma_persona_no_se_inscribe_dos_veces(tecnica):
    c = _actividad(tecnica)
    primera = tecnica.inscribir(c["id"], _participante(dni="0309-1985-00123"))
    with pytest.raises(RemoteError) as e:
        tecnica.inscribir(c["id"], _participante("Ana María", "Díaz", dni="0309198500123"))
    assert _error(e).codigo == "DUPLICADO" and _error(e).detalles["id"] == primera["id"]
    tecnica.inscribir(c["id"], _participante("Lucía", "Martínez", fecha_nacimiento="1990-05-01"))
    with pytest.raises(RemoteError) as e:
        tecnica.inscribir(c["id"], _participante("LUCÍA", "martinez", fecha_nacimiento="1990-05-01"))
    assert _error(e).codigo == "DUPLICADO"


def test_idempotencia_al_crear_e_inscribir(tecnica):
    a = tecnica.crear_capacitacion({"titulo": "Socialización del POA", "tipo": "socializacion", "lugar": "Alcaldía",
                                    "sesiones": [{"fecha": HACE.isoformat()}]}, "clave-1")
    b = tecnica.crear_capacitacion({"titulo": "Socialización del POA", "tipo": "socializacion", "lugar": "Alcaldía",
                                    "sesiones": [{"fecha": HACE.isoformat()}]}, "clave-1")
    assert a["id"] == b["id"]
    i1 = tecnica.inscribir(a["id"], _participante("Marta"), "clave-i")
    i2 = tecnica.inscribir(a["id"], _participante("Marta"), "clave-i")
    assert i1["id"] == i2["id"]


def test_asistencia_solo_de_inscritas_y_de_sesiones_de_la_actividad(tecnica):
    c = _actividad(tecnica)
    otra = _actividad(tecnica, titulo="Otra")
    ajena = tecnica.inscribir(otra["id"], _participante("Elena"))
    propia = tecnica.inscribir(c["id"], _participante("Carmen"))
    with pytest.raises(RemoteError) as e:
        tecnica.registrar_asistencia(c["id"], c["sesiones"][0]["id"], {"presentes": [propia["id"], ajena["id"]]})
    assert _error(e).codigo == "REFERENCIA_INEXISTENTE" and "presentes" in _error(e).detalles
    with pytest.raises(RemoteError) as e:
        tecnica.registrar_asistencia(c["id"], otra["sesiones"][0]["id"], {"presentes": [propia["id"]]})
    assert _error(e).codigo == "NO_ENCONTRADO" and "sesion_id" in _error(e).detalles
    r = tecnica.registrar_asistencia(c["id"], c["sesiones"][0]["id"], {"presentes": [propia["id"], propia["id"]]})
    assert r["presentes"] == [propia["id"]]
    # Reemplaza la lista anterior.
    assert tecnica.registrar_asistencia(c["id"], c["sesiones"][0]["id"], {"presentes": []})["total_presentes"] == 0
    assert tecnica.obtener_capacitacion(c["id"])["sesiones"][0]["presentes"] == []


def test_constancia_en_pdf_con_75_por_ciento_y_409_por_debajo(tecnica):
    import pypdf
    sesiones = [{"fecha": (HACE + timedelta(days=7 * n)).isoformat()} for n in range(4)]
    c = _actividad(tecnica, titulo="Derechos de las mujeres", tipo="capacitacion", sesiones=sesiones)
    constante = tecnica.inscribir(c["id"], _participante("Juana", "Hernández"))
    irregular = tecnica.inscribir(c["id"], _participante("Petrona", "Flores"))
    for n, s in enumerate(c["sesiones"]):
        presentes = [constante["id"]] + ([irregular["id"]] if n < 2 else [])
        if n < 3:
            tecnica.registrar_asistencia(c["id"], s["id"], {"presentes": presentes})
    detalle = {i["id"]: i for i in tecnica.obtener_capacitacion(c["id"])["inscripciones"]}
    assert detalle[constante["id"]]["porcentaje_asistencia"] == 75.0
    assert detalle[irregular["id"]]["porcentaje_asistencia"] == 50.0

    archivo = tecnica.constancia(c["id"], constante["id"])
    pdf = base64.b64decode(archivo["contenido_base64"])
    assert pdf.startswith(b"%PDF")
    texto = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Juana Hernández" in texto and "Derechos de las mujeres" in texto
    assert "Lejamaní" in texto and archivo["codigo_verificacion"] in texto and "3 de 4 sesiones" in texto

    with pytest.raises(RemoteError) as e:
        tecnica.constancia(c["id"], irregular["id"])
    assert _error(e).codigo == "ESTADO_INVALIDO" and _error(e).detalles["porcentaje_asistencia"] == 50.0

    hoja = base64.b64decode(tecnica.hoja_asistencia(c["id"], c["sesiones"][0]["id"])["contenido_base64"])
    texto = pypdf.PdfReader(io.BytesIO(hoja)).pages[0].extract_text()
    assert "Flores, Petrona" in texto and "Firma" in texto


def test_eventos_sin_datos_personales_y_contacto_solo_con_consentimiento(tecnica, capacitaciones, amqp_uri):
    manana = hoy_honduras() + timedelta(days=400)
    # La primera sesión ya pasó (se registra su asistencia, sin anunciarla); la segunda se anuncia.
    c = _actividad(tecnica, titulo="Club de embarazadas", tipo="club_embarazadas", lugar="CIS",
                   sesiones=[{"fecha": HACE.isoformat(), "hora": "09:00"}, {"fecha": manana.isoformat(), "hora": "09:00"}])
    con = tecnica.inscribir(c["id"], {"participante": {
        "nombres": "Reina", "apellidos": "Zelaya", "dni": "0309-1998-00456", "telefono": "9876-5432",
        "comunidad": "El Rosario", "semanas_gestacion": 12}, "consentimiento_salud": True})
    sin = tecnica.inscribir(c["id"], {"participante": {
        "nombres": "Sonia", "apellidos": "Portillo", "telefono": "9111-2222", "comunidad": "Centro"},
        "consentimiento_salud": False})
    tecnica.registrar_asistencia(c["id"], c["sesiones"][0]["id"], {"presentes": [con["id"]]})
    eventos = _eventos(capacitaciones, c["id"])
    assert [t for t, _ in eventos] == ["CapacitacionProgramada", "SesionProgramada", "ParticipanteInscrita",
                                       "ParticipanteInscrita", "AsistenciaRegistrada"]
    inscrita = eventos[2][1]
    assert inscrita["embarazada"] is True and inscrita["consentimiento_salud"] is True
    assert eventos[4][1]["presentes"] == 1
    for dato in ("Reina", "Zelaya", "0309199800456", "9876", "Rosario", "Sonia"):
        assert dato not in str(eventos)

    with cliente_rpc(amqp_uri, token_de_servicio_prueba("notificaciones")) as rpc:
        contacto = rpc.capacitaciones.contacto_participante(con["id"], "0309")
        assert contacto["nombre"] == "Reina Zelaya" and contacto["telefono"] == "9876-5432"
        assert contacto["semanas_gestacion"] == 12
        assert contacto["fecha_probable_parto"] == (hoy_honduras() - timedelta(weeks=12)
                                                    + timedelta(days=280)).isoformat()
        assert rpc.capacitaciones.contacto_participante(sin["id"], "0309") is None
        assert rpc.capacitaciones.telefonos_sesion(c["sesiones"][1]["id"], "0309") == ["9876-5432"]
        # Con el municipio de otro aviso (un evento inventado), nada.
        assert rpc.capacitaciones.contacto_participante(con["id"], "0318") is None
        assert rpc.capacitaciones.telefonos_sesion(c["sesiones"][1]["id"], "0318") == []
    # Otro servicio (reportes) no puede pedir datos de contacto.
    with cliente_rpc(amqp_uri, token_de_servicio_prueba("reportes")) as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.capacitaciones.contacto_participante(con["id"], "0309")
        assert _error(e).codigo == "PROHIBIDO"
        proximas = rpc.capacitaciones.sesiones_de_manana(manana.isoformat())
        assert [x["sesion_id"] for x in proximas] == [c["sesiones"][1]["id"]]
        assert proximas[0]["municipio"] == "0309" and proximas[0]["lugar"] == "CIS"


def test_agregados_para_la_region(tecnica, amqp_uri):
    c = _actividad(tecnica, titulo="Asesoría técnica", tipo="asesoria_tecnica", institucion="Mancomunidad")
    i = tecnica.inscribir(c["id"], _participante("Técnica", "Municipal"))
    tecnica.registrar_asistencia(c["id"], c["sesiones"][0]["id"], {"presentes": [i["id"]]})
    with cliente_rpc(amqp_uri, token_de_servicio_prueba("gateway")) as rpc:
        datos = rpc.capacitaciones.agregados(HACE.isoformat(), HACE.isoformat(), ["0309", "0302"])
    tipo = datos["por_municipio"]["0309"]["por_tipo"]["asesoria_tecnica"]
    assert tipo["actividades"] == 1 and tipo["sesiones_realizadas"] == 1
    assert tipo["participantes"] == 1 and tipo["asistencias"] == 1
    assert datos["por_municipio"]["0309"]["ultima_fecha"] == HACE.isoformat()
    assert "0302" not in datos["por_municipio"]
    assert "Técnica" not in str(datos)
    # Ni una técnica ni una mancomunidad piden agregados directo: solo el gateway, que filtra sus municipios.
    for t in (token("tecnica", "0309"), token("mancomunidad", mancomunidad="MAMCOPAZ")):
        with cliente_rpc(amqp_uri, t) as rpc:
            with pytest.raises(RemoteError) as e:
                rpc.capacitaciones.agregados(None, None, ["0309"])
            assert _error(e).codigo == "PROHIBIDO"


def test_doble_clic_simultaneo_con_la_misma_clave_crea_una_sola_actividad(tecnica, amqp_uri):
    yo = token("tecnica", "0309", usuario_id="00000000-0000-0000-0000-0000000000aa")
    cuerpo = {"titulo": "Taller simultáneo", "tipo": "taller", "lugar": "Salón",
              "sesiones": [{"fecha": HACE.isoformat()}]}
    barrera = threading.Barrier(5)
    ids = []

    def crear():
        with cliente_rpc(amqp_uri, yo) as rpc:
            barrera.wait(30)
            ids.append(rpc.capacitaciones.crear_capacitacion(cuerpo, "doble-clic")["id"])

    hilos = [threading.Thread(target=crear) for _ in range(5)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(60)
    assert len(ids) == 5 and len(set(ids)) == 1
    s1 = tecnica.agregar_sesion(ids[0], {"fecha": HACE.isoformat(), "hora": "15:00"}, "sesion-extra")
    s2 = tecnica.agregar_sesion(ids[0], {"fecha": HACE.isoformat(), "hora": "15:00"}, "sesion-extra")
    assert s1["id"] == s2["id"]
    assert len(tecnica.obtener_capacitacion(ids[0])["sesiones"]) == 2


def test_la_fila_guardada_no_tiene_dni_telefono_ni_embarazo_en_claro(tecnica, capacitaciones, amqp_uri):
    """Issue 16: lo que lee quien abre la base (la fila tal cual) no dice DNI, teléfono ni si está embarazada;
    la oficina y el CIS (con consentimiento) los siguen viendo."""
    c = _actividad(tecnica, titulo="Club del embarazo", tipo="club_embarazadas")
    con = tecnica.inscribir(c["id"], {"participante": {"nombres": "Elsa", "apellidos": "Ramos", "dni": "0309-1995-07711",
                                                       "telefono": "+504 9123-4567", "comunidad": "Centro",
                                                       "semanas_gestacion": 14}, "consentimiento_salud": True})
    otra = tecnica.inscribir(c["id"], _participante("Flor", "Ramos", dni="0309-1996-07722", telefono="9765-4321",
                                                    embarazada=False))
    with pytest.raises(RemoteError) as e:  # el mismo DNI, otra vez: duplicado (por su índice ciego)
        tecnica.inscribir(c["id"], _participante("Elsa María", "Ramos", dni="0309-1995-07711"))
    assert _error(e).codigo == "DUPLICADO"
    motor = sa.create_engine(capacitaciones)
    with motor.connect() as conexion:
        filas = {f.id: f for f in conexion.execute(sa.text(
            "SELECT id, i::text AS cruda, salud_cifrada FROM inscripciones i WHERE capacitacion_id = :c"),
            {"c": c["id"]})}
    motor.dispose()
    for dato in ("0309199507711", "0309-1995-07711", "0309199607722", "9123-4567", "9765-4321"):
        assert not any(dato in f.cruda.replace(f.salud_cifrada, "") for f in filas.values()), dato
    assert len({len(f.salud_cifrada) for f in filas.values()}) == 1  # embarazada o no, mismo largo
    detalle = tecnica.obtener_capacitacion(c["id"])
    por_id = {i["id"]: i for i in detalle["inscripciones"]}
    assert (por_id[con["id"]]["dni"], por_id[con["id"]]["telefono"], por_id[con["id"]]["embarazada"]) == (
        "0309199507711", "+504 9123-4567", True)
    assert por_id[otra["id"]]["embarazada"] is False
    with cliente_rpc(amqp_uri, token("cis", "0309")) as rpc:
        club = rpc.capacitaciones.obtener_capacitacion(c["id"])
    assert [i["nombres"] for i in club["inscripciones"]] == ["Elsa"] and club["sin_consentimiento"] == 1
