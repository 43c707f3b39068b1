"""omm-admin: tareas de quien opera el despliegue, sin pasar por la API.

`omm-admin crear-admin --usuario X --nombre Y` crea la primera cuenta de administración (la API
exige una para crear las demás). Sirve igual dentro y fuera de Docker: solo necesita la base del
gateway (GATEWAY_DB_URL o --db-url).
"""
import argparse
import getpass
import os
import sys

import sqlalchemy as sa

from omm_common.db import crear_motor, unidad_de_trabajo
from omm_common.errores import ErrorValidacion
from omm_common.esquemas import cargar
from omm_common.migraciones import migrar

from . import auth
from .models import Usuario
from .schemas import UsuarioEntrada

MINIMO_CONTRASENA = auth.MINIMO_CONTRASENA_ADMIN
VARIABLE_CONTRASENA = "OMM_ADMIN_CONTRASENA"


def leer_contrasena(archivo):
    """Del archivo, de la variable de entorno o, con una terminal, preguntada dos veces."""
    if archivo:
        try:
            with open(archivo, encoding="utf-8") as f:
                return f.readline().rstrip("\r\n")
        except FileNotFoundError:
            sys.exit(f"contraseña: no existe el archivo {archivo}.")
        except OSError as exc:
            sys.exit(f"contraseña: no se pudo leer {archivo} ({type(exc).__name__}).")
    if os.environ.get(VARIABLE_CONTRASENA):
        return os.environ[VARIABLE_CONTRASENA]
    if not sys.stdin.isatty():
        sys.exit(f"contraseña: no hay terminal para preguntarla; use --contrasena-archivo o {VARIABLE_CONTRASENA}.")
    primera = getpass.getpass("Contraseña: ")
    if getpass.getpass("Repítala: ") != primera:
        sys.exit("contraseña: las dos no coinciden; no se cambió nada.")
    return primera


def validar(usuario, nombre, contrasena):
    """Las mismas reglas que POST /api/v1/usuarios, con un mínimo mayor para la administración."""
    if len(contrasena) < MINIMO_CONTRASENA:
        sys.exit(f"contraseña: debe tener al menos {MINIMO_CONTRASENA} caracteres (tiene {len(contrasena)}).")
    try:
        return cargar(UsuarioEntrada(), {"usuario": usuario, "nombre": nombre, "contrasena": contrasena,
                                         "rol": "admin"})
    except ErrorValidacion as exc:
        sys.exit("\n".join(f"{campo}: {' '.join(map(str, mensajes))}" for campo, mensajes in exc.detalles.items()))


def crear_admin(sesion, usuario, nombre, contrasena, restablecer=False):
    """Devuelve lo que hizo: "creada", "restablecida" o "existente" (sin cambios)."""
    u = sesion.scalar(sa.select(Usuario).where(Usuario.usuario == usuario))
    if u is None:
        sesion.add(Usuario(usuario=usuario, nombre=nombre, rol="admin", hash_contrasena=auth.hashear(contrasena)))
        return "creada"
    if u.rol != "admin":
        # Convertir en silencio a otra usuaria en administración le daría permisos que nadie pidió.
        raise ValueError(f"usuario: «{usuario}» ya existe con el rol {u.rol}; elija otro nombre de usuario.")
    if not restablecer:
        return "existente"
    u.nombre = nombre
    u.activo = True
    # Los tokens de antes dejan de valer y se levanta el bloqueo de la cuenta (quien restablece suele venir de
    # uno); quien la opera eligió la contraseña: no se le pide cambiarla al entrar.
    auth.fijar_contrasena(sesion, u, contrasena, temporal=True)
    u.debe_cambiar_contrasena = False
    return "restablecida"


def _crear_admin(a):
    contrasena = leer_contrasena(a.contrasena_archivo)
    datos = validar(a.usuario, a.nombre, contrasena)
    # Idempotente: en una base ya migrada no hace nada; en una nueva deja las tablas listas.
    migrar("gateway", a.db_url)
    motor = crear_motor(a.db_url)
    try:
        with unidad_de_trabajo(motor) as uow:
            resultado = crear_admin(uow.sesion, datos["usuario"], datos["nombre"], datos["contrasena"],
                                    a.restablecer)
    except ValueError as exc:
        sys.exit(str(exc))
    finally:
        motor.dispose()
    if resultado == "existente":
        print(f"La cuenta de administración «{datos['usuario']}» ya existe; no se cambió nada "
              "(use --restablecer para cambiar su contraseña).")
    elif resultado == "restablecida":
        print(f"Cuenta de administración «{datos['usuario']}»: contraseña restablecida y cuenta activa.")
    else:
        print(f"Cuenta de administración «{datos['usuario']}» creada; ya puede iniciar sesión.")


def main(argv=None):
    p = argparse.ArgumentParser(prog="omm-admin", description="Tareas de administración del despliegue OMM")
    sub = p.add_subparsers(dest="orden", required=True, metavar="orden")
    c = sub.add_parser("crear-admin", help="Crea la primera cuenta de administración",
                       description="Crea una cuenta con rol admin. La contraseña sale de --contrasena-archivo, "
                                   f"de {VARIABLE_CONTRASENA} o se pregunta; mínimo {MINIMO_CONTRASENA} caracteres.")
    c.add_argument("--usuario", required=True, help="nombre de usuario (minúsculas, dígitos, punto, guion)")
    c.add_argument("--nombre", required=True, help="nombre de la persona")
    c.add_argument("--contrasena-archivo", help="archivo cuya primera línea es la contraseña")
    c.add_argument("--restablecer", action="store_true",
                   help="si la cuenta ya existe, cambia su contraseña y la reactiva")
    c.add_argument("--db-url", default=os.environ.get("GATEWAY_DB_URL", "sqlite:///var/gateway.db"))
    a = p.parse_args(argv)
    if a.orden == "crear-admin":
        _crear_admin(a)


if __name__ == "__main__":
    main()
