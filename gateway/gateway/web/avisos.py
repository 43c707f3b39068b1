"""Pantallas de avisos (aplicación web de las oficinas).

El CIS tiene su **bandeja**: los avisos de su municipio, lo urgente sin confirmar primero y resaltado, y un botón
por aviso para confirmar que lo recibió. La coordinadora tiene **Avisos**: cómo van los envíos, los fallidos con
su botón de reintentar, lo que le llegó a la coordinación, los **contactos** (CIS, Policía, Fiscalía...) y las
**reglas** que dicen qué se avisa, a quién y por dónde.

Todo pasa por las mismas operaciones que `/api/v1/notificaciones` (gateway/rutas/notificaciones.py).
Un evento se avisa por varios medios a la vez (bandeja, correo, SMS): en pantalla es un solo aviso.
"""
from datetime import datetime

from omm_common.errores import NoEncontrado
from omm_common.esquemas import es_uuid
from omm_common.tiempo import ahora_utc

from .nucleo import Redireccion, en_inicio, errores_de, formulario, menu, pagina

menu("Bandeja", "/bandeja", ("cis",), orden=5)
menu("Avisos", "/avisos", ("coordinadora",), orden=60)

# --- las palabras de la oficina ---

MEDIOS = {"bandeja": "Bandeja de la aplicación", "email": "Correo", "sms": "SMS",
          "webhook": "Sistema externo (webhook)"}
ORDEN_MEDIOS = ("bandeja", "email", "sms", "webhook")
# Qué dato del contacto necesita cada medio (el envío falla sin él).
DATO_DEL_MEDIO = {"email": ("email", "correo"), "sms": ("telefono", "teléfono"),
                  "webhook": ("webhook_url", "dirección del sistema externo")}
INSTITUCIONES = {"cis": "CIS (Centro Integral de Salud)", "coordinadora": "Coordinación de la OMM",
                 "policia": "Policía Nacional", "fiscalia": "Fiscalía", "juzgado": "Juzgado",
                 "ciudad_mujer": "Ciudad Mujer", "dinaf": "DINAF", "otro": "Otro contacto"}
PARA = {**INSTITUCIONES, "cis": "CIS", "participantes": "Participantes inscritas"}
A_QUIEN = {"cis": "al CIS", "coordinadora": "a la coordinación", "policia": "a la Policía", "fiscalia": "a la Fiscalía",
           "juzgado": "al juzgado", "ciudad_mujer": "a Ciudad Mujer", "dinaf": "a la DINAF", "otro": "a otro contacto"}
POR_MEDIO = {"email": "por correo", "sms": "por SMS", "webhook": "a su sistema (webhook)"}
ESTADOS = {"pendiente": "Por enviar", "enviada": "Enviada", "confirmada": "Confirmada por el CIS",
           "fallida": "Fallida", "descartada": "Descartada (ya no hacía falta)"}
TIPOS = {"CasoDerivado": "Derivación de un caso", "AyudaEntregada": "Ayuda entregada",
         "EntregaAnulada": "Entrega anulada", "ParticipanteInscrita": "Nueva participante",
         "SesionProgramada": "Sesión programada", "SesionReprogramada": "Sesión cambiada",
         "SesionCancelada": "Sesión cancelada", "ExistenciasBajas": "Existencias bajas",
         "SeguimientoVencido": "Seguimiento vencido"}
