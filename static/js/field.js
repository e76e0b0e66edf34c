// The field app's forms: a fresh id and the phone's clock on every record, the conversation's id given
// when the form opens (so Back and save again is the same record), the door filled in from its link
// (also when the page comes from the offline cache), contact details only after consent and checked here.
(function () {
  "use strict";
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  window.CanvassId = uuid;
  function stamp(form) {
    if (form.elements.id && !form.elements.id.value) form.elements.id.value = uuid();
    if (form.elements.recorded_at && !form.elements.recorded_at.value) form.elements.recorded_at.value = new Date().toISOString();
  }
  // Capture phase: the id must be in place before anything reads the form.
  document.addEventListener("submit", function (e) { stamp(e.target); }, true);

  var query = new URLSearchParams(location.search);
  document.querySelectorAll("[data-from-query]").forEach(function (input) {
    input.value = query.get(input.dataset.fromQuery) || input.value;
  });

  var form = document.querySelector("[data-conversation]");
  if (!form) return;
  var texts = JSON.parse(form.dataset.texts);
  var door = "d-" + query.get("address_id") + "-" + (query.get("unit") || "");
  var where = document.querySelector("[data-door-label]");
  var label = sessionStorage.getItem(door);
  if (where && label) where.textContent = label;
  if (location.hash === "#mer") document.getElementById("mer").open = true;

  // The id belongs to this visit of the page: kept in its history entry, so Back shows the same record.
  var state = history.state || {};
  if (!state.id) {
    state = { id: uuid(), recorded_at: new Date().toISOString() };
    history.replaceState(state, "");
  }
  form.elements.id.value = state.id;
  form.elements.recorded_at.value = state.recorded_at;

  var consent = form.querySelector("[data-consent]");
  var contact = form.querySelector("[data-contact]");
  var said = form.querySelector("[data-said]");
  function toggle() {
    contact.disabled = !consent.checked;
    form.elements.name.required = consent.checked;
  }
  consent.addEventListener("change", toggle);
  toggle();

  // What the browser cannot say with attributes alone: a way to reach them, and something said at all.
  function check() {
    var phone = form.elements.phone, email = form.elements.email;
    phone.setCustomValidity(consent.checked && !phone.value.trim() && !email.value.trim() ? texts.reach : "");
    var empty = !form.querySelector("[name=topic]:checked") && !form.elements.words.value.trim() &&
      !form.querySelector("[name=importance]:checked") && !consent.checked;
    form.elements.words.setCustomValidity(empty ? texts.empty : "");
    var why = form.elements.wants_membership.checked || form.elements.wants_contact.checked;
    consent.setCustomValidity(consent.checked && !why ? texts.why : "");
  }
  function show(text) { said.textContent = text; said.hidden = !text; }

  form.addEventListener("submit", function (e) {
    check();
    if (!form.checkValidity()) { e.preventDefault(); form.reportValidity(); return; }
    e.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (!response.ok) { show(texts.refused.replace("%s", answer.error || response.status)); return; }
          CanvassStore.remember(Object.assign({ type: "visit", turf_id: Number(form.elements.turf_id.value) },
                                              answer.event));
          var line = texts.saved + (answer.refused ? " · " + answer.refused.reason : "");
          sessionStorage.setItem("said", JSON.stringify({ door: door, text: line }));
          // Saving replaces this page in the history: Back goes to the list, not to the filled form.
          location.replace(form.dataset.walk + "#" + door);
        });
      })
      .catch(function () { show(texts.offline); })
      .then(function () { button.disabled = false; });
  });
  form.addEventListener("input", function () { show(""); form.elements.words.setCustomValidity(""); });
})();
