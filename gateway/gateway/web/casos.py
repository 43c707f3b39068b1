"""Pantallas de casos (aplicación web de las oficinas): técnica y coordinadora.

Lista con búsqueda (por POST: un nombre o un DNI nunca va en la URL) y filtros; caso nuevo en dos pasos
(primero el consentimiento informado, luego los datos); la página del caso (la única que muestra el nombre),
con el reloj de 72 horas de la violencia sexual, seguimientos, derivaciones y su aviso al CIS, valoraciones
del riesgo, consentimiento, cierre y reapertura; la bitácora (coordinadora) y la agenda del día.
Todo por las mismas operaciones de /api/v1/casos.
"""
import re
from datetime import datetime, time, timedelta

from casos.contrato import (
    CONTEXTOS, DESTINOS, ESTADOS, HORAS_URGENCIA_SEXUAL, NIVELES_RIESGO, NOMBRES_CONTEXTO, NOMBRES_GBVIMS,
    NOMBRES_NIVEL_RIESGO, NOMBRES_TIPO_VIOLENCIA, TIPOS_GBVIMS, TIPOS_SEGUIMIENTO, TIPOS_VIOLENCIA,
    horas_desde_incidente,
)
from omm_common import municipios
from omm_common.tiempo import HONDURAS, ahora_utc, hoy_honduras

from . import textos
from .nucleo import Redireccion, en_inicio, formulario, menu, pagina

ROLES = ("tecnica", "coordinadora")
POR_PAGINA = 25

menu("Casos", "/casos", ROLES, orden=10)

# --- las palabras de la oficina para lo que solo usan estas pantallas ---

NOMBRES = {
    "seguimiento": {"llamada": "Llamada", "visita": "Visita", "acompanamiento": "Acompañamiento",
                    "atencion": "Atención", "otro": "Otro"},
    "destino": {"cis": "CIS (centro de salud)", "policia": "Policía", "fiscalia": "Fiscalía", "juzgado": "Juzgado",
                "ciudad_mujer": "Ciudad Mujer", "dinaf": "DINAF", "otro": "Otra institución"},
    "sexo_agresor": {"mujer": "Mujer", "hombre": "Hombre", "otro": "Otro", "desconocido": "No se sabe"},
    "edad_agresor": {"menor_18": "Menor de 18 años", "18_29": "De 18 a 29 años", "30_44": "De 30 a 44 años",
                     "45_59": "De 45 a 59 años", "60_mas": "60 años o más", "desconocido": "No se sabe"},
    "accion": {"registrar": "Registró el caso", "leer": "Abrió el caso", "seguimiento": "Registró un seguimiento",
               "derivar": "Derivó el caso", "cerrar": "Cerró el caso", "reabrir": "Reabrió el caso",
               "corregir": "Corrigió datos", "valorar_riesgo": "Valoró el riesgo",
               "cambiar_consentimiento": "Registró un cambio de consentimiento",
               "asignar_responsable": "Cambió la responsable", "leer_auditoria": "Leyó la bitácora",
               "compartir_con_destino": "Se compartieron los datos de contacto con la institución (aviso de la "
                                        "derivación)"},
    "campo": {"sobreviviente.nombres": "nombres", "sobreviviente.apellidos": "apellidos",
              "sobreviviente.dni": "DNI", "sobreviviente.fecha_nacimiento": "fecha de nacimiento",
              "sobreviviente.telefono": "teléfono", "sobreviviente.comunidad": "comunidad",
              "sobreviviente.etnia": "pueblo o etnia", "sobreviviente.discapacidad": "discapacidad",
              "fecha_incidente": "fecha del incidente", "tipos_violencia": "tipos de violencia",
              "tipo_gbvims": "clasificación GBVIMS", "contexto": "contexto", "agresor": "agresor",
              "nivel_riesgo": "nivel de riesgo", "estado": "estado", "responsable": "responsable",
              "consentimiento.servicios": "consentimiento para la atención",
              "consentimiento.derivacion": "consentimiento para derivar",
              "consentimiento.estadisticas": "consentimiento para estadísticas"},
    "rol": textos.ROLES | {"servicio": "Sistema"},
}