# Cuándo se avisa, como lo diría la oficina (una regla por código).
REGLAS = {
    "derivacion_cis": "Una técnica deriva un caso al CIS",
    "derivacion_cis_urgente": "Una técnica deriva un caso al CIS con urgencia (por ejemplo, violencia sexual "
                              "en las primeras 72 horas)",
    "medicamentos_cis": "Se entrega ayuda económica para medicamentos a una persona que aceptó compartir sus "
                        "datos con salud",
    "embarazada_cis": "Se inscribe una embarazada en el club de embarazadas (con su consentimiento)",
    "sesion_club_cis": "Se programa una sesión del club de embarazadas",
    "existencias_bajas": "Una ayuda del inventario queda por debajo del mínimo",
    "seguimiento_vencido": "Un caso pasó la fecha de su seguimiento sin registrarlo",
    "sesion_reprogramada_participantes": "Se cambia la fecha u hora de una sesión de cualquier actividad",
    "sesion_reprogramada_cis": "Se cambia la fecha u hora de una sesión del club de embarazadas",
    "sesion_cancelada_participantes": "Se cancela una sesión de cualquier actividad",
    "sesion_cancelada_cis": "Se cancela una sesión del club de embarazadas",
    "entrega_anulada_cis": "Se anula una entrega de la que el CIS ya había recibido aviso",
    "escalamiento": "El CIS no confirmó a tiempo una derivación urgente",
    "recordatorio_club": "Recordatorio de la sesión del club, un día antes",
    "aviso_administracion": "La administración del sistema cambió una cuenta o un contacto de su oficina",
}
AVISOS_DE_VUELTA = {
    "confirmada": "Listo: quedó confirmado que el CIS recibió el aviso.",
    "reintento": "El envío se volverá a intentar en el próximo minuto.",
    "contacto": "Contacto guardado.",
    "contacto_confirmado": "Contacto confirmado: desde ahora recibe los avisos con nombres, según el consentimiento.",
    "regla": "Regla guardada.",
}
AYUDA_PLANTILLA = ("Déjelo vacío para usar el texto de siempre. Puede usar {{ municipio }}, {{ datos.codigo }}, "
                   "{{ datos.fecha }} y {{ oficina.telefono }}. El nombre de la persona solo aparece si ella "
                   "dio su consentimiento.")


def _medios(canales):
    return ", ".join(MEDIOS.get(c, c) for c in sorted(canales, key=lambda c: ORDEN_MEDIOS.index(c)
                                                       if c in ORDEN_MEDIOS else 9))


def _instante(texto):
    try:
        valor = datetime.fromisoformat(texto)
    except (TypeError, ValueError):
        return None
    return valor if valor.tzinfo else None


