"""Canales de entrega, todos con la misma interfaz: `enviar(destino, asunto, cuerpo, ref, aceptado)`.

`aceptado()` se llama apenas el otro lado aceptó el mensaje y antes de cualquier paso que ya no lo
cambia (el QUIT de SMTP): quien envía confirma ahí, y una caída después no lo hace enviar otra vez.

Cada uno distingue el error transitorio (se reintenta: conexión rechazada, 5xx, tiempo agotado)
del permanente (no se reintenta: 4xx, dirección inválida).
"""
import hashlib
import hmac
import json
import os
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from omm_common.archivos import escribir_privado

from . import destinos

TIEMPO = float(os.environ.get("NOTIFICACIONES_TIEMPO_CANAL", "10"))
_SI = ("1", "true", "si", "sí")


class ErrorTransitorio(Exception):
    pass


class ErrorPermanente(Exception):
    pass


def _exigir(valor, que):
    if not valor:
        raise ErrorPermanente(f"La destinataria no tiene {que} registrado.")
    return valor


class Correo:
    """SMTP real si hay SMTP_HOST; si no, un archivo .eml por mensaje bajo var/correo (0600).

    Con SMTP_TLS, STARTTLS verifica el certificado y el nombre del servidor con las autoridades de siempre
    (o las de SSL_CERT_FILE). SMTP_TLS_SIN_VERIFICAR=1 lo desactiva: solo para un servidor de pruebas.
    """

    def __init__(self, entorno=os.environ):
        self.host = entorno.get("SMTP_HOST")
        self.puerto = int(entorno.get("SMTP_PORT") or 25)
        self.usuario = entorno.get("SMTP_USUARIO")
        self.contrasena = entorno.get("SMTP_CONTRASENA")
        self.tls = entorno.get("SMTP_TLS", "").lower() in _SI
        self.sin_verificar = entorno.get("SMTP_TLS_SIN_VERIFICAR", "").lower() in _SI
        self.remitente = entorno.get("SMTP_REMITENTE") or "omm@localhost"
        self.carpeta = Path(entorno.get("OMM_VAR") or "var") / "correo"

    def _contexto_tls(self):
        contexto = ssl.create_default_context()
        if self.sin_verificar:
            contexto.check_hostname = False
            contexto.verify_mode = ssl.CERT_NONE
        return contexto

    def enviar(self, destino, asunto, cuerpo, ref, aceptado=lambda: None):
        mensaje = EmailMessage()
        mensaje["From"] = self.remitente
        mensaje["To"] = _exigir(destino.email, "correo electrónico")
        mensaje["Subject"] = asunto
        mensaje["Date"] = formatdate(localtime=False)
        # El id de la notificación en el Message-ID: un servidor puede descartar un duplicado.
        mensaje["Message-ID"] = make_msgid(idstring=ref, domain="omm")
        mensaje["X-OMM-Notificacion"] = ref
        mensaje.set_content(cuerpo)
        if not self.host:
            escribir_privado(self.carpeta, f"{ref}.eml", bytes(mensaje))
            return aceptado()
        smtp = None
        try:
            smtp = smtplib.SMTP(self.host, self.puerto, timeout=TIEMPO)
            if self.tls:
                smtp.starttls(context=self._contexto_tls())
            if self.usuario:
                smtp.login(self.usuario, self.contrasena or "")
            smtp.send_message(mensaje)
        except (OSError, smtplib.SMTPException) as exc:
            if smtp is not None:
                smtp.close()
            raise _error_smtp(exc) from None
        # El servidor respondió 250 al DATA: el correo es suyo. Se confirma antes de despedirse.
        try:
            aceptado()
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass  # el correo ya se entregó; solo se pierde la despedida
            smtp.close()


