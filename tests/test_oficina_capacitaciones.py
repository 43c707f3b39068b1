"""Capacitaciones como las lleva una oficina (issue 19), por el gateway contra los servicios reales:
sesiones reprogramadas y canceladas, asistencia y conteo solo de lo ya ocurrido, ningún aviso de una
sesión pasada, conteos de charlas abiertas en el informe y la región, fotos sin metadatos, el CIS y el club.

Municipio propio de este módulo: 0313.
"""
import io
import stat
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

import omm_pruebas
from omm_common.tiempo import hoy_honduras
from omm_pruebas import cliente_rpc, token_de_servicio_prueba

pytestmark = pytest.mark.integracion

MUNICIPIO = "0313"
CAMINO = "/api/v1/capacitaciones"
HOY = hoy_honduras()
HACE = HOY - timedelta(days=40)
PRONTO = HOY + timedelta(days=20)
COORDINADORA, TECNICA, PROMOTORA, CIS = (f"{r}.{MUNICIPIO}" for r in ("coordinadora", "tecnica", "promotora", "cis"))


@pytest.fixture(scope="module")
def api(sistema):
    api = sistema.api
    for rol, nombre in (("coordinadora", "Coordinadora de Santa Lucía"), ("tecnica", "Técnica de Santa Lucía"),
                        ("promotora", "Promotora de Santa Lucía"), ("cis", "CIS de Santa Lucía")):
        r = api.post("/api/v1/usuarios", "admin", json={
            "usuario": f"{rol}.{MUNICIPIO}", "nombre": nombre, "contrasena": omm_pruebas.CONTRASENA_PRUEBAS,
            "rol": rol, "municipio": MUNICIPIO})
        assert r.status_code == 201 or r.json().get("error") == "DUPLICADO", r.text
    return api


def _eventos(sistema, capacitacion_id):
    motor = sa.create_engine(sistema.urls["capacitaciones"])
    with motor.connect() as c:
        filas = c.execute(sa.text("SELECT tipo, datos FROM outbox ORDER BY ocurrido_en")).all()
    motor.dispose()
    return [(t, d) for t, d in filas if d.get("capacitacion_id") == capacitacion_id]


def _actividad(api, usuario=TECNICA, **extra):
    cuerpo = {"titulo": "Club de embarazadas de Santa Lucía", "tipo": "club_embarazadas", "institucion": "CIS",
              "lugar": "CIS de Santa Lucía",
              "sesiones": [{"fecha": HACE.isoformat(), "hora": "09:00", "tema": "Control prenatal"},
                           {"fecha": PRONTO.isoformat(), "hora": "09:00", "tema": "Lactancia"},
                           {"fecha": (PRONTO + timedelta(days=30)).isoformat(), "hora": "09:00", "tema": "Parto"}]}
    cuerpo.update(extra)
    r = api.post(CAMINO, usuario, json=cuerpo)
    assert r.status_code == 201, r.text
    return r.json()


