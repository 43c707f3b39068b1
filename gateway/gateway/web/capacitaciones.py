"""Pantallas de capacitaciones (aplicación web de las oficinas): actividades, sus sesiones, inscripción,
asistencia como lista de casillas en un teléfono, conteo por sexo y edad de las charlas abiertas, hoja de
asistencia y constancias en PDF.

Cada página llama las mismas operaciones que `/api/v1/capacitaciones` (gateway/rutas/capacitaciones.py) con
sus mismos roles; las URL llevan solo ids y códigos, nunca el nombre de una participante.
"""
from datetime import date

from omm_common import municipios
from omm_common.errores import NoEncontrado
from omm_common.esquemas import es_uuid
from omm_common.tiempo import hoy_honduras

from .nucleo import Redireccion, en_inicio, formulario, menu, pagina
from .textos import GRUPOS

ROLES = ("coordinadora", "tecnica", "promotora")
ROLES_CLUB = ROLES + ("cis",)  # el CIS solo lee el club de embarazadas (el servicio filtra)

menu("Actividades", "/actividades", ROLES, orden=30)
menu("Club de embarazadas", "/actividades", ("cis",), orden=30)

TIPOS = GRUPOS["actividad"]
GRUPOS_EDAD = GRUPOS["edad"]
POR_PAGINA = 25

# Lo que cada tipo del informe de la oficina trae ya escrito al crearla (el club del CIS es mensual).
ATAJOS = {
    "club_embarazadas": {"titulo": "Club de embarazadas", "institucion": "CIS", "meses": "12",
                         "texto": "Club de embarazadas con el CIS (cada mes)"},
    "escuela_emprendimiento": {"titulo": "Escuela de emprendimiento municipal", "institucion": "OMM",
                               "texto": "Escuela de emprendimiento"},
    "sensibilizacion": {"titulo": "Charla de sensibilización: una vida libre de violencia", "institucion": "OMM",
                        "texto": "Charla de sensibilización"},
    "socializacion": {"titulo": "Socialización del plan operativo anual", "institucion": "OMM",
                      "texto": "Socialización"},
    "asesoria_tecnica": {"titulo": "Asesoría técnica", "institucion": "Mancomunidad", "texto": "Asesoría técnica"},
    "capacitacion": {"titulo": "Capacitación", "institucion": "OMM", "texto": "Capacitación"},
    "taller": {"titulo": "Taller", "institucion": "OMM", "texto": "Taller"},
}

AVISOS = {
    "creada": "Actividad creada con sus sesiones.",
    "sesion": "Sesión programada.",
    "reprogramada": "Sesión reprogramada; se avisa a las inscritas.",
    "cancelada": "Sesión cancelada; se avisa a las inscritas.",
    "inscrita": "Participante inscrita. Puede inscribir a otra.",
    "asistencia": "Asistencia guardada.",
    "conteo": "Conteo guardado.",
}

CAMPOS_ACTIVIDAD = ("titulo", "tipo", "institucion", "facilitador", "lugar", "cupo")
CAMPOS_SESION = ("fecha", "hora", "tema", "duracion_horas")
CAMPOS_PARTICIPANTE = ("nombres", "apellidos", "dni", "fecha_nacimiento", "telefono", "comunidad",
                       "semanas_gestacion")


ETIQUETAS = {
    "titulo": "Nombre de la actividad", "tipo": "Tipo de actividad", "institucion": "Institución",
    "facilitador": "Facilitadora o facilitador", "lugar": "Lugar", "cupo": "Cupo", "fecha": "Fecha", "hora": "Hora",
    "tema": "Tema", "duracion_horas": "Duración", "meses": "Repetir cada mes", "nombres": "Nombres",
    "apellidos": "Apellidos", "dni": "DNI", "fecha_nacimiento": "Fecha de nacimiento", "telefono": "Teléfono",
    "comunidad": "Comunidad", "semanas_gestacion": "Semanas de embarazo", "embarazada": "Embarazada",
    "consentimiento_salud": "Datos con salud", "mujeres": "Mujeres", "hombres": "Hombres", "motivo": "Motivo",
    "desde": "Desde", "hasta": "Hasta", "por_grupo_edad": "Por edad", **GRUPOS_EDAD,
}


