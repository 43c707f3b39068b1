"""Casos de demostración, ficticios: uno derivado al CIS y uno en seguimiento por municipio."""
from datetime import timedelta

from omm_common.tiempo import hoy_honduras

NOMBRES = {"0309": ("Julia", "Ramírez Ficticia"), "0302": ("Teresa", "Mejía Ficticia"),
           "0306": ("Sonia", "Paz Ficticia"), "0318": ("Irma", "Cruz Ficticia")}


def cargar(cliente, municipio):
    tecnica = f"tecnica.{municipio}"
    nombres, apellidos = NOMBRES.get(municipio, ("Ana", "Demo Ficticia"))
    hoy = hoy_honduras()
    consentimiento = {"servicios": True, "derivacion": True, "estadisticas": True}
    caso = cliente.post(tecnica, "/api/v1/casos", {
        "fecha_atencion": (hoy - timedelta(days=20)).isoformat(),
        "fecha_incidente": (hoy - timedelta(days=22)).isoformat(),
        "sobreviviente": {"nombres": nombres, "apellidos": apellidos, "comunidad": "Barrio El Centro"},
        "tipos_violencia": ["psicologica", "economica"], "contexto": "pareja",
        "relato": "Relato ficticio de demostración.", "nivel_riesgo": "medio",
        "agresor": {"relacion": "pareja", "sexo": "hombre", "grupo_edad": "30_44"},
        "consentimiento": consentimiento})
    if "id" in caso:
        cliente.post(tecnica, f"/api/v1/casos/{caso['id']}/seguimientos", {
            "fecha": (hoy - timedelta(days=10)).isoformat(), "tipo": "llamada",
            "nota": "Seguimiento ficticio.", "proxima_fecha": (hoy + timedelta(days=5)).isoformat()})
        cliente.post(tecnica, f"/api/v1/casos/{caso['id']}/derivaciones", {
            "destino": "cis", "motivo": "Atención psicológica (demostración)."})
