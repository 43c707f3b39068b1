"""Ayudas como las lleva una oficina real (issue 19), por el gateway contra los servicios reales, en Ojos de Agua
(0312): mujeres sin DNI y candidatas a duplicado, corrección con historial, fusión, anulación con devolución de
existencias y presupuesto, recibo y lista firmada en PDF, listas con nombres e importación en español claro."""
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from pypdf import PdfReader

import omm_pruebas
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.integracion

M = "0312"
COORD, TEC, PROM = f"coordinadora.{M}", f"tecnica.{M}", f"promotora.{M}"
B = "/api/v1/ayudas"


@pytest.fixture(scope="module")
def api(sistema):
    api = sistema.api
    for rol, nombre in (("coordinadora", "Coordinadora de Ojos de Agua"), ("tecnica", "Técnica de Ojos de Agua"),
                        ("promotora", "Promotora de Ojos de Agua")):
        r = api.post("/api/v1/usuarios", "admin", json={
            "usuario": f"{rol}.{M}", "nombre": nombre, "contrasena": omm_pruebas.CONTRASENA_PRUEBAS, "rol": rol,
            "municipio": M})
        assert r.status_code in (201, 409), r.text
    return api


def _texto_pdf(r):
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/pdf"), r.text[:300]
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(r.content)).pages)


def _eventos(sistema, tipo):
    motor = sa.create_engine(sistema.urls["ayudas"])
    with motor.connect() as c:
        filas = c.execute(sa.text("SELECT datos FROM outbox WHERE tipo = :t AND municipio = :m"),
                          {"t": tipo, "m": M}).scalars().all()
    motor.dispose()
    return filas


def _mujer(**extra):
    return {"nombres": "María José", "apellidos": "Hernández Cruz", "fecha_nacimiento": "1990-05-14",
            "comunidad": "El Zapote", "consentimiento_salud": False, **extra}


