/* OMM: lo poco que hace falta con JavaScript; todo formulario funciona también sin él. */
(function () {
  "use strict";
  var cuerpo = document.body;
  // Inactividad: al vencer, la pantalla se limpia y la sesión se cierra (el servidor la vence igual).
  var segundos = parseInt(cuerpo.getAttribute("data-inactividad") || "0", 10);
  if (segundos > 0) {
    var limite;
    var reiniciar = function () {
      clearTimeout(limite);
      limite = setTimeout(function () {
        cuerpo.classList.add("pantalla-cerrada");
        var main = document.getElementById("contenido");
        if (main) { main.textContent = ""; }
        var motivo = document.getElementById("motivo-salir");
        var form = document.getElementById("form-salir");
        if (motivo && form) { motivo.value = "inactividad"; form.submit(); }
      }, segundos * 1000);
    };
    ["click", "keydown", "touchstart", "input"].forEach(function (e) {
      document.addEventListener(e, reiniciar, { passive: true });
    });
    reiniciar();
  }
  // Confirmación antes de lo que no se deshace (anular, cerrar un caso): data-confirmar="texto".
  document.addEventListener("submit", function (ev) {
    var texto = ev.target.getAttribute("data-confirmar");
    if (texto && !window.confirm(texto)) { ev.preventDefault(); return; }
    // Un doble toque no manda dos veces (y si mandara, la clave del formulario lo vuelve inofensivo).
    var boton = ev.target.querySelector("button[type=submit]");
    if (boton && ev.target.getAttribute("data-una-vez") !== null) { setTimeout(function () { boton.disabled = true; }, 0); }
  });
  // Importación: barra de progreso mientras el archivo sube.
  var imp = document.querySelector("form[data-progreso]");
  if (imp && window.XMLHttpRequest && window.FormData) {
    imp.addEventListener("submit", function (ev) {
      var barra = document.getElementById(imp.getAttribute("data-progreso"));
      if (!barra) { return; }
      ev.preventDefault();
      barra.hidden = false;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", imp.action);
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) { barra.value = Math.round(50 * e.loaded / e.total); } };
      xhr.onprogress = function () { barra.value = Math.max(barra.value, 75); };
      xhr.onload = function () {
        barra.value = 100;
        document.open(); document.write(xhr.responseText); document.close();
      };
      xhr.onerror = function () { imp.submit(); };
      xhr.send(new FormData(imp));
    });
  }
})();
