"""Pantallas de ayudas: beneficiarias (buscar, registrar con comprobación de DNI, su página), la entrega con las
reglas a la vista antes de confirmar y su recibo, y para la coordinadora inventario, presupuesto, importar y
exportar.

Cada pantalla llama las mismas operaciones que /api/v1/ayudas (self.api / self.datos), con sus roles: ninguna
regla se escribe aquí otra vez. La próxima fecha que permite la frecuencia la calcula el servicio
(proximas_entregas de la beneficiaria), la misma regla que después rechaza con FRECUENCIA_EXCEDIDA.
Ningún nombre ni DNI va en una URL: las búsquedas y los registros van por POST; los enlaces llevan solo ids.
"""
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from ayudas.contrato import (
    CATEGORIAS, CATEGORIAS_EN_ESPECIE, CONDICIONES, MOTIVOS_MOVIMIENTO, MOTIVOS_SIN_DNI, NOMBRES_CATEGORIA,
    NOMBRES_CONDICION, NOMBRES_MOTIVO_SIN_DNI, NOMBRES_MOVIMIENTO,
)
from omm_common.errores import ErrorOMM, NoEncontrado
from omm_common.esquemas import es_uuid
from omm_common.municipios import sin_acentos
from omm_common.tiempo import hoy_honduras

from .nucleo import Redireccion, en_inicio, errores_de, formulario, menu, pagina

ROLES = ("coordinadora", "tecnica", "promotora")
PRESUPUESTO_VEN = ("coordinadora", "tecnica")  # los mismos roles que GET /api/v1/ayudas/presupuesto
MOVIMIENTOS_REGISTRAN = ("coordinadora", "tecnica")
ECONOMICA = "economica_medicamentos"
MAX_XLSX = 30 * 1024 * 1024

menu("Beneficiarias", "/beneficiarias", ROLES, orden=20)
menu("Entregas", "/entregas", ROLES, orden=21)
menu("Inventario", "/inventario", ("coordinadora", "tecnica"), orden=22)

# Lo que una página dice al volver de guardar (PRG): un código en la URL, nunca un dato de una persona.
AVISOS = {
    "registrada": "Beneficiaria registrada. Ya puede entregarle una ayuda.",
    "entregada": "Entrega registrada. Este es su recibo: imprímalo o descárguelo para que lo firme.",
    "anulada": "Entrega anulada. Las existencias y el presupuesto volvieron.",
    "movimiento": "Movimiento de inventario registrado.",
    "tipo": "Tipo de ayuda agregado.",
    "presupuesto": "Presupuesto guardado.",
}
# Mensajes de los esquemas que aquí se dicen como los dice la oficina.
AMABLES = {
    "Debe ser una fecha entre 1900-01-01 y hoy.": "La fecha no puede ser posterior a hoy.",
    "Debe ser una fecha AAAA-MM-DD.": "Escriba una fecha válida.",
    "Debe ser un número entero.": "Escriba un número entero.",
}


def _dni(valor):
    """0402198000001 -> 0402-1980-00001, como lo lee una persona."""
    v = (valor or "").strip()
    return f"{v[:4]}-{v[4:8]}-{v[8:]}" if len(v) == 13 and v.isdigit() else v


def _opciones(valores, nombres):
    return [(v, nombres.get(v, v)) for v in valores]


def _id(valor):
    """Lo que no es un id no existe: 404 sin llamar al servicio."""
    if not es_uuid(valor):
        raise NoEncontrado("No se encontró.")
    return valor


def _amables(errores):
    return {k: AMABLES.get(v, v) for k, v in errores.items()}


def _cantidad(texto):
    try:
        n = int((texto or "").strip())
    except ValueError:
        return None
    return n