def nombre(grupo, valor):
    """La palabra de la oficina para un valor de estas pantallas (nunca el código)."""
    if valor is None or valor == "":
        return ""
    propio = NOMBRES.get(grupo, {})
    return propio[valor] if valor in propio else textos.etiqueta(valor, grupo)


def _opciones(valores, nombres):
    return [(v, nombres[v]) for v in valores]


OPCIONES = {
    "estado": _opciones(ESTADOS, textos.ESTADOS),
    "violencia": _opciones(TIPOS_VIOLENCIA, NOMBRES_TIPO_VIOLENCIA),
    "riesgo": _opciones(NIVELES_RIESGO, NOMBRES_NIVEL_RIESGO),
    "contexto": _opciones(CONTEXTOS, NOMBRES_CONTEXTO),
    "gbvims": _opciones(TIPOS_GBVIMS, NOMBRES_GBVIMS),
    "seguimiento": _opciones(TIPOS_SEGUIMIENTO, NOMBRES["seguimiento"]),
    "destino": _opciones(DESTINOS, NOMBRES["destino"]),
    "sexo_agresor": list(NOMBRES["sexo_agresor"].items()),
    "edad_agresor": list(NOMBRES["edad_agresor"].items()),
    "si_no": [("si", "Sí"), ("no", "No")],
    "responsable": [("yo", "Mis casos")],
}

# Lo que la página dice al volver de guardar (PRG): un código en la URL, nunca un dato de la persona.
AVISOS = {
    "registrado": "Caso registrado.",
    "seguimiento": "Seguimiento registrado.",
    "derivacion": "Derivación registrada.",
    "derivacion_urgente": "Derivación registrada como urgente.",
    "derivacion_cis": "Derivación registrada. El CIS recibe el aviso en su bandeja.",
    "derivacion_cis_urgente": "Derivación urgente registrada. El CIS recibe el aviso en su bandeja, marcado urgente.",
    "valoracion": "Valoración del riesgo registrada.",
    "consentimiento": "Cambio de consentimiento registrado.",
    "cerrado": "Caso cerrado.",
    "reabierto": "Caso reabierto.",
}

# A qué parte de la página del caso vuelve cada formulario.
ANCLAS = {"seg_": "seguimientos", "der_": "derivaciones", "val_": "riesgo", "con_": "consentimiento",
          "cierre_": "cierre", "reapertura_": "cierre"}

# Un código de caso como lo escribe la oficina: SAN-2026-0007 (o san-2026-7).
CODIGO = re.compile(r"^\s*([A-Za-zÑñ]{2,6})-(\d{4})-(\d{1,6})\s*$")

# Etiquetas de los campos, para el resumen de errores arriba («Nombres: Este campo es obligatorio.»).
ETIQUETAS = {
    "fecha_atencion": "Fecha de atención", "fecha_incidente": "Fecha del incidente", "nombres": "Nombres",
    "apellidos": "Apellidos", "dni": "DNI", "fecha_nacimiento": "Fecha de nacimiento", "telefono": "Teléfono",
    "comunidad": "Comunidad", "etnia": "Pueblo o etnia", "discapacidad": "Discapacidad",
    "tipos_violencia": "Tipos de violencia", "tipo_gbvims": "Clasificación GBVIMS", "contexto": "Contexto",
    "relato": "Relato", "nivel_riesgo": "Nivel de riesgo", "agresor_relacion": "Relación del agresor",
    "agresor_sexo": "Sexo del agresor", "agresor_grupo_edad": "Edad del agresor",
    "consentimiento": "Consentimiento", "informada": "Consentimiento informado",
    "consentimiento_servicios": "Atención y seguimiento", "consentimiento_derivacion": "Derivación",
    "consentimiento_estadisticas": "Estadísticas",
    "seg_fecha": "Fecha del seguimiento", "seg_tipo": "Tipo de seguimiento", "seg_nota": "Nota",
    "seg_proxima_fecha": "Próximo seguimiento", "der_destino": "Institución", "der_motivo": "Motivo de la derivación",
    "val_nivel_riesgo": "Nivel de riesgo", "val_motivo": "Motivo de la valoración", "val_fecha": "Fecha de la valoración",
    "con_servicios": "Atención", "con_derivacion": "Derivación", "con_estadisticas": "Estadísticas",
    "con_motivo": "Motivo del cambio", "con_fecha": "Fecha del cambio", "cierre_motivo": "Motivo del cierre",
    "reapertura_motivo": "Motivo de la reapertura",
}