def test_reprogramar_y_cancelar_sesiones_con_historia_avisos_y_reglas_de_fecha(api, sistema):
    c = _actividad(api)
    pasada, proxima, otra = (s["id"] for s in c["sesiones"])
    # Registrar una actividad que ya empezó no anuncia la sesión pasada.
    programadas = [d["sesion_id"] for t, d in _eventos(sistema, c["id"]) if t == "SesionProgramada"]
    assert sorted(programadas) == sorted([proxima, otra])

    i = api.post(f"{CAMINO}/{c['id']}/inscripciones", TECNICA, json={"participante": {
        "nombres": "Lesly", "apellidos": "Cárcamo", "telefono": "9988-7766", "comunidad": "El Pedernal",
        "semanas_gestacion": 20}, "consentimiento_salud": True}).json()

    # Asistencia: no de una sesión futura; sí de la ya realizada.
    r = api.put(f"{CAMINO}/{c['id']}/sesiones/{proxima}/asistencia", TECNICA, json={"presentes": [i["id"]]})
    assert r.status_code == 409 and r.json()["error"] == "ESTADO_INVALIDO", r.text
    assert "todavía no se ha realizado" in r.json()["mensaje"]
    assert api.put(f"{CAMINO}/{c['id']}/sesiones/{pasada}/asistencia", TECNICA,
                   json={"presentes": [i["id"]]}).status_code == 200

    # Reprogramar: una sesión por venir, con motivo, a una fecha no pasada.
    nueva = PRONTO + timedelta(days=3)
    r = api.patch(f"{CAMINO}/{c['id']}/sesiones/{proxima}", TECNICA,
                  json={"fecha": nueva.isoformat(), "hora": "14:00", "motivo": "El salón del CIS está ocupado"})
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["fecha"] == nueva.isoformat() and s["hora"] == "14:00" and s["estado"] == "programada"
    cambio = s["cambios"][0]
    assert cambio["accion"] == "reprogramacion" and cambio["fecha_anterior"] == PRONTO.isoformat()
    assert cambio["motivo"] == "El salón del CIS está ocupado" and cambio["por"] == "Técnica de Santa Lucía"
    # Repetir lo mismo no cambia nada ni avisa otra vez.
    assert api.patch(f"{CAMINO}/{c['id']}/sesiones/{proxima}", TECNICA, json={
        "fecha": nueva.isoformat(), "hora": "14:00", "motivo": "Otra vez"}).json()["cambios"] == s["cambios"]
    reprogramadas = [d for t, d in _eventos(sistema, c["id"]) if t == "SesionReprogramada"]
    assert len(reprogramadas) == 1 and reprogramadas[0]["fecha_anterior"] == PRONTO.isoformat()
    assert reprogramadas[0]["fecha"] == nueva.isoformat() and reprogramadas[0]["hora"] == "14:00"

    r = api.patch(f"{CAMINO}/{c['id']}/sesiones/{pasada}", TECNICA,
                  json={"fecha": PRONTO.isoformat(), "motivo": "Error"})
    assert r.status_code == 409 and r.json()["error"] == "ESTADO_INVALIDO"
    r = api.patch(f"{CAMINO}/{c['id']}/sesiones/{otra}", TECNICA,
                  json={"fecha": (HOY - timedelta(days=1)).isoformat(), "motivo": "Error"})
    assert r.status_code == 400 and "fecha" in r.json()["detalles"]
    r = api.patch(f"{CAMINO}/{c['id']}/sesiones/{otra}", TECNICA, json={"fecha": PRONTO.isoformat()})
    assert r.status_code == 400 and "motivo" in r.json()["detalles"]

    # Cancelar: con motivo, quién y cuándo; repetir no cambia nada; no cuenta como realizada.
    r = api.post(f"{CAMINO}/{c['id']}/sesiones/{otra}/cancelacion", COORDINADORA,
                 json={"motivo": "Jornada de vacunación en el CIS"})
    assert r.status_code == 200, r.text
    cancelada = r.json()
    assert cancelada["estado"] == "cancelada" and cancelada["nombre_estado"] == "Cancelada"
    assert cancelada["cancelacion"]["motivo"] == "Jornada de vacunación en el CIS"
    assert cancelada["cancelacion"]["por"] == "Coordinadora de Santa Lucía"
    otra_vez = api.post(f"{CAMINO}/{c['id']}/sesiones/{otra}/cancelacion", COORDINADORA, json={"motivo": "x"})
    assert otra_vez.status_code == 200 and otra_vez.json()["cancelacion"] == cancelada["cancelacion"]
    assert [t for t, _ in _eventos(sistema, c["id"])].count("SesionCancelada") == 1
    for metodo, ruta, cuerpo in (
            ("put", f"sesiones/{otra}/asistencia", {"presentes": [i["id"]]}),
            ("put", f"sesiones/{otra}/conteo", {"mujeres": 3}),
            ("patch", f"sesiones/{otra}", {"fecha": PRONTO.isoformat(), "motivo": "Se retoma"})):
        r = getattr(api, metodo)(f"{CAMINO}/{c['id']}/{ruta}", TECNICA, json=cuerpo)
        assert r.status_code == 409 and r.json()["error"] == "ESTADO_INVALIDO", (ruta, r.text)
    # Una sesión con asistencia no se cancela.
    r = api.post(f"{CAMINO}/{c['id']}/sesiones/{pasada}/cancelacion", TECNICA, json={"motivo": "x"})
    assert r.status_code == 409 and r.json()["error"] == "ESTADO_INVALIDO"

    detalle = api.get(f"{CAMINO}/{c['id']}", TECNICA).json()
    assert detalle["sesiones_realizadas"] == 1 and detalle["total_sesiones"] == 2
    assert detalle["inscripciones"][0]["porcentaje_asistencia"] == 100.0
    # Otro municipio: no existe.
    assert api.post(f"{CAMINO}/{c['id']}/sesiones/{proxima}/cancelacion", "tecnica.0309",
                    json={"motivo": "x"}).status_code == 404
    with cliente_rpc(sistema.amqp, token_de_servicio_prueba("notificaciones")) as rpc:
        # El recordatorio de mañana no incluye sesiones canceladas; la reprogramada avisa por SMS a quien consintió.
        assert rpc.capacitaciones.telefonos_sesion(proxima, MUNICIPIO) == ["9988-7766"]