def _id(valor):
    """Un id que no es UUID no existe: 404 sin llamar al servicio."""
    if not es_uuid(valor):
        raise NoEncontrado("No se encontró la actividad.")
    return valor


def _entero(valor):
    """El número que escribió la persona; si no es número, tal cual (el servicio dice qué está mal)."""
    try:
        return int(valor)
    except (TypeError, ValueError):
        return valor


def errores_campos(exc, campos):
    """{campo: texto} de un error de validación, también de los anidados (participante.nombres, sesiones.0.fecha,
    recurrencia.meses); lo que no es de un campo de este formulario va en «general»."""
    if exc is None:
        return {}, None
    if not exc.de_campos:
        return {}, exc.mensaje
    salida = {}

    def recorrer(detalles, padre):
        for clave, valor in detalles.items():
            if isinstance(valor, dict):
                recorrer(valor, clave if not str(clave).isdigit() else padre)
            elif isinstance(valor, list):
                texto = " ".join(str(m) for m in valor if isinstance(m, str))
                if texto:
                    campo = clave if clave in campos else padre
                    salida[campo] = f"{ETIQUETAS[campo]}: {texto}" if campo in ETIQUETAS else texto
    recorrer(exc.detalles, "general")
    general = [salida.pop(k) for k in list(salida) if k not in campos]
    return salida, (" ".join(general) or (None if salida else exc.mensaje))


def _sesion(detalle, sesion_id):
    for s in detalle["sesiones"]:
        if s["id"] == sesion_id:
            return s
    raise NoEncontrado("No se encontró la sesión en esta actividad.")