def _mensajes(valor):
    if isinstance(valor, str):
        return [valor]
    if isinstance(valor, list):
        return [m for v in valor for m in _mensajes(v)]
    if isinstance(valor, dict):
        return [m for v in valor.values() for m in _mensajes(v)]
    return []


def _errores(exc, prefijo="", anidados=None):
    """({campo del formulario: "Etiqueta: mensaje"}, mensaje general) de un error de la API.

    `anidados`: {objeto de la API: prefijo de sus campos en el formulario} («sobreviviente» -> «»)."""
    if not exc.de_campos:
        return {}, exc.mensaje  # 409 y demás: su mensaje ya dice qué pasó (los detalles no son campos)
    detalles = exc.detalles
    anidados = anidados or {}
    campos = {}
    for clave, valor in detalles.items():
        if clave in anidados and isinstance(valor, dict):
            for sub, mensajes in valor.items():
                campos[f"{anidados[clave]}{sub}"] = " ".join(_mensajes(mensajes))
        else:
            campos[f"{prefijo}{clave}"] = " ".join(_mensajes(valor))
    errores, sueltos = {}, []
    for campo, texto in campos.items():
        if campo in ETIQUETAS:
            errores[campo] = f"{ETIQUETAS[campo]}: {texto or exc.mensaje}"
        elif texto:
            sueltos.append(texto)
    general = " ".join(sueltos) or (None if errores else exc.mensaje)
    return errores, general


def _si_no(valor):
    return {"si": True, "no": False}.get(valor)


