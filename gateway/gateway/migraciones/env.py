from omm_common.migraciones import ejecutar_env

from gateway.models import Base

ejecutar_env(Base.metadata)