def test_conteo_de_una_charla_abierta_en_el_informe_y_en_la_region(api, sistema):
    c = _actividad(api, titulo="Sensibilización: una vida libre de violencia", tipo="sensibilizacion",
                   institucion="OMM", lugar="Escuela de El Pedernal",
                   sesiones=[{"fecha": HACE.isoformat(), "hora": "10:00"}, {"fecha": PRONTO.isoformat()}])
    pasada, futura = (s["id"] for s in c["sesiones"])
    camino = f"{CAMINO}/{c['id']}/sesiones/{pasada}/conteo"
    r = api.put(camino, PROMOTORA, json={"mujeres": 30, "hombres": 5, "por_grupo_edad": {"adultez": 30}})
    # Cada número cumple el documento; la suma no (JSON Schema no suma): 409 DATOS_INCOHERENTES con el campo.
    assert r.status_code == 409 and r.json()["error"] == "DATOS_INCOHERENTES", r.text
    assert "por_grupo_edad" in r.json()["detalles"] and "(30)" in r.json()["detalles"]["por_grupo_edad"][0]
    r = api.put(camino, PROMOTORA, json={"mujeres": -1})
    assert r.status_code == 400 and "mujeres" in r.json()["detalles"]
    r = api.put(f"{CAMINO}/{c['id']}/sesiones/{futura}/conteo", PROMOTORA, json={"mujeres": 3})
    assert r.status_code == 409 and r.json()["error"] == "ESTADO_INVALIDO"
    grupos = {"adolescencia": 8, "juventud": 12, "adultez": 12, "adulto_mayor": 3}
    r = api.put(camino, PROMOTORA, json={"mujeres": 30, "hombres": 5, "por_grupo_edad": grupos})
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 35 and r.json()["por_grupo_edad"]["ninez"] == 0

    detalle = api.get(f"{CAMINO}/{c['id']}", TECNICA).json()
    assert detalle["inscritas"] == 0 and detalle["participantes"] == 35
    assert detalle["conteo"]["mujeres"] == 30 and detalle["sesiones"][0]["participantes"] == 35

    with cliente_rpc(sistema.amqp, token_de_servicio_prueba("reportes")) as rpc:
        actividades = rpc.capacitaciones.actividades(HACE.isoformat(), HOY.isoformat(), [MUNICIPIO])
        a = next(x for x in actividades if x["capacitacion_id"] == c["id"])
        assert a["participantes"] == 35 and a["nombre_tipo"] == "Sensibilización"
        assert a["conteo"] == {"mujeres": 30, "hombres": 5, "total": 35,
                               "por_grupo_edad": {"ninez": 0, **grupos}}
        region = rpc.capacitaciones.agregados(HACE.isoformat(), HOY.isoformat(), [MUNICIPIO])
        # El mes entero de la charla ya cerró: sale del resumen por mes, con los mismos conteos.
        mes = HACE.replace(day=1)
        fin = (mes + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        cerrado = rpc.capacitaciones.agregados(mes.isoformat(), fin.isoformat(), [MUNICIPIO])
    for datos in (region, cerrado):
        tipo = datos["por_municipio"][MUNICIPIO]["por_tipo"]["sensibilizacion"]
        assert tipo["participantes"] == 35 and tipo["asistencias"] == 35
        assert tipo["mujeres"] == 30 and tipo["hombres"] == 5 and tipo["actividades"] == 1
    assert cerrado["por_municipio"][MUNICIPIO]["por_mes"][mes.isoformat()[:7]]["participantes"] >= 35

    # El informe de la oficina (reportes compone con la RPC `actividades`): la charla con sus 35.
    r = api.get("/api/v1/reportes/informe", COORDINADORA,
                params={"desde": HACE.isoformat(), "hasta": HOY.isoformat(), "formato": "json"})
    assert r.status_code == 200, r.text
    fila = next(x for x in r.json()["actividades"] if x.get("capacitacion_id") == c["id"])
    assert fila["participantes"] == 35 and fila["tipo_nombre"] == "Sensibilización"


def _jpeg_con_gps():
    img = Image.new("RGB", (2400, 1800), (180, 90, 140))
    exif = Image.Exif()
    exif[0x010F] = "Samsung"  # fabricante de la cámara
    exif[0x0110] = "SM-A105M"  # modelo
    exif[0x8825] = {1: "N", 2: (14.0, 5.0, 30.0), 3: "W", 4: (87.0, 12.0, 0.0)}  # GPS
    salida = io.BytesIO()
    img.save(salida, "JPEG", exif=exif)
    datos = salida.getvalue()
    assert Image.open(io.BytesIO(datos)).getexif().get_ifd(0x8825)  # la original sí lleva GPS
    return datos


def test_fotos_con_leyenda_sin_gps_ni_camara_y_solo_del_municipio(api, sistema):
    c = _actividad(api, titulo="Socialización del plan operativo anual", tipo="socializacion", institucion="OMM",
                   lugar="Salón municipal", sesiones=[{"fecha": HACE.isoformat(), "hora": "09:00"}])
    sesion = c["sesiones"][0]["id"]
    original = _jpeg_con_gps()
    r = api.post(f"{CAMINO}/{c['id']}/fotos", TECNICA, cabeceras={"Idempotency-Key": "foto-1"},
                 files={"archivo": ("foto.jpg", original, "image/jpeg")},
                 data={"leyenda": "Socialización del POA con lideresas", "sesion_id": sesion})
    assert r.status_code == 201, r.text
    foto = r.json()
    assert foto["leyenda"] == "Socialización del POA con lideresas" and foto["fecha"] == HACE.isoformat()
    assert foto["tipo_mime"] == "image/jpeg" and max(foto["ancho"], foto["alto"]) <= 1600
    repetida = api.post(f"{CAMINO}/{c['id']}/fotos", TECNICA, cabeceras={"Idempotency-Key": "foto-1"},
                        files={"archivo": ("foto.jpg", original, "image/jpeg")},
                        data={"leyenda": "Socialización del POA con lideresas", "sesion_id": sesion})
    assert repetida.json()["id"] == foto["id"]
    # La misma clave con otra solicitud no recibe la primera respuesta: 409 que nombra la cabecera.
    otra = api.post(f"{CAMINO}/{c['id']}/fotos", TECNICA, cabeceras={"Idempotency-Key": "foto-1"},
                    files={"archivo": ("foto.jpg", original, "image/jpeg")}, data={"leyenda": "Otra leyenda"})
    assert otra.status_code == 409 and otra.json()["error"] == "CLAVE_REUTILIZADA", otra.text
    assert "Idempotency-Key" in otra.json()["detalles"]

    r = api.get(f"{CAMINO}/{c['id']}/fotos/{foto['id']}", PROMOTORA)
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/jpeg"
    assert r.headers["Cache-Control"] == "no-store"
    bajada = Image.open(io.BytesIO(r.content))
    assert not bajada.getexif() and not bajada.getexif().get_ifd(0x8825)
    assert b"Samsung" not in r.content and b"SM-A105M" not in r.content and b"Exif" not in r.content
    # Guardada fuera de la base, por municipio, también sin metadatos.
    guardadas = list((sistema.carpeta / "archivos" / "capacitaciones" / MUNICIPIO).glob("*.jpg"))
    assert guardadas and all(b"Samsung" not in p.read_bytes() for p in guardadas)
    # Muestran rostros: solo el usuario del proceso las lee, y abre sus carpetas (issue 16).
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in guardadas)
    for carpeta in (guardadas[0].parent, guardadas[0].parent.parent, guardadas[0].parent.parent.parent):
        assert stat.S_IMODE(carpeta.stat().st_mode) == 0o700, carpeta

    assert [x["id"] for x in api.get(f"{CAMINO}/{c['id']}/fotos", TECNICA).json()] == [foto["id"]]
    assert api.get(f"{CAMINO}/{c['id']}/fotos/{foto['id']}", "tecnica.0309").status_code == 404
    r = api.post(f"{CAMINO}/{c['id']}/fotos", TECNICA, files={"archivo": ("x.txt", b"no soy una foto", "text/plain")},
                 data={"leyenda": "x"})
    assert r.status_code == 400 and "archivo" in r.json()["detalles"]

    with cliente_rpc(sistema.amqp, token_de_servicio_prueba("reportes")) as rpc:
        fotos = rpc.capacitaciones.fotos_informe(HACE.isoformat(), HOY.isoformat(), [MUNICIPIO])
    para_pdf = next(x for x in fotos if x["capacitacion_id"] == c["id"])
    assert para_pdf["leyenda"] == "Socialización del POA con lideresas" and para_pdf["tipo"] == "socializacion"
    import base64
    assert max(Image.open(io.BytesIO(base64.b64decode(para_pdf["contenido_base64"]))).size) <= 800

    assert api.pedir("DELETE", f"{CAMINO}/{c['id']}/fotos/{foto['id']}", TECNICA).status_code == 403
    assert api.pedir("DELETE", f"{CAMINO}/{c['id']}/fotos/{foto['id']}", COORDINADORA).status_code == 200
    assert api.get(f"{CAMINO}/{c['id']}/fotos", TECNICA).json() == []
    assert api.pedir("DELETE", f"{CAMINO}/{c['id']}/fotos/{foto['id']}", COORDINADORA).status_code == 404
    # Sin leyenda también (la foto que se sube desde el teléfono): el informe pone debajo el título de la actividad.
    r = api.post(f"{CAMINO}/{c['id']}/fotos", TECNICA, files={"archivo": ("foto.jpg", original, "image/jpeg")})
    assert r.status_code == 201 and r.json()["leyenda"] == "", r.text


