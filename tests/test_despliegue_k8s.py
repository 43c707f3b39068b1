"""deploy/k8s no se puede aplicar aquí (no hay clúster): se valida sin red contra los esquemas OpenAPI de
Kubernetes (kubernetes-validate) y se revisa que esté completo.

Cada proceso del Procfile es un Deployment con el mismo comando, cada uno con sondas, recursos y sin
root; cada secreto que se pide existe; el beat es uno solo; los servicios nameko tienen réplicas.
"""
import os
import socket
import subprocess
import sys
import threading

import kubernetes_validate
import pytest
import yaml

from omm_common import claves

from .test_despliegue import RAIZ, _compose, _procfile, _variables_leidas, mismo_comando

K8S = RAIZ / "deploy" / "k8s"
# La más vieja con soporte y la más nueva que trae el paquete.
VERSIONES = ("1.30.0", "1.37.0")
SERVICIOS_NAMEKO = ("casos", "ayudas", "capacitaciones", "notificaciones", "reportes")
SECRETO = "omm-secretos"
CONFIGURACION = "omm-configuracion"


def _kustomization():
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def _manifiestos():
    docs = []
    for archivo in _kustomization()["resources"]:
        for doc in yaml.safe_load_all((K8S / archivo).read_text()):
            if doc:
                docs.append((archivo, doc))
    return docs


def _de_tipo(tipo):
    return [d for _, d in _manifiestos() if d["kind"] == tipo]


def _deployments():
    return {d["metadata"]["labels"]["app.kubernetes.io/component"]: d for d in _de_tipo("Deployment")}


def _env_archivo(ruta):
    valores = {}
    for linea in ruta.read_text().splitlines():
        if "=" in linea and not linea.lstrip().startswith("#"):
            clave, valor = linea.split("=", 1)
            valores[clave.strip()] = valor
    return valores


def _generador(clave, nombre):
    generador = next(g for g in _kustomization()[clave] if g["name"] == nombre)
    (archivo,) = generador["envs"]
    return archivo


def _claves_secretas():
    # secretos.env no se versiona: manda su ejemplo, que es lo que se copia y se llena.
    return set(_env_archivo(K8S / (_generador("secretGenerator", SECRETO) + ".example")))


def _configuracion():
    return _env_archivo(K8S / _generador("configMapGenerator", CONFIGURACION))


def _contenedores(pod, con_init=True):
    return pod["containers"] + (pod.get("initContainers", []) if con_init else [])


def _pods():
    for d in _de_tipo("Deployment") + _de_tipo("Job"):
        yield d["metadata"]["name"], d["spec"]["template"]["spec"]


def _secretos_del_contenedor(contenedor):
    return {e["name"] for e in contenedor.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})}


def _contenedores_k8s():
    """{proceso: nombres de las variables secretas de su contenedor principal} (Deployments por componente y el
    Job de migraciones); test_despliegue compara compose con esto."""
    salida = {}
    for d in _de_tipo("Deployment") + _de_tipo("Job"):
        (c,) = d["spec"]["template"]["spec"]["containers"]
        salida[d["metadata"]["labels"]["app.kubernetes.io/component"]] = _secretos_del_contenedor(c)
    return salida


def test_kustomization_lista_archivos_que_existen():
    k = _kustomization()
    assert k["namespace"] == "omm"
    for archivo in k["resources"]:
        assert (K8S / archivo).is_file(), f"kustomization.yaml lista {archivo}, que no existe"
    assert (K8S / (_generador("secretGenerator", SECRETO) + ".example")).is_file()
    assert (K8S / _generador("configMapGenerator", CONFIGURACION)).is_file()
    # Los secretos reales no se versionan.
    assert "secretos.env" in (K8S / ".gitignore").read_text().split()
    # Todo manifiesto de la carpeta está en la lista (uno olvidado no se aplicaría).
    assert {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"} == set(k["resources"])


@pytest.mark.parametrize("version", VERSIONES)
def test_cada_manifiesto_es_valido_para_kubernetes(version):
    manifiestos = _manifiestos()
    assert {d["kind"] for _, d in manifiestos} >= {"Namespace", "Deployment", "Service", "Job",
                                                   "PodDisruptionBudget"}
    for archivo, doc in manifiestos:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{archivo} ({doc['kind']} {doc['metadata']['name']}) no es válido en {version}: {exc}")


def test_la_validacion_rechaza_un_campo_mal_escrito():
    """Control: los esquemas se cargan de verdad y en modo estricto un campo desconocido no pasa."""
    deployment = dict(_deployments()["casos"])
    deployment["spec"] = {**deployment["spec"], "replicass": 2}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, VERSIONES[-1], strict=True)