class RutasWebCapacitaciones:

    # --- lista y creación ---

    @pagina("GET", "/actividades", roles=ROLES_CLUB)
    def pagina_actividades(self, request):
        filtros = {k: v for k in ("tipo", "desde", "hasta") if (v := request.args.get(k, "").strip())}
        pagina_n = request.args.get("pagina", "1")
        pagina_n = min(max(int(pagina_n), 1), 100000) if pagina_n.isdigit() else 1
        consulta = {**filtros, "pagina": pagina_n, "por_pagina": POR_PAGINA}
        if self.web.yo.rol == "cis":
            consulta.pop("tipo", None)
        datos, error = self.intentar("listar_capacitaciones", consulta=consulta)
        errores, general = errores_campos(error, ("tipo", "desde", "hasta"))
        if datos is None:
            datos = self.datos("listar_capacitaciones", consulta={"por_pagina": POR_PAGINA})
        ultima = max((datos["total"] + POR_PAGINA - 1) // POR_PAGINA, 1)
        return self.render(
            "capacitaciones/lista.html", estado=400 if error else 200,
            titulo="Club de embarazadas" if self.web.yo.rol == "cis" else "Actividades",
            datos=datos, filtros=filtros, tipos=list(TIPOS.items()), atajos=ATAJOS, errores=errores, error=general,
            pagina_n=datos.get("pagina", pagina_n), ultima=ultima, puede_crear=self.web.yo.rol in ROLES,
            hoy=hoy_honduras(), mensaje=AVISOS.get(request.args.get("aviso", "")))

    @pagina("GET", "/actividades/nueva", roles=ROLES)
    def pagina_nueva_actividad(self, request):
        tipo = request.args.get("tipo", "")
        atajo = ATAJOS.get(tipo, {})
        valores = {"tipo": tipo if tipo in TIPOS else "", "titulo": atajo.get("titulo", ""),
                   "institucion": atajo.get("institucion", ""), "meses": atajo.get("meses", ""),
                   "duracion_horas": "2", "fecha": hoy_honduras().isoformat()}
        if tipo == "club_embarazadas":
            valores["titulo"] = f"{atajo['titulo']} de {self._nombre_municipio()}"
            valores["lugar"] = f"CIS de {self._nombre_municipio()}"
        return self._form_actividad(valores)

    def _nombre_municipio(self):
        m = municipios.buscar(self.web.yo.municipio) if self.web.yo.municipio else None
        return m.nombre if m else ""

    def _form_actividad(self, valores, estado=200, errores=None, error=None):
        return self.render("capacitaciones/nueva.html", estado=estado, titulo="Nueva actividad", valores=valores,
                           tipos=list(TIPOS.items()), errores=errores or {}, error=error)

    @pagina("POST", "/actividades/nueva", roles=ROLES)
    def crear_actividad_web(self, request):
        valores = formulario(request)
        cuerpo = {k: valores[k] for k in CAMPOS_ACTIVIDAD if k in valores}
        if "cupo" in cuerpo:
            cuerpo["cupo"] = _entero(cuerpo["cupo"])
        sesion = {k: valores[k] for k in CAMPOS_SESION if k in valores}
        cuerpo["sesiones"] = [sesion]
        if valores.get("meses"):
            cuerpo["recurrencia"] = {"meses": _entero(valores["meses"])}
        errores = {}
        if not sesion.get("fecha"):
            errores["fecha"] = "Escriba la fecha de la primera sesión."
        if errores:
            return self._form_actividad(valores, 400, errores)
        datos, error = self.intentar("crear_capacitacion", cuerpo, clave=request.form.get("clave"))
        if error is None:
            raise Redireccion(f"/actividades/{datos['id']}?aviso=creada")
        errores, general = errores_campos(error, CAMPOS_ACTIVIDAD + CAMPOS_SESION + ("meses",))
        return self._form_actividad(valores, error.estado_http, errores, general)

    # --- una actividad ---

    @pagina("GET", "/actividades/<capacitacion_id>", roles=ROLES_CLUB)
    def pagina_actividad(self, request, capacitacion_id):
        detalle = self.datos("obtener_capacitacion", capacitacion_id=_id(capacitacion_id))
        return self.render("capacitaciones/actividad.html", titulo=detalle["titulo"], c=detalle, hoy=hoy_honduras(),
                           es_cis=self.web.yo.rol == "cis", mensaje=AVISOS.get(request.args.get("aviso", "")))

    # --- sesiones: programar, reprogramar, cancelar ---

    @pagina("GET", "/actividades/<capacitacion_id>/sesiones/nueva", roles=ROLES)
    def pagina_nueva_sesion(self, request, capacitacion_id):
        detalle = self.datos("obtener_capacitacion", capacitacion_id=_id(capacitacion_id))
        return self._form_sesion(detalle, {"duracion_horas": "2"})

    def _form_sesion(self, detalle, valores, estado=200, errores=None, error=None):
        return self.render("capacitaciones/sesion_nueva.html", estado=estado, titulo="Programar una sesión",
                           c=detalle, valores=valores, errores=errores or {}, error=error)

    @pagina("POST", "/actividades/<capacitacion_id>/sesiones/nueva", roles=ROLES)
    def agregar_sesion_web(self, request, capacitacion_id):
        detalle = self.datos("obtener_capacitacion", capacitacion_id=_id(capacitacion_id))
        valores = formulario(request, *CAMPOS_SESION)
        if not valores.get("fecha"):
            return self._form_sesion(detalle, valores, 400, {"fecha": "Escriba la fecha de la sesión."})
        _, error = self.intentar("agregar_sesion", valores, clave=request.form.get("clave"),
                                 capacitacion_id=capacitacion_id)
        if error is None:
            raise Redireccion(f"/actividades/{capacitacion_id}?aviso=sesion")
        errores, general = errores_campos(error, CAMPOS_SESION)
        return self._form_sesion(detalle, valores, error.estado_http, errores, general)

    @pagina("GET", "/actividades/<capacitacion_id>/sesiones/<sesion_id>/reprogramar", roles=ROLES)
    def pagina_reprogramar(self, request, capacitacion_id, sesion_id):
        detalle = self.datos("obtener_capacitacion", capacitacion_id=_id(capacitacion_id))
        s = _sesion(detalle, sesion_id)
        return self._form_cambio(detalle, s, "reprogramar",
                                 {"fecha": s["fecha"], "hora": s.get("hora") or "", "tema": s.get("tema") or ""})

    def _form_cambio(self, detalle, s, accion, valores, estado=200, errores=None, error=None):
        titulo = "Reprogramar la sesión" if accion == "reprogramar" else "Cancelar la sesión"
        return self.render(f"capacitaciones/{accion}.html", estado=estado, titulo=titulo, c=detalle, s=s,
                           valores=valores, errores=errores or {}, error=error)

    @pagina("POST", "/actividades/<capacitacion_id>/sesiones/<sesion_id>/reprogramar", roles=ROLES)
    def reprogramar_web(self, request, capacitacion_id, sesion_id):
        detalle = self.datos("obtener_capacitacion", capacitacion_id=_id(capacitacion_id))
        s = _sesion(detalle, sesion_id)
        valores = formulario(request, "fecha", "hora", "tema", "motivo")
        cuerpo = dict(valores)
        if "hora" not in cuerpo and s.get("hora"):
            cuerpo["hora"] = None  # borró la hora: la sesión queda sin hora
        if not valores.get("motivo"):
            return self._form_cambio(detalle, s, "reprogramar", valores, 400,
                                     {"motivo": "Escriba por qué cambia la sesión (se avisa a las inscritas)."})
        _, error = self.intentar("reprogramar_sesion", cuerpo, clave=request.form.get("clave"),
                                 capacitacion_id=capacitacion_id, sesion_id=sesion_id)
        if error is None:
            raise Redireccion(f"/actividades/{capacitacion_id}?aviso=reprogramada")
        errores, general = errores_campos(error, ("fecha", "hora", "tema", "motivo"))
        return self._form_cambio(detalle, s, "reprogramar", valores, error.estado_http, errores, general)

    @pagina("GET", "/actividades/<capacitacion_id>/sesiones/<sesion_id>/cancelar", roles=ROLES)
    def pagina_cancelar(self, request, capacitacion_id, sesion_id):
        detalle = self.datos("obtener_capacitacion", capacitacion_id=_id(capacitacion_id))
        return self._form_cambio(detalle, _sesion(detalle, sesion_id), "cancelar", {})

    @pagina("POST", "/actividades/<capacitacion_id>/sesiones/<sesion_id>/cancelar", roles=ROLES)
    def cancelar_web(self, request, capacitacion_id, sesion_id):
        detalle = self.datos("obtener_capacitacion", capacitacion_id=_id(capacitacion_id))
        s = _sesion(detalle, sesion_id)
        valores = formulario(request, "motivo")
        if not valores.get("motivo"):
            return self._form_cambio(detalle, s, "cancelar", valores, 400,
                                     {"motivo": "Escriba por qué se cancela (se avisa a las inscritas)."})
        _, error = self.intentar("cancelar_sesion", valores, clave=request.form.get("clave"),
                                 capacitacion_id=capacitacion_id, sesion_id=sesion_id)
        if error is None:
            raise Redireccion(f"/actividades/{capacitacion_id}?aviso=cancelada")
        errores, general = errores_campos(error, ("motivo",))
        return self._form_cambio(detalle, s, "cancelar", valores, error.estado_http, errores, general)

    # --- inscripción ---

    @pagina("GET", "/actividades/<capacitacion_id>/inscribir", roles=ROLES)
    def pagina_inscribir(self, request, capacitacion_id):
        detalle = self.datos("obtener_capacitacion", capacitacion_id=_id(capacitacion_id))
        return self._form_inscribir(request, detalle, {}, mensaje=AVISOS.get(request.args.get("aviso", "")))

    def _volver_a_sesion(self, request, detalle):
        """Si se inscribe desde la asistencia de una sesión (llegó alguien nuevo), se vuelve a ella."""
        sesion_id = request.values.get("sesion", "")
        return sesion_id if any(s["id"] == sesion_id for s in detalle["sesiones"]) else ""

    def _form_inscribir(self, request, detalle, valores, estado=200, errores=None, error=None, mensaje=None):
        return self.render("capacitaciones/inscribir.html", estado=estado, titulo="Inscribir participante",
                           c=detalle, valores=valores, errores=errores or {}, error=error, mensaje=mensaje,
                           sesion=self._volver_a_sesion(request, detalle),
                           es_club=detalle["tipo"] == "club_embarazadas")

    @pagina("POST", "/actividades/<capacitacion_id>/inscribir", roles=ROLES)
    def inscribir_web(self, request, capacitacion_id):
        detalle = self.datos("obtener_capacitacion", capacitacion_id=_id(capacitacion_id))
        valores = formulario(request, *CAMPOS_PARTICIPANTE, "embarazada", "consentimiento_salud")
        participante = {k: valores[k] for k in CAMPOS_PARTICIPANTE if k in valores}
        if "semanas_gestacion" in participante:
            participante["semanas_gestacion"] = _entero(participante["semanas_gestacion"])
        if valores.get("embarazada") in ("si", "no"):
            participante["embarazada"] = valores["embarazada"] == "si"
        cuerpo = {"participante": participante, "consentimiento_salud": valores.get("consentimiento_salud") == "si"}
        _, error = self.intentar("inscribir", cuerpo, clave=request.form.get("clave"), capacitacion_id=capacitacion_id)
        if error is None:
            sesion = self._volver_a_sesion(request, detalle)
            if sesion:
                raise Redireccion(f"/actividades/{capacitacion_id}/sesiones/{sesion}/asistencia?aviso=inscrita")
            raise Redireccion(f"/actividades/{capacitacion_id}/inscribir?aviso=inscrita")
        errores, general = errores_campos(error, CAMPOS_PARTICIPANTE + ("embarazada", "consentimiento_salud"))
        if error.codigo == "DUPLICADO":
            general = "Esta persona ya está inscrita en la actividad: búsquela en la lista de inscritas."
        elif error.codigo == "CUPO_LLENO":
            general = "La actividad ya no tiene cupo: no se pueden inscribir más personas."
        return self._form_inscribir(request, detalle, valores, error.estado_http, errores, general)

    # --- asistencia y conteo ---

    @pagina("GET", "/actividades/<capacitacion_id>/sesiones/<sesion_id>/asistencia", roles=ROLES)
    def pagina_asistencia(self, request, capacitacion_id, sesion_id):
        detalle = self.datos("obtener_capacitacion", capacitacion_id=_id(capacitacion_id))
        s = _sesion(detalle, sesion_id)
        aviso = request.args.get("aviso", "")
        mensaje = AVISOS.get(aviso)
        if aviso == "asistencia":
            mensaje = f"Asistencia guardada: {len(s['presentes'])} de {len(detalle['inscripciones'])} presentes."
        return self._asistencia(detalle, s, set(s["presentes"]), mensaje=mensaje)

    def _asistencia(self, detalle, s, marcadas, estado=200, error=None, mensaje=None):
        hoy = hoy_honduras()
        return self.render("capacitaciones/asistencia.html", estado=estado, titulo="Asistencia", c=detalle, s=s,
                           marcadas=marcadas, error=error, mensaje=mensaje,
                           futura=date.fromisoformat(s["fecha"]) > hoy)

    @pagina("POST", "/actividades/<capacitacion_id>/sesiones/<sesion_id>/asistencia", roles=ROLES)
    def guardar_asistencia_web(self, request, capacitacion_id, sesion_id):
        detalle = self.datos("obtener_capacitacion", capacitacion_id=_id(capacitacion_id))
        s = _sesion(detalle, sesion_id)
        presentes = [p for p in request.form.getlist("presentes") if es_uuid(p)]
        _, error = self.intentar("registrar_asistencia", {"presentes": presentes}, clave=request.form.get("clave"),
                                 capacitacion_id=capacitacion_id, sesion_id=sesion_id)
        if error is None:
            raise Redireccion(f"/actividades/{capacitacion_id}/sesiones/{sesion_id}/asistencia?aviso=asistencia")
        _, general = errores_campos(error, ())
        return self._asistencia(detalle, s, set(presentes), error.estado_http, general)

    @pagina("GET", "/actividades/<capacitacion_id>/sesiones/<sesion_id>/conteo", roles=ROLES)
    def pagina_conteo(self, request, capacitacion_id, sesion_id):
        detalle = self.datos("obtener_capacitacion", capacitacion_id=_id(capacitacion_id))
        s = _sesion(detalle, sesion_id)
        conteo = s.get("conteo") or {}
        valores = {"mujeres": conteo.get("mujeres", ""), "hombres": conteo.get("hombres", ""),
                   **{k: v for k, v in (conteo.get("por_grupo_edad") or {}).items() if v}}
        return self._conteo(detalle, s, valores)

    def _conteo(self, detalle, s, valores, estado=200, errores=None, error=None):
        return self.render("capacitaciones/conteo.html", estado=estado, titulo="Conteo de participantes",
                           c=detalle, s=s, valores=valores, grupos=list(GRUPOS_EDAD.items()),
                           errores=errores or {}, error=error,
                           futura=date.fromisoformat(s["fecha"]) > hoy_honduras())

    @pagina("POST", "/actividades/<capacitacion_id>/sesiones/<sesion_id>/conteo", roles=ROLES)
    def guardar_conteo_web(self, request, capacitacion_id, sesion_id):
        detalle = self.datos("obtener_capacitacion", capacitacion_id=_id(capacitacion_id))
        s = _sesion(detalle, sesion_id)
        valores = formulario(request, "mujeres", "hombres", *GRUPOS_EDAD)
        cuerpo = {"mujeres": _entero(valores.get("mujeres", "")) if valores.get("mujeres") else None,
                  "hombres": _entero(valores.get("hombres", "0"))}
        if cuerpo["mujeres"] is None:
            return self._conteo(detalle, s, valores, 400, {"mujeres": "Escriba cuántas mujeres participaron "
                                                                      "(0 si ninguna)."})
        grupos = {k: _entero(valores[k]) for k in GRUPOS_EDAD if k in valores}
        if grupos:
            cuerpo["por_grupo_edad"] = grupos
        _, error = self.intentar("registrar_conteo", cuerpo, clave=request.form.get("clave"),
                                 capacitacion_id=capacitacion_id, sesion_id=sesion_id)
        if error is None:
            raise Redireccion(f"/actividades/{capacitacion_id}?aviso=conteo")
        errores, general = errores_campos(error, ("mujeres", "hombres", "por_grupo_edad", *GRUPOS_EDAD))
        if "por_grupo_edad" in errores:  # el resumen lleva al primer grupo de edad
            errores[next(iter(GRUPOS_EDAD))] = errores.pop("por_grupo_edad")
        return self._conteo(detalle, s, valores, error.estado_http, errores, general)

    # --- documentos (los PDF de la API, tal cual) ---

    @pagina("GET", "/actividades/<capacitacion_id>/sesiones/<sesion_id>/hoja", roles=ROLES)
    def hoja_asistencia_web(self, request, capacitacion_id, sesion_id):
        return self.api("hoja_asistencia", capacitacion_id=_id(capacitacion_id), sesion_id=_id(sesion_id))

    @pagina("GET", "/actividades/<capacitacion_id>/constancias/<inscripcion_id>", roles=ROLES)
    def constancia_web(self, request, capacitacion_id, inscripcion_id):
        return self.api("constancia", capacitacion_id=_id(capacitacion_id), inscripcion_id=_id(inscripcion_id))

    # --- inicio: las sesiones de hoy, para tomar asistencia ---

    @en_inicio(*ROLES)
    def sesiones_de_hoy(self):
        hoy = hoy_honduras()
        lista = self.datos("listar_capacitaciones", consulta={"desde": hoy.isoformat(), "hasta": hoy.isoformat(),
                                                              "por_pagina": 50})
        avisos = []
        for item in lista["items"]:
            detalle = self.datos("obtener_capacitacion", capacitacion_id=item["id"])
            for s in detalle["sesiones"]:
                if s["fecha"] != hoy.isoformat() or s["estado"] == "cancelada":
                    continue
                cuando = f" a las {s['hora']}" if s.get("hora") else ""
                if s["presentes"] or s.get("conteo"):
                    texto = (f"Sesión de hoy{cuando}: {detalle['titulo']} ({detalle['lugar']}). "
                             f"Asistencia tomada: {s['participantes']} presentes.")
                else:
                    texto = f"Tomar asistencia: {detalle['titulo']}{cuando} ({detalle['lugar']})."
                avisos.append({"texto": texto, "urgente": False,
                               "enlace": f"/actividades/{detalle['id']}/sesiones/{s['id']}/asistencia",
                               "hora": s.get("hora") or ""})
        avisos.sort(key=lambda a: a.pop("hora"))
        return avisos
