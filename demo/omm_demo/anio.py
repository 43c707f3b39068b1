"""Un año de actividad de demostración por municipio, por la API y siempre igual (semilla fija).

Lejamaní (0309) repite las actividades de su informe: asesoría técnica de la mancomunidad, club de
embarazadas con el CIS cada mes, alimentos y pañales a mujeres de la tercera edad y de bajos
recursos, ayuda económica para medicamentos, la escuela de emprendimiento y la socialización del
POA. Los otros municipios hacen lo mismo con otras cantidades. Todas las personas son ficticias.
"""
import random
from datetime import date, timedelta
from omm_common.tiempo import hoy_honduras


NOMBRES = ("María José", "Ana Lucía", "Rosa Elena", "Carmen Julia", "Doris Marina", "Lesly Karina", "Wendy Yamileth",
           "Nora Alicia", "Iris Patricia", "Telma Suyapa", "Glenda Maribel", "Martha Lidia", "Sandra Nohemí",
           "Blanca Estela", "Xiomara Isabel", "Yolanda Aracely")
APELLIDOS = ("Ficticia López", "Ficticia Martínez", "Ficticia Hernández", "Ficticia Rodríguez", "Ficticia Mejía",
             "Ficticia Flores", "Ficticia Cruz", "Ficticia Reyes", "Ficticia Ramos", "Ficticia Aguilar")
COMUNIDADES = ("Centro", "El Rosario", "San Antonio", "Las Flores", "La Laguna", "El Pedernal")
TIPOS_VIOLENCIA = ("fisica", "psicologica", "sexual", "patrimonial", "economica")
CONTEXTOS = ("pareja", "expareja", "familiar", "comunitaria")
CONTADAS = ("sensibilizacion", "socializacion", "capacitacion")  # actividades abiertas: personas contadas


def _persona(azar, municipio, n):
    nacimiento = date(azar.randint(1950, 2004), azar.randint(1, 12), azar.randint(1, 28))
    return {"nombres": NOMBRES[n % len(NOMBRES)], "apellidos": APELLIDOS[(n * 7 + 3) % len(APELLIDOS)],
            "dni": f"{municipio}{nacimiento.year}{90000 + n:05d}", "fecha_nacimiento": nacimiento.isoformat(),
            "telefono": f"9{azar.randint(100, 999)}-{azar.randint(1000, 9999)}",
            "comunidad": azar.choice(COMUNIDADES)}


def actividades(municipio, anio, azar):
    """Las actividades del año: (cuerpo para POST /capacitaciones, cuántas participantes inscribir)."""
    def dia(mes, d):
        return date(anio, mes, d).isoformat()
    club_dia = azar.choice((8, 10, 12, 14))
    sensibilizaciones = sorted(azar.sample(range(2, 12), 3 if municipio != "0309" else 4))
    return [
        ({"titulo": "Socialización del plan operativo anual de la oficina", "tipo": "socializacion",
          "institucion": "Corporación municipal", "lugar": "Sala de sesiones de la alcaldía",
          "sesiones": [{"fecha": dia(2, 6), "hora": "09:00", "tema": "POA de la OMM"}]}, 0),
        ({"titulo": "Asesoría técnica por la mancomunidad", "tipo": "asesoria_tecnica", "institucion": "Mancomunidad",
          "lugar": "Oficina Municipal de la Mujer",
          "sesiones": [{"fecha": dia(m, 20), "hora": "10:00", "tema": t} for m, t in (
              (2, "Registro de casos"), (5, "Ruta de atención"), (8, "Informe semestral"), (11, "POA siguiente"))]},
         0),
        ({"titulo": "Acompañamiento en el club de embarazadas impartido por el CIS", "tipo": "club_embarazadas",
          "institucion": "CIS del municipio", "lugar": "CIS", "cupo": 30,
          "sesiones": [{"fecha": dia(m, club_dia), "hora": "09:00", "tema": "Control prenatal"}
                       for m in range(1, 13)]}, azar.randint(6, 10)),
        ({"titulo": "Inauguración de la escuela de emprendimiento municipal", "tipo": "escuela_emprendimiento",
          "institucion": "INFOP", "lugar": "Salón municipal", "cupo": 25,
          "sesiones": [{"fecha": (date(anio, 3, 3) + timedelta(weeks=s)).isoformat(), "hora": "14:00",
                        "tema": f"Módulo {s + 1}"} for s in range(8)]}, azar.randint(10, 16)),
        *[({"titulo": "Sensibilización sobre una vida libre de violencia", "tipo": "sensibilizacion",
            "institucion": "OMM", "lugar": f"Centro básico de {azar.choice(COMUNIDADES)}",
            "sesiones": [{"fecha": dia(m, 15), "hora": "10:00", "tema": "Tipos de violencia y dónde denunciar"}]},
           0) for m in sensibilizaciones],
        ({"titulo": "Capacitación de la oficina en atención a sobrevivientes", "tipo": "capacitacion",
          "institucion": "Secretaría de la Mujer", "lugar": "Comayagua",
          "sesiones": [{"fecha": dia(6, 18), "hora": "08:00", "tema": "Primeros auxilios psicológicos"}]}, 0),
    ]


