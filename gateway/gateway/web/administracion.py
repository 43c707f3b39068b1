"""Pantallas de administración: usuarias, municipios y mancomunidades (admin); el personal de la oficina
(coordinadora, solo lectura).

Cada pantalla llama las mismas operaciones que /api/v1/usuarios, /municipios y /mancomunidades, con los mismos
roles. La contraseña temporal de un restablecimiento se muestra una sola vez, en la página que responde al
formulario (no-store, como toda página): nunca en una URL ni en un título.
"""
import uuid
from urllib.parse import urlencode

from omm_common.errores import NoEncontrado

from . import textos
from .nucleo import Redireccion, en_inicio, errores_de, formulario, menu, pagina

menu("Usuarias", "/admin/usuarias", ("admin",), orden=10)
menu("Municipios", "/admin/municipios", ("admin",), orden=20)
menu("Personal", "/personal", ("coordinadora",), orden=90)

ROLES = ("coordinadora", "tecnica", "promotora", "cis", "mancomunidad", "admin")
ROLES_MUNICIPALES = ("coordinadora", "tecnica", "promotora", "cis")
POR_PAGINA = 50
FILTROS = ("rol", "municipio", "mancomunidad", "activo")
ESTADOS = {"si": ("true", "Activas"), "no": ("false", "Desactivadas")}

# Lo que dice una pantalla al volver de guardar: un código en la URL, nunca un nombre.
AVISOS = {
    "creada": "Usuaria creada. Dele su usuario y su contraseña inicial por un medio seguro.",
    "cambiada": "Cambios guardados.",
    "desactivada": "Cuenta desactivada: ya no puede entrar y sus sesiones abiertas se cerraron.",
    "reactivada": "Cuenta reactivada: puede volver a entrar con su contraseña.",
    "mancomunidad": "Mancomunidad creada. Ahora asígnele sus municipios.",
    "asignado": "Municipio asignado a la mancomunidad.",
    "sacado": "El municipio ya no pertenece a ninguna mancomunidad.",
}

# En la página de inicio: cuántas cuentas activas tiene cada rol.
CUENTAS_ACTIVAS = {"coordinadora": "Coordinadoras activas", "tecnica": "Técnicas activas",
                   "promotora": "Promotoras activas", "cis": "Cuentas del CIS activas",
                   "mancomunidad": "Cuentas de mancomunidad activas", "admin": "Cuentas de administración activas"}


def _es_uuid(valor):
    try:
        uuid.UUID(str(valor))
        return True
    except ValueError:
        return False


def _errores(error):
    """{campo: texto} de un error de la API; un DUPLICADO nombra su campo en los detalles."""
    errores = errores_de(error)
    if not errores and error is not None and isinstance(error.detalles, dict):
        for campo in error.detalles:
            errores[campo] = error.mensaje
            break
    return errores


