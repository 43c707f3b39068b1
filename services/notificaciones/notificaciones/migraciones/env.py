from omm_common.migraciones import ejecutar_env

from notificaciones.models import Base

ejecutar_env(Base.metadata)