def _monto(texto):
    """«L 1,250.00», «1250» o «1250,5» -> "1250.00"; None si no es un monto."""
    limpio = (texto or "").replace("L", "").replace(" ", "").strip()
    if "," in limpio and "." not in limpio and re.fullmatch(r"\d+,\d{1,2}", limpio):
        limpio = limpio.replace(",", ".")
    limpio = limpio.replace(",", "")
    try:
        valor = Decimal(limpio)
    except InvalidOperation:
        return None
    return str(valor) if valor.is_finite() else None


def _codigo_de(nombre):
    """«Bolsa de alimentos» -> «bolsa_de_alimentos»: el código que la API pide y nadie ve."""
    return (re.sub(r"[^a-z0-9]+", "_", sin_acentos(nombre).lower()).strip("_") or "ayuda")[:34]


def _error_de_respuesta(datos):
    """Una respuesta guardada por la misma clave (un doble envío) que fue un error, otra vez como error."""
    datos = datos if isinstance(datos, dict) else {}
    return ErrorOMM(datos.get("mensaje", "No se pudo completar."), datos.get("detalles"),
                    codigo=datos.get("error") or "VALIDACION")


class RutasWebAyudas:

    # --- utilidades de este módulo (prefijo _ayw_: la clase se mezcla con las demás en el Gateway) ---

    def _ayw_render(self, plantilla, **contexto):
        return self.render(f"ayudas/{plantilla}", dni=_dni, hoy=hoy_honduras(), **contexto)

    def _ayw_escribir(self, nombre, *args, **kwargs):
        """(datos, None) o (None, error) de una escritura; 401/403/404/5xx siguen como página de error."""
        try:
            resultado = self.api(nombre, *args, **kwargs)
        except ErrorOMM as exc:
            if exc.estado_http >= 500 or exc.estado_http in (401, 403, 404):
                raise
            return None, exc
        if isinstance(resultado, tuple):
            estado, datos = resultado
            if estado >= 400:
                error = _error_de_respuesta(datos)
                if error.estado_http in (401, 403, 404):
                    raise error
                return None, error
            return datos, None
        return resultado, None

    def _ayw_aviso(self, request):
        return AVISOS.get(request.args.get("aviso", ""))

    def _ayw_puede_presupuesto(self):
        return self.web.yo.rol in PRESUPUESTO_VEN

    # --- beneficiarias: buscar ---

    @pagina("GET", "/beneficiarias", roles=ROLES)
    def web_ayudas_beneficiarias(self, request):
        return self._ayw_render("beneficiarias.html", titulo="Beneficiarias", mensaje=self._ayw_aviso(request))

    @pagina("POST", "/beneficiarias", roles=ROLES)
    def web_ayudas_buscar(self, request):
        """Por nombre o DNI, en el cuerpo: nunca en la URL."""
        texto = formulario(request, "buscar").get("buscar", "")
        if not texto:
            return self._ayw_render("beneficiarias.html", titulo="Beneficiarias", estado=400,
                                    errores={"buscar": "Escriba un nombre o un DNI."})
        pagina_n = _cantidad(request.form.get("pagina")) or 1
        consulta = {"pagina": max(1, pagina_n), "por_pagina": 25}
        limpio = texto.replace("-", "").replace(" ", "")
        if limpio.isdigit():
            consulta["dni"] = limpio
        else:
            consulta["q"] = texto[:120]
        resultado, error = self._ayw_escribir("listar_beneficiarias", consulta=consulta)
        if error:
            return self._ayw_render("beneficiarias.html", titulo="Beneficiarias", estado=400, buscar=texto,
                                    errores={"buscar": error.mensaje})
        if "dni" in consulta and resultado["total"] == 1:
            # El DNI es de una sola persona: directo a su página (la URL lleva su id, no el DNI).
            raise Redireccion(f"/beneficiarias/{resultado['items'][0]['id']}")
        return self._ayw_render("beneficiarias.html", titulo="Beneficiarias", buscar=texto, resultado=resultado,
                                por_dni="dni" in consulta)

    # --- beneficiarias: registrar, con la comprobación de DNI y de candidatas ---

    def _ayw_form_nueva(self, valores=None, estado=200, **contexto):
        return self._ayw_render(
            "beneficiaria_nueva.html", titulo="Registrar beneficiaria", estado=estado, valores=valores or {},
            motivos=_opciones(MOTIVOS_SIN_DNI, NOMBRES_MOTIVO_SIN_DNI),
            # Tercera edad sale de la fecha de nacimiento: no se marca a mano.
            condiciones=[(c, NOMBRES_CONDICION[c]) for c in CONDICIONES if c != "tercera_edad"], **contexto)

    @pagina("GET", "/beneficiarias/nueva", roles=ROLES)
    def web_ayudas_nueva(self, request):
        return self._ayw_form_nueva()

    @pagina("POST", "/beneficiarias/nueva", roles=ROLES)
    def web_ayudas_registrar(self, request):
        v = formulario(request, "nombres", "apellidos", "dni", "motivo_sin_dni", "fecha_nacimiento", "telefono",
                       "comunidad")
        v["condiciones"] = [c for c in request.form.getlist("condiciones") if c in CONDICIONES]
        v["consentimiento_salud"] = request.form.get("consentimiento_salud") == "si"
        errores = {}
        if not v.get("dni") and not v.get("motivo_sin_dni"):
            errores["dni"] = "Escriba el DNI o, si no lo tiene, elija por qué en «Si no tiene DNI»."
        for campo, texto in (("nombres", "Escriba los nombres."), ("apellidos", "Escriba los apellidos."),
                             ("comunidad", "Escriba la comunidad.")):
            if not v.get(campo):
                errores[campo] = texto
        if errores:
            return self._ayw_form_nueva(v, 400, errores=errores)
        cuerpo = dict(v)
        if cuerpo.get("dni"):
            cuerpo.pop("motivo_sin_dni", None)
        if request.form.get("confirmar_nueva") == "1":
            cuerpo["confirmar_nueva"] = True
        creada, error = self._ayw_escribir("crear_beneficiaria", cuerpo, clave=request.form.get("clave"))
        if error is None:
            raise Redireccion(f"/beneficiarias/{creada['id']}?aviso=registrada")
        detalles = error.detalles if isinstance(error.detalles, dict) else {}
        if error.codigo == "DUPLICADO" and detalles.get("id"):
            # El DNI ya está registrado: se muestra ESE registro, no un error.
            existente = self.datos("obtener_beneficiaria", beneficiaria_id=_id(detalles["id"]))
            return self._ayw_form_nueva(v, existente=existente)
        if error.codigo == "DUPLICADO" and detalles.get("candidatas"):
            return self._ayw_form_nueva(v, candidatas=detalles["candidatas"])
        errores = _amables(errores_de(error))
        return self._ayw_form_nueva(v, 400 if errores else error.estado_http, errores=errores,
                                    error=None if errores else error.mensaje)

    # --- la página de la persona: sus datos, la entrega con las reglas a la vista, su historial ---

    def _ayw_opciones_entrega(self, persona):
        """Por cada tipo de ayuda, lo que hay que ver antes de confirmar: existencias, la próxima fecha que la
        frecuencia permite a esta persona y, si es en dinero, el presupuesto que queda."""
        tipos = self.datos("listar_tipos_ayuda")
        proximas = {p["tipo_codigo"]: p for p in persona.get("proximas_entregas") or []}
        coordinadora = self.web.yo.rol == "coordinadora"
        presupuesto = None
        if any(t["categoria"] == ECONOMICA for t in tipos) and self._ayw_puede_presupuesto():
            presupuesto = self.datos("obtener_presupuesto", consulta={"anio": hoy_honduras().year})
        opciones = []
        for t in sorted(tipos, key=lambda x: x["nombre"].lower()):
            p = proximas.get(t["codigo"], {})
            en_especie = t["categoria"] in CATEGORIAS_EN_ESPECIE
            sin_existencias = en_especie and (t.get("existencia") or 0) <= 0
            permitida = p.get("permitida_hoy", True)
            sin_presupuesto = (t["categoria"] == ECONOMICA and presupuesto is not None
                               and presupuesto.get("restante") is not None and presupuesto["restante"] <= 0)
            opciones.append({
                **t, "en_especie": en_especie, "economica": t["categoria"] == ECONOMICA,
                "ultima": p.get("ultima_entrega"), "proxima": p.get("proxima_fecha"), "permitida": permitida,
                "sin_existencias": sin_existencias, "sin_presupuesto": sin_presupuesto,
                # Fuera de la frecuencia solo la coordinadora entrega, con justificación.
                "excepcion": not permitida and coordinadora,
                "habilitada": (permitida or coordinadora) and not sin_existencias and not sin_presupuesto,
            })
        return opciones, presupuesto

    def _ayw_pagina_persona(self, beneficiaria_id, estado=200, valores=None, **contexto):
        persona = self.datos("obtener_beneficiaria", beneficiaria_id=_id(beneficiaria_id))
        opciones, presupuesto = ([], None) if persona.get("fusionada_con") else self._ayw_opciones_entrega(persona)
        entregas = sorted(persona.get("entregas") or [], key=lambda e: (e["fecha"], e["numero_recibo"]),
                          reverse=True)
        valores = valores if valores is not None else {"cantidad": "1", "fecha": hoy_honduras().isoformat()}
        return self._ayw_render(
            "beneficiaria.html", titulo="Beneficiaria", estado=estado, persona=persona, opciones=opciones,
            presupuesto=presupuesto, ve_presupuesto=self._ayw_puede_presupuesto(), entregas=entregas,
            valores=valores, hay_excepcion=any(o["excepcion"] for o in opciones), **contexto)

    @pagina("GET", "/beneficiarias/<beneficiaria_id>", roles=ROLES)
    def web_ayudas_persona(self, request, beneficiaria_id):
        return self._ayw_pagina_persona(beneficiaria_id, mensaje=self._ayw_aviso(request))

    @pagina("POST", "/beneficiarias/<beneficiaria_id>/entrega", roles=ROLES)
    def web_ayudas_entregar(self, request, beneficiaria_id):
        _id(beneficiaria_id)
        v = formulario(request, "tipo_codigo", "cantidad", "monto", "fecha", "observaciones",
                       "justificacion_excepcion")
        errores = {}
        if not v.get("tipo_codigo"):
            errores["tipo_codigo"] = "Elija la ayuda que entrega."
        cantidad = _cantidad(v.get("cantidad"))
        if cantidad is None or cantidad < 1:
            errores["cantidad"] = "Escriba cuántas unidades entrega (1 o más)."
        monto = _monto(v["monto"]) if v.get("monto") else None
        if v.get("monto") and monto is None:
            errores["monto"] = "Escriba el monto en lempiras, por ejemplo 1250.00."
        if errores:
            return self._ayw_pagina_persona(beneficiaria_id, 400, v, errores=errores)
        cuerpo = {"beneficiaria_id": beneficiaria_id, "tipo_codigo": v["tipo_codigo"], "cantidad": cantidad,
                  "fecha": v.get("fecha") or hoy_honduras().isoformat()}
        if monto is not None:
            cuerpo["monto"] = monto
        if v.get("observaciones"):
            cuerpo["observaciones"] = v["observaciones"]
        if v.get("justificacion_excepcion") and self.web.yo.rol == "coordinadora":
            cuerpo["justificacion_excepcion"] = v["justificacion_excepcion"]
        entrega, error = self._ayw_escribir("registrar_entrega", cuerpo, clave=request.form.get("clave"))
        if error is None:
            raise Redireccion(f"/beneficiarias/{beneficiaria_id}/entregas/{entrega['id']}?aviso=entregada")
        errores = _amables(errores_de(error))
        mensaje = error.mensaje
        if error.codigo == "FRECUENCIA_EXCEDIDA":
            errores.setdefault("tipo_codigo", mensaje)
            if self.web.yo.rol == "coordinadora":
                errores["justificacion_excepcion"] = ("Para entregar antes de esa fecha, escriba la justificación "
                                                      "de la excepción.")
            else:
                mensaje += " Solo la coordinadora puede autorizar una excepción."
        elif error.codigo == "SIN_EXISTENCIAS":
            errores.setdefault("cantidad", mensaje)
        elif error.codigo == "PRESUPUESTO_EXCEDIDO":
            errores.setdefault("monto", mensaje)
        if errores and error.de_campos:
            mensaje = None  # el resumen de arriba ya lo dice campo por campo
        return self._ayw_pagina_persona(beneficiaria_id, error.estado_http, v,
                                        errores=errores, error=mensaje)

    # --- el recibo ---

    def _ayw_pagina_recibo(self, beneficiaria_id, entrega_id, estado=200, **contexto):
        persona = self.datos("obtener_beneficiaria", beneficiaria_id=_id(beneficiaria_id))
        entrega = next((e for e in persona.get("entregas") or [] if e["id"] == _id(entrega_id)), None)
        if entrega is None:
            raise NoEncontrado("No se encontró la entrega.")
        tipo = next((t for t in self.datos("listar_tipos_ayuda") if t["codigo"] == entrega["tipo_codigo"]), None)
        return self._ayw_render("recibo.html", titulo="Recibo de entrega", estado=estado, persona=persona,
                                entrega=entrega, unidad=tipo["unidad"] if tipo else "", **contexto)

    @pagina("GET", "/beneficiarias/<beneficiaria_id>/entregas/<entrega_id>", roles=ROLES)
    def web_ayudas_recibo(self, request, beneficiaria_id, entrega_id):
        return self._ayw_pagina_recibo(beneficiaria_id, entrega_id, mensaje=self._ayw_aviso(request))

    @pagina("GET", "/entregas/<entrega_id>/recibo.pdf", roles=ROLES)
    def web_ayudas_recibo_pdf(self, request, entrega_id):
        return self.api("recibo", entrega_id=_id(entrega_id))

    @pagina("POST", "/beneficiarias/<beneficiaria_id>/entregas/<entrega_id>/anular", roles=("coordinadora",))
    def web_ayudas_anular(self, request, beneficiaria_id, entrega_id):
        motivo = formulario(request, "motivo").get("motivo")
        if not motivo:
            return self._ayw_pagina_recibo(beneficiaria_id, entrega_id, 400,
                                           errores={"motivo": "Escriba por qué se anula la entrega."})
        _, error = self._ayw_escribir("anular_entrega", {"motivo": motivo}, entrega_id=_id(entrega_id))
        if error:
            return self._ayw_pagina_recibo(beneficiaria_id, entrega_id, error.estado_http,
                                           errores=_amables(errores_de(error)), error=error.mensaje)
        raise Redireccion(f"/beneficiarias/{_id(beneficiaria_id)}/entregas/{entrega_id}?aviso=anulada")

    # --- entregas del municipio ---

    def _ayw_pagina_entregas(self, request, estado=200, **contexto):
        """Filtros por fecha y tipo en la URL: no son datos de una persona."""
        f = {k: request.args.get(k, "").strip() for k in ("desde", "hasta", "tipo_codigo")}
        f = {k: x for k, x in f.items() if x}
        pagina_n = max(1, _cantidad(request.args.get("pagina")) or 1)
        resultado, error = self._ayw_escribir("listar_entregas", consulta={**f, "pagina": pagina_n,
                                                                           "por_pagina": 50})
        if error:
            contexto["errores"] = _amables(errores_de(error)) or {"desde": error.mensaje}
            estado = 400
        return self._ayw_render("entregas.html", titulo="Entregas", estado=estado, filtros=f, resultado=resultado,
                                tipos=[(t["codigo"], t["nombre"]) for t in self.datos("listar_tipos_ayuda")],
                                lista_pdf=self.web.yo.rol in ("coordinadora", "tecnica"),
                                pagina_url=lambda n: "/entregas?" + urlencode({**f, "pagina": n}), **contexto)

    @pagina("GET", "/entregas", roles=ROLES)
    def web_ayudas_entregas(self, request):
        return self._ayw_pagina_entregas(request, mensaje=self._ayw_aviso(request))

    @pagina("GET", "/entregas/lista.pdf", roles=("coordinadora", "tecnica"))
    def web_ayudas_lista_pdf(self, request):
        """La lista del periodo para firmar (auditoría municipal); sin fechas, la de hoy."""
        hoy = hoy_honduras().isoformat()
        consulta = {"desde": request.args.get("desde", "").strip() or hoy,
                    "hasta": request.args.get("hasta", "").strip() or hoy}
        if request.args.get("tipo_codigo", "").strip():
            consulta["tipo_codigo"] = request.args["tipo_codigo"].strip()
        resultado, error = self._ayw_escribir("lista_entregas", consulta=consulta)
        if error:
            return self._ayw_pagina_entregas(request, 400, errores=_amables(errores_de(error)) or
                                             {"desde": error.mensaje})
        return resultado

    # --- inventario y tipos de ayuda ---

    def _ayw_pagina_inventario(self, request, estado=200, **contexto):
        tipos = self.datos("listar_tipos_ayuda")
        nombres = {t["codigo"]: t for t in tipos}
        filtro = request.args.get("tipo_codigo", "").strip()
        pagina_n = max(1, _cantidad(request.args.get("pagina")) or 1)
        consulta = {"pagina": pagina_n, "por_pagina": 30, **({"tipo_codigo": filtro} if filtro in nombres else {})}
        movimientos = self.datos("listar_movimientos", consulta=consulta)
        registra = self.web.yo.rol in MOVIMIENTOS_REGISTRAN
        contexto.setdefault("valores", {})
        return self._ayw_render(
            "inventario.html", titulo="Inventario", estado=estado, existencias=self.datos("inventario"),
            tipos=sorted(tipos, key=lambda t: t["nombre"].lower()), nombres=nombres, movimientos=movimientos,
            filtro=filtro if filtro in nombres else "", registra=registra,
            en_especie=[(t["codigo"], t["nombre"]) for t in tipos if t["categoria"] in CATEGORIAS_EN_ESPECIE],
            motivos=_opciones(MOTIVOS_MOVIMIENTO, NOMBRES_MOVIMIENTO),
            categorias=_opciones(CATEGORIAS, NOMBRES_CATEGORIA), **contexto)

    @pagina("GET", "/inventario", roles=ROLES)
    def web_ayudas_inventario(self, request):
        return self._ayw_pagina_inventario(request, mensaje=self._ayw_aviso(request))

    @pagina("POST", "/inventario/movimiento", roles=MOVIMIENTOS_REGISTRAN)
    def web_ayudas_movimiento(self, request):
        v = formulario(request, "tipo_codigo", "cantidad", "motivo", "origen")
        cantidad = _cantidad(v.get("cantidad"))
        errores = {}
        if not v.get("tipo_codigo"):
            errores["tipo_codigo"] = "Elija la ayuda."
        if not v.get("motivo"):
            errores["motivo"] = "Elija si es donación, compra o ajuste."
        if cantidad is None or cantidad == 0:
            errores["cantidad"] = "Escriba la cantidad (en un ajuste, negativa para restar)."
        if not errores:
            cuerpo = {**v, "cantidad": cantidad}
            _, error = self._ayw_escribir("registrar_movimiento", cuerpo, clave=request.form.get("clave"))
            if error is None:
                raise Redireccion("/inventario?aviso=movimiento")
            errores = _amables(errores_de(error)) or {"cantidad": error.mensaje}
        return self._ayw_pagina_inventario(request, 400, errores=errores, valores=v)

    @pagina("POST", "/inventario/tipo", roles=MOVIMIENTOS_REGISTRAN)
    def web_ayudas_tipo(self, request):
        v = formulario(request, "nombre", "categoria", "unidad", "frecuencia_dias", "monto_maximo",
                       "existencia_minima")
        errores = {}
        for campo, texto in (("nombre", "Escriba el nombre de la ayuda."), ("categoria", "Elija la categoría."),
                             ("unidad", "Escriba la unidad (bolsas, paquetes, lempiras…).")):
            if not v.get(campo):
                errores[campo] = texto
        frecuencia = _cantidad(v.get("frecuencia_dias", "0"))
        if frecuencia is None or frecuencia < 0:
            errores["frecuencia_dias"] = "Escriba cada cuántos días puede recibirla (0: sin límite)."
        minima = _cantidad(v.get("existencia_minima", "0"))
        if minima is None or minima < 0:
            errores["existencia_minima"] = "Escriba un número entero (0 si no hay mínimo)."
        maximo = _monto(v["monto_maximo"]) if v.get("monto_maximo") else None
        if v.get("monto_maximo") and maximo is None:
            errores["monto_maximo"] = "Escriba el monto en lempiras, por ejemplo 2000."
        if not errores:
            cuerpo = {"codigo": _codigo_de(v["nombre"]), "nombre": v["nombre"], "categoria": v["categoria"],
                      "unidad": v["unidad"], "frecuencia_dias": frecuencia, "existencia_minima": minima,
                      "monto_maximo": maximo}
            existentes = {t["codigo"] for t in self.datos("listar_tipos_ayuda")}
            base, n = cuerpo["codigo"], 2
            while cuerpo["codigo"] in existentes:
                cuerpo["codigo"], n = f"{base}_{n}", n + 1
            _, error = self._ayw_escribir("crear_tipo_ayuda", cuerpo, clave=request.form.get("clave"))
            if error is None:
                raise Redireccion("/inventario?aviso=tipo")
            errores = _amables(errores_de(error)) or {"nombre": error.mensaje}
        return self._ayw_pagina_inventario(request, 400, errores=errores, valores_tipo=v, abrir_tipo=True)

    # --- presupuesto ---

    def _ayw_pagina_presupuesto(self, anio, estado=200, **contexto):
        presupuesto = self.datos("obtener_presupuesto", consulta={"anio": anio})
        return self._ayw_render("presupuesto.html", titulo="Presupuesto de ayudas", estado=estado, anio=anio,
                                presupuesto=presupuesto, **contexto)

    @pagina("GET", "/presupuesto", roles=PRESUPUESTO_VEN)
    def web_ayudas_presupuesto(self, request):
        anio = _cantidad(request.args.get("anio")) or hoy_honduras().year
        if not 2000 <= anio <= 2100:
            anio = hoy_honduras().year
        return self._ayw_pagina_presupuesto(anio, mensaje=self._ayw_aviso(request))

    @pagina("POST", "/presupuesto", roles=("coordinadora",))
    def web_ayudas_fijar_presupuesto(self, request):
        anio = _cantidad(request.form.get("anio")) or hoy_honduras().year
        v = formulario(request, "monto")
        monto = _monto(v.get("monto"))
        if monto is None:
            return self._ayw_pagina_presupuesto(anio, 400, errores={"monto": "Escriba el monto en lempiras, por "
                                                                             "ejemplo 150000."}, valores=v)
        _, error = self._ayw_escribir("fijar_presupuesto", {"anio": anio, "monto": monto})
        if error:
            return self._ayw_pagina_presupuesto(anio, 400, errores=_amables(errores_de(error)) or
                                                {"monto": error.mensaje}, valores=v)
        raise Redireccion(f"/presupuesto?anio={anio}&aviso=presupuesto")

    # --- importar y exportar (coordinadora) ---

    @pagina("GET", "/beneficiarias/importar", roles=("coordinadora",))
    def web_ayudas_importar(self, request):
        return self._ayw_render("importar.html", titulo="Importar beneficiarias")

    @pagina("POST", "/beneficiarias/importar", roles=("coordinadora",))
    def web_ayudas_importar_archivo(self, request):
        if request.content_length and request.content_length > MAX_XLSX + 100_000:
            return self._ayw_render("importar.html", titulo="Importar beneficiarias", estado=413,
                                    errores={"archivo": "El archivo pasa de 30 MB: divídalo en varios."})
        archivo = request.files.get("archivo")
        contenido = archivo.read(MAX_XLSX + 1) if archivo else b""
        if not contenido:
            return self._ayw_render("importar.html", titulo="Importar beneficiarias", estado=400,
                                    errores={"archivo": "Elija el archivo de Excel (.xlsx) con la lista."})
        resultado, error = self._ayw_escribir("importar_beneficiarias", archivos={"archivo": contenido})
        if error:
            return self._ayw_render("importar.html", titulo="Importar beneficiarias", estado=400,
                                    errores=errores_de(error) or {"archivo": error.mensaje})
        errores = sorted(resultado.get("errores") or [], key=lambda e: (e.get("fila") or 0))
        return self._ayw_render("importar.html", titulo="Importar beneficiarias", resultado=resultado,
                                errores_filas=errores)

    @pagina("GET", "/beneficiarias/exportar", roles=("coordinadora",))
    def web_ayudas_exportar(self, request):
        return self._ayw_render("exportar.html", titulo="Exportar a Excel", valores={})

    @pagina("GET", "/beneficiarias/exportar/ayudas.xlsx", roles=("coordinadora",))
    def web_ayudas_exportar_archivo(self, request):
        consulta = {k: request.args.get(k, "").strip() for k in ("desde", "hasta")}
        consulta = {k: x for k, x in consulta.items() if x}
        errores = {}
        if consulta.get("desde") and consulta.get("hasta") and consulta["hasta"] < consulta["desde"]:
            errores["hasta"] = "La fecha final no puede ser anterior a la inicial."
        if not errores:
            resultado, error = self._ayw_escribir("exportar", consulta=consulta)
            if error is None:
                return resultado
            errores = _amables(errores_de(error)) or {"desde": error.mensaje}
        return self._ayw_render("exportar.html", titulo="Exportar a Excel", estado=400, errores=errores,
                                valores=consulta)


@en_inicio(*ROLES)
def ayudas_para_hoy(self):
    """Entregar una ayuda a un toque; las entregas de hoy; a la coordinadora, las existencias bajo el mínimo."""
    hoy = hoy_honduras().isoformat()
    avisos = [{"texto": "Entregar una ayuda: buscar a la beneficiaria", "enlace": "/beneficiarias"}]
    n = self.datos("listar_entregas", consulta={"desde": hoy, "hasta": hoy, "por_pagina": 1})["total"]
    avisos.append({"texto": "Entregas de ayuda registradas hoy" if n != 1 else "Entrega de ayuda registrada hoy",
                   "enlace": f"/entregas?desde={hoy}&hasta={hoy}", "cifra": n})
    if self.web.yo.rol == "coordinadora":
        for i in self.datos("inventario"):
            if i["bajo_minimo"]:
                avisos.append({"texto": f"Existencias bajas de {i['nombre']}: quedan {i['existencia']} "
                                        f"{i['unidad']} (mínimo {i['existencia_minima']})",
                               "enlace": "/inventario", "urgente": True, "cifra": i["existencia"]})
    return avisos