def test_sin_dni_candidatas_correccion_y_fusion(api, sistema):
    # Sin DNI ni motivo: 400 que nombra el DNI; con el motivo se registra.
    r = api.post(f"{B}/beneficiarias", TEC, json=_mujer())
    assert r.status_code == 400 and "dni" in r.json()["detalles"], r.text
    r = api.post(f"{B}/beneficiarias", TEC, json=_mujer(motivo_sin_dni="sin_documento"))
    assert r.status_code == 201, r.text
    sin_dni = r.json()
    assert sin_dni["dni"] is None and sin_dni["motivo_sin_dni_nombre"] == "Sin documento"

    # Otra escritura del mismo nombre (sin tildes, otro orden, una letra), misma fecha: candidatas, no un alta muda.
    variante = {"nombres": "Hernandes Cruz", "apellidos": "Maria Jose", "fecha_nacimiento": "1990-05-14",
                "comunidad": "El Zapote", "consentimiento_salud": True, "dni": f"{M}-1990-00077"}
    r = api.post(f"{B}/beneficiarias", PROM, json=variante)
    assert r.status_code == 409 and r.json()["error"] == "DUPLICADO", r.text
    assert [c["id"] for c in r.json()["detalles"]["candidatas"]] == [sin_dni["id"]]
    assert "confirmar_nueva" in r.json()["mensaje"]
    # La búsqueda por cuerpo (sin datos personales en la URL) la encuentra también.
    r = api.post(f"{B}/beneficiarias/candidatas", PROM, json={"nombres": "maria jose", "apellidos": "HERNANDEZ",
                                                              "fecha_nacimiento": "1990-05-14"})
    assert r.status_code == 200 and [c["id"] for c in r.json()] == [sin_dni["id"]], r.text
    # Una persona de verdad distinta (otra fecha) no es candidata.
    r = api.post(f"{B}/beneficiarias", PROM, json={**variante, "fecha_nacimiento": "1991-05-14",
                                                   "dni": f"{M}-1991-00078"})
    assert r.status_code == 201, r.text
    # Confirmada como nueva, se registra (luego resulta ser la misma y se fusiona).
    r = api.post(f"{B}/beneficiarias", PROM, json={**variante, "confirmar_nueva": True})
    assert r.status_code == 201, r.text
    doble = r.json()

    # Corrección con motivo: el historial dice quién, por qué y qué cambió; un DNI ajeno es DUPLICADO.
    r = api.patch(f"{B}/beneficiarias/{sin_dni['id']}", TEC, json={"comunidad": "Las Flores"})
    assert r.status_code == 400 and "motivo" in r.json()["detalles"]
    r = api.patch(f"{B}/beneficiarias/{sin_dni['id']}", TEC, json={"dni": f"{M}-1990-00077", "motivo": "Trajo DNI"})
    assert r.status_code == 409 and r.json()["error"] == "DUPLICADO" and r.json()["detalles"]["id"] == doble["id"]
    r = api.patch(f"{B}/beneficiarias/{sin_dni['id']}", TEC,
                  json={"comunidad": "Las Flores", "telefono": "9999-0000", "motivo": "Se mudó"})
    assert r.status_code == 200 and r.json()["comunidad"] == "Las Flores", r.text
    [h] = api.get(f"{B}/beneficiarias/{sin_dni['id']}/historial", COORD).json()
    assert h["accion"] == "correccion" and h["motivo"] == "Se mudó"
    assert h["usuario_nombre"] == "Técnica de Ojos de Agua"
    assert h["cambios"]["comunidad"] == {"antes": "El Zapote", "despues": "Las Flores"}

    # Fusión: solo la coordinadora; las entregas del absorbido pasan y la frecuencia las ve juntas.
    r = api.post(f"{B}/tipos", COORD, json={"codigo": "kit", "nombre": "Kit de higiene", "categoria": "otro",
                                            "unidad": "kits", "frecuencia_dias": 90})
    assert r.status_code == 201, r.text
    hoy = hoy_honduras()
    r = api.post(f"{B}/entregas", TEC, json={"beneficiaria_id": doble["id"], "tipo_codigo": "kit", "cantidad": 1,
                                             "fecha": hoy.isoformat()})
    assert r.status_code == 201, r.text
    cuerpo = {"fusionada_id": doble["id"], "motivo": "La misma persona: registrada dos veces"}
    assert api.post(f"{B}/beneficiarias/{sin_dni['id']}/fusion", TEC, json=cuerpo).status_code == 403
    r = api.post(f"{B}/beneficiarias/{sin_dni['id']}/fusion", COORD, json=cuerpo)
    assert r.status_code == 200, r.text
    queda = r.json()
    assert queda["dni"] == f"{M}199000077" and queda["motivo_sin_dni"] is None  # el DNI pasó a la que queda
    assert [e["tipo_codigo"] for e in queda["entregas"]] == ["kit"]
    assert [x["accion"] for x in queda["historial"]] == ["correccion", "fusion"]
    assert api.post(f"{B}/beneficiarias/{sin_dni['id']}/fusion", COORD, json=cuerpo).status_code == 200  # repetir
    assert len(_eventos(sistema, "BeneficiariasFusionadas")) == 1
    r = api.post(f"{B}/entregas", TEC, json={"beneficiaria_id": sin_dni["id"], "tipo_codigo": "kit", "cantidad": 1,
                                             "fecha": hoy.isoformat()})
    assert r.status_code == 409 and r.json()["error"] == "FRECUENCIA_EXCEDIDA", r.text
    r = api.post(f"{B}/entregas", TEC, json={"beneficiaria_id": doble["id"], "tipo_codigo": "kit", "cantidad": 1,
                                             "fecha": hoy.isoformat()})
    assert r.status_code == 409 and r.json()["detalles"]["id"] == sin_dni["id"], r.text
    absorbida = api.get(f"{B}/beneficiarias/{doble['id']}", COORD).json()
    assert absorbida["fusionada_con"] == sin_dni["id"] and absorbida["historial"][0]["accion"] == "absorbida"
    ids = [b["id"] for b in api.get(f"{B}/beneficiarias", COORD, params={"q": "hernandez"}).json()["items"]]
    assert sin_dni["id"] in ids and doble["id"] not in ids
    # Su DNI, al registrarla otra vez, señala el registro que quedó.
    r = api.post(f"{B}/beneficiarias", PROM, json={**variante, "confirmar_nueva": True})
    assert r.status_code == 409 and r.json()["detalles"]["id"] == sin_dni["id"]

    # Sin DNI la fecha de nacimiento puede faltar: entonces la candidata sale por la comunidad.
    sin_fecha = {"nombres": "Petrona", "apellidos": "Gámez Ulloa", "motivo_sin_dni": "sin_documento",
                 "comunidad": "Las Lajas", "consentimiento_salud": False}
    r = api.post(f"{B}/beneficiarias", TEC, json=sin_fecha)
    assert r.status_code == 201 and r.json()["edad"] is None, r.text
    petrona = r.json()
    r = api.post(f"{B}/beneficiarias", TEC, json={**sin_fecha, "apellidos": "Gamez", "comunidad": "las lajas"})
    assert r.status_code == 409 and [c["id"] for c in r.json()["detalles"]["candidatas"]] == [petrona["id"]]
    r = api.post(f"{B}/beneficiarias", TEC, json={**sin_fecha, "comunidad": "El Rodeo"})
    assert r.status_code == 201, r.text
    r = api.post(f"{B}/beneficiarias", TEC, json={**sin_fecha, "motivo_sin_dni": None, "dni": f"{M}-1960-00031"})
    assert r.status_code == 400 and "fecha_nacimiento" in r.json()["detalles"], r.text