def test_cada_proceso_del_procfile_es_un_deployment_con_el_mismo_comando():
    deployments = _deployments()
    procesos = _procfile()
    assert set(deployments) == set(procesos)
    configuracion = _configuracion()
    for nombre, comando in procesos.items():
        (contenedor,) = deployments[nombre]["spec"]["template"]["spec"]["containers"]
        literales = {e["name"]: e["value"] for e in contenedor.get("env", []) if "value" in e}
        assert mismo_comando(contenedor["command"], comando, {**configuracion, **literales}), \
            f"{nombre}: {contenedor['command']} != {comando}"


def test_el_job_migra_igual_que_compose():
    (job,) = _de_tipo("Job")
    (contenedor,) = job["spec"]["template"]["spec"]["containers"]
    en_compose = [c.replace("$$", "$") for c in _compose()["services"]["migraciones"]["command"]]
    assert contenedor["command"] == en_compose
    assert job["spec"]["template"]["spec"]["restartPolicy"] in ("OnFailure", "Never")


def test_replicas_y_estrategias():
    d = _deployments()
    for servicio in SERVICIOS_NAMEKO + ("gateway", "celery_worker"):
        assert d[servicio]["spec"]["replicas"] >= 2, servicio
    # Exactamente un beat (dos encolarían cada tarea periódica dos veces), y nunca dos a la vez.
    for unico in ("celery_beat", "relays"):
        assert d[unico]["spec"]["replicas"] == 1, unico
        assert d[unico]["spec"]["strategy"] == {"type": "Recreate"}, unico


def test_cada_deployment_tiene_sondas_recursos_y_no_corre_como_root():
    for nombre, d in _deployments().items():
        pod = d["spec"]["template"]["spec"]
        assert d["spec"]["selector"]["matchLabels"].items() <= d["spec"]["template"]["metadata"]["labels"].items()
        for c in pod["containers"]:
            assert c.get("readinessProbe") and c.get("livenessProbe"), f"{nombre}/{c['name']} sin sondas"
    for nombre, pod in _pods():
        assert pod["securityContext"]["runAsNonRoot"] is True, nombre
        assert pod["securityContext"]["runAsUser"] != 0, nombre
        assert pod.get("automountServiceAccountToken") is False, nombre
        for c in _contenedores(pod):
            assert c["resources"].get("requests") and c["resources"].get("limits"), f"{nombre}/{c['name']}"
            assert c["securityContext"]["allowPrivilegeEscalation"] is False, f"{nombre}/{c['name']}"
            assert c["securityContext"]["capabilities"]["drop"] == ["ALL"], f"{nombre}/{c['name']}"


def test_el_gateway_se_publica_en_un_service_y_su_lectura_es_la_suya():
    gateway = _deployments()["gateway"]
    (contenedor,) = gateway["spec"]["template"]["spec"]["containers"]
    # Solo el gateway y su base: con /health un relay caído sacaría de servicio a todos los gateways.
    assert contenedor["readinessProbe"]["httpGet"]["path"] == "/health/gateway"
    (servicio,) = _de_tipo("Service")
    assert servicio["spec"]["selector"].items() <= gateway["spec"]["template"]["metadata"]["labels"].items()
    puertos = {p["name"]: p["containerPort"] for p in contenedor["ports"]}
    assert all(p["targetPort"] in puertos for p in servicio["spec"]["ports"])