def test_el_cis_ve_el_calendario_y_la_lista_del_club_con_consentimiento(api):
    club = _actividad(api)
    taller = _actividad(api, titulo="Taller de autoestima", tipo="taller", institucion="OMM", lugar="Salón municipal",
                        sesiones=[{"fecha": HACE.isoformat()}])
    api.post(f"{CAMINO}/{club['id']}/inscripciones", TECNICA, json={"participante": {
        "nombres": "María José", "apellidos": "Pérez López", "fecha_nacimiento": "2001-04-12",
        "comunidad": "Centro", "semanas_gestacion": 16}, "consentimiento_salud": True})
    for nombre in ("Sonia", "Tania"):
        api.post(f"{CAMINO}/{club['id']}/inscripciones", TECNICA, json={"participante": {
            "nombres": nombre, "apellidos": "Portillo", "comunidad": "Centro"}, "consentimiento_salud": False})
    # La misma mujer sin DNI, escrita de otra forma: nombre normalizado y fecha de nacimiento.
    r = api.post(f"{CAMINO}/{club['id']}/inscripciones", PROMOTORA, json={"participante": {
        "nombres": "Maria Jose", "apellidos": "Lopez Perez", "fecha_nacimiento": "2001-04-12",
        "comunidad": "Centro"}, "consentimiento_salud": True})
    assert r.status_code == 409 and r.json()["error"] == "DUPLICADO", r.text

    lista = api.get(CAMINO, CIS).json()["items"]
    assert club["id"] in [x["id"] for x in lista] and all(x["tipo"] == "club_embarazadas" for x in lista)
    assert api.get(f"{CAMINO}/{taller['id']}", CIS).status_code == 404
    detalle = api.get(f"{CAMINO}/{club['id']}", CIS).json()
    assert [(x["nombres"], x["apellidos"]) for x in detalle["inscripciones"]] == [("María José", "Pérez López")]
    assert detalle["inscripciones"][0]["semanas_gestacion_actual"] == 16
    assert detalle["sin_consentimiento"] == 2
    assert detalle["aviso_sin_consentimiento"] == "2 participantes sin consentimiento para compartir sus datos con salud."
    assert [(s["fecha"], s["hora"], s["estado"]) for s in detalle["sesiones"]][0] == (HACE.isoformat(), "09:00",
                                                                                      "realizada")
    assert "Portillo" not in str(detalle) and "telefono" not in str(detalle)
    # El CIS lee; no escribe en las actividades de la oficina.
    assert api.post(f"{CAMINO}/{club['id']}/sesiones", CIS, json={"fecha": PRONTO.isoformat()}).status_code == 403
    assert api.get(f"{CAMINO}/{club['id']}", "cis.0309").status_code == 404
