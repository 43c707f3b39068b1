"""Casos como los lleva una oficina (issue 19, puntos 1, 6 y 8), por el sistema real, en Minas de Oro (0311).

Riesgo y consentimiento con historia, reapertura por la coordinadora, correcciones auditadas, fechas en orden,
responsable y «mis casos», la agenda del día, el aviso al CIS que la técnica ve confirmado y el GBVIMS exacto
junto a los tipos de la ley, con los conteos que el informe propio de la oficina y la región leen.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from omm_common.tiempo import hoy_honduras
from omm_pruebas import CONTRASENA_PRUEBAS, cliente_rpc, esperar, token_de_servicio_prueba

pytestmark = pytest.mark.integracion

M = "0311"
PERSONAL = {"coordinadora": "Coordinadora de Minas de Oro", "tecnica": "Técnica de Minas de Oro",
            "cis": "CIS de Minas de Oro", "promotora": "Promotora de Minas de Oro"}
COORD, TEC, CIS = f"coordinadora.{M}", f"tecnica.{M}", f"cis.{M}"


@pytest.fixture(scope="module")
def api(sistema):
    api = sistema.api
    for rol, nombre in PERSONAL.items():
        r = api.post("/api/v1/usuarios", "admin", json={"usuario": f"{rol}.{M}", "nombre": nombre,
                                                         "contrasena": CONTRASENA_PRUEBAS, "rol": rol,
                                                         "municipio": M})
        assert r.status_code == 201 or r.json()["error"] == "DUPLICADO", r.text
    return api


def _dia(dias):
    return (hoy_honduras() - timedelta(days=dias)).isoformat()


def _caso(api, nombres="Rosa Amalia", apellidos="Cárcamo Ulloa", atencion=30, tipos=("sexual",), **extra):
    r = api.post("/api/v1/casos", TEC, json={
        "fecha_atencion": _dia(atencion), "fecha_incidente": _dia(atencion),
        "sobreviviente": {"nombres": nombres, "apellidos": apellidos, "dni": None, "comunidad": "Aldea El Pino"},
        "tipos_violencia": list(tipos), "contexto": "pareja", "relato": "relato de prueba", "nivel_riesgo": "medio",
        "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": True}, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def _detalle(api, caso, usuaria=TEC):
    r = api.get(f"/api/v1/casos/{caso['id']}", usuaria)
    assert r.status_code == 200, r.text
    return r.json()


def _error(r, estado, codigo, campo=None):
    assert r.status_code == estado, r.text
    assert r.json()["error"] == codigo, r.text
    if campo:
        assert campo in r.json()["detalles"], r.text


def _agregados(sistema):
    with cliente_rpc(sistema.amqp, token_de_servicio_prueba("reportes")) as rpc:
        return rpc.casos.agregados(None, None, [M])


def test_riesgo_y_consentimiento_con_historia_reapertura_y_conteos(api, sistema):
    caso = _caso(api)
    assert caso["tipo_gbvims"] is None  # violencia sexual: violación o agresión sexual lo dice la técnica
    # Una reevaluación con fecha, quién y por qué; otra de un día anterior anotada tarde no pasa a ser la vigente.
    r = api.post(f"/api/v1/casos/{caso['id']}/valoraciones", TEC, cabeceras={"Idempotency-Key": "v1-0311"},
                 json={"nivel_riesgo": "extremo", "motivo": "El agresor salió de la cárcel", "fecha": _dia(2)})
    assert r.status_code == 201, r.text
    repetida = api.post(f"/api/v1/casos/{caso['id']}/valoraciones", TEC, cabeceras={"Idempotency-Key": "v1-0311"},
                        json={"nivel_riesgo": "extremo", "motivo": "El agresor salió de la cárcel",
                              "fecha": _dia(2)})
    assert repetida.status_code == 201
    assert api.post(f"/api/v1/casos/{caso['id']}/valoraciones", COORD, json={
        "nivel_riesgo": "alto", "motivo": "Visita de la semana pasada", "fecha": _dia(7)}).status_code == 201
    d = _detalle(api, caso)
    assert [(v["nivel_riesgo"], v["fecha"]) for v in d["valoraciones"]] == [
        ("medio", _dia(30)), ("alto", _dia(7)), ("extremo", _dia(2))]
    assert d["nivel_riesgo"] == "extremo"
    assert d["valoraciones"][0]["motivo"] is None
    assert d["valoraciones"][2]["motivo"] == "El agresor salió de la cárcel"
    assert d["valoraciones"][2]["registrada_por"]["nombre"] == "Técnica de Minas de Oro"
    assert d["valoraciones"][1]["nivel_riesgo_nombre"] == "Alto"
    _error(api.post(f"/api/v1/casos/{caso['id']}/valoraciones", TEC, json={
        "nivel_riesgo": "bajo", "motivo": "x", "fecha": _dia(31)}), 409, "ESTADO_INVALIDO", "fecha")  # antes de la atención
    _error(api.post(f"/api/v1/casos/{caso['id']}/valoraciones", TEC, json={
        "nivel_riesgo": "bajo", "motivo": "x", "fecha": _dia(-1)}), 400, "VALIDACION", "fecha")
    _error(api.post(f"/api/v1/casos/{caso['id']}/valoraciones", TEC, json={"nivel_riesgo": "bajo"}),
           400, "VALIDACION", "motivo")
    # El PATCH no toca el riesgo ni el consentimiento: dice adónde ir.
    r = api.patch(f"/api/v1/casos/{caso['id']}", TEC, json={"nivel_riesgo": "bajo", "motivo": "x"})
    _error(r, 400, "VALIDACION", "nivel_riesgo")
    assert "/valoraciones" in r.json()["detalles"]["nivel_riesgo"][0]

    # La sobreviviente retira el consentimiento para estadísticas: la oficina la sigue contando como atendida.
    sin_consentimiento = _caso(api, "Marta", "Pineda", atencion=30)
    antes = _agregados(sistema)
    r = api.post(f"/api/v1/casos/{sin_consentimiento['id']}/consentimientos", TEC, json={
        "servicios": True, "derivacion": False, "estadisticas": False, "motivo": "Lo pidió en la visita"})
    assert r.status_code == 201, r.text
    assert r.json()["consentimiento"] == {"servicios": True, "derivacion": False, "estadisticas": False}
    assert [c["estadisticas"] for c in r.json()["consentimientos"]] == [True, False]
    despues = _agregados(sistema)

    def cifra(filas, dimension, valor="casos"):
        return sum(f["casos"] for f in filas if f["dimension"] == dimension and f["valor"] == valor)
    assert cifra(despues, "total") == cifra(antes, "total") - 1
    assert cifra(despues, "atendidos") == cifra(antes, "atendidos") >= 2
    assert all(f["mes"] for f in despues if f["dimension"] == "atendidos")
    assert cifra(despues, "gbvims", "sin_clasificar") == cifra(antes, "gbvims", "sin_clasificar") - 1
    assert cifra(despues, "nivel_riesgo", "extremo") >= 1
    # Sin consentimiento de derivación ya no se deriva.
    _error(api.post(f"/api/v1/casos/{sin_consentimiento['id']}/derivaciones", TEC, json={
        "destino": "policia", "motivo": "x"}), 409, "SIN_CONSENTIMIENTO")

    # Reabrir: solo la coordinadora, solo un caso cerrado; repetirlo es un 409 claro.
    ruta = f"/api/v1/casos/{caso['id']}/reapertura"
    _error(api.post(ruta, COORD, json={"motivo": "Volvió"}), 409, "ESTADO_INVALIDO")
    assert api.post(f"/api/v1/casos/{caso['id']}/cierre", TEC, json={"motivo": "Se mudó"}).status_code == 200
    _error(api.post(f"/api/v1/casos/{caso['id']}/valoraciones", TEC, json={"nivel_riesgo": "bajo", "motivo": "x"}),
           409, "ESTADO_INVALIDO")
    _error(api.post(ruta, TEC, json={"motivo": "Volvió"}), 403, "PROHIBIDO")
    _error(api.post(ruta, COORD, json={}), 400, "VALIDACION", "motivo")
    r = api.post(ruta, COORD, json={"motivo": "Volvió a la oficina: nuevas amenazas"})
    assert r.status_code == 200, r.text
    assert r.json()["estado"] == "abierto" and r.json()["motivo_cierre"] is None
    r = api.post(ruta, COORD, json={"motivo": "Volvió a la oficina: nuevas amenazas"})
    _error(r, 409, "ESTADO_INVALIDO")
    assert "no está cerrado" in r.json()["mensaje"]
    bitacora = api.get(f"/api/v1/casos/{caso['id']}/auditoria", COORD).json()
    acciones = [a["accion"] for a in bitacora]
    assert acciones.index("cerrar") < acciones.index("reabrir")
    reabrir = next(a for a in bitacora if a["accion"] == "reabrir")
    assert reabrir["motivo"] == "Volvió a la oficina: nuevas amenazas" and reabrir["usuario"] == COORD
    assert [a["campos"] for a in bitacora if a["accion"] == "valorar_riesgo"] == [["nivel_riesgo"]] * 2
    # Los hechos, en el outbox de casos: ids y categorías, nunca el motivo.
    motor = sa.create_engine(sistema.urls["casos"])
    with motor.connect() as c:
        eventos = [(e.tipo, e.datos) for e in c.execute(sa.text(
            "SELECT tipo, datos FROM outbox WHERE tipo IN ('RiesgoReevaluado', 'CasoReabierto') ORDER BY ocurrido_en"))
            if e.datos["caso_id"] == caso["id"]]
    motor.dispose()
    assert [(t, d.get("nivel_riesgo"), d.get("nivel_anterior")) for t, d in eventos] == [
        ("RiesgoReevaluado", "extremo", "medio"), ("RiesgoReevaluado", "extremo", "extremo"), ("CasoReabierto", None, None)]
    assert "amenazas" not in str(eventos) and "cárcel" not in str(eventos)


def test_correccion_auditada_gbvims_exacto_y_fechas_en_orden(api, sistema):
    caso = _caso(api, "Yessenia", "Matute Cruz", atencion=10, tipos=("fisica", "psicologica"))
    assert caso["tipo_gbvims"] == "agresion_fisica"  # física sin sexual: exacto
    ruta = f"/api/v1/casos/{caso['id']}"
    # La técnica corrige el nombre mal escrito y agrega el DNI: la búsqueda sigue al dato corregido.
    r = api.patch(ruta, TEC, json={"sobreviviente": {"nombres": "Yesenia", "dni": "0311-1995-00123"},
                                   "motivo": "Error al transcribir la ficha"})
    assert r.status_code == 200, r.text
    assert r.json()["sobreviviente"]["nombres"] == "Yesenia"
    assert r.json()["sobreviviente"]["apellidos"] == "Matute Cruz"

    def encontrados(q):
        return [c["id"] for c in api.get("/api/v1/casos", TEC, params={"q": q}).json()["items"]]
    assert caso["id"] in encontrados("Yesenia Matute") and caso["id"] in encontrados("0311199500123")
    assert caso["id"] not in encontrados("Yessenia")
    # Repetir la misma corrección no cambia nada ni deja otra entrada.
    assert api.patch(ruta, TEC, json={"sobreviviente": {"nombres": "Yesenia"}, "motivo": "otra vez"}).status_code == 200
    _error(api.patch(ruta, TEC, json={"contexto": "familiar"}), 400, "VALIDACION", "motivo")
    # Válido por sí solo; choca con la atención guardada: 409 que nombra el campo.
    _error(api.patch(ruta, TEC, json={"fecha_incidente": _dia(5), "motivo": "x"}), 409, "ESTADO_INVALIDO",
           "fecha_incidente")
    # Al crear, las dos fechas vienen juntas: cada una cumple el documento, su orden no (409, con el campo), y no
    # queda caso a medias.
    antes = api.get("/api/v1/casos", TEC).json()["total"]
    with pytest.raises(AssertionError, match="DATOS_INCOHERENTES") as e:
        _caso(api, atencion=30, fecha_incidente=_dia(3))
    assert "El incidente no puede ser posterior a la atención." in str(e.value) and '"fecha_incidente"' in str(e.value)
    assert api.get("/api/v1/casos", TEC).json()["total"] == antes
    # Clasificación: la violación se distingue solo cuando la técnica lo dice, y debe ser coherente.
    _error(api.patch(ruta, TEC, json={"tipo_gbvims": "violacion", "motivo": "x"}), 409, "ESTADO_INVALIDO",
           "tipo_gbvims")
    r = api.patch(ruta, TEC, json={"tipos_violencia": ["sexual", "fisica"], "motivo": "Relató la violación"})
    assert r.json()["tipo_gbvims"] is None and r.json()["tipo_gbvims_nombre"] == "Sin clasificar"
    r = api.patch(ruta, TEC, json={"tipo_gbvims": "violacion", "motivo": "Relató la violación"})
    assert r.json()["tipo_gbvims"] == "violacion" and r.json()["tipo_gbvims_nombre"] == "Violación"
    assert caso["id"] in [c["id"] for c in api.get("/api/v1/casos", TEC, params={
        "tipo_gbvims": "violacion"}).json()["items"]]
    bitacora = api.get(f"{ruta}/auditoria", COORD).json()
    correcciones = [a for a in bitacora if a["accion"] == "corregir"]
    assert [a["campos"] for a in correcciones] == [
        ["sobreviviente.nombres", "sobreviviente.dni"], ["tipos_violencia", "tipo_gbvims"], ["tipo_gbvims"]]
    assert correcciones[0]["motivo"] == "Error al transcribir la ficha"
    assert "Yesenia" not in str(bitacora) and "0311199500123" not in str(bitacora)
    filas = _agregados(sistema)
    assert any(f["dimension"] == "gbvims" and f["valor"] == "violacion" for f in filas)
    # Los crea el sistema con la clasificación elegida, y rechaza la que contradice la jerarquía.
    r = api.post("/api/v1/casos", TEC, json={
        "fecha_atencion": _dia(1), "sobreviviente": {"nombres": "Ana", "apellidos": "Sosa", "comunidad": "Centro"},
        "tipos_violencia": ["sexual"], "tipo_gbvims": "agresion_fisica", "contexto": "pareja", "relato": "x",
        "nivel_riesgo": "bajo", "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": True}})
    _error(r, 400, "VALIDACION", "tipo_gbvims")
    forzado = _caso(api, "Dilcia", "Reyes", atencion=3, tipos=("psicologica",), tipo_gbvims="matrimonio_forzado")
    assert forzado["tipo_gbvims"] == "matrimonio_forzado"

    # Fechas en orden: seguimiento ni antes de la atención ni futuro; la próxima, no antes del seguimiento.
    seg = f"{ruta}/seguimientos"
    r = api.post(seg, TEC, json={"fecha": _dia(11), "tipo": "llamada", "nota": "x"})
    _error(r, 409, "ESTADO_INVALIDO", "fecha")
    assert "anterior a la atención" in r.json()["detalles"]["fecha"][0]
    _error(api.post(seg, TEC, json={"fecha": _dia(-1), "tipo": "llamada", "nota": "x"}), 400, "VALIDACION", "fecha")
    _error(api.post(seg, TEC, json={"fecha": _dia(2), "tipo": "llamada", "nota": "x", "proxima_fecha": _dia(3)}),
           409, "DATOS_INCOHERENTES", "proxima_fecha")  # cada fecha es válida; su orden no
    assert api.post(seg, TEC, json={"fecha": _dia(2), "tipo": "llamada", "nota": "x",
                                    "proxima_fecha": _dia(2)}).status_code == 201
    # Un seguimiento de días atrás anotado tarde no cambia la próxima cita del caso.
    r = api.post(seg, TEC, json={"fecha": _dia(5), "tipo": "visita", "nota": "x", "proxima_fecha": _dia(4)})
    assert r.status_code == 201 and r.json()["proxima_fecha"] == _dia(2), r.text
    assert [x["fecha"] for x in r.json()["seguimientos"]] == [_dia(5), _dia(2)]


def test_responsable_agenda_y_aviso_al_cis_confirmado(api, sistema):
    assert api.put("/api/v1/notificaciones/destinatarios", COORD, json={
        "clave": "cis", "nombre": "CIS Minas de Oro", "email": "cis.0311@salud.prueba.hn"}).status_code == 200
    ids = {u: api.get("/api/v1/yo", u).json()["id"] for u in (COORD, TEC, CIS)}
    vencido = _caso(api, "María José", "López Díaz", atencion=20, tipos=("fisica",))
    de_hoy = _caso(api, "Iris", "Banegas", atencion=20, tipos=("fisica",))
    assert vencido["responsable"] == {"id": ids[TEC], "nombre": "Técnica de Minas de Oro"}
    for caso, proxima in ((vencido, _dia(4)), (de_hoy, _dia(0))):
        assert api.post(f"/api/v1/casos/{caso['id']}/seguimientos", TEC, json={
            "fecha": _dia(10), "tipo": "visita", "nota": "x", "proxima_fecha": proxima}).status_code == 201
    # La coordinadora pasa un caso a su nombre; el CIS o una usuaria de otro municipio no pueden ser responsables.
    ruta = f"/api/v1/casos/{de_hoy['id']}/responsable"
    _error(api.put(ruta, TEC, json={"usuario_id": ids[COORD]}), 403, "PROHIBIDO")
    _error(api.put(ruta, COORD, json={"usuario_id": ids[CIS]}), 409, "ESTADO_INVALIDO", "usuario_id")
    otra = api.get("/api/v1/yo", "coordinadora.0309").json()["id"]
    _error(api.put(ruta, COORD, json={"usuario_id": otra}), 409, "REFERENCIA_INEXISTENTE", "usuario_id")
    r = api.put(ruta, COORD, json={"usuario_id": ids[COORD]})
    assert r.status_code == 200, r.text
    assert r.json()["responsable"] == {"id": ids[COORD], "nombre": "Coordinadora de Minas de Oro"}
    mios = [c["id"] for c in api.get("/api/v1/casos", TEC, params={"responsable": "yo"}).json()["items"]]
    assert vencido["id"] in mios and de_hoy["id"] not in mios
    assert de_hoy["id"] in [c["id"] for c in api.get("/api/v1/casos", COORD, params={"mios": "true"}).json()["items"]]

    agenda = api.get("/api/v1/casos/agenda", COORD).json()
    assert agenda["fecha"] == _dia(0)
    hoy = next(x for x in agenda["hoy"] if x["id"] == de_hoy["id"])
    atrasado = next(x for x in agenda["vencidos"] if x["id"] == vencido["id"])
    assert atrasado["dias_vencido"] == 4 and atrasado["iniciales"] == "M. J. L. D." and hoy["dias_vencido"] == 0
    assert atrasado["responsable"]["nombre"] == "Técnica de Minas de Oro"
    assert "López" not in str(agenda) and "Banegas" not in str(agenda)
    mia = api.get("/api/v1/casos/agenda", TEC, params={"mios": "true"}).json()
    assert vencido["id"] in [x["id"] for x in mia["vencidos"]] and de_hoy["id"] not in [x["id"] for x in mia["hoy"]]

    # Derivación al CIS: la técnica ve el aviso pendiente, enviado y luego confirmado por el CIS.
    d = api.post(f"/api/v1/casos/{vencido['id']}/derivaciones", TEC, json={"destino": "cis", "motivo": "Control"})
    assert d.status_code == 201 and d.json()["aviso"] == "pendiente", d.text
    policia = api.post(f"/api/v1/casos/{vencido['id']}/derivaciones", TEC, json={"destino": "policia", "motivo": "x"})
    assert policia.json()["aviso"] is None

    def aviso():
        return next(x for x in _detalle(api, vencido)["derivaciones"] if x["id"] == d.json()["id"])
    esperar(lambda: aviso()["aviso"] == "enviada", 60, mensaje="aviso al CIS enviado")
    assert aviso()["aviso_enviado_en"] and aviso()["aviso_confirmado_en"] is None
    bandeja = api.get("/api/v1/notificaciones", CIS, params={"por_pagina": 200}).json()["items"]
    nota = next(n for n in bandeja if n["evento_tipo"] == "CasoDerivado" and n["canal"] == "bandeja"
                and vencido["codigo"] in (n["mensaje"] or ""))
    assert api.post(f"/api/v1/notificaciones/{nota['id']}/acuse", CIS).status_code == 200
    esperar(lambda: aviso()["aviso"] == "confirmada", 60, mensaje="acuse del CIS visible en el caso")
    assert aviso()["aviso_confirmado_en"] >= aviso()["aviso_enviado_en"]