def _error_smtp(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codigo = next(iter(exc.recipients.values()))[0]
        return (ErrorTransitorio if 400 <= codigo < 500 else ErrorPermanente)(
            f"El servidor de correo rechazó la dirección (código {codigo}).")
    if isinstance(exc, smtplib.SMTPResponseException):
        return (ErrorTransitorio if 400 <= exc.smtp_code < 500 else ErrorPermanente)(
            f"El servidor de correo respondió {exc.smtp_code}.")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ErrorTransitorio("El certificado del servidor de correo no es válido para su nombre o no lo firma "
                                "una autoridad conocida; no se envió.")
    return ErrorTransitorio(f"No se pudo conectar al servidor de correo ({type(exc).__name__}).")


def _estado(estado, que):
    if estado >= 500 or estado == 429:
        raise ErrorTransitorio(f"{que} respondió {estado}.")
    if estado >= 400:
        raise ErrorPermanente(f"{que} rechazó el mensaje ({estado}).")
    if estado >= 300:
        # Una redirección podría llevar a la red interna: no se sigue; se registra la dirección final.
        raise ErrorPermanente(f"{que} respondió con una redirección ({estado}), que no se sigue; registre la "
                              "dirección final.")


def _post(url, cuerpo_bytes, cabeceras, que):
    import requests  # al primer SMS o webhook: el worker que solo manda correos no lo carga (bench/memoria.py)
    try:
        r = requests.post(url, data=cuerpo_bytes, headers=cabeceras, timeout=TIEMPO, allow_redirects=False)
    except (requests.ConnectionError, requests.Timeout, socket.timeout) as exc:
        raise ErrorTransitorio(f"{que}: sin conexión ({type(exc).__name__}).") from None
    except requests.RequestException as exc:
        raise ErrorPermanente(f"{que}: solicitud inválida ({type(exc).__name__}).") from None
    _estado(r.status_code, que)
    return r


class Sms:
    """Proveedor HTTP de SMS: POST JSON {para, mensaje, referencia} con la clave en Authorization."""

    def __init__(self, entorno=os.environ):
        self.url = entorno.get("SMS_URL")
        self.clave = entorno.get("SMS_CLAVE", "")

    def enviar(self, destino, asunto, cuerpo, ref, aceptado=lambda: None):
        if not self.url:
            raise ErrorPermanente("No hay proveedor de SMS configurado (SMS_URL).")
        telefonos = destino.telefonos if hasattr(destino, "telefonos") else [_exigir(destino.telefono, "teléfono")]
        for i, telefono in enumerate(telefonos):
            cuerpo_json = json.dumps({"para": telefono, "mensaje": cuerpo, "referencia": f"{ref}:{i}"}).encode()
            _post(self.url, cuerpo_json, {"Content-Type": "application/json",
                                          "Authorization": f"Bearer {self.clave}"}, "El proveedor de SMS")
        aceptado()


def firmar(secreto, cuerpo_bytes):
    return "sha256=" + hmac.new(secreto.encode(), cuerpo_bytes, hashlib.sha256).hexdigest()


class Webhook:
    """POST JSON firmado con HMAC-SHA256 en X-OMM-Firma: el sistema del CIS verifica con el secreto compartido.

    La URL la eligió una persona: solo a una dirección pública por https, a la IP ya revisada y sin seguir
    redirecciones (destinos.py).
    """

    def __init__(self, entorno=os.environ, contexto_tls=None):
        self.secreto = entorno.get("NOTIFICACIONES_WEBHOOK_SECRETO", "")
        self.entorno = entorno
        self.contexto_tls = contexto_tls

    def enviar(self, destino, asunto, cuerpo, ref, aceptado=lambda: None):
        url = _exigir(destino.webhook_url, "webhook")
        if not self.secreto:
            raise ErrorPermanente("Falta NOTIFICACIONES_WEBHOOK_SECRETO para firmar el webhook.")
        datos = json.dumps({"notificacion_id": ref, "asunto": asunto, "mensaje": cuerpo},
                           ensure_ascii=False).encode()
        cabeceras = {"Content-Type": "application/json", "X-OMM-Firma": firmar(self.secreto, datos),
                     "X-OMM-Notificacion": ref}
        import urllib3  # al primer webhook, como requests en _post
        try:
            estado = destinos.publicar(url, datos, cabeceras, TIEMPO, self.entorno, self.contexto_tls)
        except destinos.DestinoProhibido as exc:
            raise ErrorPermanente(f"El webhook no se envió: {exc}") from None
        except urllib3.exceptions.SSLError:
            raise ErrorTransitorio("El webhook: el certificado del servidor no es válido para su nombre o no lo "
                                   "firma una autoridad conocida.") from None
        except (ConnectionError, OSError, urllib3.exceptions.HTTPError) as exc:
            raise ErrorTransitorio(f"El webhook: sin conexión ({type(exc).__name__}).") from None
        except ValueError as exc:  # una URL que urllib3 no sabe armar: reintentar no la arregla
            raise ErrorPermanente(f"El webhook: la URL no es válida ({type(exc).__name__}).") from None
        _estado(estado, "El webhook")
        aceptado()


class Bandeja:
    """La bandeja de la aplicación: el mensaje queda en la fila y se lee por la API."""

    def enviar(self, destino, asunto, cuerpo, ref, aceptado=lambda: None):
        aceptado()


def canales(entorno=os.environ):
    return {"email": Correo(entorno), "sms": Sms(entorno), "webhook": Webhook(entorno), "bandeja": Bandeja()}
