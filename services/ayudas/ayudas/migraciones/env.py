from omm_common.migraciones import ejecutar_env

from ayudas.models import Base

ejecutar_env(Base.metadata)