def _cifras(sistema, dia):
    with omm_pruebas.cliente_rpc(sistema.amqp, omm_pruebas.token_de_servicio_prueba("reportes")) as rpc:
        return rpc.ayudas.agregados(dia.isoformat(), dia.isoformat(), [M])


def test_anulacion_devuelve_existencias_y_presupuesto_y_el_recibo_dice_anulada(api, sistema):
    hoy = hoy_honduras() - timedelta(days=1)  # ayer: la lista de ese día es solo de esta prueba
    r = api.post(f"{B}/tipos", COORD, json={"codigo": "bolsa", "nombre": "Bolsa de alimentos",
                                            "categoria": "alimentos", "unidad": "bolsas", "frecuencia_dias": 30})
    assert r.status_code == 201, r.text
    r = api.post(f"{B}/tipos", COORD, json={"codigo": "medicina", "nombre": "Ayuda para medicamentos",
                                            "categoria": "economica_medicamentos", "unidad": "lempiras",
                                            "frecuencia_dias": 30, "monto_maximo": 2000})
    assert r.status_code == 201, r.text
    assert api.post(f"{B}/inventario/movimientos", COORD, json={"tipo_codigo": "bolsa", "cantidad": 10,
                                                                "motivo": "donacion"}).status_code == 201
    assert api.put(f"{B}/presupuesto", COORD, json={"anio": hoy.year, "monto": 5000}).status_code == 200
    r = api.post(f"{B}/beneficiarias", TEC, json={
        "nombres": "Rosa Amelia", "apellidos": "Zelaya", "motivo_sin_dni": "en_tramite", "fecha_nacimiento":
        "1975-02-03", "comunidad": "Centro", "consentimiento_salud": False})
    assert r.status_code == 201, r.text
    rosa = r.json()
    r = api.post(f"{B}/entregas", TEC, json={"beneficiaria_id": rosa["id"], "tipo_codigo": "bolsa", "cantidad": 2,
                                             "fecha": hoy.isoformat()}, cabeceras={"Idempotency-Key": "oja-1"})
    assert r.status_code == 201, r.text
    bolsa = r.json()
    assert bolsa["numero_recibo"].startswith(f"OJO-{hoy.year}-R") and bolsa["estado"] == "vigente"
    r = api.post(f"{B}/entregas", TEC, json={"beneficiaria_id": rosa["id"], "tipo_codigo": "medicina",
                                             "cantidad": 1, "monto": 1250, "fecha": hoy.isoformat()})
    assert r.status_code == 201, r.text
    medicina = r.json()
    assert api.get(f"{B}/presupuesto", COORD, params={"anio": hoy.year}).json()["restante"] == 3750
    assert _cifras(sistema, hoy)["totales"][M]["entregas"] == 2

    # La lista nombra a la persona y a quien entregó.
    items = api.get(f"{B}/entregas", PROM, params={"beneficiaria_id": rosa["id"]}).json()["items"]
    assert {(e["beneficiaria_nombre"], e["registrada_por_nombre"], e["tipo_nombre"]) for e in items} == {
        ("Rosa Amelia Zelaya", "Técnica de Ojos de Agua", "Bolsa de alimentos"),
        ("Rosa Amelia Zelaya", "Técnica de Ojos de Agua", "Ayuda para medicamentos")}

    # El recibo vigente.
    texto = _texto_pdf(api.get(f"{B}/entregas/{medicina['id']}/recibo", PROM))
    for esperado in (medicina["numero_recibo"], "Oficina Municipal de la Mujer de Ojos de Agua", "Rosa Amelia Zelaya",
                     "Documento en trámite", "Ayuda para medicamentos", "L 1,250.00", "Técnica de Ojos de Agua",
                     f"{hoy.day} de"):
        assert esperado in texto, (esperado, texto)
    assert "ANULADA" not in texto

    # Solo la coordinadora anula, con motivo; la técnica no.
    assert api.post(f"{B}/entregas/{bolsa['id']}/anulacion", TEC, json={"motivo": "error"}).status_code == 403
    r = api.post(f"{B}/entregas/{bolsa['id']}/anulacion", COORD, json={})
    assert r.status_code == 400 and "motivo" in r.json()["detalles"]
    for _ in range(2):  # repetir responde la misma anulación sin devolver dos veces
        r = api.post(f"{B}/entregas/{bolsa['id']}/anulacion", COORD, json={"motivo": "Se registró a otra persona"})
        assert r.status_code == 200 and r.json()["estado"] == "anulada", r.text
    r = api.post(f"{B}/entregas/{medicina['id']}/anulacion", COORD, json={"motivo": "Monto equivocado"})
    assert r.status_code == 200, r.text
    inventario = {i["tipo_codigo"]: i["existencia"] for i in api.get(f"{B}/inventario", COORD).json()}
    assert inventario["bolsa"] == 10
    libro = api.get(f"{B}/inventario/movimientos", PROM, params={"tipo_codigo": "bolsa"}).json()["items"]
    assert [(m["motivo_nombre"], m["cantidad"], m["existencia_resultante"]) for m in libro] == [
        ("Anulación de una entrega", 2, 10), ("Entrega", -2, 8), ("Donación", 10, 10)]
    assert api.get(f"{B}/presupuesto", COORD, params={"anio": hoy.year}).json()["restante"] == 5000
    assert len([d for d in _eventos(sistema, "EntregaAnulada") if d["entrega_id"] == bolsa["id"]]) == 1
    # Las cifras de la región tampoco la cuentan (el resumen del mes se rehace).
    cifras = _cifras(sistema, hoy)
    assert cifras["totales"].get(M, {"entregas": 0})["entregas"] == 0, cifras
    # La misma mujer puede recibir otra vez esa ayuda (la anulada no cuenta para la frecuencia).
    r = api.post(f"{B}/entregas", TEC, json={"beneficiaria_id": rosa["id"], "tipo_codigo": "bolsa", "cantidad": 1,
                                             "fecha": hoy.isoformat()})
    assert r.status_code == 201, r.text
    nueva = r.json()

    texto = _texto_pdf(api.get(f"{B}/entregas/{bolsa['id']}/recibo", COORD))
    assert bolsa["numero_recibo"] in texto and "ANULADA" in texto and "Se registró a otra persona" in texto
    assert "2 bolsas" in texto
    # Trajo su DNI: se agrega con motivo y el motivo sin DNI deja de aplicar.
    r = api.patch(f"{B}/beneficiarias/{rosa['id']}", PROM, json={"dni": f"{M}-1975-00012", "motivo": "Trajo su DNI"})
    assert r.status_code == 200 and r.json()["dni"] == f"{M}197500012" and r.json()["motivo_sin_dni"] is None
    assert r.json()["historial"][-1]["cambios"]["motivo_sin_dni"] == {"antes": "en_tramite", "despues": None}

    # La lista firmada del periodo: todas, las anuladas marcadas, totales y firmas.
    desde = hoy.isoformat()
    texto = _texto_pdf(api.get(f"{B}/entregas/lista", COORD, params={"desde": desde, "hasta": hoy.isoformat()}))
    for esperado in (bolsa["numero_recibo"], medicina["numero_recibo"], nueva["numero_recibo"], "Rosa Amelia Zelaya",
                     "ANULADA", "Entregas vigentes: 1", "anuladas: 2", "Coordinadora de la OMM", "Firma o huella"):
        assert esperado in texto, (esperado, texto)
    texto = _texto_pdf(api.get(f"{B}/entregas/lista", COORD, params={"desde": desde, "hasta": hoy.isoformat(),
                                                                      "tipo_codigo": "medicina"}))
    assert medicina["numero_recibo"] in texto and bolsa["numero_recibo"] not in texto
    r = api.get(f"{B}/entregas/lista", COORD, params={"desde": hoy.isoformat()})
    assert r.status_code == 400 and "hasta" in r.json()["detalles"]
    assert api.get(f"{B}/entregas/lista", PROM, params={"desde": desde, "hasta": desde}).status_code == 403
    # Otro municipio no ve el recibo.
    assert api.get(f"{B}/entregas/{bolsa['id']}/recibo", "coordinadora.0309").status_code == 404


