pytest_plugins = ["omm_pruebas"]
