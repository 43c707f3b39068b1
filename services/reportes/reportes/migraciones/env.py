from omm_common.migraciones import ejecutar_env

from reportes.models import Base

ejecutar_env(Base.metadata)