def _xlsx(filas):
    libro = Workbook()
    hoja = libro.active
    hoja.append(["Nombres", "Apellidos", "DNI", "Motivo sin DNI", "Fecha de nacimiento", "Comunidad", "Condiciones"])
    for fila in filas:
        hoja.append(fila)
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def test_importacion_en_espanol_sin_dni_y_candidatas(api):
    contenido = _xlsx([
        ["Lucía", "Ramos", None, "Menor de edad", "10/01/2010", "Centro", "Jefa de hogar"],  # fila 2: entra
        ["Carmen", "Díaz", None, None, "01/01/1980", "Centro", None],  # 3: sin DNI ni motivo
        ["Teresa", "Ortiz", f"{M}-1985-00001", None, "1985/13/45", "Centro", None],  # 4: fecha ilegible
        ["Lucia", "Ramos", None, "sin documento", "10/01/2010", "Centro", None],  # 5: la misma de la fila 2
        ["Sara", "Paz", None, "otra cosa", "02/02/1982", "Centro", "hechicera"],  # 6: motivo y condición
        ["Juana", "Sin Fecha", None, "Sin documento", None, "Centro", None],  # 7: sin DNI ni fecha: entra
        ["Rita", "Con DNI", f"{M}-1970-00002", None, None, "Centro", None],  # 8: con DNI la fecha falta
    ])
    r = api.post(f"{B}/importaciones", COORD, files={"archivo": ("lista.xlsx", contenido, "application/octet-stream")})
    assert r.status_code == 200, r.text
    datos = r.json()
    assert datos["creadas"] == 2 and datos["duplicadas"] == 0
    mensajes = {(e["fila"], e.get("campo")): e["mensaje"] for e in datos["errores"]}
    assert mensajes[4, "fecha_nacimiento"] == ("Fila 4, «Fecha de nacimiento»: escriba la fecha como dd/mm/aaaa "
                                               "(por ejemplo 03/12/1985).")
    assert mensajes[3, "dni"].startswith("Fila 3, «DNI»: escriba el DNI o, si no lo tiene, el motivo")
    assert "puede ser la misma persona que Lucía Ramos" in mensajes[5, "nombres"]
    assert mensajes[6, "motivo_sin_dni"].startswith("Fila 6, «Motivo sin DNI»: «otra cosa» no es un motivo conocido")
    assert mensajes[6, "condiciones"].startswith("Fila 6, «Condiciones»: «hechicera» no es una condición conocida")
    assert mensajes[8, "fecha_nacimiento"] == ("Fila 8, «Fecha de nacimiento»: escriba la fecha de nacimiento: "
                                               "solo puede faltar cuando no tiene DNI.")
    for m in mensajes.values():
        assert "{" not in m and "[" not in m and "_" not in m and "AAAA" not in m, m
    [lucia] = api.get(f"{B}/beneficiarias", COORD, params={"q": "lucia ramos"}).json()["items"]
    assert lucia["motivo_sin_dni"] == "menor_de_edad" and lucia["condiciones"] == ["jefa_hogar"]
    assert date.fromisoformat(lucia["fecha_nacimiento"]) == date(2010, 1, 10)
