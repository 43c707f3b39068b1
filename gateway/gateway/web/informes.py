"""Pantallas de informes: el informe de la oficina (en la página con sus cifras y gráficos, en PDF y en Excel,
y sus textos), el POA con el avance de cada meta, y las cifras de la región para la mancomunidad.

Todo sale de las mismas operaciones que /api/v1/reportes, /api/v1/poa y /api/v1/region (con sus mismos
roles): aquí solo se elige el periodo, se ordena lo que la API ya calculó y se dibuja (SVG del servidor, sin
JavaScript). Las cifras de casos que la API suprime («<5») se muestran como tales, nunca como un número.
"""
import calendar
import json
import re
from datetime import date

from omm_common.textos import MESES
from omm_common.errores import NoEncontrado
from omm_common.tiempo import hoy_honduras
from reportes.contrato import INDICADORES, NOMBRES_INDICADOR, NOMBRES_TRIMESTRE_POA, TRIMESTRES

from . import textos
from .nucleo import Redireccion, _municipio as nombre_de_municipio, en_inicio, errores_de, menu, pagina

menu("Región", "/region", ("mancomunidad",), orden=20)
menu("Informe", "/informe", ("coordinadora", "mancomunidad"), orden=80)
menu("POA", "/poa", ("coordinadora", "tecnica"), orden=82)

OCULTO = "<5"
NOMBRES_PERIODO = {0: "Año completo", 1: "Primer trimestre (ene.–mar.)", 2: "Segundo trimestre (abr.–jun.)",
                   3: "Tercer trimestre (jul.–sep.)", 4: "Cuarto trimestre (oct.–dic.)"}
NOMBRES_TRIMESTRE = {1: "primer trimestre", 2: "segundo trimestre", 3: "tercer trimestre", 4: "cuarto trimestre"}
CLASIFICACIONES = {"ley": "Tipos de la ley hondureña", "gbvims": "Tipos del GBVIMS (para comparar con otros países)"}
AVISOS = {"textos": "Los textos del informe se guardaron.", "poa": "Las metas del POA se guardaron.",
          "logo": "El logo de la oficina se guardó; sale en el encabezado del PDF."}
CAMPOS_TEXTO = ("introduccion", "objetivo_general", "objetivos_especificos", "desafios", "lineas_accion")
CAMPOS_LISTA = ("objetivos_especificos", "lineas_accion")
FILAS_NUEVAS = 3
MAX_FILAS = 80
MAX_LOGO = 12 * 1024 * 1024
COLORES = {"casos": "#b00020", "entregas": "#6b2c91", "actividades": "#1e6b37"}
SERIES_MES = (("casos", "Casos"), ("entregas", "Entregas de ayuda"), ("actividades", "Actividades"))
MENSAJES_POA = {"indicador": "Elija qué cuenta esta meta.",
                "tipo_capacitacion": "Elija el tipo de actividad que cuenta esta meta.",
                "categoria_ayuda": "Elija la categoría de ayuda que cuenta esta meta."}


# --- periodo ---

def _entero(valor, minimo, maximo, omision):
    try:
        n = int(str(valor).strip())
    except (TypeError, ValueError):
        return omision
    return n if minimo <= n <= maximo else omision


def trimestre_de(fecha):
    return (fecha.month - 1) // 3 + 1


def periodo(args, hoy, trimestre_por_omision):
    """El periodo pedido (?anio=&trimestre=; 0 es el año entero), sin pasar de hoy si está en curso."""
    anio = _entero(args.get("anio"), 2000, 2100, hoy.year)
    trimestre = _entero(args.get("trimestre"), 0, 4, trimestre_por_omision)
    if trimestre:
        fin = 3 * trimestre
        desde, hasta = date(anio, fin - 2, 1), date(anio, fin, calendar.monthrange(anio, fin)[1])
    else:
        desde, hasta = date(anio, 1, 1), date(anio, 12, 31)
    en_curso = desde <= hoy < hasta
    if en_curso:
        hasta = hoy
    nombre = f"{NOMBRES_TRIMESTRE[trimestre].capitalize()} de {anio}" if trimestre else f"Año {anio}"
    return {"anio": anio, "trimestre": trimestre, "desde": desde, "hasta": hasta, "nombre": nombre,
            "en_curso": en_curso, "futuro": desde > hoy}