class RutasWebAdministracion:

    # --- lo que las pantallas comparten ---

    def _adm_municipios(self):
        """[{codigo, nombre, departamento, mancomunidad}] de la API, en orden de código."""
        return self.datos("municipios")

    def _adm_mancomunidades(self):
        return self.datos("mancomunidades")

    def _adm_opciones(self):
        """Las listas de los formularios: roles, municipios por departamento y mancomunidades."""
        departamentos = {}
        for m in self._adm_municipios():
            departamentos.setdefault(m["departamento"], []).append((m["codigo"], m["nombre"]))
        return {"roles": [(r, textos.ROLES[r]) for r in ROLES],
                "departamentos": list(departamentos.items()),
                "mancomunidades": [(m["codigo"], m["nombre"]) for m in self._adm_mancomunidades()]}

    def _adm_usuaria(self, usuario_id):
        if not _es_uuid(usuario_id):
            raise NoEncontrado("No se encontró la usuaria.")
        pagina_ = self.datos("listar_usuarios", consulta={"id": usuario_id})
        if not pagina_["items"]:
            raise NoEncontrado("No se encontró la usuaria.")
        return pagina_["items"][0]

    # --- usuarias ---

    @pagina("GET", "/admin/usuarias", roles=("admin",))
    def pagina_adm_usuarias(self, request):
        filtros = {k: request.args.get(k, "").strip() for k in FILTROS}
        return self._adm_lista(filtros, "", request.args.get("pagina", "1"),
                               mensaje=AVISOS.get(request.args.get("aviso", "")))

    @pagina("POST", "/admin/usuarias", roles=("admin",))
    def buscar_adm_usuarias(self, request):
        """La búsqueda por nombre va en el cuerpo; sin texto, los filtros quedan en la URL (no son datos de
        personas atendidas) y la lista se puede volver a abrir."""
        filtros = {k: request.form.get(k, "").strip() for k in FILTROS}
        q = request.form.get("q", "").strip()
        if not q:
            raise Redireccion("/admin/usuarias" + ("?" + urlencode({k: v for k, v in filtros.items() if v})
                                                   if any(filtros.values()) else ""))
        return self._adm_lista(filtros, q, request.form.get("pagina", "1"))

    def _adm_lista(self, filtros, q, pagina_, **contexto):
        consulta = {k: v for k, v in filtros.items() if v and k != "activo"}
        if filtros["activo"] in ESTADOS:
            consulta["activo"] = ESTADOS[filtros["activo"]][0]
        if q:
            consulta["q"] = q
        consulta["pagina"] = pagina_ if pagina_.isdigit() and 0 < int(pagina_) < 100000 else "1"
        consulta["por_pagina"] = POR_PAGINA
        resultado, error = self.intentar("listar_usuarios", consulta=consulta)
        if resultado is None:
            resultado = {"items": [], "total": 0, "pagina": 1, "por_pagina": POR_PAGINA}
        paginas = max(1, -(-resultado["total"] // POR_PAGINA))
        return self.render("administracion/usuarias.html", titulo="Usuarias", filtros=filtros, q=q,
                           resultado=resultado, paginas=paginas, errores=_errores(error),
                           estados=[(k, v[1]) for k, v in ESTADOS.items()],
                           consulta_url=urlencode({k: v for k, v in filtros.items() if v}),
                           **self._adm_opciones(), **contexto)

    @pagina("GET", "/admin/usuarias/nueva", roles=("admin",))
    def pagina_adm_nueva_usuaria(self, request):
        return self.render("administracion/nueva.html", titulo="Nueva usuaria", datos={"cambiar": "si"},
                           **self._adm_opciones())

    @pagina("POST", "/admin/usuarias/nueva", roles=("admin",))
    def crear_adm_usuaria(self, request):
        datos = formulario(request, "usuario", "nombre", "rol", "municipio", "mancomunidad", "contrasena",
                           "cambiar")
        cuerpo = {k: datos[k] for k in ("usuario", "nombre", "rol", "municipio", "mancomunidad") if k in datos}
        cuerpo["usuario"] = cuerpo.get("usuario", "").lower()
        cuerpo["contrasena"] = request.form.get("contrasena", "")
        clave = request.form.get("clave")
        creada, error = self.intentar("crear_usuario", cuerpo, clave=clave)
        if error is None:
            if datos.get("cambiar") == "si":
                # La inicial es temporal: al entrar por primera vez la cambia por una que solo ella sabe.
                self.datos("restablecer_contrasena", {"contrasena_temporal": cuerpo["contrasena"]}, clave=clave,
                           usuario_id=creada["id"])
            raise Redireccion(f"/admin/usuarias/{creada['id']}?aviso=creada")
        datos.pop("contrasena", None)
        return self.render("administracion/nueva.html", titulo="Nueva usuaria", estado=error.estado_http,
                           datos=datos, errores=_errores(error) or {"usuario": error.mensaje},
                           **self._adm_opciones())

    @pagina("GET", "/admin/usuarias/<usuario_id>", roles=("admin",))
    def pagina_adm_usuaria(self, request, usuario_id):
        return self._adm_ficha(usuario_id, mensaje=AVISOS.get(request.args.get("aviso", "")))

    def _adm_ficha(self, usuario_id, estado=200, usuaria=None, datos=None, **contexto):
        usuaria = usuaria or self._adm_usuaria(usuario_id)
        return self.render("administracion/usuaria.html", titulo="Cuenta de usuaria", estado=estado, u=usuaria,
                           datos=datos or usuaria, propia=usuaria["id"] == self.web.yo.usuario_id,
                           **self._adm_opciones(), **contexto)

    @pagina("POST", "/admin/usuarias/<usuario_id>", roles=("admin",))
    def cambiar_adm_usuaria(self, request, usuario_id):
        usuaria = self._adm_usuaria(usuario_id)
        datos = formulario(request, "nombre", "rol", "municipio", "mancomunidad", vacios=True)
        cuerpo = {"nombre": datos.get("nombre", ""), "rol": datos.get("rol") or usuaria["rol"],
                  "municipio": datos.get("municipio") or None, "mancomunidad": datos.get("mancomunidad") or None}
        _, error = self.intentar("cambiar_usuario", cuerpo, usuario_id=usuario_id)
        if error is None:
            raise Redireccion(f"/admin/usuarias/{usuario_id}?aviso=cambiada")
        return self._adm_ficha(usuario_id, error.estado_http, usuaria, {**usuaria, **cuerpo},
                               errores=_errores(error) or {"nombre": error.mensaje})

    @pagina("POST", "/admin/usuarias/<usuario_id>/activo", roles=("admin",))
    def activar_adm_usuaria(self, request, usuario_id):
        self._adm_usuaria(usuario_id)
        activo = request.form.get("activo") == "si"
        self.datos("cambiar_usuario", {"activo": activo}, usuario_id=usuario_id)
        raise Redireccion(f"/admin/usuarias/{usuario_id}?aviso={'reactivada' if activo else 'desactivada'}")

    @pagina("POST", "/admin/usuarias/<usuario_id>/restablecimiento", roles=("admin",))
    def restablecer_adm_usuaria(self, request, usuario_id):
        """Responde con la temporal en la página misma (no hay redirección que la pudiera llevar en la URL). Un
        doble envío lleva la misma clave: la API devuelve la misma temporal, no otra."""
        usuaria = self._adm_usuaria(usuario_id)
        dictada = request.form.get("contrasena_temporal", "")
        cuerpo = {"contrasena_temporal": dictada} if dictada.strip() else {}
        resultado, error = self.intentar("restablecer_contrasena", cuerpo, clave=request.form.get("clave"),
                                         usuario_id=usuario_id)
        if error is not None:
            return self._adm_ficha(usuario_id, error.estado_http, usuaria,
                                   errores=_errores(error) or {"contrasena_temporal": error.mensaje})
        return self.render("administracion/temporal.html", titulo="Contraseña restablecida",
                           u=resultado["usuario"], temporal=resultado.get("contrasena_temporal"))

    # --- territorio ---

    @pagina("GET", "/admin/municipios", roles=("admin",))
    def pagina_adm_municipios(self, request):
        departamento = request.args.get("departamento", "").strip()
        mancomunidad = request.args.get("mancomunidad", "").strip()
        todos = self._adm_municipios()
        if departamento or mancomunidad:
            filas = [m for m in todos
                     if (not departamento or m["departamento"] == departamento)
                     and (not mancomunidad or (m["mancomunidad"] or "ninguna") == mancomunidad)]
        else:  # los 298 de una vez pesan en un teléfono: primero los que ya están en una mancomunidad
            filas = [m for m in todos if m["mancomunidad"]]
        mancomunidades = self._adm_mancomunidades()
        return self.render("administracion/municipios.html", titulo="Municipios", filas=filas,
                           departamentos=list(dict.fromkeys(m["departamento"] for m in todos)),
                           departamento=departamento, mancomunidad=mancomunidad,
                           sin_filtro=not (departamento or mancomunidad),
                           mancomunidades=[(m["codigo"], m["nombre"]) for m in mancomunidades],
                           nombres={m["codigo"]: m["nombre"] for m in mancomunidades})

    def _adm_municipio(self, codigo):
        m = next((m for m in self._adm_municipios() if m["codigo"] == codigo), None)
        if m is None:
            raise NoEncontrado("No se encontró ese municipio.")
        return m

    @pagina("GET", "/admin/municipios/<codigo>", roles=("admin",))
    def pagina_adm_municipio(self, request, codigo):
        return self.render("administracion/municipio.html", titulo="Municipio y mancomunidad",
                           m=self._adm_municipio(codigo), mancomunidades=self._adm_mancomunidades(),
                           mensaje=AVISOS.get(request.args.get("aviso", "")))

    @pagina("POST", "/admin/municipios/<codigo>", roles=("admin",))
    def asignar_adm_municipio(self, request, codigo):
        m = self._adm_municipio(codigo)
        nueva = request.form.get("mancomunidad", "").strip() or None
        _, error = self.intentar("cambiar_municipio", {"mancomunidad": nueva}, codigo=codigo)
        if error is None:
            raise Redireccion(f"/admin/municipios/{codigo}?aviso={'asignado' if nueva else 'sacado'}")
        return self.render("administracion/municipio.html", titulo="Municipio y mancomunidad",
                           estado=error.estado_http, m=m, mancomunidades=self._adm_mancomunidades(),
                           errores=_errores(error) or {"mancomunidad": error.mensaje})

    @pagina("GET", "/admin/mancomunidades", roles=("admin",))
    def pagina_adm_mancomunidades(self, request):
        return self._adm_pantalla_mancomunidades(mensaje=AVISOS.get(request.args.get("aviso", "")))

    def _adm_pantalla_mancomunidades(self, estado=200, **contexto):
        contexto.setdefault("datos", {})
        return self.render("administracion/mancomunidades.html", titulo="Mancomunidades", estado=estado,
                           mancomunidades=self._adm_mancomunidades(), **contexto)

    @pagina("POST", "/admin/mancomunidades", roles=("admin",))
    def crear_adm_mancomunidad(self, request):
        datos = formulario(request, "codigo", "nombre")
        _, error = self.intentar("crear_mancomunidad", {"codigo": datos.get("codigo", ""),
                                                        "nombre": datos.get("nombre", "")},
                                 clave=request.form.get("clave"))
        if error is None:
            raise Redireccion("/admin/mancomunidades?aviso=mancomunidad")
        return self._adm_pantalla_mancomunidades(error.estado_http, datos=datos,
                                                 errores=_errores(error) or {"codigo": error.mensaje})

    # --- la coordinadora: quién trabaja en su oficina ---

    @pagina("GET", "/personal", roles=("coordinadora",))
    def pagina_personal(self, request):
        resultado = self.datos("listar_usuarios", consulta={"por_pagina": 200})
        return self.render("administracion/personal.html", titulo="Personal de la oficina",
                           usuarias=resultado["items"])

    # --- inicio de la administración ---

    @en_inicio("admin")
    def inicio_administracion(self):
        avisos = []
        for rol, texto in CUENTAS_ACTIVAS.items():
            total = self.datos("listar_usuarios", consulta={"rol": rol, "activo": "true", "por_pagina": 1})["total"]
            avisos.append({"texto": texto, "enlace": "/admin/usuarias?" + urlencode({"rol": rol, "activo": "si"}),
                           "cifra": total, "urgente": False})
        desactivadas = self.datos("listar_usuarios", consulta={"activo": "false", "por_pagina": 1})["total"]
        avisos.append({"texto": "Cuentas desactivadas", "enlace": "/admin/usuarias?activo=no",
                       "cifra": desactivadas, "urgente": False})
        sin = sum(1 for m in self.datos("mancomunidades") if not m["municipios"])
        if sin:
            avisos.append({"texto": "Mancomunidades sin municipios asignados", "enlace": "/admin/mancomunidades",
                           "cifra": sin, "urgente": False})
        return avisos
