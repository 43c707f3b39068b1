"""Acceso y administración de personas y territorio: sesión, la propia contraseña, usuarias, mancomunidades.

El gateway es dueño de estas tablas: aquí no hay RPC. Todo cambio queda en el log JSON (logger
omm.auditoria) con quién lo hizo y a quién, nunca con contraseñas ni nombres.
"""
import logging

import sqlalchemy as sa

from omm_common.errores import (
    ErrorOMM, ErrorValidacion, NoAutenticado, NoEncontrado, Prohibido, error_de_campo, no_existe,
)
from omm_common.esquemas import cargar
from omm_common.municipios import normalizar_nombre

from .. import auth, avisos_oficina
from ..http import Pagina, ruta
from ..models import Mancomunidad, Municipio, Usuario
from ..schemas import (
    ROLES_MUNICIPALES, CambioContrasena, FiltroUsuarios, MancomunidadEntrada, MancomunidadSalida, MunicipioCambio,
    MunicipioSalida, RestablecimientoEntrada, RestablecimientoSalida, SalidaSesion, TokenEntrada, TokenSalida,
    UsuarioCambio,
    UsuarioEntrada, UsuarioSalida,
)
from omm_common.db import paginar

auditoria = logging.getLogger("omm.auditoria")


def auditar(yo, accion, **datos):
    """Una línea JSON por cambio: quién (id y rol), qué y sobre qué (ids, códigos, campos; nunca valores
    personales ni contraseñas)."""
    auditoria.info("%s por %s", accion, yo.usuario_id,
                   extra={"accion": accion, "actor_id": yo.usuario_id, "actor_rol": yo.rol, **datos})


def _duplicado(mensaje, detalles):
    return ErrorOMM(mensaje, detalles, codigo="DUPLICADO")


def _territorio_del_rol(s, rol, municipio, mancomunidad):
    """(municipio, mancomunidad) que corresponden al rol: uno u otro, o ninguno para admin."""
    if rol in ROLES_MUNICIPALES:
        if not municipio:
            raise error_de_campo("municipio", "Este rol requiere un municipio existente.")
        if s.get(Municipio, municipio) is None:
            raise no_existe("municipio", "Este rol requiere un municipio existente.")
        return municipio, None
    if rol == "mancomunidad":
        if not mancomunidad:
            raise error_de_campo("mancomunidad", "Este rol requiere una mancomunidad existente.")
        if s.get(Mancomunidad, mancomunidad) is None:
            raise no_existe("mancomunidad", "Este rol requiere una mancomunidad existente.")
        return None, mancomunidad
    return None, None


def _sin_choque(funcion, *args):
    """La regla de `funcion` sobre lo que la cuenta quedaría siendo: su 400 es aquí un 409 con el mismo campo."""
    try:
        return funcion(*args)
    except ErrorValidacion as exc:
        raise ErrorOMM(exc.mensaje, exc.detalles, codigo="ESTADO_INVALIDO") from None


def _exigir_politica(campo, rol, contrasena):
    mensaje = auth.error_de_politica(rol, contrasena)
    if mensaje:
        raise error_de_campo(campo, mensaje)


def _usuaria(s, usuario_id):
    u = s.get(Usuario, usuario_id)
    if u is None:
        raise NoEncontrado("No se encontró la usuaria.")
    return u


def _pagina_filtrada(sesion, consulta, f, volcar):
    """Con `q`: el personal es poco (unas cuatro cuentas por oficina), así que se filtra aquí, sin tildes, y se
    pagina igual que `paginar`."""
    # Como escribe una persona: sin tildes ni mayúsculas («lejamani» halla «Lejamaní»).
    buscado = normalizar_nombre(f["q"])
    filas = [u for u in sesion.scalars(consulta)
             if buscado in normalizar_nombre(u.usuario) or buscado in normalizar_nombre(u.nombre)]
    inicio = (f["pagina"] - 1) * f["por_pagina"]
    return {"items": [volcar(u) for u in filas[inicio:inicio + f["por_pagina"]]], "total": len(filas),
            "pagina": f["pagina"], "por_pagina": f["por_pagina"]}