def opciones_anio(hoy, elegido):
    anios = set(range(hoy.year - 4, hoy.year + 2)) | {elegido}
    return [(a, str(a)) for a in sorted(anios, reverse=True)]


def nombre_mes(mes, corto=False):
    """'2026-03' -> 'marzo de 2026' (o 'mar')."""
    a, m = mes.split("-")
    return MESES[int(m) - 1][:3] if corto else f"{MESES[int(m) - 1]} de {a}"


# --- cifras ---

def valor(v):
    """Lo que mide una barra: una cifra suprimida («<5») no tiene barra."""
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0


def cifra(v):
    """1250 -> «1,250»; 12.5 -> «12.5»; «<5» tal cual."""
    if v is None:
        return "0"
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def barras_de(pares):
    """[(etiqueta, cifra o «<5»)] -> filas del macro barras: (etiqueta, valor, texto)."""
    return [(e, valor(v), cifra(v)) for e, v in pares]


def con_barras(filas):
    """Las filas de un gráfico, o ninguna si todas sus cifras están ocultas o son 0 (sería un gráfico vacío)."""
    return filas if any(v for _, v, _ in filas) else []


def suma(valores):
    """Suma de cifras; «<5» si alguna está suprimida (nunca se adivina)."""
    valores = list(valores)
    if any(v == OCULTO for v in valores):
        return OCULTO
    return sum(valor(v) for v in valores)


def series_por_mes(meses, por_mes, campos=SERIES_MES):
    """Columnas agrupadas por mes: [(nombre, color, {mes: cifra})] de {mes: {casos, entregas, actividades}}."""
    return [(nombre, COLORES[campo], {m: por_mes.get(m, {}).get(campo, 0) for m in meses}) for campo, nombre in campos]


def meses_sin_registros(por_mes, excluir=None):
    return [m for m, x in por_mes.items() if x.get("sin_registros") and m != excluir]


def lista_de(nombres):
    """«Actividades realizadas», «Sesiones» -> «actividades realizadas o sesiones» (en minúscula solo la inicial)."""
    nombres = [n[:1].lower() + n[1:] for n in nombres]
    return ", ".join(nombres[:-1]) + f" o {nombres[-1]}" if len(nombres) > 1 else "".join(nombres)


def meses_en_palabras(meses, todos=False):
    """['2026-01', '2026-02'] -> «enero y febrero»; más de tres (sin `todos`): «enero, febrero, marzo y 8 más».
    Con meses de varios años, cada uno lleva el suyo."""
    varios_anios = len({m[:4] for m in meses}) > 1
    nombres = [nombre_mes(m) if varios_anios else MESES[int(m[5:7]) - 1] for m in meses]
    if len(nombres) > 3 and not todos:
        return f"{', '.join(nombres[:3])} y {len(nombres) - 3} más"
    return ", ".join(nombres[:-1]) + f" y {nombres[-1]}" if len(nombres) > 1 else "".join(nombres)


def _miembros_de(listado, codigo):
    for m in listado or []:
        if m["codigo"] == codigo:
            return m
    return {"codigo": codigo, "nombre": codigo or "", "municipios": []}


# --- POA: del formulario a la API y de vuelta ---

def numero_de_campo(v):
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)


def filas_de_poa(actividades):
    return [{"i": n, "nombre": a["nombre"], "indicador": a["indicador"],
             "tipo_capacitacion": a.get("tipo_capacitacion") or "", "categoria_ayuda": a.get("categoria_ayuda") or "",
             "metas": {t: numero_de_campo(a["metas"].get(t)) for t in TRIMESTRES}, "quitar": False}
            for n, a in enumerate(actividades)]


def filas_vacias(desde, cuantas=FILAS_NUEVAS):
    return [{"i": desde + n, "nombre": "", "indicador": "", "tipo_capacitacion": "", "categoria_ayuda": "",
             "metas": dict.fromkeys(TRIMESTRES, ""), "quitar": False, "nueva": True} for n in range(cuantas)]


