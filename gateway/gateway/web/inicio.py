"""Entrar, salir, cambiar la propia contraseña, la página de inicio y los archivos estáticos."""
import hmac
import logging
import mimetypes
import secrets

from werkzeug.wrappers import Response

from omm_common.errores import ErrorOMM

from .. import auth
from ..http import http
from .nucleo import (
    CARPETA_ESTATICOS, COOKIE_ENTRADA, INICIO, _comprimir, errores_de, formulario, pagina,
    redirigir,
)

log = logging.getLogger("omm.web")

MOTIVOS = {"sesion": "Su sesión terminó (por inactividad o porque cambiaron sus credenciales). Entre de nuevo.",
           "salida": "Salió de la aplicación.", "contrasena": "Contraseña cambiada. Entre con la nueva."}

# Lo que una página dice al volver de guardar (PRG): un código en la URL, nunca un dato de una persona.
AVISOS_DE_VUELTA = {"contrasena": "Su contraseña se cambió."}


class RutasWebInicio:

    @pagina("GET", "/entrar", publica=True)
    def pagina_entrar(self, request):
        return self._formulario_entrar(request, mensaje=MOTIVOS.get(request.args.get("motivo", "")))

    def _formulario_entrar(self, request, estado=200, **contexto):
        csrf = secrets.token_urlsafe(24)
        respuesta = self.render("entrar.html", titulo="Entrar", estado=estado, csrf_entrada=csrf, **contexto)
        return self._cookie(respuesta, request, csrf, nombre=COOKIE_ENTRADA)

    @pagina("POST", "/entrar", publica=True)
    def entrar(self, request):
        esperado = request.cookies.get(COOKIE_ENTRADA, "")
        if not esperado or not hmac.compare_digest(request.form.get("csrf", ""), esperado):
            return self._formulario_entrar(request, 403, error="El formulario venció. Escriba de nuevo su usuario y "
                                                               "contraseña.")
        usuario = request.form.get("usuario", "").strip()
        contrasena = request.form.get("contrasena", "")
        errores = {}
        if not usuario:
            errores["usuario"] = "Escriba su usuario."
        if not contrasena:
            errores["contrasena"] = "Escriba su contraseña."
        if errores:
            return self._formulario_entrar(request, 400, errores=errores, usuario=usuario)
        try:
            with self.uow() as uow:
                resultado = auth.iniciar_sesion(uow.sesion, usuario, contrasena, request.remote_addr or "")
                valor = self._abrir_sesion(uow.sesion, resultado["usuario"]["id"]) if resultado else None
        except ErrorOMM as exc:
            return self._formulario_entrar(request, exc.estado_http, error=exc.mensaje, usuario=usuario)
        if valor is None:
            return self._formulario_entrar(request, 401, error="Usuario o contraseña incorrectos.", usuario=usuario)
        destino = "/contrasena" if resultado["debe_cambiar_contrasena"] else "/"
        respuesta = self._cookie(redirigir(destino), request, valor)
        return self._cookie(respuesta, request, "", nombre=COOKIE_ENTRADA, borrar=True)

    @pagina("POST", "/salir")
    def salir(self, request):
        self._cerrar_sesion(request)
        motivo = "sesion" if request.form.get("motivo") == "inactividad" else "salida"
        return self._cookie(redirigir(f"/entrar?motivo={motivo}"), request, "", borrar=True)

    @pagina("GET", "/")
    def inicio(self, request):
        avisos = []
        for roles, funcion in INICIO:
            if self.web.yo.rol in roles:
                try:
                    avisos.extend(funcion(self) or [])
                except ErrorOMM as exc:  # un servicio caído no deja a nadie sin inicio
                    log.warning("Aviso de inicio %s no disponible: %s", funcion.__name__, exc.mensaje)
                    avisos.append({"texto": "Una parte de esta página no está disponible ahora; intente más tarde.",
                                   "urgente": False})
        avisos.sort(key=lambda a: not a.get("urgente"))
        return self.render("inicio.html", titulo="Inicio", avisos=avisos,
                           mensaje=AVISOS_DE_VUELTA.get(request.args.get("aviso", "")))

    @pagina("GET", "/contrasena")
    def pagina_contrasena(self, request):
        return self.render("contrasena.html", titulo="Cambiar mi contraseña", obligatoria=self.web.debe_cambiar)

    @pagina("POST", "/contrasena")
    def cambiar_contrasena_web(self, request):
        datos = formulario(request, "contrasena_actual", "contrasena_nueva", "confirmacion")
        errores = {}
        if datos.get("contrasena_nueva") and datos.get("contrasena_nueva") != datos.get("confirmacion"):
            errores["confirmacion"] = "La confirmación no coincide con la contraseña nueva."
        if not errores:
            datos.pop("confirmacion", None)
            _, error = self.intentar("cambiar_contrasena", datos)
            if error is None:
                # La API dejó sin valor las credenciales anteriores (también esta sesión): una sesión nueva.
                self._cerrar_sesion(request)
                with self.uow() as uow:
                    valor = self._abrir_sesion(uow.sesion, self.web.yo.usuario_id)
                return self._cookie(redirigir("/?aviso=contrasena"), request, valor)
            errores = errores_de(error) or {"contrasena_actual": error.mensaje}
        return self.render("contrasena.html", titulo="Cambiar mi contraseña", estado=400, errores=errores,
                           obligatoria=self.web.debe_cambiar)

    @http("GET", "/estatico/<path:nombre>")
    def estatico(self, request, nombre):
        ruta = (CARPETA_ESTATICOS / nombre).resolve()
        if CARPETA_ESTATICOS.resolve() not in ruta.parents or not ruta.is_file():
            return Response("No existe.", status=404, mimetype="text/plain")
        tipo = mimetypes.guess_type(ruta.name)[0] or "application/octet-stream"
        if tipo == "text/javascript":
            tipo = "application/javascript"
        respuesta = Response(ruta.read_bytes(), mimetype=tipo, headers={
            "Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"})
        return _comprimir(respuesta, request)