def cargar(cliente, municipio, anio=None, hoy=None):
    hoy = hoy or hoy_honduras()
    anio = anio or hoy.year
    azar = random.Random(f"omm-demo-{municipio}-{anio}")
    tecnica, coordinadora = f"tecnica.{municipio}", f"coordinadora.{municipio}"
    cargar_capacitaciones(cliente, municipio, anio, hoy, azar)
    _ayudas(cliente, tecnica, coordinadora, municipio, anio, azar, hoy)
    _casos(cliente, tecnica, anio, azar, hoy)
    _poa(cliente, coordinadora, anio)


def cargar_capacitaciones(cliente, municipio, anio, hoy, azar=None):
    azar = azar or random.Random(f"omm-demo-{municipio}-{anio}")
    tecnica, ruta = f"tecnica.{municipio}", "/api/v1/capacitaciones"
    n = 100
    for cuerpo, inscribir in actividades(municipio, anio, azar):
        c = cliente.post(tecnica, ruta, cuerpo, esperado=(201,))
        inscritas = []
        for _ in range(inscribir):
            n += 1
            p = _persona(azar, municipio, n)
            if cuerpo["tipo"] == "club_embarazadas":
                p.update(embarazada=True, semanas_gestacion=azar.randint(8, 30))
            r = cliente.post(tecnica, f"{ruta}/{c['id']}/inscripciones",
                             {"participante": p, "consentimiento_salud": azar.random() < 0.8})
            inscritas.append(r["id"])
        for s in c["sesiones"]:
            if inscritas and s["fecha"] <= hoy.isoformat():
                presentes = [i for i in inscritas if azar.random() < 0.85]
                cliente.put(tecnica, f"{ruta}/{c['id']}/sesiones/{s['id']}/asistencia", {"presentes": presentes})
            elif cuerpo["tipo"] in CONTADAS and s["fecha"] <= hoy.isoformat():
                cliente.put(tecnica, f"{ruta}/{c['id']}/sesiones/{s['id']}/conteo", _conteo(azar))


