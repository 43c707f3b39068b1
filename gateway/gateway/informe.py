"""El informe de actividades de la oficina, con la forma del informe de la OMM de Lejamaní.

Compone, en Python puro, lo que los servicios ya agregan: sin nombres de personas, con las cifras
de casos suprimidas igual que en la región. Los textos (presentación, objetivos, desafíos) los
escribe cada oficina; si aún no lo hizo, van los de siempre del informe.
"""
from datetime import date

from ayudas.dominio import NOMBRES_CATEGORIA
from capacitaciones.dominio import NOMBRES_TIPO
from omm_common.errores import error_de_campo
from omm_common.resumenes import fin_de_mes

from .supresion import tablas_de_casos

def periodo(desde, hasta, hoy):
    """Sin fechas, el informe va del 1 de enero al día de hoy en Honduras (`hoy`); la noche del 31 de
    diciembre en Tegucigalpa todavía es ese año aunque en UTC ya sea el siguiente."""
    hasta = hasta or hoy
    desde = desde or date(hasta.year, 1, 1)
    if desde > hasta:
        raise error_de_campo("hasta", "La fecha final no puede ser anterior a la inicial.")
    return desde, hasta


INTRODUCCION = (
    "La Oficina Municipal de la Mujer de {lugar} es la instancia del gobierno local que permite interactuar "
    "con las mujeres organizadas y no organizadas, para capacitarlas, afianzar sus conocimientos e "
    "involucrarlas en el desarrollo económico local; brinda atención a los problemas que la mujer atraviesa "
    "en su diario vivir y contribuye a mejorar su calidad de vida y la de su familia. El presente documento "
    "recoge las actividades registradas entre el {desde} y el {hasta}: el acompañamiento a mujeres en "
    "situación de vulnerabilidad, la ayuda social entregada, las actividades de sensibilización, las "
    "articulaciones interinstitucionales y las capacitaciones para el empoderamiento de las mujeres."
)
OBJETIVO_GENERAL = (
    "Contribuir a la prevención de todas las formas de violencia contra las mujeres y a la promoción de sus "
    "derechos humanos: promover la igualdad de género, fortalecer los derechos de las mujeres y contribuir a "
    "políticas públicas que garanticen una vida libre de violencias y discriminación."
)
OBJETIVOS_ESPECIFICOS = [
    "Realizar las actividades coordinadas por la oficina y dar atención y apoyo a toda mujer que lo requiera.",
    "Recibir capacitaciones para que la oficina esté al servicio de la comunidad con calidad.",
]
SIN_DESAFIOS = "La oficina aún no ha escrito los desafíos y las líneas de acción de este periodo."
DIMENSIONES = {"tipo_violencia": "Tipo de violencia", "nivel_riesgo": "Nivel de riesgo", "contexto": "Contexto"}
CAMPOS_AYUDA = ("entregas", "personas", "unidades", "monto")


def textos(propios, lugar, desde, hasta):
    """Los textos de la oficina, o los de siempre; `propios` es un dict (vacío si no escribió nada)."""
    return {
        "introduccion": propios.get("introduccion") or INTRODUCCION.format(lugar=lugar, desde=desde, hasta=hasta),
        "objetivo_general": propios.get("objetivo_general") or OBJETIVO_GENERAL,
        "objetivos_especificos": propios.get("objetivos_especificos") or OBJETIVOS_ESPECIFICOS,
        "desafios": propios.get("desafios") or SIN_DESAFIOS,
        "lineas_accion": propios.get("lineas_accion") or [],
    }


def textos_de_region(por_municipio, nombres, lugar, desde, hasta):
    """Consolidado: presentación común y los desafíos de cada oficina con su nombre."""
    base = textos({}, lugar, desde, hasta)
    desafios = [f"{nombres[m]}: {t['desafios']}" for m, t in sorted(por_municipio.items()) if t.get("desafios")]
    lineas = [f"{nombres[m]}: {x}" for m, t in sorted(por_municipio.items()) for x in (t.get("lineas_accion") or [])]
    return {**base, "desafios": "\n".join(desafios) or SIN_DESAFIOS, "lineas_accion": lineas}


