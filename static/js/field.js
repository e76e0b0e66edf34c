// The field app's forms: a fresh id and the phone's clock on every record, and the door filled in from
// its link (also when the page comes from the offline cache).
(function () {
  "use strict";
  function stamp(form) {
    if (form.elements.id && !form.elements.id.value) form.elements.id.value = CanvassStore.newId();
    if (form.elements.recorded_at && !form.elements.recorded_at.value) form.elements.recorded_at.value = new Date().toISOString();
  }
  // Capture phase: the id must be in place before anything reads the form.
  document.addEventListener("submit", function (e) { stamp(e.target); }, true);

  var query = new URLSearchParams(location.search);
  document.querySelectorAll("[data-from-query]").forEach(function (input) {
    input.value = query.get(input.dataset.fromQuery) || input.value;
  });
})();
