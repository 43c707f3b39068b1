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
  // Importación: barra de progreso mientras el archivo sube y mientras el servidor revisa las filas; luego la
  // página de resultados (con los errores por fila) reemplaza a esta. Sin JavaScript el formulario se envía igual.
  // <form data-progreso="id-de-un-progress-hidden">; si existe #id-texto (role=status), dice en palabras qué pasa.
  var imp = document.querySelector("form[data-progreso]");
  if (imp && window.XMLHttpRequest && window.FormData) {
    imp.addEventListener("submit", function (ev) {
      var id = imp.getAttribute("data-progreso");
      var barra = document.getElementById(id);
      if (!barra || ev.defaultPrevented) { return; }
      ev.preventDefault();
      var texto = document.getElementById(id + "-texto");
      var decir = function (t) { if (texto) { texto.textContent = t; } };
      var boton = imp.querySelector("button[type=submit]");
      if (boton) { boton.disabled = true; }
      barra.hidden = false;
      barra.value = 0;
      decir("Subiendo el archivo…");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", imp.action);
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          var p = Math.round(100 * e.loaded / e.total);
          barra.value = Math.round(p / 2);
          decir("Subiendo el archivo: " + p + " %");
        }
      };
      // Subido: el servidor revisa fila por fila; sin saber cuánto falta, la barra queda «en curso».
      xhr.upload.onload = function () { barra.removeAttribute("value"); decir("Revisando las filas…"); };
      xhr.onload = function () {
        barra.value = 100;
        decir("Listo.");
        clearTimeout(limite);  // la página nueva pone su propio reloj de inactividad
        document.open(); document.write(xhr.responseText); document.close();
      };
      xhr.onerror = function () {
        // Sin conexión a medias: se envía como un formulario común (la página dirá qué pasó).
        barra.hidden = true;
        decir("");
        HTMLFormElement.prototype.submit.call(imp);
      };
      xhr.send(new FormData(imp));
    });
  }
  // Imprimir la página (un recibo): el botón solo aparece si hay JavaScript; sin él, el PDF.
  Array.prototype.forEach.call(document.querySelectorAll("button[data-imprimir]"), function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();
