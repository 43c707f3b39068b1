"""Plan operativo anual (POA): metas por trimestre y su avance, calculado de lo registrado.

Reglas en Python puro: reciben los agregados que ya dan los servicios (los mismos de la región) y
no saben de RPC ni de bases. Una meta mide una sola cosa de una sola fuente, para que el avance
salga de los registros y nadie tenga que teclearlo.
"""
from datetime import date

from ayudas.dominio import CATEGORIAS
from capacitaciones.dominio import TIPOS

# indicador -> (servicio que lo registra, campo de sus agregados)
INDICADORES = {
    "actividades": ("capacitaciones", "actividades"),
    "sesiones": ("capacitaciones", "sesiones_realizadas"),
    "participantes": ("capacitaciones", "participantes"),
    "asistencias": ("capacitaciones", "asistencias"),
    "entregas": ("ayudas", "entregas"),
    "personas": ("ayudas", "personas"),
    "unidades": ("ayudas", "unidades"),
    "monto": ("ayudas", "monto"),
}
TRIMESTRES = ("t1", "t2", "t3", "t4")


def periodos(anio):
    """Los cuatro trimestres y el año: personas distintas del año no son la suma de las de cada trimestre."""
    limites = [(date(anio, m, 1), date(anio, m + 2, 31 if m + 2 in (3, 12) else 30)) for m in (1, 4, 7, 10)]
    return dict(zip(TRIMESTRES + ("anio",), limites + [(date(anio, 1, 1), date(anio, 12, 31))]))


def validar_plan(actividades):
    """Errores por campo ({"actividades.2.tipo_capacitacion": [...]}); vacío si el plan es coherente."""
    errores = {}
    vistos = set()
    for n, a in enumerate(actividades):
        fuente = INDICADORES[a["indicador"]][0]
        campo, valores = (("tipo_capacitacion", TIPOS) if fuente == "capacitaciones"
                          else ("categoria_ayuda", CATEGORIAS))
        otro = "categoria_ayuda" if campo == "tipo_capacitacion" else "tipo_capacitacion"
        if not a.get(campo):
            errores[f"actividades.{n}.{campo}"] = [
                f"El indicador «{a['indicador']}» se mide en {fuente}: indique {campo} ({', '.join(valores)})."]
        if a.get(otro):
            errores[f"actividades.{n}.{otro}"] = [f"No corresponde al indicador «{a['indicador']}»."]
        clave = a["nombre"].strip().lower()
        if clave in vistos:
            errores[f"actividades.{n}.nombre"] = ["Ya hay otra actividad del plan con ese nombre."]
        vistos.add(clave)
    return errores


def logrado(actividad, agregados_capacitaciones, agregados_ayudas, municipio):
    """Lo registrado para una línea del plan en un periodo, de los agregados de ese periodo."""
    fuente, campo = INDICADORES[actividad["indicador"]]
    if fuente == "capacitaciones":
        por_tipo = agregados_capacitaciones["por_municipio"].get(municipio, {}).get("por_tipo", {})
        return por_tipo.get(actividad["tipo_capacitacion"], {}).get(campo, 0)
    return agregados_ayudas["por_municipio"].get(municipio, {}).get(actividad["categoria_ayuda"], {}).get(campo, 0)


def _porcentaje(hecho, meta):
    return round(100 * float(hecho) / float(meta), 1) if meta else None


def avance(actividades, agregados_por_periodo, municipio):
    """Cada línea con meta, logrado y porcentaje por trimestre y en el año.

    `agregados_por_periodo`: {"t1"..."t4", "anio": (agregados de capacitaciones, agregados de ayudas)}.
    """
    salida = []
    for a in actividades:
        hecho = {p: logrado(a, *agregados_por_periodo[p], municipio) for p in agregados_por_periodo}
        metas = {t: float(a["metas"][t]) for t in TRIMESTRES}
        meta_anual = sum(metas.values())
        trimestres = {t: {"meta": metas[t], "logrado": hecho[t], "porcentaje": _porcentaje(hecho[t], metas[t])}
                      for t in TRIMESTRES}
        salida.append({**a, "metas": metas, "trimestres": trimestres, "meta_anual": meta_anual,
                       "logrado_anual": hecho["anio"], "porcentaje_anual": _porcentaje(hecho["anio"], meta_anual)})
    return salida
