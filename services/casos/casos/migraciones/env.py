from omm_common.migraciones import ejecutar_env

from casos.models import Base

ejecutar_env(Base.metadata)