def filas_del_formulario(form):
    indices = sorted({int(m.group(1)) for k in form.keys() if (m := re.fullmatch(r"a(\d{1,3})-\w+", k))})
    filas = []
    for i in indices[:MAX_FILAS]:
        def leer(campo):
            return (form.get(f"a{i}-{campo}") or "").strip()
        filas.append({"i": i, "nombre": leer("nombre"), "indicador": leer("indicador"),
                      "tipo_capacitacion": leer("tipo_capacitacion"), "categoria_ayuda": leer("categoria_ayuda"),
                      "metas": {t: leer(t) for t in TRIMESTRES}, "quitar": bool(form.get(f"a{i}-quitar")),
                      "nueva": bool(form.get(f"a{i}-nueva"))})
    return filas


def plan_de(filas):
    """(cuerpo de PUT /poa/{anio}, [índice de fila del formulario de cada actividad enviada]).

    Las filas vacías y las marcadas para quitar no se envían. Cada indicador se cuenta en una sola fuente
    (INDICADORES, del contrato de reportes): se envía solo el tipo o la categoría que le corresponde.
    """
    actividades, enviadas = [], []
    for f in filas:
        if f["quitar"] or not (f["nombre"] or f["indicador"] or any(v not in ("", "0") for v in f["metas"].values())):
            continue
        a = {"metas": {t: v or "0" for t, v in f["metas"].items()}}
        if f["nombre"]:
            a["nombre"] = f["nombre"]
        if f["indicador"]:
            a["indicador"] = f["indicador"]
        fuente = INDICADORES.get(f["indicador"], (None,))[0]
        if fuente == "capacitaciones" and f["tipo_capacitacion"]:
            a["tipo_capacitacion"] = f["tipo_capacitacion"]
        if fuente == "ayudas" and f["categoria_ayuda"]:
            a["categoria_ayuda"] = f["categoria_ayuda"]
        actividades.append(a)
        enviadas.append(f["i"])
    return {"actividades": actividades}, enviadas


def _mensajes(v):
    if isinstance(v, list):
        return " ".join(str(x) for x in v if isinstance(x, str))
    if isinstance(v, dict):
        return " ".join(_mensajes(x) for x in v.values())
    return str(v)


def errores_de_poa(exc, enviadas, filas):
    """({campo: texto junto al campo}, {campo: texto del resumen}, error general) de un 400 del PUT del POA."""
    posicion = {f["i"]: n + 1 for n, f in enumerate(filas)}
    campos, resumen, general = {}, {}, []

    def poner(n, campo, texto):
        n = int(n) if str(n).isdigit() else -1
        if not 0 <= n < len(enviadas):
            general.append(texto)
            return
        i = enviadas[n]
        if campo in MENSAJES_POA:
            texto = MENSAJES_POA[campo]
        elif campo == "nombre" and "obligatorio" in texto:
            texto = "Escriba el nombre de la meta."
        elif campo in TRIMESTRES and "mayor o igual" in texto:
            texto = "Escriba un número de 0 en adelante."
        campos[f"a{i}-{campo}"] = texto
        donde = f"Meta {posicion.get(i, n + 1)}"
        if campo in TRIMESTRES:
            donde += f", {NOMBRES_TRIMESTRE[int(campo[1])]}"
        resumen[f"a{i}-{campo}"] = f"{donde}: {texto}"

    for clave, v in (exc.detalles if isinstance(exc.detalles, dict) else {}).items():
        m = re.fullmatch(r"actividades\.(\d+)\.(\w+)", clave)
        if m:
            poner(m.group(1), m.group(2), _mensajes(v))
        elif clave == "actividades" and isinstance(v, dict):
            for n, x in v.items():
                for campo, mensajes in (x.items() if isinstance(x, dict) else ()):
                    if campo == "metas" and isinstance(mensajes, dict):
                        for t, mm in mensajes.items():
                            poner(n, t, _mensajes(mm))
                    else:
                        poner(n, campo, _mensajes(mensajes))
        else:
            general.append(_mensajes(v))
    if not campos and not general:
        general.append(exc.mensaje)
    return campos, resumen, " ".join(general)