def _conteo(azar):
    """Una charla abierta se cuenta, no se inscribe: como el informe de la oficina («participaron 35 personas»)."""
    mujeres, hombres = azar.randint(15, 40), azar.randint(0, 8)
    jovenes = azar.randint(0, (mujeres + hombres) // 2)
    mayores = azar.randint(0, (mujeres + hombres - jovenes) // 4)
    return {"mujeres": mujeres, "hombres": hombres,
            "por_grupo_edad": {"ninez": 0, "adolescencia": 0, "juventud": jovenes,
                               "adultez": mujeres + hombres - jovenes - mayores, "adulto_mayor": mayores}}


def _ayudas(cliente, tecnica, coordinadora, municipio, anio, azar, hoy):
    # Existencias del año (compras de la alcaldía) antes de repartir.
    for codigo, cantidad in (("bolsa_alimentos", 150), ("panales", 150)):
        cliente.post(coordinadora, "/api/v1/ayudas/inventario/movimientos",
                     {"tipo_codigo": codigo, "cantidad": cantidad, "motivo": "compra", "origen": "Alcaldía municipal"})
    beneficiarias = []
    for n in range(azar.randint(10, 14)):
        p = _persona(azar, municipio, n)
        edad_mayor = n % 3 == 0
        if edad_mayor:
            p["fecha_nacimiento"] = date(azar.randint(1940, 1960), 5, 10).isoformat()
            p["dni"] = f"{municipio}{p['fecha_nacimiento'][:4]}{90000 + n:05d}"
        condiciones = ["tercera_edad"] if edad_mayor else ["bajos_recursos"]
        if n % 4 == 1:
            condiciones.append("enfermedad_base")
        b = cliente.post(tecnica, "/api/v1/ayudas/beneficiarias",
                         {**p, "condiciones": condiciones, "consentimiento_salud": n % 5 != 0})
        beneficiarias.append((b["id"], condiciones))
    # Cada ayuda respeta su frecuencia: alimentos cada 35 días, pañales cada 30, medicamentos cada 45.
    plan = [("bolsa_alimentos", 35, None, [b for b, c in beneficiarias if "bajos_recursos" in c][:6]),
            ("panales", 30, None, [b for b, c in beneficiarias if "tercera_edad" in c]),
            ("ayuda_medicamentos", 45, (500, 1500), [b for b, c in beneficiarias if "enfermedad_base" in c])]
    entregas = []
    for codigo, cada, montos, quienes in plan:
        for b in quienes:
            fecha = date(anio, 1, azar.randint(5, 25))
            while fecha <= hoy and fecha.year == anio:
                monto = azar.randrange(montos[0], montos[1] + 1, 50) if montos else None
                entregas.append((fecha, b, codigo, monto))
                fecha += timedelta(days=cada + azar.randint(0, 6))
    for fecha, b, codigo, monto in sorted(entregas, key=lambda x: (x[0], x[2], x[1])):
        cuerpo = {"beneficiaria_id": b, "tipo_codigo": codigo, "cantidad": 1, "fecha": fecha.isoformat()}
        if monto:
            cuerpo["monto"] = monto
        cliente.post(tecnica, "/api/v1/ayudas/entregas", cuerpo)


def _casos(cliente, tecnica, anio, azar, hoy):
    for n in range(azar.randint(8, 14)):
        atencion = date(anio, 1, 1) + timedelta(days=azar.randint(0, max(0, (hoy - date(anio, 1, 1)).days - 40)))
        tipos = sorted(set(azar.sample(TIPOS_VIOLENCIA, azar.choice((1, 1, 2)))) | {"psicologica"})
        caso = cliente.post(tecnica, "/api/v1/casos", {
            "fecha_atencion": atencion.isoformat(),
            "fecha_incidente": (atencion - timedelta(days=azar.randint(2, 30))).isoformat(),
            "sobreviviente": {"nombres": NOMBRES[(n * 5) % len(NOMBRES)], "apellidos": "Sobreviviente Ficticia",
                              "comunidad": azar.choice(COMUNIDADES)},
            "tipos_violencia": tipos, "contexto": azar.choice(CONTEXTOS),
            "relato": "Relato ficticio de demostración.", "nivel_riesgo": azar.choice(("bajo", "medio", "medio", "alto")),
            "agresor": {"relacion": "pareja", "sexo": "hombre", "grupo_edad": azar.choice(("18_29", "30_44"))},
            "consentimiento": {"servicios": True, "derivacion": azar.random() < 0.7,
                               "estadisticas": azar.random() < 0.9}})
        cliente.post(tecnica, f"/api/v1/casos/{caso['id']}/seguimientos", {
            "fecha": (atencion + timedelta(days=7)).isoformat(), "tipo": "llamada", "nota": "Seguimiento ficticio."})
        if n % 3 == 2:
            cliente.post(tecnica, f"/api/v1/casos/{caso['id']}/cierre", {"motivo": "Atención concluida."},
                        esperado=(200, 409))


def metas_poa():
    """El POA de demostración: las actividades del informe con metas por trimestre."""
    def m(t1, t2, t3, t4):
        return {"t1": t1, "t2": t2, "t3": t3, "t4": t4}
    return [
        {"nombre": "Club de embarazadas con el CIS", "indicador": "sesiones", "tipo_capacitacion": "club_embarazadas",
         "metas": m(3, 3, 3, 3)},
        {"nombre": "Escuela de emprendimiento", "indicador": "participantes",
         "tipo_capacitacion": "escuela_emprendimiento", "metas": m(15, 0, 0, 0)},
        {"nombre": "Charlas de sensibilización", "indicador": "sesiones", "tipo_capacitacion": "sensibilizacion",
         "metas": m(1, 1, 1, 1)},
        {"nombre": "Socialización del POA", "indicador": "actividades", "tipo_capacitacion": "socializacion",
         "metas": m(1, 0, 0, 0)},
        {"nombre": "Bolsas de alimentos entregadas", "indicador": "entregas", "categoria_ayuda": "alimentos",
         "metas": m(15, 15, 15, 15)},
        {"nombre": "Mujeres con ayuda para medicamentos", "indicador": "personas",
         "categoria_ayuda": "economica_medicamentos", "metas": m(2, 1, 1, 0)},
        {"nombre": "Fondos para medicamentos (L)", "indicador": "monto", "categoria_ayuda": "economica_medicamentos",
         "metas": m(5000, 5000, 5000, 5000)},
    ]


def _poa(cliente, coordinadora, anio):
    cliente.put(coordinadora, f"/api/v1/poa/{anio}", {"actividades": metas_poa()})
