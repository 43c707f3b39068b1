"""Un Chromium de verdad (Debian) manejado por Selenium, como lo usa una persona: en cada página que visita
corre axe-core, guarda capturas a 1280 y 360 px y anota la URL (que nunca debe llevar un nombre ni un DNI)."""
import json
import os
import re
from pathlib import Path

from axe_core_python import selenium as _axe_paquete  # noqa: F401 - trae axe.min.js
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

AXE = (Path(_axe_paquete.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
RAIZ = Path(__file__).resolve().parents[1]
CARPETA_CAPTURAS = Path(os.environ.get("OMM_CAPTURAS", RAIZ / "var" / "capturas"))
ANCHOS = {"1280": (1280, 900), "360": (360, 780)}


class ViolacionesAxe(AssertionError):
    pass


def ya_no_esta(viejo):
    """Como EC.staleness_of, pero Chromium 156 a veces responde por un nodo de la página anterior «does not belong
    to the document» (WebDriverException) en vez de StaleElementReference: también quiere decir que ya cambió."""
    def predicado(_):
        try:
            viejo.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
    return predicado


class Navegador:
    def __init__(self, base, nombre):
        opciones = webdriver.ChromeOptions()
        opciones.binary_location = os.environ.get("OMM_CHROMIUM", "/usr/bin/chromium")
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--lang=es-HN", "--window-size=1280,900", "--disable-extensions"):
            opciones.add_argument(a)
        servicio = Service(os.environ.get("OMM_CHROMEDRIVER", "/usr/bin/chromedriver"))
        self.driver = webdriver.Chrome(options=opciones, service=servicio)
        self.driver.set_page_load_timeout(60)
        self.base = base
        self.nombre = nombre
        self.urls = []  # todas las visitadas
        self.paginas = []  # (nombre, url, bytes transferidos)
        self.carpeta = CARPETA_CAPTURAS / nombre
        self.carpeta.mkdir(parents=True, exist_ok=True)
        self._n = 0

    def cerrar(self):
        self.driver.quit()

    # --- moverse ---

    def ir(self, ruta, nombre=None):
        self.driver.get(self.base + ruta)
        return self.revisar(nombre or ruta)

    def encontrar(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def todos(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def escribir(self, selector, texto, limpiar=True):
        campo = self.encontrar(selector)
        if limpiar:
            campo.clear()
        campo.send_keys(texto)
        return campo

    def elegir(self, selector, valor=None, texto=None):
        from selenium.webdriver.support.ui import Select
        s = Select(self.encontrar(selector))
        if valor is not None:
            s.select_by_value(valor)
        else:
            s.select_by_visible_text(texto)

    def _pulsar(self, buscar):
        """Busca y pulsa cuando la página terminó de cargar. Si Chromium dice que el nodo ya no es del documento
        (la página se estaba cambiando), lo busca de nuevo: el clic no llegó a darse."""
        for intento in range(3):
            WebDriverWait(self.driver, 30).until(
                lambda d: d.execute_script("return document.readyState") == "complete")
            viejo = self.driver.find_element(By.TAG_NAME, "html")
            try:
                buscar().click()
                return viejo
            except (StaleElementReferenceException, WebDriverException) as exc:
                if intento == 2 or not (isinstance(exc, StaleElementReferenceException)
                                        or "does not belong to the document" in str(exc)):
                    raise

    def enviar(self, selector="main form button[type=submit]", nombre=None):
        """Pulsa el botón y espera la página nueva; la revisa como a toda página visitada."""
        viejo = self._pulsar(lambda: self.encontrar(selector))
        WebDriverWait(self.driver, 60).until(ya_no_esta(viejo))
        return self.revisar(nombre or "tras-enviar")

    def clic(self, texto_enlace, nombre=None):
        viejo = self._pulsar(lambda: self.driver.find_element(By.PARTIAL_LINK_TEXT, texto_enlace))
        WebDriverWait(self.driver, 60).until(ya_no_esta(viejo))
        return self.revisar(nombre or texto_enlace)

    def entrar(self, usuario, contrasena):
        self.ir("/entrar", "entrar")
        self.escribir("#usuario", usuario)
        self.escribir("#contrasena", contrasena)
        return self.enviar(nombre="inicio")

    def salir(self):
        viejo = self._pulsar(lambda: self.encontrar("#form-salir button"))
        WebDriverWait(self.driver, 30).until(ya_no_esta(viejo))
        self.urls.append(self.driver.current_url)

    @property
    def texto(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    @property
    def titulo(self):
        return self.driver.title

    # --- revisar cada página ---

    def revisar(self, nombre):
        """axe-core sin violaciones serias ni críticas; capturas a 1280 y 360 px sin desplazamiento horizontal."""
        d = self.driver
        self.urls.append(d.current_url)
        self._n += 1
        archivo = f"{self._n:02d}-{re.sub(r'[^a-z0-9]+', '-', nombre.lower()).strip('-')[:50] or 'pagina'}"
        resultado = self.axe()
        graves = [v for v in resultado["violations"] if v.get("impact") in ("serious", "critical")]
        transferido = d.execute_script(
            "const n = performance.getEntriesByType('navigation')[0]; "
            "const r = performance.getEntriesByType('resource'); "
            "return (n ? n.transferSize : 0) + r.reduce((s, x) => s + (x.transferSize || 0), 0);")
        self.paginas.append((nombre, d.current_url.replace(self.base, ""), transferido))
        desbordes = {}
        for ancho, (w, h) in ANCHOS.items():
            d.set_window_size(w, h)
            d.save_screenshot(str(self.carpeta / f"{archivo}-{ancho}.png"))
            desbordes[ancho] = d.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
        d.set_window_size(*ANCHOS["1280"])
        if graves:
            raise ViolacionesAxe(f"axe-core en {nombre} ({d.current_url}): " + json.dumps(
                [{"id": v["id"], "impacto": v["impact"], "nodos": [n["target"] for n in v["nodes"]][:5]}
                 for v in graves], ensure_ascii=False))
        assert desbordes["360"] <= 1, f"{nombre}: a 360 px la página se desplaza {desbordes['360']} px a lo ancho"
        return self

    def axe(self):
        d = self.driver
        if not d.execute_script("return typeof window.axe !== 'undefined';"):
            d.execute_script(AXE)
        return d.execute_async_script(
            "const listo = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(listo).catch(e => listo({violations: [], error: String(e)}));")

    def sin_datos_en_urls(self, *prohibidos):
        for url in self.urls:
            for p in prohibidos:
                if p:
                    assert p.lower() not in url.lower(), f"la URL {url} lleva «{p}»"


def entrar_sin_javascript(base, usuario, contrasena=None, destino=None):
    """Como un navegador sin JavaScript: pide el formulario de entrada y lo envía con su CSRF. Devuelve la sesión
    (requests) ya dentro; con `destino`, comprueba también adónde la llevó."""
    import requests

    from omm_pruebas import CONTRASENA_PRUEBAS
    s = requests.Session()
    csrf = re.search(r'name="csrf" value="([^"]+)"', s.get(f"{base}/entrar").text).group(1)
    r = s.post(f"{base}/entrar", data={"csrf": csrf, "usuario": usuario, "contrasena": contrasena or CONTRASENA_PRUEBAS},
               allow_redirects=False)
    assert r.status_code == 303 and (destino is None or r.headers["Location"] == destino), r.text[:300]
    return s