def avance_del_trimestre(actividades, t):
    """[(actividad, {meta, logrado, porcentaje})] de las metas con algo que lograr en el trimestre `t`."""
    return [(a, a["trimestres"][t]) for a in actividades if a["trimestres"][t]["meta"]]


class RutasWebInformes:

    # --- lo común ---

    def _mancomunidad(self):
        """La mancomunidad de la usuaria con sus municipios [(código, nombre)] (de GET /api/v1/mancomunidades)."""
        m = _miembros_de(self.datos("mancomunidades"), self.web.yo.mancomunidad)
        return {**m, "opciones": [(c, nombre_de_municipio(c)) for c in m["municipios"]]}

    def _consulta_informe(self, request, p):
        consulta = {"desde": p["desde"].isoformat(), "hasta": p["hasta"].isoformat()}
        clasificacion = request.args.get("clasificacion", "ley")
        consulta["clasificacion"] = clasificacion if clasificacion in CLASIFICACIONES else "ley"
        municipio = None
        if self.web.yo.rol == "mancomunidad" and request.args.get("municipio"):
            municipio = request.args.get("municipio")
            if municipio not in self._mancomunidad()["municipios"]:
                raise NoEncontrado("No se encontró ese municipio en su mancomunidad.")
            consulta["municipio"] = municipio
        return consulta

    # --- informe ---

    @pagina("GET", "/informe", roles=("coordinadora", "mancomunidad"))
    def pagina_informe(self, request):
        hoy = hoy_honduras()
        p = periodo(request.args, hoy, trimestre_de(hoy))
        consulta = self._consulta_informe(request, p)
        datos = self.datos("informe", consulta=consulta)
        mancomunidad = self._mancomunidad() if self.web.yo.rol == "mancomunidad" else None
        return self.render(
            "informes/informe.html", titulo="Informe de actividades", i=datos, p=p, consulta=consulta,
            graficos=graficos_del_informe(datos), completitud=completitud_de(datos["completitud"]),
            opciones_anio=opciones_anio(hoy, p["anio"]), periodos=list(NOMBRES_PERIODO.items()),
            clasificaciones=list(CLASIFICACIONES.items()), mancomunidad=mancomunidad,
            poa=resumen_poa(datos.get("poa") or [], trimestre_de(p["hasta"])),
            mensaje=AVISOS.get(request.args.get("aviso", "")), cifra=cifra, descarga=descarga_de(consulta, p))

    @pagina("GET", "/informe/descargar", roles=("coordinadora", "mancomunidad"))
    def descargar_informe(self, request):
        """El PDF o el Excel de la API, tal cual (adjunto, no-store)."""
        formato = request.args.get("formato")
        if formato not in ("pdf", "xlsx"):
            raise NoEncontrado("No existe ese formato.")
        hoy = hoy_honduras()
        consulta = self._consulta_informe(request, periodo(request.args, hoy, trimestre_de(hoy)))
        return self.api("informe", consulta={**consulta, "formato": formato})

    @pagina("GET", "/informe/textos", roles=("coordinadora",))
    def pagina_textos(self, request):
        hoy = hoy_honduras()
        anio = _entero(request.args.get("anio"), 2000, 2100, hoy.year)
        trimestre = _entero(request.args.get("trimestre"), 0, 4, trimestre_de(hoy))
        guardados = self.datos("obtener_textos", consulta={"anio": str(anio), "trimestre": str(trimestre)})
        return self._formulario_textos(guardados, valores_de_textos(guardados),
                                       mensaje=AVISOS.get(request.args.get("aviso", "")))

    def _formulario_textos(self, guardados, valores, estado=200, **contexto):
        return self.render("informes/textos.html", titulo="Textos del informe", estado=estado, t=guardados,
                           valores=valores, **contexto)

    @pagina("POST", "/informe/textos", roles=("coordinadora",))
    def guardar_textos(self, request):
        hoy = hoy_honduras()
        anio = _entero(request.form.get("anio"), 2000, 2100, hoy.year)
        trimestre = _entero(request.form.get("trimestre"), 0, 4, trimestre_de(hoy))
        valores = {c: (request.form.get(c) or "").strip() for c in CAMPOS_TEXTO}
        cuerpo = {}
        for c, v in valores.items():
            if c in CAMPOS_LISTA:
                lineas = [x.strip() for x in v.splitlines() if x.strip()]
                cuerpo[c] = lineas or None
            else:
                cuerpo[c] = v or None
        _, error = self.intentar("fijar_textos", cuerpo, {"anio": str(anio), "trimestre": str(trimestre)},
                                 clave=request.form.get("clave"))
        if error is None:
            raise Redireccion(f"/informe?anio={anio}&trimestre={trimestre}&aviso=textos")
        periodo_ = {"anio": anio, "trimestre": trimestre,
                    "periodo": f"{NOMBRES_TRIMESTRE[trimestre].capitalize()} de {anio}" if trimestre
                    else f"Año {anio}"}
        errores = {k: v for k, v in errores_de(error).items() if k in CAMPOS_TEXTO}
        return self._formulario_textos(periodo_, valores, 400, errores=errores,
                                       error=None if errores else error.mensaje)

    @pagina("POST", "/informe/logo", roles=("coordinadora",))
    def guardar_logo(self, request):
        hoy = hoy_honduras()
        anio = _entero(request.form.get("anio"), 2000, 2100, hoy.year)
        trimestre = _entero(request.form.get("trimestre"), 0, 4, trimestre_de(hoy))
        archivo = request.files.get("archivo")
        contenido = archivo.read(MAX_LOGO + 1) if archivo else b""
        if not contenido:
            error_logo = "Elija la imagen del logo (JPEG o PNG)."
        elif len(contenido) > MAX_LOGO:
            error_logo = "La imagen pasa de 12 MB; elija una más pequeña."
        else:
            _, error = self.intentar("fijar_logo", archivos={"archivo": contenido}, clave=request.form.get("clave"))
            if error is None:
                raise Redireccion(f"/informe/textos?anio={anio}&trimestre={trimestre}&aviso=logo")
            error_logo = errores_de(error).get("archivo") or error.mensaje
        guardados = self.datos("obtener_textos", consulta={"anio": str(anio), "trimestre": str(trimestre)})
        return self._formulario_textos(guardados, valores_de_textos(guardados), 400, errores={"archivo": error_logo})

    @pagina("GET", "/informe/logo", roles=("coordinadora", "tecnica", "mancomunidad"))
    def ver_logo(self, request):
        consulta = {"municipio": request.args["municipio"]} if request.args.get("municipio") else {}
        return self.api("obtener_logo", consulta=consulta)

    # --- POA ---

    @pagina("GET", "/poa", roles=("coordinadora", "tecnica", "mancomunidad"))
    def pagina_poa(self, request):
        hoy = hoy_honduras()
        anio = _entero(request.args.get("anio"), 2000, 2100, hoy.year)
        consulta, mancomunidad = {}, None
        if self.web.yo.rol == "mancomunidad":
            mancomunidad = self._mancomunidad()
            municipio = request.args.get("municipio") or next(iter(mancomunidad["municipios"]), None)
            if municipio is None:
                return self.render("informes/poa.html", titulo="Plan operativo anual (POA)", poa=None, anio=anio,
                                   mancomunidad=mancomunidad, opciones_anio=opciones_anio(hoy, anio))
            consulta["municipio"] = municipio
        poa = self.datos("obtener_poa", consulta=consulta, anio=str(anio))
        actual = trimestre_de(hoy) if anio == hoy.year else None
        return self.render("informes/poa.html", titulo="Plan operativo anual (POA)", poa=poa, anio=anio,
                           actual=f"t{actual}" if actual else None, trimestres=NOMBRES_TRIMESTRE_POA,
                           mancomunidad=mancomunidad, municipio=consulta.get("municipio"),
                           opciones_anio=opciones_anio(hoy, anio), cifra=cifra,
                           puede_editar=self.web.yo.rol == "coordinadora",
                           mensaje=AVISOS.get(request.args.get("aviso", "")))

    def _formulario_poa(self, anio, filas, estado=200, **contexto):
        hoy = hoy_honduras()
        return self.render(
            "informes/poa_editar.html", titulo=f"Metas del POA {anio}", estado=estado, anio=anio, filas=filas,
            indicadores=[(k, NOMBRES_INDICADOR.get(k, k)) for k in INDICADORES],
            tipos=list(textos.GRUPOS["actividad"].items()),
            categorias=list(textos.GRUPOS["categoria"].items()), trimestres=NOMBRES_TRIMESTRE_POA,
            fuentes={k: v[0] for k, v in INDICADORES.items()},
            cuenta_capacitaciones=lista_de(NOMBRES_INDICADOR[k] for k, v in INDICADORES.items()
                                           if v[0] == "capacitaciones"),
            cuenta_ayudas=lista_de(NOMBRES_INDICADOR[k] for k, v in INDICADORES.items() if v[0] == "ayudas"),
            opciones_anio=opciones_anio(hoy, anio), **contexto)

    @pagina("GET", "/poa/editar", roles=("coordinadora",))
    def pagina_editar_poa(self, request):
        anio = _entero(request.args.get("anio"), 2000, 2100, hoy_honduras().year)
        poa = self.datos("obtener_poa", anio=str(anio))
        filas = filas_de_poa(poa["actividades"])
        return self._formulario_poa(anio, filas + filas_vacias(len(filas)), campos={})

    @pagina("POST", "/poa/editar", roles=("coordinadora",))
    def guardar_poa(self, request):
        anio = _entero(request.form.get("anio"), 2000, 2100, None)
        if anio is None:
            raise Redireccion("/poa/editar")
        filas = filas_del_formulario(request.form)
        cuerpo, enviadas = plan_de(filas)
        _, error = self.intentar("fijar_poa", cuerpo, clave=request.form.get("clave"), anio=str(anio))
        if error is None:
            raise Redireccion(f"/poa?anio={anio}&aviso=poa")
        campos, resumen, general = errores_de_poa(error, enviadas, filas)
        return self._formulario_poa(anio, filas, 400, campos=campos, errores=resumen, error=general or None)

    # --- región ---

    def _region(self, desde, hasta, clasificacion="ley"):
        """Lo de GET /api/v1/region/estadisticas (la ruta responde el JSON ya escrito)."""
        respuesta = self.api("estadisticas_region", consulta={"desde": desde.isoformat(), "hasta": hasta.isoformat(),
                                                              "clasificacion": clasificacion})
        if isinstance(respuesta, tuple):
            return respuesta[1]
        return json.loads(respuesta.get_data())

    @pagina("GET", "/region", roles=("mancomunidad",))
    def pagina_region(self, request):
        hoy = hoy_honduras()
        p = periodo(request.args, hoy, 0)
        clasificacion = request.args.get("clasificacion", "ley")
        clasificacion = clasificacion if clasificacion in CLASIFICACIONES else "ley"
        datos = self._region(p["desde"], p["hasta"], clasificacion)
        mancomunidad = self._mancomunidad()
        return self.render(
            "informes/region.html", titulo="Cifras de la región", d=datos, p=p, clasificacion=clasificacion,
            mancomunidad=mancomunidad, r=cifras_de_region(datos, hoy), opciones_anio=opciones_anio(hoy, p["anio"]),
            periodos=list(NOMBRES_PERIODO.items()), clasificaciones=list(CLASIFICACIONES.items()), cifra=cifra,
            meses_en_palabras=meses_en_palabras, descarga=descarga_de({"desde": p["desde"].isoformat(), "hasta": p["hasta"].isoformat(),
                                  "clasificacion": clasificacion}, p))

    # --- inicio ---

    @en_inicio("mancomunidad")
    def inicio_mancomunidad(self):
        """Los municipios con meses cerrados sin ningún registro (este año; el mes en curso aún no cuenta)."""
        hoy = hoy_honduras()
        datos = self._region(date(hoy.year, 1, 1), hoy)
        en_curso = hoy.strftime("%Y-%m")
        anterior = date(hoy.year, hoy.month - 1, 1).strftime("%Y-%m") if hoy.month > 1 else None
        avisos = []
        for m, por_mes in datos["completitud"]["por_mes"].items():
            vacios = meses_sin_registros(por_mes, en_curso)
            if vacios:
                avisos.append({"texto": f"{nombre_de_municipio(m)}: {len(vacios)} "
                                        f"{'mes' if len(vacios) == 1 else 'meses'} sin registros este año "
                                        f"({meses_en_palabras(vacios)})",
                               "enlace": "/region#completitud", "cifra": len(vacios), "urgente": anterior in vacios})
        if not datos["municipios"]:
            avisos.append({"texto": "Su mancomunidad aún no tiene municipios asignados.", "urgente": False})
        elif not avisos:
            avisos.append({"texto": "Todos los municipios tienen registros en cada mes cerrado de este año.",
                           "enlace": "/region"})
        return avisos

    @en_inicio("coordinadora")
    def inicio_coordinadora_poa(self):
        """El avance del POA en el trimestre en curso, y el informe cuando el trimestre está por cerrar."""
        hoy = hoy_honduras()
        t = trimestre_de(hoy)
        poa = self.datos("obtener_poa", anio=str(hoy.year))
        avisos = []
        metas = avance_del_trimestre(poa["actividades"], f"t{t}")
        if not poa["actividades"]:
            avisos.append({"texto": f"Aún no hay metas del POA de {hoy.year}: fíjelas para ver su avance.",
                           "enlace": "/poa/editar"})
        elif metas:
            cumplidas = sum(1 for _, x in metas if x["logrado"] >= x["meta"])
            avisos.append({"texto": f"POA del {NOMBRES_TRIMESTRE[t]}: {cumplidas} de {len(metas)} "
                                    f"{'meta cumplida' if len(metas) == 1 and cumplidas == 1 else 'metas cumplidas'}",
                           "enlace": "/poa", "cifra": f"{cumplidas}/{len(metas)}"})
        fin = date(hoy.year, 3 * t, calendar.monthrange(hoy.year, 3 * t)[1])
        faltan = (fin - hoy).days
        if faltan <= 15:
            avisos.append({"texto": f"El {NOMBRES_TRIMESTRE[t]} cierra en {faltan} "
                                    f"{'día' if faltan == 1 else 'días'}: revise el informe y sus textos.",
                           "enlace": f"/informe?anio={hoy.year}&trimestre={t}"})
        return avisos