def reloj_72h(caso, ahora=None):
    """El reloj de la violencia sexual: cuánto queda de las 72 horas desde el incidente (la profilaxis), con la
    misma cuenta que decide la urgencia de la derivación al CIS (sin hora, desde el inicio del día)."""
    if "sexual" not in (caso.get("tipos_violencia") or []) or not caso.get("fecha_incidente"):
        return None
    ahora = ahora or ahora_utc()
    fecha = datetime.fromisoformat(caso["fecha_incidente"]).date() \
        if isinstance(caso["fecha_incidente"], str) else caso["fecha_incidente"]
    horas = horas_desde_incidente(fecha, ahora)
    limite = datetime.combine(fecha, time(0, 0), HONDURAS) + timedelta(hours=HORAS_URGENCIA_SEXUAL)
    quedan = int((limite - ahora).total_seconds() // 3600)
    return {"vigente": horas <= HORAS_URGENCIA_SEXUAL, "horas": min(horas, 9999), "quedan": max(0, quedan),
            "limite": limite, "total": HORAS_URGENCIA_SEXUAL,
            "fraccion": min(1.0, horas / HORAS_URGENCIA_SEXUAL)}


class RutasWebCasos:

    # --- lista y búsqueda ---

    @pagina("GET", "/casos", roles=ROLES)
    def pagina_casos(self, request):
        # Por GET solo filtros que no nombran a nadie (estado, tipo, riesgo, mis casos); la búsqueda va por POST.
        filtros = {k: request.args.get(k, "") for k in ("estado", "tipo_violencia", "nivel_riesgo", "responsable")}
        if request.args.get("mios"):
            filtros["responsable"] = "yo"
        return self._lista_casos(filtros, "", request.args.get("pagina", "1"))

    @pagina("POST", "/casos", roles=ROLES)
    def buscar_casos(self, request):
        filtros = formulario(request, "estado", "tipo_violencia", "nivel_riesgo", "responsable")
        return self._lista_casos(filtros, request.form.get("q", "").strip(), request.form.get("pagina", "1"))

    def _lista_casos(self, filtros, q, pagina_):
        consulta = {k: v for k, v in filtros.items() if v}
        if consulta.get("responsable") not in (None, "yo"):
            consulta.pop("responsable")
        codigo = CODIGO.match(q) if q else None
        if codigo:
            consulta["codigo"] = f"{codigo[1].upper()}-{codigo[2]}-{int(codigo[3]):04d}"
        elif q:
            consulta["q"] = q
        consulta["pagina"] = pagina_ if str(pagina_).isdigit() and int(pagina_) > 0 else "1"
        consulta["por_pagina"] = POR_PAGINA
        datos, error = self.intentar("listar_casos", consulta=consulta)
        if error is not None:
            datos = {"items": [], "total": 0, "pagina": 1, "por_pagina": POR_PAGINA}
        paginas = max(1, -(-datos["total"] // datos["por_pagina"]))
        # Lo buscado no vuelve a la pantalla si es un nombre o un DNI (solo un código, que no nombra a nadie);
        # viaja oculto en los botones de página para seguir la misma búsqueda.
        digitos = q.replace("-", "").replace(" ", "")
        buscado = "codigo" if codigo else "dni" if digitos.isdigit() and len(digitos) == 13 else "nombre" if q else ""
        return self.render("casos/lista.html", titulo="Casos", casos=datos["items"], total=datos["total"],
                           pagina_actual=datos["pagina"], paginas=paginas, filtros=filtros, q=q,
                           visible=consulta.get("codigo", ""), buscado=buscado, opciones=OPCIONES, nombre=nombre,
                           ejemplo=self._ejemplo_codigo(),
                           error=error and "No se pudo buscar: revise los filtros.",
                           estado=400 if error else 200)

    def _ejemplo_codigo(self):
        """Un código como los de esta oficina (la sigla de su municipio y el año), para la ayuda de la búsqueda."""
        m = municipios.buscar(self.web.yo.municipio) if self.web.yo.municipio else None
        return f"{m.sigla if m else 'LEJ'}-{hoy_honduras().year}-0007"

    # --- agenda del día ---

    @pagina("GET", "/casos/agenda", roles=ROLES)
    def pagina_agenda_casos(self, request):
        mios = bool(request.args.get("mios"))
        agenda = self.datos("agenda_casos", consulta={"mios": "true" if mios else "false"})
        return self.render("casos/agenda.html", titulo="Seguimientos de hoy y vencidos", agenda=agenda, mios=mios,
                           nombre=nombre)

    # --- caso nuevo: primero el consentimiento, después los datos ---

    @pagina("GET", "/casos/nuevo", roles=ROLES)
    def pagina_caso_nuevo(self, request):
        return self.render("casos/consentimiento.html", titulo="Caso nuevo: consentimiento informado",
                           opciones=OPCIONES, valores={})

    @pagina("POST", "/casos/nuevo", roles=ROLES)
    def caso_nuevo(self, request):
        valores = formulario(request)
        consentimiento = {k: _si_no(valores.get(f"consentimiento_{k}")) for k in ("servicios", "derivacion",
                                                                                 "estadisticas")}
        errores = {}
        if valores.get("informada") != "si":
            errores["informada"] = (f"{ETIQUETAS['informada']}: confirme que leyó el consentimiento a la "
                                    "sobreviviente y que lo entendió.")
        for k, v in consentimiento.items():
            if v is None:
                errores[f"consentimiento_{k}"] = f"{ETIQUETAS[f'consentimiento_{k}']}: marque Sí o No."
        if errores:
            return self.render("casos/consentimiento.html", titulo="Caso nuevo: consentimiento informado",
                               estado=400, opciones=OPCIONES, valores=valores, errores=errores)
        contexto = dict(opciones=OPCIONES, consentimiento=consentimiento, nombre=nombre)
        if request.form.get("paso") != "datos":
            valores.setdefault("fecha_atencion", hoy_honduras().isoformat())
            return self.render("casos/datos.html", titulo="Caso nuevo: datos", valores=valores,
                               tipos=[], **contexto)
        tipos = request.form.getlist("tipos_violencia")
        cuerpo = self._cuerpo_caso(valores, tipos, consentimiento)
        creado, error = self.intentar("crear_caso", cuerpo, clave=request.form.get("clave"))
        if error is None:
            raise Redireccion(f"/casos/{creado['id']}?aviso=registrado")
        errores, general = _errores(error, anidados={"sobreviviente": "", "agresor": "agresor_"})
        return self.render("casos/datos.html", titulo="Caso nuevo: datos", estado=400, valores=valores,
                           tipos=tipos, errores=errores, error=general, **contexto)

    @staticmethod
    def _cuerpo_caso(v, tipos, consentimiento):
        sobreviviente = {k: v[k] for k in ("nombres", "apellidos", "comunidad") if k in v}
        for k in ("dni", "fecha_nacimiento", "telefono", "etnia"):
            sobreviviente[k] = v.get(k) or None
        sobreviviente["discapacidad"] = _si_no(v.get("discapacidad"))
        cuerpo = {k: v[k] for k in ("fecha_atencion", "contexto", "relato", "nivel_riesgo", "tipo_gbvims") if k in v}
        cuerpo.update(fecha_incidente=v.get("fecha_incidente") or None, sobreviviente=sobreviviente,
                      tipos_violencia=tipos, consentimiento=consentimiento)
        agresor = {k: v[f"agresor_{k}"] for k in ("relacion", "sexo", "grupo_edad") if v.get(f"agresor_{k}")}
        if agresor.get("relacion"):  # se sabe quién es, pero no su sexo o su edad: «no se sabe»
            agresor.setdefault("sexo", "desconocido")
            agresor.setdefault("grupo_edad", "desconocido")
        cuerpo["agresor"] = agresor or None
        return cuerpo

    # --- la página del caso ---

    @pagina("GET", "/casos/<caso_id>", roles=ROLES)
    def pagina_caso(self, request, caso_id):
        return self._pagina_caso(caso_id, mensaje=AVISOS.get(request.args.get("aviso", "")))

    def _pagina_caso(self, caso_id, estado=200, valores=None, **contexto):
        caso = self.datos("obtener_caso", caso_id=caso_id)
        contexto.setdefault("errores", {})
        contexto.setdefault("con_error", "")
        return self.render("casos/caso.html", titulo=f"Caso {caso['codigo']}", estado=estado, caso=caso,
                           reloj=reloj_72h(caso), opciones=OPCIONES, nombre=nombre, valores=valores or {},
                           hoy=hoy_honduras().isoformat(), **contexto)

    def _escribir(self, request, caso_id, operacion, cuerpo, prefijo, aviso):
        """Guarda lo de un formulario de la página del caso; si la API lo rechaza, la misma página con el error
        junto a su campo (los campos de cada formulario llevan su prefijo: seg_, der_, val_, ...)."""
        datos, error = self.intentar(operacion, cuerpo, clave=request.form.get("clave"), caso_id=caso_id)
        if error is None:
            destino = aviso(datos) if callable(aviso) else aviso
            raise Redireccion(f"/casos/{caso_id}?aviso={destino}#{ANCLAS[prefijo]}")
        errores, general = _errores(error, prefijo)
        return self._pagina_caso(caso_id, estado=error.estado_http, valores=formulario(request), errores=errores,
                                 error=general, con_error=prefijo)

    @pagina("POST", "/casos/<caso_id>/seguimientos", roles=ROLES)
    def caso_seguimiento(self, request, caso_id):
        v = formulario(request)
        cuerpo = {k: v[f"seg_{k}"] for k in ("fecha", "tipo", "nota") if f"seg_{k}" in v}
        cuerpo["proxima_fecha"] = v.get("seg_proxima_fecha") or None
        return self._escribir(request, caso_id, "registrar_seguimiento", cuerpo, "seg_", "seguimiento")

    @pagina("POST", "/casos/<caso_id>/derivaciones", roles=ROLES)
    def caso_derivacion(self, request, caso_id):
        v = formulario(request)
        cuerpo = {k: v[f"der_{k}"] for k in ("destino", "motivo") if f"der_{k}" in v}
        cuerpo["urgente"] = v.get("der_urgente") == "si"

        def aviso(d):
            return "derivacion" + ("_cis" if d.get("destino") == "cis" else "") + ("_urgente" if d["urgente"] else "")
        return self._escribir(request, caso_id, "registrar_derivacion", cuerpo, "der_", aviso)

    @pagina("POST", "/casos/<caso_id>/valoraciones", roles=ROLES)
    def caso_valoracion(self, request, caso_id):
        v = formulario(request)
        cuerpo = {k: v[f"val_{k}"] for k in ("nivel_riesgo", "motivo", "fecha") if f"val_{k}" in v}
        return self._escribir(request, caso_id, "reevaluar_riesgo", cuerpo, "val_", "valoracion")

    @pagina("POST", "/casos/<caso_id>/consentimientos", roles=ROLES)
    def caso_consentimiento(self, request, caso_id):
        v = formulario(request)
        cuerpo = {k: v[f"con_{k}"] for k in ("motivo", "fecha") if f"con_{k}" in v}
        for k in ("servicios", "derivacion", "estadisticas"):
            if _si_no(v.get(f"con_{k}")) is not None:
                cuerpo[k] = _si_no(v[f"con_{k}"])
        return self._escribir(request, caso_id, "cambiar_consentimiento", cuerpo, "con_", "consentimiento")

    @pagina("POST", "/casos/<caso_id>/cierre", roles=ROLES)
    def caso_cierre(self, request, caso_id):
        v = formulario(request)
        cuerpo = {"motivo": v["cierre_motivo"]} if v.get("cierre_motivo") else {}
        return self._escribir(request, caso_id, "cerrar_caso", cuerpo, "cierre_", "cerrado")

    @pagina("POST", "/casos/<caso_id>/reapertura", roles=("coordinadora",))
    def caso_reapertura(self, request, caso_id):
        v = formulario(request)
        cuerpo = {"motivo": v["reapertura_motivo"]} if v.get("reapertura_motivo") else {}
        return self._escribir(request, caso_id, "reabrir_caso", cuerpo, "reapertura_", "reabierto")

    # --- bitácora (coordinadora) ---

    @pagina("GET", "/casos/<caso_id>/bitacora", roles=("coordinadora",))
    def pagina_bitacora_caso(self, request, caso_id):
        caso = self.datos("obtener_caso", caso_id=caso_id)  # el código para el título (y 404 si no es de aquí)
        entradas = list(reversed(self.datos("auditoria_caso", caso_id=caso_id)))  # lo más reciente arriba
        return self.render("casos/bitacora.html", titulo=f"Bitácora del caso {caso['codigo']}",
                           caso={"id": caso["id"], "codigo": caso["codigo"], "estado": caso["estado"]},
                           entradas=entradas, nombre=nombre)


# --- lo que la página de inicio muestra hoy ---

@en_inicio("tecnica", "coordinadora")
def pendientes_de_casos(self):
    """Seguimientos vencidos y de hoy (la técnica, los suyos) y los casos de violencia sexual dentro de las 72
    horas que aún no se derivan: urgentes primero."""
    mios = self.web.yo.rol == "tecnica"
    agenda = self.datos("agenda_casos", consulta={"mios": "true" if mios else "false"})
    enlace = "/casos/agenda" + ("?mios=1" if mios else "")
    avisos = []
    if agenda["vencidos"]:
        n = len(agenda["vencidos"])
        avisos.append({"texto": f"{'Seguimiento vencido' if n == 1 else 'Seguimientos vencidos'}"
                                f"{' de mis casos' if mios else ''}", "enlace": enlace, "urgente": True, "cifra": n})
    if agenda["hoy"]:
        n = len(agenda["hoy"])
        avisos.append({"texto": f"{'Seguimiento' if n == 1 else 'Seguimientos'} para hoy"
                                f"{' de mis casos' if mios else ''}", "enlace": enlace, "urgente": False, "cifra": n})
    recientes = self.datos("listar_casos", consulta={
        "tipo_violencia": "sexual", "desde": (hoy_honduras() - timedelta(days=4)).isoformat(), "por_pagina": 50})
    for c in recientes["items"]:
        reloj = reloj_72h(c)
        if reloj and reloj["vigente"] and c["estado"] in ("abierto", "en_seguimiento"):
            avisos.append({"texto": f"Caso {c['codigo']}: violencia sexual sin derivar; quedan {reloj['quedan']} "
                                    "horas para la profilaxis", "enlace": f"/casos/{c['id']}", "urgente": True})
    return avisos