def ayudas_por_categoria(agregados):
    """Entregas, personas, unidades y montos por categoría (y por mes) de todos los municipios pedidos."""
    por_categoria, por_mes = {}, {}
    for categorias in agregados["por_municipio"].values():
        for categoria, x in categorias.items():
            c = por_categoria.setdefault(categoria, dict.fromkeys(CAMPOS_AYUDA, 0))
            for k in CAMPOS_AYUDA:
                c[k] += x[k]
    for meses in agregados["por_mes"].values():
        for mes, categorias in meses.items():
            suma = por_mes.setdefault(mes, {})
            for categoria, x in categorias.items():
                suma[categoria] = suma.get(categoria, 0) + x["entregas"]
    filas = [{"categoria": c, "nombre": NOMBRES_CATEGORIA.get(c, c), **v, "monto": round(v["monto"], 2)}
             for c, v in sorted(por_categoria.items())]
    total = {k: round(sum(f[k] for f in filas), 2) for k in CAMPOS_AYUDA}
    return {"por_categoria": filas, "por_mes": dict(sorted(por_mes.items())), "total": total}


def actividades_del_periodo(actividades, agregados_ayudas, nombres, periodo):
    """Lo hecho en el periodo, como en el informe: cada actividad con fecha, tipo, institución y participantes.

    Las entregas de ayuda también son actividades de la oficina: una línea por categoría y municipio,
    del primer al último mes con entregas (dentro del periodo).
    """
    filas = [{"desde": a["desde"], "hasta": a["hasta"], "tipo": a["tipo"],
              "tipo_nombre": NOMBRES_TIPO.get(a["tipo"], a["tipo"]), "titulo": a["titulo"],
              "institucion": a["institucion"] or "OMM", "lugar": a["lugar"], "municipio": a["municipio"],
              "municipio_nombre": nombres.get(a["municipio"], a["municipio"]),
              "sesiones": a["sesiones_realizadas"], "participantes": a["participantes"]}
             for a in actividades]
    for municipio, categorias in agregados_ayudas["por_municipio"].items():
        meses = agregados_ayudas["por_mes"].get(municipio, {})
        for categoria, x in categorias.items():
            m = sorted(mes for mes, c in meses.items() if categoria in c)
            desde = max(f"{m[0]}-01", periodo["desde"]) if m else None
            hasta = min(fin_de_mes(date.fromisoformat(f"{m[-1]}-01")).isoformat(), periodo["hasta"]) if m else None
            filas.append({"desde": desde, "hasta": hasta,
                          "tipo": f"ayuda_{categoria}", "tipo_nombre": NOMBRES_CATEGORIA.get(categoria),
                          "titulo": NOMBRES_CATEGORIA.get(categoria, categoria), "institucion": "OMM",
                          "lugar": "Oficina Municipal de la Mujer", "municipio": municipio,
                          "municipio_nombre": nombres.get(municipio, municipio),
                          "sesiones": x["entregas"], "participantes": x["personas"]})
    return sorted(filas, key=lambda x: (x["desde"] or "", x["municipio"], x["titulo"]))


def capacitaciones_por_tipo(agregados):
    total = agregados["total"]
    return {"por_tipo": [{"tipo": t, "nombre": NOMBRES_TIPO.get(t, t), **v}
                         for t, v in sorted(total.get("por_tipo", {}).items())],
            "total": {k: total.get(k, 0) for k in ("actividades", "sesiones_realizadas", "participantes",
                                                    "asistencias")}}


def componer(ambito, periodo, textos_, agregados, actividades, poa, nombres):
    """El informe entero como datos: lo mismo sale en JSON, en .xlsx y en PDF."""
    casos = tablas_de_casos(agregados["casos"], ambito["municipios"])
    return {
        "titulo": f"Informe de actividades — {ambito['nombre']}",
        "ambito": ambito,
        "periodo": periodo,
        **textos_,
        "actividades": actividades_del_periodo(actividades, agregados["ayudas"], nombres, periodo),
        "ayudas": ayudas_por_categoria(agregados["ayudas"]),
        "casos": {"nota": "Solo casos con consentimiento para estadísticas; las cifras menores que 5 se "
                          "muestran como «<5», también cuando una resta las revelaría.",
                  **{d: casos[d] for d in ("casos",) + tuple(DIMENSIONES)}},
        "capacitaciones": capacitaciones_por_tipo(agregados["capacitaciones"]),
        "poa": poa,
    }