def _hace(texto):
    """«hace 12 minutos», «hace 3 horas»: cuánto lleva esperando un aviso urgente."""
    instante = _instante(texto)
    if instante is None:
        return ""
    minutos = max(0, int((ahora_utc() - instante).total_seconds() // 60))
    if minutos < 1:
        return "hace menos de un minuto"
    if minutos < 60:
        return f"hace {minutos} minuto{'s' if minutos != 1 else ''}"
    horas = minutos // 60
    if horas < 48:
        return f"hace {horas} hora{'s' if horas != 1 else ''}"
    return f"hace {horas // 24} días"


def _que(n):
    return REGLAS.get(n.get("regla")) or TIPOS.get(n.get("evento_tipo")) or "Aviso"


def agrupar(items, por_regla=False):
    """Un aviso por evento (y destinataria) aunque haya salido por bandeja, correo y SMS.

    Solo lo que ya llegó (enviado o confirmado); confirmado si el CIS confirmó cualquiera de sus medios. Lo
    urgente sin confirmar va primero; después, del más nuevo al más viejo.
    """
    grupos = {}
    for n in items:
        clave = (n["evento_id"], n["destinatario"], n["regla"]) if por_regla else (n["evento_id"], n["destinatario"])
        grupos.setdefault(clave, []).append(n)
    vistas = []
    for miembros in grupos.values():
        llegados = [n for n in miembros if n["estado"] in ("enviada", "confirmada")]
        if not llegados:
            continue
        principal = next((n for n in llegados if n["canal"] == "bandeja"), llegados[0])
        confirmadas = [n for n in miembros if n["estado"] == "confirmada"]
        por_confirmar = [n for n in llegados if n["estado"] == "enviada"]
        acusable = next((n for n in por_confirmar if n["canal"] == "bandeja"), por_confirmar[0] if por_confirmar
                        else None)
        vistas.append({
            "id": principal["id"], "evento_id": principal["evento_id"], "acusable": acusable["id"] if acusable else None,
            "confirmada": bool(confirmadas),
            "confirmada_en": max((n["confirmada_en"] for n in confirmadas if n.get("confirmada_en")), default=None),
            "urgente": any(n["urgente"] for n in miembros), "regla": principal["regla"],
            "destinatario": principal["destinatario"], "para": PARA.get(principal["destinatario"], "Contacto"),
            "tipo": TIPOS.get(principal["evento_tipo"], "Aviso"), "que": _que(principal),
            "asunto": principal.get("asunto") or _que(principal), "mensaje": principal.get("mensaje"),
            "creado_en": min(n["creado_en"] for n in miembros), "hace": _hace(min(n["creado_en"] for n in miembros)),
            "medios": _medios({n["canal"] for n in llegados}),
        })
    vistas.sort(key=lambda v: v["creado_en"], reverse=True)
    vistas.sort(key=lambda v: not (v["urgente"] and not v["confirmada"]))
    return vistas


def sin_acuse_del_cis(vistas):
    """Los escalamientos a la coordinación cuya derivación el CIS todavía no confirmó."""
    confirmados = {v["evento_id"] for v in vistas if v["destinatario"] == "cis" and v["confirmada"]}
    return [v for v in vistas if v["regla"] == "escalamiento" and v["evento_id"] not in confirmados]


class RutasWebAvisos:

    # --- CIS: la bandeja ---

    def _bandeja_cis(self, pagina_n=1):
        datos = self.datos("listar_notificaciones", consulta={"pagina": pagina_n, "por_pagina": 200})
        vistas = agrupar(datos["items"])
        return vistas, datos

    @pagina("GET", "/bandeja", roles=("cis",))
    def pagina_bandeja(self, request):
        return self._mostrar_bandeja(request)

    def _mostrar_bandeja(self, request, error=None, estado=200):
        try:
            pagina_n = max(1, min(int(request.args.get("pagina", "1")), 1000))
        except ValueError:
            pagina_n = 1
        vistas, datos = self._bandeja_cis(pagina_n)
        hay_mas = datos["pagina"] * datos["por_pagina"] < datos["total"]
        return self.render("avisos/bandeja.html", estado=estado, titulo="Bandeja del CIS",
                           por_confirmar=[v for v in vistas if not v["confirmada"]],
                           confirmadas=[v for v in vistas if v["confirmada"]], pagina=pagina_n, hay_mas=hay_mas,
                           mensaje=AVISOS_DE_VUELTA.get(request.args.get("aviso", "")), error=error)

    @pagina("POST", "/bandeja/<notificacion_id>/acuse", roles=("cis",))
    def acusar_en_bandeja(self, request, notificacion_id):
        if not es_uuid(notificacion_id):
            raise NoEncontrado("No existe ese aviso.")
        _, error = self.intentar("acusar_notificacion", clave=request.form.get("clave"),
                                 notificacion_id=notificacion_id)
        if error is None:
            raise Redireccion("/bandeja?aviso=confirmada")
        texto = error.mensaje
        if getattr(error, "codigo", "") == "ESTADO_INVALIDO":
            texto = "Ese aviso todavía se está enviando; espere un momento y vuelva a confirmarlo."
        return self._mostrar_bandeja(request, error=texto, estado=error.estado_http)

    @en_inicio("cis")
    def inicio_cis(self):
        vistas, _ = self._bandeja_cis()
        pendientes = [v for v in vistas if not v["confirmada"]]
        avisos = [{"texto": f"{v['asunto']} ({v['hace']}): confirme que lo recibió", "enlace": f"/bandeja#aviso-{v['id']}",
                   "urgente": True} for v in pendientes if v["urgente"]]
        avisos.append({"texto": "Avisos por confirmar en la bandeja" if pendientes
                       else "No hay avisos por confirmar", "enlace": "/bandeja", "cifra": len(pendientes),
                       "urgente": False})
        return avisos

    # --- coordinadora: el estado de los envíos ---

    @pagina("GET", "/avisos", roles=("coordinadora",))
    def pagina_avisos(self, request):
        return self._mostrar_avisos(request)

    def _mostrar_avisos(self, request, error=None, estado=200):
        resumen = self.datos("resumen_notificaciones")
        items = self.datos("listar_notificaciones", consulta={"por_pagina": 200})["items"]
        conteos = {e: sum(por_canal.values()) for e, por_canal in resumen["por_estado"].items()}
        vistas = agrupar(items, por_regla=True)
        abiertos = {v["id"] for v in sin_acuse_del_cis(vistas)}
        para_mi = [dict(v, resuelto=v["regla"] == "escalamiento" and v["id"] not in abiertos)
                   for v in vistas if v["destinatario"] == "coordinadora"]
        cis_sin_confirmar = [v for v in vistas if v["destinatario"] == "cis" and not v["confirmada"]]
        fallidas = [dict(n, que=_que(n), para=PARA.get(n["destinatario"], "Contacto"),
                         medio=MEDIOS.get(n["canal"], n["canal"]),
                         falta_contacto="no tiene registrado el contacto" in (n.get("ultimo_error") or ""))
                    for n in resumen["fallidas"]]
        return self.render("avisos/avisos.html", estado=estado, titulo="Avisos", conteos=conteos,
                           estados=ESTADOS, fallidas=fallidas, para_mi=para_mi[:30],
                           cis_sin_confirmar=cis_sin_confirmar[:30],
                           mensaje=AVISOS_DE_VUELTA.get(request.args.get("aviso", "")), error=error)

    @pagina("POST", "/avisos/<notificacion_id>/reintento", roles=("coordinadora",))
    def reintentar_en_avisos(self, request, notificacion_id):
        if not es_uuid(notificacion_id):
            raise NoEncontrado("No existe ese envío.")
        _, error = self.intentar("reintentar_notificacion", clave=request.form.get("clave"),
                                 notificacion_id=notificacion_id)
        if error is None:
            raise Redireccion("/avisos?aviso=reintento#fallidas")
        estado_actual = (error.detalles or {}).get("estado") if isinstance(error.detalles, dict) else None
        if estado_actual == "pendiente":  # un doble toque: ya se está reintentando
            raise Redireccion("/avisos?aviso=reintento#fallidas")
        texto = {"enviada": "Ese envío ya salió; no hace falta reintentarlo.",
                 "confirmada": "Ese aviso ya fue confirmado por el CIS."}.get(estado_actual, error.mensaje)
        return self._mostrar_avisos(request, error=texto, estado=error.estado_http)

    @en_inicio("coordinadora")
    def inicio_coordinadora(self):
        resumen = self.datos("resumen_notificaciones")
        avisos = []
        if resumen["fallidas"]:
            n = len(resumen["fallidas"])
            avisos.append({"texto": "Envío de aviso que falló: revíselo y reintente" if n == 1 else
                           "Envíos de avisos que fallaron: revíselos y reintente",
                           "enlace": "/avisos#fallidas", "cifra": n,
                           "urgente": any(x["urgente"] for x in resumen["fallidas"])})
        items = self.datos("listar_notificaciones", consulta={"por_pagina": 200})["items"]
        for v in sin_acuse_del_cis(agrupar(items, por_regla=True)):
            avisos.append({"texto": f"{v['asunto']} ({v['hace']})", "enlace": "/avisos#para-coordinacion",
                           "urgente": True})
        return avisos

    # --- coordinadora: contactos ---

    def _faltas(self, contactos, reglas):
        """Lo que fallará antes de que falle: una regla activa que envía por un medio sin el dato del contacto."""
        por_clave = {c["clave"]: c for c in contactos}
        faltas, vistas = [], set()
        for r in reglas:
            if not r["activa"] or r["destinatario"] not in INSTITUCIONES:
                continue
            for canal in r["canales"]:
                if canal not in DATO_DEL_MEDIO or (r["destinatario"], canal) in vistas:
                    continue
                campo, palabra = DATO_DEL_MEDIO[canal]
                c = por_clave.get(r["destinatario"])
                if c is None or not c.get(campo):
                    vistas.add((r["destinatario"], canal))
                    faltas.append({
                        "texto": (f"Hay reglas que avisan {POR_MEDIO[canal]} {A_QUIEN[r['destinatario']]}, pero "
                                  + ("no hay contacto registrado" if c is None else f"su contacto no tiene {palabra}")
                                  + ": esos envíos fallarán."),
                        "enlace": (f"/avisos/contactos/{r['destinatario']}" if c else
                                   f"/avisos/contactos/nuevo?clave={r['destinatario']}"),
                        "accion": "Completar el contacto" if c else "Registrar el contacto"})
        return faltas

    @pagina("GET", "/avisos/contactos", roles=("coordinadora",))
    def pagina_contactos(self, request):
        contactos = self.datos("listar_destinatarios")
        reglas = self.datos("listar_reglas")
        for c in contactos:
            c["institucion"] = INSTITUCIONES.get(c["clave"], "Otro contacto")
            c["medios"] = _medios([m for m, (campo, _) in DATO_DEL_MEDIO.items() if c.get(campo)])
        libres = [k for k in INSTITUCIONES if k not in {c["clave"] for c in contactos}]
        return self.render("avisos/contactos.html", titulo="Contactos para avisos", contactos=contactos,
                           faltas=self._faltas(contactos, reglas), hay_libres=bool(libres),
                           mensaje=AVISOS_DE_VUELTA.get(request.args.get("aviso", "")))

    def _form_contacto(self, contacto, nuevo, libres=(), estado=200, errores=None, error=None):
        titulo = "Nuevo contacto" if nuevo else f"Contacto: {INSTITUCIONES.get(contacto.get('clave'), 'Otro')}"
        return self.render("avisos/contacto.html", estado=estado, titulo=titulo, contacto=contacto, nuevo=nuevo,
                           opciones=[(k, INSTITUCIONES[k]) for k in libres], errores=errores or {}, error=error)

    def _libres(self):
        usadas = {c["clave"] for c in self.datos("listar_destinatarios")}
        return [k for k in INSTITUCIONES if k not in usadas]

    @pagina("GET", "/avisos/contactos/nuevo", roles=("coordinadora",))
    def pagina_contacto_nuevo(self, request):
        libres = self._libres()
        if not libres:
            raise Redireccion("/avisos/contactos")
        clave = request.args.get("clave", "")
        return self._form_contacto({"clave": clave if clave in libres else ""}, True, libres)

    @pagina("POST", "/avisos/contactos/nuevo", roles=("coordinadora",))
    def crear_contacto(self, request):
        # El campo se llama «institucion» en el formulario: «clave» es la de idempotencia (ocultos()).
        datos = formulario(request, "nombre", "email", "telefono", "webhook_url")
        institucion = (request.form.get("institucion") or "").strip()
        if institucion:
            datos["clave"] = institucion
        libres = self._libres()
        if institucion in INSTITUCIONES and institucion not in libres:
            # El PUT reemplazaría al que ya está: desde «nuevo» no se pisa un contacto sin verlo.
            return self._form_contacto(datos, True, libres, 409, {
                "institucion": f"Ya hay un contacto de {INSTITUCIONES[institucion]}; cámbielo desde la lista."})
        return self._guardar_contacto(request, datos, True, libres)

    def _contacto(self, clave):
        contacto = next((c for c in self.datos("listar_destinatarios") if c["clave"] == clave), None)
        if contacto is None:
            raise NoEncontrado("No existe ese contacto.")
        return contacto

    @pagina("GET", "/avisos/contactos/<clave>", roles=("coordinadora",))
    def pagina_contacto(self, request, clave):
        return self._form_contacto(self._contacto(clave), False)

    @pagina("POST", "/avisos/contactos/<clave>", roles=("coordinadora",))
    def cambiar_contacto(self, request, clave):
        self._contacto(clave)
        datos = formulario(request, "nombre", "email", "telefono", "webhook_url")
        return self._guardar_contacto(request, {**datos, "clave": clave}, False)

    @pagina("POST", "/avisos/contactos/<clave>/confirmacion", roles=("coordinadora",))
    def confirmar_contacto(self, request, clave):
        self.api("confirmar_destinatario", clave=request.form.get("clave"), contacto=clave)
        raise Redireccion("/avisos/contactos?aviso=contacto_confirmado")

    def _guardar_contacto(self, request, datos, nuevo, libres=()):
        _, error = self.intentar("guardar_destinatario", datos, clave=request.form.get("clave"))
        if error is None:
            raise Redireccion("/avisos/contactos?aviso=contacto")
        errores = errores_de(error)
        if "clave" in errores:
            errores["institucion"] = errores.pop("clave")
        return self._form_contacto(datos, nuevo, libres, error.estado_http, errores,
                                   None if errores else error.mensaje)

    # --- coordinadora: reglas ---

    def _vista_regla(self, r):
        return dict(r, que=REGLAS.get(r["codigo"]) or TIPOS.get(r["evento"], "Aviso"),
                    para=PARA.get(r["destinatario"], "Contacto"), medios=_medios(r["canales"]))

    @pagina("GET", "/avisos/reglas", roles=("coordinadora",))
    def pagina_reglas(self, request):
        reglas = self.datos("listar_reglas")
        faltas = self._faltas(self.datos("listar_destinatarios"), reglas)
        vistas = [self._vista_regla(r) for r in reglas]
        vistas.sort(key=lambda r: (not r["activa"], list(REGLAS).index(r["codigo"]) if r["codigo"] in REGLAS
                                   else 99))
        return self.render("avisos/reglas.html", titulo="Reglas de avisos", reglas=vistas, faltas=faltas,
                           mensaje=AVISOS_DE_VUELTA.get(request.args.get("aviso", "")))

    def _regla(self, codigo):
        regla = next((r for r in self.datos("listar_reglas") if r["codigo"] == codigo), None)
        if regla is None:
            raise NoEncontrado("No existe esa regla.")
        return self._vista_regla(regla)

    def _form_regla(self, regla, estado=200, errores=None, error=None):
        return self.render("avisos/regla.html", estado=estado, titulo="Cambiar una regla de avisos", regla=regla,
                           opciones=[(c, MEDIOS[c]) for c in ORDEN_MEDIOS], ayuda_plantilla=AYUDA_PLANTILLA,
                           errores=errores or {}, error=error)

    @pagina("GET", "/avisos/reglas/<codigo>", roles=("coordinadora",))
    def pagina_regla(self, request, codigo):
        return self._form_regla(self._regla(codigo))

    @pagina("POST", "/avisos/reglas/<codigo>", roles=("coordinadora",))
    def cambiar_regla_web(self, request, codigo):
        regla = self._regla(codigo)
        elegidos = [c for c in request.form.getlist("canales") if c]
        # Sin cambiar el orden de la regla (el urgente sale primero por SMS); lo nuevo, al final.
        canales = [c for c in regla["canales"] if c in elegidos] + [c for c in elegidos if c not in regla["canales"]]
        cambio = {"canales": canales, "activa": request.form.get("activa") == "si",
                  "plantilla": (request.form.get("plantilla") or "").strip() or None}
        if regla["urgente"] and "minutos_escalamiento" in request.form:
            cambio["minutos_escalamiento"] = request.form["minutos_escalamiento"].strip() or None
        propuesta = dict(regla, **{k: v for k, v in cambio.items() if k != "canales"}, canales=canales)
        if not canales:
            return self._form_regla(propuesta, 400, {"canales": "Elija al menos un medio para enviar el aviso."})
        _, error = self.intentar("cambiar_regla", cambio, clave=request.form.get("clave"), codigo=codigo)
        if error is None:
            raise Redireccion("/avisos/reglas?aviso=regla")
        errores = errores_de(error)
        return self._form_regla(propuesta, error.estado_http, errores, None if errores else error.mensaje)