def valores_de_textos(guardados):
    """Lo escrito para el periodo, como va en el formulario (las listas, una línea por elemento)."""
    return {c: "\n".join(guardados.get(c) or []) if c in CAMPOS_LISTA else (guardados.get(c) or "")
            for c in CAMPOS_TEXTO}


def descarga_de(consulta, p):
    """La consulta de /informe/descargar (sin el formato): el mismo periodo, clasificación y municipio."""
    return {**{k: v for k, v in consulta.items() if k in ("clasificacion", "municipio")},
            "anio": p["anio"], "trimestre": p["trimestre"]}


def completitud_de(c):
    """Del bloque `completitud` del informe: [(código, nombre, [(mes, nombre del mes, fila)])] y los meses."""
    meses = c["meses"]
    return {"meses": [(m, nombre_mes(m), nombre_mes(m, corto=True)) for m in meses],
            "municipios": [(codigo, c["nombres_municipios"].get(codigo, codigo), filas)
                           for codigo, filas in c["por_municipio"].items()]}


def graficos_del_informe(i):
    """Las filas de cada gráfico del informe (barras: etiqueta, valor, texto)."""
    casos = i["casos"]
    dimension = "gbvims" if casos.get("clasificacion") == "gbvims" else "tipo_violencia"
    tipos = casos.get(dimension) or {}
    ayudas = [(f["nombre"], f["entregas"]) for f in i["ayudas"]["por_categoria"]]
    capacitaciones = [(f["nombre"], f.get("participantes", 0)) for f in i["capacitaciones"]["por_tipo"]]
    por_mes = {}
    for filas in i["completitud"]["por_municipio"].values():
        for mes, x in filas.items():
            acumulado = por_mes.setdefault(mes, {"casos": 0, "entregas": 0, "actividades": 0})
            acumulado["casos"] = suma([acumulado["casos"], x["casos"]])
            acumulado["entregas"] += x["entregas"]
            acumulado["actividades"] += x["actividades"]
    meses = i["completitud"]["meses"]
    return {
        "tipos": con_barras(barras_de([(tipos.get("nombres", {}).get(k, textos.etiqueta(k)), v)
                                       for k, v in (tipos.get("total_columna") or {}).items()])),
        "titulo_tipos": (casos.get("titulos") or {}).get(dimension, "Tipo de violencia"),
        "ayudas": barras_de(ayudas), "capacitaciones": barras_de(capacitaciones),
        "meses": [(m, nombre_mes(m, corto=True), nombre_mes(m)) for m in meses],
        "por_mes": series_por_mes(meses, por_mes),
    }


