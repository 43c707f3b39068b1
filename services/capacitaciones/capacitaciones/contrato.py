"""Lo que otros servicios pueden mostrar de capacitaciones: los tipos de actividad y su nombre para una persona.

Módulo público y estable (reportes lo importa); dominio, modelos y operaciones siguen siendo internos.
"""
TIPOS = ("capacitacion", "taller", "sensibilizacion", "club_embarazadas", "escuela_emprendimiento",
         "socializacion", "asesoria_tecnica")
NOMBRES_TIPO = {
    "capacitacion": "Capacitación",
    "taller": "Taller",
    "sensibilizacion": "Sensibilización",
    "club_embarazadas": "Club de embarazadas",
    "escuela_emprendimiento": "Escuela de emprendimiento",
    "socializacion": "Socialización",
    "asesoria_tecnica": "Asesoría técnica",
}