def test_cada_secreto_pedido_existe_y_cada_secreto_se_usa():
    claves = _claves_secretas()
    usadas = set()
    for nombre, pod in _pods():
        for c in _contenedores(pod):
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] == SECRETO, f"{nombre}/{c['name']}: {ref['name']}"
                    assert ref["key"] in claves, f"{nombre}/{c['name']} pide {ref['key']}, que no está en el secreto"
                    usadas.add(ref["key"])
            for fuente in c.get("envFrom", []):
                assert "secretRef" not in fuente, f"{nombre}: todo el secreto a un proceso; mejor clave por clave"
                assert fuente["configMapRef"]["name"] == CONFIGURACION
    assert claves == usadas, f"secretos que ningún proceso usa: {sorted(claves - usadas)}"
    # Sin valores reales en el repositorio.
    for clave, valor in _env_archivo(K8S / "secretos.env.example").items():
        assert valor in ("", "CAMBIAR", "1") or "CAMBIAR" in valor, clave


def test_los_secretos_van_solo_a_quien_los_usa():
    d = _deployments()

    def secretos(nombre):
        (c,) = d[nombre]["spec"]["template"]["spec"]["containers"]
        return {e["name"] for e in c.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})}
    assert [n for n in d if "CASOS_CLAVE_MAESTRA" in secretos(n)] == ["casos"]
    assert [n for n in d if "GATEWAY_CLAVE_RESPUESTAS" in secretos(n)] == ["gateway"]
    assert {n for n in d if "NOTIFICACIONES_CLAVE" in secretos(n)} == {"notificaciones", "celery_worker"}
    assert [n for n in d if "AYUDAS_CLAVE_DATOS" in secretos(n)] == ["ayudas"]
    assert [n for n in d if "CAPACITACIONES_CLAVE_DATOS" in secretos(n)] == ["capacitaciones"]
    assert secretos("celery_beat") == {"AMQP_URI"}
    # Issue 16: cada proceso firma solo como sí mismo (los relays, los eventos de los cuatro que los emiten).
    con_clave = {e: {n for n in d if f"OMM_CLAVE_PRIVADA_{e.upper()}" in secretos(n)} for e in claves.EMISORES}
    assert con_clave == {"gateway": {"gateway"}, "casos": {"casos", "relays"}, "ayudas": {"ayudas", "relays"},
                         "capacitaciones": {"capacitaciones", "relays"}, "reportes": {"reportes"},
                         "notificaciones": {"notificaciones", "celery_worker", "relays"}}
    for n in d:
        bases = {s for s in secretos(n) if s.endswith("_DB_URL")}
        if n in SERVICIOS_NAMEKO + ("gateway",):
            assert bases == {f"{n.upper()}_DB_URL"}, n


def test_cada_proceso_entra_al_broker_con_su_usuario_y_nadie_con_guest():
    """Issue 16: una AMQP_URI_<TIPO> por tipo de proceso (omm_common/broker.py) en el secreto; cada Deployment lee
    como AMQP_URI solo la de su tipo; declarar las colas (Job e init de relays) usa las de notificaciones y casos."""
    from urllib.parse import urlsplit

    from omm_common import broker

    from .sistema import TIPO_BROKER
    ejemplo = _env_archivo(K8S / "secretos.env.example")
    uris = {k: v for k, v in ejemplo.items() if k.startswith("AMQP_URI")}
    assert set(uris) == {broker.variable_uri(t) for t in broker.TIPOS}, "una AMQP_URI_<TIPO> por tipo, sin AMQP_URI"
    for variable, uri in uris.items():
        tipo = variable[len("AMQP_URI_"):].lower()
        assert urlsplit(uri).username == broker.usuario(tipo), variable
        assert urlsplit(uri).scheme == "amqps", f"{variable}: el ejemplo va con TLS"
    textos = [yaml.safe_dump(d) for _, d in _manifiestos()] + list(ejemplo.values())  # sin comentarios
    assert not any("guest" in t for t in textos)
    for nombre, d in _deployments().items():
        for c in _contenedores(d["spec"]["template"]["spec"]):
            refs = {e["name"]: e["valueFrom"]["secretKeyRef"]["key"] for e in c.get("env", [])
                    if "secretKeyRef" in e.get("valueFrom", {}) and e["name"].startswith("AMQP_URI")}
            if c["name"] == "declarar-colas":
                assert refs == {"AMQP_URI_NOTIFICACIONES": "AMQP_URI_NOTIFICACIONES",
                                "AMQP_URI_CASOS": "AMQP_URI_CASOS"}, nombre
            elif c in d["spec"]["template"]["spec"]["containers"]:
                tipo = TIPO_BROKER.get(nombre, nombre)
                assert refs == {"AMQP_URI": broker.variable_uri(tipo)}, nombre
            else:
                assert not refs, f"{nombre}/{c['name']} no usa el broker"
    (job,) = _de_tipo("Job")
    (c,) = job["spec"]["template"]["spec"]["containers"]
    assert {e["name"] for e in c["env"] if e["name"].startswith("AMQP_URI")} == \
        {"AMQP_URI_NOTIFICACIONES", "AMQP_URI_CASOS"}