def resumen_poa(planes, t):
    """Del POA del informe: [(municipio, actividad, avance del trimestre)]."""
    return [(p.get("municipio_nombre", p.get("municipio")), a, a["trimestres"][f"t{t}"]) for p in planes
            for a in p["actividades"]]


def cifras_de_region(d, hoy):
    """Lo que la pantalla de la región muestra, ya ordenado, de la respuesta de /region/estadisticas."""
    municipios = d["municipios"]
    casos = d["casos"]
    capacitaciones = d["capacitaciones"]["por_municipio"]
    totales = d["ayudas"]["totales"]
    dimension = "gbvims" if d.get("clasificacion") == "gbvims" else "tipo_violencia"
    filas = []
    for m in municipios:
        cap = capacitaciones.get(m, {})
        ayuda = totales.get(m, {})
        filas.append({"codigo": m, "nombre": nombre_de_municipio(m),
                      "casos": casos["casos"]["total_fila"].get(m, 0),
                      "entregas": ayuda.get("entregas", 0), "personas": ayuda.get("personas", 0),
                      "monto": ayuda.get("monto", 0), "actividades": cap.get("actividades", 0),
                      "participantes": cap.get("participantes", 0),
                      "ultima": d["completitud"]["ultima_actividad"].get(m)})
    meses = d["completitud"]["meses"]
    en_curso = hoy.strftime("%Y-%m")
    por_municipio = []
    for f in filas:
        por_mes = d["completitud"]["por_mes"].get(f["codigo"], {})
        por_municipio.append({**f, "por_mes": por_mes, "series": series_por_mes(meses, por_mes),
                              "sin_registros": meses_sin_registros(por_mes, en_curso),
                              "en_curso_vacio": por_mes.get(en_curso, {}).get("sin_registros", False)})
    tipos = casos.get(dimension) or {"celdas": {}, "total_columna": {}, "nombres": {}}

    def tabla(t):
        return {"columnas": [(k, t.get("nombres", {}).get(k, textos.etiqueta(k))) for k in t.get("total_columna", {})],
                "celdas": t.get("celdas", {}), "total_fila": t.get("total_fila", {}),
                "total_columna": t.get("total_columna", {}), "total": t.get("total", 0)}
    return {
        "filas": filas, "por_municipio": por_municipio,
        "meses": [(m, nombre_mes(m, corto=True), nombre_mes(m)) for m in meses], "en_curso": en_curso,
        "total_casos": casos["casos"].get("total", 0),
        "total_ayudas": d["ayudas"]["region"]["total"],
        "total_capacitaciones": d["capacitaciones"].get("total", {}),
        "barras_entregas": barras_de([(f["nombre"], f["entregas"]) for f in filas]),
        "barras_casos": con_barras(barras_de([(f["nombre"], f["casos"]) for f in filas])),
        "barras_actividades": barras_de([(f["nombre"], f["actividades"]) for f in filas]),
        "barras_categorias": barras_de([(c["nombre"], c["entregas"]) for c in d["ayudas"]["region"]["por_categoria"]]),
        "tipos": tabla(tipos), "riesgo": tabla(casos.get("nivel_riesgo") or {}),
        "titulo_tipos": "Casos por tipo de violencia" + (" (GBVIMS)" if dimension == "gbvims" else ""),
        "notificaciones": [(nombre_de_municipio(m), x) for m, x in sorted((d.get("notificaciones_cis") or {}).items())],
    }
