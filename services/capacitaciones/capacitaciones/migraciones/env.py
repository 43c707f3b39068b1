from omm_common.migraciones import ejecutar_env

from capacitaciones.models import Base

ejecutar_env(Base.metadata)