class RutasAdministracion:
    """Mezcla del servicio gateway (necesita `uow`)."""

    # --- sesión y la propia cuenta ---

    @ruta("POST", "/api/v1/auth/token", "Inicia sesión y entrega un token (con debe_cambiar_contrasena tras un "
          "restablecimiento)", None, cuerpo=TokenEntrada, respuesta=TokenSalida, etiqueta="acceso")
    def token(self, p):
        datos = cargar(TokenEntrada(), p.cuerpo)
        with self.uow() as uow:
            resultado = auth.iniciar_sesion(uow.sesion, datos["usuario"], datos["contrasena"], p.direccion)
        if resultado is None:
            raise NoAutenticado("Usuario o contraseña incorrectos.")
        return 200, resultado

    @ruta("POST", "/api/v1/auth/salida", "Cierra la sesión de este token: deja de valer de inmediato (los demás "
          "tokens de la persona siguen valiendo)", (), respuesta=SalidaSesion, etiqueta="acceso")
    def cerrar_sesion(self, p):
        with self.uow() as uow:
            auth.cerrar_token(uow.sesion, p.yo.usuario_id, self._reclamos)
        self.cuenta_cambiada(p.yo.usuario_id)
        auditar(p.yo, "cerrar_sesion", objetivo_id=p.yo.usuario_id)
        return 200, {"mensaje": "Sesión cerrada."}

    @ruta("GET", "/api/v1/yo", "La usuaria actual (también si debe cambiar la contraseña)", (),
          respuesta=UsuarioSalida, etiqueta="acceso")
    def yo(self, p):
        with self.uow() as uow:
            return 200, auth.usuario_publico(auth.exigir_activo(uow.sesion, p.yo.usuario_id))

    @ruta("POST", "/api/v1/yo/contrasena", "Cambia la propia contraseña (pide la actual). Sus otros tokens dejan "
          "de valer; la respuesta trae uno nuevo", (), cuerpo=CambioContrasena, respuesta=TokenSalida,
          etiqueta="acceso", otros_estados={429: "Demasiados intentos fallidos con la contraseña actual"})
    def cambiar_contrasena(self, p):
        datos = cargar(CambioContrasena(), p.cuerpo)
        with self.uow() as uow:
            u = auth.exigir_activo(uow.sesion, p.yo.usuario_id)
            _sin_choque(_exigir_politica, "contrasena_nueva", u.rol, datos["contrasena_nueva"])  # su rol pide más
            correcta = auth.verificar_contrasena_actual(uow.sesion, u, datos["contrasena_actual"], p.direccion)
            misma = correcta and auth.es_la_misma(u, datos["contrasena_nueva"])
            if correcta and not misma:
                auth.fijar_contrasena(uow.sesion, u, datos["contrasena_nueva"])
            foto = auth.foto_para_token(u)
        # Fuera de la transacción: el fallo queda contado aunque se responda con error.
        if not correcta:
            auditar(p.yo, "contrasena_actual_incorrecta", objetivo_id=p.yo.usuario_id)
            # 403 y no 400: la solicitud es válida, lo que falta es probar que es ella (el campo lo dice).
            raise Prohibido("La contraseña actual no es correcta.",
                            {"contrasena_actual": ["La contraseña actual no es correcta."]})
        if misma:
            raise error_de_campo("contrasena_nueva", "La contraseña nueva debe ser distinta de la actual.")
        self.cuenta_cambiada(p.yo.usuario_id)
        auditar(p.yo, "cambiar_contrasena", objetivo_id=p.yo.usuario_id)
        return 200, auth.token_para(*foto)

    # --- usuarias ---

    @ruta("GET", "/api/v1/usuarios", "Busca usuarias (admin: todas; coordinadora: solo lectura, el personal de "
          "su municipio)", ("admin", "coordinadora"), consulta=FiltroUsuarios, respuesta=Pagina(UsuarioSalida, "PaginaUsuarios"),
          etiqueta="administracion")
    def listar_usuarios(self, p):
        f = cargar(FiltroUsuarios(), p.consulta)
        if p.yo.rol == "coordinadora":
            if f.get("municipio") not in (None, p.yo.municipio):
                raise NoEncontrado("No se encontró ese municipio.", {"municipio": f["municipio"]})
            f["municipio"] = p.yo.municipio
        consulta = sa.select(Usuario).outerjoin(Municipio, Usuario.municipio == Municipio.codigo)
        if f.get("id"):
            consulta = consulta.where(Usuario.id == str(f["id"]))
        if f.get("rol"):
            consulta = consulta.where(Usuario.rol == f["rol"])
        if f.get("municipio"):
            consulta = consulta.where(Usuario.municipio == f["municipio"])
        if f.get("mancomunidad"):
            consulta = consulta.where(sa.or_(Usuario.mancomunidad == f["mancomunidad"],
                                             Municipio.mancomunidad == f["mancomunidad"]))
        if "activo" in f:
            consulta = consulta.where(Usuario.activo == f["activo"])
        consulta = consulta.order_by(Usuario.municipio.nulls_first(), Usuario.rol, Usuario.usuario)
        with self.uow() as uow:
            if f.get("q"):
                return 200, _pagina_filtrada(uow.sesion, consulta, f, auth.usuario_publico)
            return 200, paginar(uow.sesion, consulta, f, auth.usuario_publico)

    @ruta("POST", "/api/v1/usuarios", "Crea una usuaria (admin)", ("admin",), cuerpo=UsuarioEntrada,
          respuesta=UsuarioSalida, estado=201, idempotente=True, etiqueta="administracion")
    def crear_usuario(self, p):
        datos = cargar(UsuarioEntrada(), p.cuerpo)
        with self.uow() as uow:
            s = uow.sesion
            municipio, mancomunidad = _territorio_del_rol(s, datos["rol"], datos.get("municipio"),
                                                          datos.get("mancomunidad"))
            _exigir_politica("contrasena", datos["rol"], datos["contrasena"])
            if s.scalar(sa.select(Usuario.id).where(Usuario.usuario == datos["usuario"])):
                raise _duplicado("Ya existe una usuaria con ese nombre de usuario.", {"usuario": datos["usuario"]})
            u = Usuario(usuario=datos["usuario"], nombre=datos["nombre"], rol=datos["rol"], municipio=municipio,
                        mancomunidad=mancomunidad, hash_contrasena=auth.hashear(datos["contrasena"]))
            s.add(u)
            s.flush()
            avisos_oficina.anotar_creada(s, p.yo, u)
            publico = auth.usuario_publico(u)
        auditar(p.yo, "crear_usuaria", objetivo_id=publico["id"], rol=publico["rol"],
                municipio=publico["municipio"], mancomunidad=publico["mancomunidad"])
        return 201, publico

    @ruta("PATCH", "/api/v1/usuarios/<usuario_id>", "Cambia o desactiva una usuaria (admin): activo, nombre, rol, "
          "municipio, mancomunidad, contrasena. Otro rol, territorio o contraseña invalida sus tokens", ("admin",),
          cuerpo=UsuarioCambio, respuesta=UsuarioSalida, etiqueta="administracion")
    def cambiar_usuario(self, p, usuario_id):
        datos = cargar(UsuarioCambio(), p.cuerpo)
        with self.uow() as uow:
            s = uow.sesion
            u = _usuaria(s, usuario_id)
            antes = {c: getattr(u, c) for c in ("nombre", "rol", "municipio", "mancomunidad", "activo")}
            cambios = sorted(c for c in datos if c != "contrasena")
            if "contrasena" in datos:
                if "rol" in datos:
                    _exigir_politica("contrasena", datos["rol"], datos["contrasena"])
                else:
                    # El rol guardado (admin) pide más: choca con la cuenta, no con la solicitud (409).
                    _sin_choque(_exigir_politica, "contrasena", u.rol, datos["contrasena"])
                auth.fijar_contrasena(s, u, datos.pop("contrasena"))
                cambios.append("contrasena")
            if {"rol", "municipio", "mancomunidad"} & set(datos):
                rol = datos.pop("rol", u.rol)
                # Con lo guardado: un rol municipal sin municipio (o al revés) choca con la cuenta (409).
                municipio, mancomunidad = _sin_choque(
                    _territorio_del_rol, s, rol, datos.pop("municipio", u.municipio),
                    datos.pop("mancomunidad", u.mancomunidad))
                if (rol, municipio, mancomunidad) != (u.rol, u.municipio, u.mancomunidad):
                    # El token lleva rol y territorio: los emitidos con los anteriores ya no valen.
                    u.rol, u.municipio, u.mancomunidad = rol, municipio, mancomunidad
                    auth.revocar_tokens(u)
            for campo, valor in datos.items():
                setattr(u, campo, valor)
            cambiados = [c for c, v in antes.items() if getattr(u, c) != v] + (
                ["contrasena"] if "contrasena" in cambios else [])
            avisos_oficina.anotar_cambio(s, p.yo, u, antes["municipio"], cambiados)
            publico = auth.usuario_publico(u)
        self.cuenta_cambiada(usuario_id)  # después del commit: nadie la vuelve a ver como era
        auditar(p.yo, "cambiar_usuaria", objetivo_id=usuario_id, campos=cambios, rol=publico["rol"],
                municipio=publico["municipio"], mancomunidad=publico["mancomunidad"], activo=publico["activo"])
        return 200, publico

    @ruta("POST", "/api/v1/usuarios/<usuario_id>/restablecimiento", "Restablece la contraseña (admin): sus "
          "tokens dejan de valer y al entrar con la temporal debe cambiarla antes de cualquier otra cosa",
          ("admin",), cuerpo=RestablecimientoEntrada, respuesta=RestablecimientoSalida, idempotente=True,
          etiqueta="administracion")
    def restablecer_contrasena(self, p, usuario_id):
        datos = cargar(RestablecimientoEntrada(), p.cuerpo)
        generada = "contrasena_temporal" not in datos
        temporal = auth.contrasena_temporal() if generada else datos["contrasena_temporal"]
        with self.uow() as uow:
            u = _usuaria(uow.sesion, usuario_id)
            _sin_choque(_exigir_politica, "contrasena_temporal", u.rol, temporal)  # el rol guardado pide más
            auth.fijar_contrasena(uow.sesion, u, temporal, temporal=True)
            avisos_oficina.anotar_restablecimiento(uow.sesion, p.yo, u)
            publico = auth.usuario_publico(u)
        self.cuenta_cambiada(usuario_id)
        auditar(p.yo, "restablecer_contrasena", objetivo_id=usuario_id, generada=generada)
        return 200, {"usuario": publico, **({"contrasena_temporal": temporal} if generada else {})}

    # --- territorio ---

    @ruta("GET", "/api/v1/municipios", "Municipios de Honduras y su mancomunidad", (),
          respuesta=MunicipioSalida(many=True), etiqueta="acceso")
    def municipios(self, p):
        with self.uow() as uow:
            filas = uow.sesion.scalars(sa.select(Municipio).order_by(Municipio.codigo)).all()
            return 200, MunicipioSalida(many=True).dump(filas)

    @ruta("PUT", "/api/v1/municipios/<codigo>", "Pone un municipio en una mancomunidad, lo mueve a otra o lo "
          "saca (admin). Las cifras de la región lo reflejan enseguida (reportes olvida los miembros que "
          "recordaba al recibir el aviso TerritorioCambiado; sin aviso, a más tardar en un minuto)", ("admin",),
          cuerpo=MunicipioCambio, respuesta=MunicipioSalida, etiqueta="administracion")
    def cambiar_municipio(self, p, codigo):
        datos = cargar(MunicipioCambio(), p.cuerpo)
        with self.uow() as uow:
            s = uow.sesion
            m = s.get(Municipio, codigo) if len(codigo) == 4 and codigo.isdigit() else None
            if m is None:
                raise NoEncontrado("No se encontró ese municipio.", {"codigo": codigo[:10]})
            nueva = datos["mancomunidad"]
            if nueva is not None:
                nueva = nueva.upper()
                if s.get(Mancomunidad, nueva) is None:
                    raise no_existe("mancomunidad", f"No existe la mancomunidad «{nueva}».")
            anterior, m.mancomunidad = m.mancomunidad, nueva
            salida = MunicipioSalida().dump(m)
        if anterior != nueva:
            self.avisar_territorio_cambiado(codigo)
        auditar(p.yo, "cambiar_mancomunidad_de_municipio", municipio=codigo, anterior=anterior, nueva=nueva)
        return 200, salida

    @ruta("GET", "/api/v1/mancomunidades", "Mancomunidades y los códigos de sus municipios", (),
          respuesta=MancomunidadSalida(many=True), etiqueta="acceso")
    def mancomunidades(self, p):
        with self.uow() as uow:
            s = uow.sesion
            miembros = {}
            for municipio, mancomunidad in s.execute(
                    sa.select(Municipio.codigo, Municipio.mancomunidad)
                    .where(Municipio.mancomunidad.is_not(None)).order_by(Municipio.codigo)):
                miembros.setdefault(mancomunidad, []).append(municipio)
            return 200, [{"codigo": m.codigo, "nombre": m.nombre, "municipios": miembros.get(m.codigo, [])}
                         for m in s.scalars(sa.select(Mancomunidad).order_by(Mancomunidad.codigo))]

    @ruta("POST", "/api/v1/mancomunidades", "Crea una mancomunidad (admin); sus municipios se asignan con "
          "PUT /api/v1/municipios/{codigo}", ("admin",), cuerpo=MancomunidadEntrada, respuesta=MancomunidadSalida,
          estado=201, idempotente=True, etiqueta="administracion",
          otros_estados={409: "Ya existe una con ese código o ese nombre (DUPLICADO)"})
    def crear_mancomunidad(self, p):
        datos = cargar(MancomunidadEntrada(), p.cuerpo)
        codigo = datos["codigo"].upper()
        with self.uow() as uow:
            s = uow.sesion
            if s.get(Mancomunidad, codigo) is not None:
                raise _duplicado("Ya existe una mancomunidad con ese código.", {"codigo": codigo})
            if s.scalar(sa.select(Mancomunidad.codigo).where(
                    sa.func.lower(Mancomunidad.nombre) == datos["nombre"].lower())):
                raise _duplicado("Ya existe una mancomunidad con ese nombre.", {"nombre": datos["nombre"]})
            s.add(Mancomunidad(codigo=codigo, nombre=datos["nombre"]))
        auditar(p.yo, "crear_mancomunidad", mancomunidad=codigo)
        return 201, {"codigo": codigo, "nombre": datos["nombre"], "municipios": []}
