// La página de /api/v1/docs: Swagger UI con el documento de este mismo gateway. Sin validador externo
// (validatorUrl: null): la página no habla con ningún otro servidor.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
    displayOperationId: true,
    defaultModelsExpandDepth: 0,
  });
});
