// The field app's own behaviour: a fresh id and the phone's clock on every record, the conversation
// form filled from its link (also when the page comes from the offline cache), contact details
// only after consent.
(function () {
  "use strict";
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function stamp(form) {
    if (form.elements.id) form.elements.id.value = uuid();
    if (form.elements.recorded_at) form.elements.recorded_at.value = new Date().toISOString();
  }
  // Capture phase: the id must be in place before htmx reads the form.
  document.addEventListener("submit", function (e) { stamp(e.target); }, true);
  document.addEventListener("htmx:configRequest", function (e) {
    var form = e.detail.elt.closest && e.detail.elt.closest("form");
    if (form && form.elements.id && !e.detail.parameters.id) {
      stamp(form);
      e.detail.parameters.id = form.elements.id.value;
      e.detail.parameters.recorded_at = form.elements.recorded_at.value;
    }
  });

  var query = new URLSearchParams(location.search);
  document.querySelectorAll("[data-from-query]").forEach(function (input) {
    if (!input.value) input.value = query.get(input.dataset.fromQuery) || "";
  });

  var consent = document.querySelector("[data-consent]");
  var contact = document.querySelector("[data-contact]");
  if (consent && contact) {
    var toggle = function () { contact.disabled = !consent.checked; };
    consent.addEventListener("change", toggle);
    toggle();
  }
})();
