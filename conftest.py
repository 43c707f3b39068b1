pytest_plugins = ["omm_common.pruebas"]