def test_la_sonda_de_cada_servicio_nameko_pide_con_su_propio_usuario():
    """ClusterRpcProxy a secas liga `standalone_rpc_proxy...`, que ningún usuario del broker puede: la sonda usa
    omm_common.rpc (cola rpc.reply-<servicio>-<uuid>, la del usuario del servicio)."""
    d = _deployments()
    for servicio in SERVICIOS_NAMEKO:
        (c,) = d[servicio]["spec"]["template"]["spec"]["containers"]
        assert c["readinessProbe"]["exec"]["command"] == ["python", "-m", "omm_common.rpc", servicio]
        prueba = _compose()["services"][servicio]["healthcheck"]["test"]
        assert prueba == ["CMD", "python", "-m", "omm_common.rpc", servicio]


def test_cada_variable_que_el_codigo_lee_tiene_de_donde_salir():
    # Las que los manifiestos dan (AMQP_URI sale de la AMQP_URI_<TIPO> de cada uno) y las de la configuración.
    disponibles = {e["name"] for _, pod in _pods() for c in _contenedores(pod) for e in c.get("env", [])}
    disponibles |= set(_configuracion())
    faltan = sorted(_variables_leidas() - disponibles)
    assert not faltan, f"deploy/k8s no define {faltan}"
    assert not set(_configuracion()) & _claves_secretas()


def test_los_deployments_con_base_esperan_sus_migraciones():
    for nombre, d in _deployments().items():
        pod = d["spec"]["template"]["spec"]
        (contenedor,) = pod["containers"]
        bases = sorted(e["name"] for e in contenedor.get("env", []) if e["name"].endswith("_DB_URL"))
        if not bases:
            continue
        espera = [c for c in pod.get("initContainers", []) if c["name"] == "esperar-migraciones"]
        assert espera, f"{nombre} no espera sus migraciones"
        comando = espera[0]["command"]
        assert comando[:2] == ["python", "deploy/k8s/esperar_migraciones.py"]
        assert sorted(f"{s.upper()}_DB_URL" for s in comando[2:]) == bases, nombre
    # El relay publica eventos: las colas de notificaciones existen antes.
    iniciales = [c["command"] for c in _deployments()["relays"]["spec"]["template"]["spec"]["initContainers"]]
    assert ["omm-declarar-colas", "notificaciones.service:Notificaciones", "casos.service:Casos"] in iniciales


def test_esperar_migraciones_espera_hasta_que_la_base_esta_al_dia(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    entorno = {**os.environ, "GATEWAY_DB_URL": db_url}
    script = [sys.executable, str(K8S / "esperar_migraciones.py"), "gateway", "--intervalo", "0.2"]
    r = subprocess.run(script + ["--segundos", "0.5"], env=entorno, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "sin migrar" in r.stderr
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "omm-migrar"), "gateway"], env=entorno,
                   check=True, capture_output=True, timeout=120)
    r = subprocess.run(script, env=entorno, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-500:]


# --- Las sondas exec, corridas de verdad (su /proc/<pid> en lugar del PID 1 del pod) ---

def _sonda_python(sonda):
    comando = sonda["exec"]["command"]
    assert comando[:2] == ["python", "-c"], comando
    return comando[2]


