"""Datos de demostración de capacitaciones, cargados por la API en cada municipio.

Las actividades son las del informe de la OMM de Lejamaní: el club de embarazadas que el CIS
imparte cada mes, la escuela de emprendimiento con el INFOP, la sensibilización comunitaria,
la socialización del POA, la asesoría técnica de la mancomunidad y una capacitación. Las
participantes son ficticias.
"""
from datetime import date, timedelta

RUTA = "/api/v1/capacitaciones"


def _fecha(dias):
    return (date.today() + timedelta(days=dias)).isoformat()


def actividades():
    # Fechas relativas a hoy: siempre hay sesiones realizadas y sesiones por venir.
    return [
        {"titulo": "Club de embarazadas", "tipo": "club_embarazadas", "institucion": "CIS del municipio",
         "facilitador": "Enfermera del CIS", "lugar": "CIS", "cupo": 25,
         "sesiones": [{"fecha": _fecha(-95), "hora": "09:00", "tema": "Control prenatal y señales de peligro"}],
         "recurrencia": {"meses": 6}},
        {"titulo": "Escuela de emprendimiento municipal", "tipo": "escuela_emprendimiento", "institucion": "INFOP",
         "facilitador": "Instructora del INFOP", "lugar": "Salón municipal", "cupo": 20,
         "sesiones": [{"fecha": _fecha(-40), "hora": "14:00", "tema": "Idea de negocio"},
                      {"fecha": _fecha(-33), "hora": "14:00", "tema": "Costos y precios"},
                      {"fecha": _fecha(-26), "hora": "14:00", "tema": "Ventas y mercadeo"},
                      {"fecha": _fecha(10), "hora": "14:00", "tema": "Plan de negocio"}]},
        {"titulo": "Sensibilización sobre una vida libre de violencia", "tipo": "sensibilizacion",
         "lugar": "Centro básico de la comunidad", "sesiones": [{"fecha": _fecha(-20), "hora": "10:00",
                                                                 "tema": "Tipos de violencia y dónde denunciar"}]},
        {"titulo": "Socialización del plan operativo anual de la oficina", "tipo": "socializacion",
         "lugar": "Sala de sesiones de la alcaldía", "sesiones": [{"fecha": _fecha(-60), "hora": "09:00"}]},
        {"titulo": "Asesoría técnica por la mancomunidad", "tipo": "asesoria_tecnica", "institucion": "Mancomunidad",
         "facilitador": "Técnica de la mancomunidad", "lugar": "Oficina Municipal de la Mujer",
         "sesiones": [{"fecha": _fecha(-45), "hora": "10:00", "tema": "Registro de casos y reportes"}]},
        {"titulo": "Derechos humanos de las mujeres", "tipo": "capacitacion", "institucion": "OMM",
         "lugar": "Salón municipal", "cupo": 30,
         "sesiones": [{"fecha": _fecha(-15), "hora": "13:00", "tema": "Marco legal"},
                      {"fecha": _fecha(20), "hora": "13:00", "tema": "Rutas de atención"}]},
    ]


EMBARAZADAS = [
    {"nombres": "Karla Yesenia", "apellidos": "Ponce Ramos", "comunidad": "El Rosario", "telefono": "9801-2345",
     "semanas_gestacion": 14},
    {"nombres": "Dania Marisol", "apellidos": "Cruz Velásquez", "comunidad": "San Antonio", "telefono": "9702-3456",
     "semanas_gestacion": 22},
    {"nombres": "Sindy Carolina", "apellidos": "Amaya Díaz", "comunidad": "Centro", "semanas_gestacion": 9},
]
EMPRENDEDORAS = [
    {"nombres": "Gloria Esperanza", "apellidos": "Maradiaga López", "comunidad": "Centro", "telefono": "9603-4567",
     "fecha_nacimiento": "1979-04-12"},
    {"nombres": "Reina Isabel", "apellidos": "Mejía Flores", "comunidad": "El Rosario",
     "fecha_nacimiento": "1988-10-03"},
    {"nombres": "Olga Marina", "apellidos": "Sánchez Ortiz", "comunidad": "San Antonio",
     "fecha_nacimiento": "1995-01-27"},
]


def cargar(cliente, municipio):
    tecnica = f"tecnica.{municipio}"
    creadas = {}
    for cuerpo in actividades():
        c = cliente.post(tecnica, RUTA, cuerpo, esperado=(201,))
        creadas[c["tipo"]] = c
    club, escuela = creadas["club_embarazadas"], creadas["escuela_emprendimiento"]
    inscritas_club = [cliente.post(tecnica, f"{RUTA}/{club['id']}/inscripciones",
                                   {"participante": p, "consentimiento_salud": n != 2})
                      for n, p in enumerate(EMBARAZADAS)]
    inscritas_escuela = [cliente.post(tecnica, f"{RUTA}/{escuela['id']}/inscripciones",
                                      {"participante": p, "consentimiento_salud": False})
                         for p in EMPRENDEDORAS]
    # Asistencia de las sesiones ya realizadas; la última emprendedora faltó a dos (no alcanza constancia).
    hoy = date.today().isoformat()
    for n, s in enumerate(x for x in escuela["sesiones"] if x["fecha"] <= hoy):
        presentes = [i["id"] for i in inscritas_escuela[:2]] + ([inscritas_escuela[2]["id"]] if n == 0 else [])
        cliente.put(tecnica, f"{RUTA}/{escuela['id']}/sesiones/{s['id']}/asistencia", {"presentes": presentes})
    for s in (x for x in club["sesiones"] if x["fecha"] <= hoy):
        cliente.put(tecnica, f"{RUTA}/{club['id']}/sesiones/{s['id']}/asistencia",
                    {"presentes": [i["id"] for i in inscritas_club if "id" in i]})
