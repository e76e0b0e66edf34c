// The field app's forms: a fresh id and the phone's clock on every record, and the door filled in from
// its link (also when the page comes from the offline cache).
(function () {
  "use strict";
  function stamp(form) {
    if (form.elements.id && !form.elements.id.value) form.elements.id.value = CanvassStore.newId();
    if (form.elements.recorded_at && !form.elements.recorded_at.value) form.elements.recorded_at.value = CanvassStore.now();
  }
  // Capture phase: the id must be in place before anything reads the form.
  document.addEventListener("submit", function (e) { stamp(e.target); }, true);

  var query = new URLSearchParams(location.search);
  document.querySelectorAll("[data-from-query]").forEach(function (el) {
    var value = query.get(el.dataset.fromQuery);
    if (value) el["value" in el ? "value" : "textContent"] = value;
  });

  // A missing address: the phone's position, only when the canvasser ticks for it.
  document.querySelectorAll("[data-position]").forEach(function (box) {
    var form = box.form;
    if (navigator.geolocation) box.parentNode.hidden = false;
    box.addEventListener("change", function () {
      form.lat.value = form.lon.value = "";
      if (box.checked) navigator.geolocation.getCurrentPosition(function (p) {
        form.lat.value = p.coords.latitude;
        form.lon.value = p.coords.longitude;
      }, function () { box.checked = false; });
    });
  });
})();