def test_las_sondas_python_compilan():
    for nombre, d in _deployments().items():
        for c in d["spec"]["template"]["spec"]["containers"]:
            for clave in ("readinessProbe", "livenessProbe"):
                sonda = c[clave]
                if "exec" in sonda and sonda["exec"]["command"][:2] == ["python", "-c"]:
                    compile(_sonda_python(sonda), f"{nombre} {clave}", "exec")


def test_la_sonda_de_vida_nameko_ve_la_conexion_amqp_del_proceso():
    """Un hijo con una conexión TCP establecida al «broker» (un socket local) está vivo; sin ella, no."""
    programa = _sonda_python(_deployments()["casos"]["spec"]["template"]["spec"]["containers"][0]["livenessProbe"])
    servidor = socket.create_server(("127.0.0.1", 0))
    puerto = servidor.getsockname()[1]
    aceptadas = []
    threading.Thread(target=lambda: aceptadas.append(servidor.accept()), daemon=True).start()
    entorno = {**os.environ, "AMQP_URI": f"amqp://omm:x@127.0.0.1:{puerto}/"}
    conectado = subprocess.Popen([sys.executable, "-c", f"import socket, time; s = socket.create_connection("
                                  f"('127.0.0.1', {puerto})); print('ok', flush=True); time.sleep(60)"],
                                 stdout=subprocess.PIPE)
    suelto = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert conectado.stdout.readline().strip() == b"ok"
        for hijo, esperado in ((conectado, 0), (suelto, 1)):
            r = subprocess.run([sys.executable, "-c", programa.replace("/proc/1/", f"/proc/{hijo.pid}/")],
                               env=entorno, capture_output=True, timeout=30)
            assert r.returncode == esperado, r.stderr[-300:]
    finally:
        for hijo in (conectado, suelto):
            hijo.kill()
            hijo.wait()
        servidor.close()


def test_la_sonda_de_vida_del_gateway_acepta_503_pero_no_el_silencio():
    programa = _sonda_python(_deployments()["gateway"]["spec"]["template"]["spec"]["containers"][0]["livenessProbe"])
    # El servidor degradado corre en otro proceso: en el de pytest, nameko ya parcheó los hilos con eventlet
    # y un servidor en un hilo dejaba colgada la corrida entera.
    servidor = subprocess.Popen([sys.executable, "-c", (
        "import http.server, sys\n"
        "class D(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        self.send_response(503); self.end_headers()\n"
        "    def log_message(self, *a):\n"
        "        pass\n"
        "s = http.server.HTTPServer(('127.0.0.1', 0), D)\n"
        "print(s.server_address[1], flush=True)\n"
        "s.serve_forever()\n")], stdout=subprocess.PIPE, text=True)
    try:
        puerto = int(servidor.stdout.readline())
        r = subprocess.run([sys.executable, "-c", programa.replace("127.0.0.1:8000", f"127.0.0.1:{puerto}")],
                           capture_output=True, timeout=30)
        assert r.returncode == 0, r.stderr[-300:]
    finally:
        servidor.kill()
        servidor.wait(10)
    r = subprocess.run([sys.executable, "-c", programa.replace("127.0.0.1:8000", f"127.0.0.1:{puerto}")],
                       capture_output=True, timeout=30)
    assert r.returncode != 0


def test_la_sonda_de_relays_y_beat_distingue_su_proceso():
    d = _deployments()
    for nombre, marca in (("relays", "omm-relay"), ("celery_beat", "beat")):
        programa = _sonda_python(d[nombre]["spec"]["template"]["spec"]["containers"][0]["livenessProbe"])
        for argumento, esperado in ((marca, 0), ("otro-proceso", 1)):
            hijo = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", argumento])
            try:
                r = subprocess.run([sys.executable, "-c", programa.replace("/proc/1/", f"/proc/{hijo.pid}/")],
                                   capture_output=True, timeout=30)
                assert r.returncode == esperado, f"{nombre} con {argumento}"
            finally:
                hijo.kill()
                hijo.wait()
