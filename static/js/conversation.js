// The conversation form: its id given when it opens (so Back and save again is the same record), the
// door it is about, contact details only after consent and checked here, offline too; saved, it gives
// way to the walk list in the history.
(function () {
  "use strict";
  var query = new URLSearchParams(location.search);
  var form = document.querySelector("[data-conversation]");
  if (!form) return;
  var texts = JSON.parse(form.dataset.texts);
  // The script checks and says why itself (refuse, below); without it the browser's checks still hold.
  form.noValidate = true;
  var door = "d-" + query.get("address_id") + "-" + (query.get("unit") || "");
  var where = document.querySelector("[data-door-label]");
  var label = sessionStorage.getItem(door);
  if (where && label) where.textContent = label;
  if (location.hash === "#mer") document.getElementById("mer").open = true;

  // The id belongs to this visit of the page: kept in its history entry, so Back shows the same record.
  var state = history.state || {};
  if (!state.id) {
    state = { id: CanvassStore.newId(), recorded_at: CanvassStore.now() };
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
  // Wanting to be contacted or to join needs the contact part: it opens with either tick.
  ["wants_contact", "wants_membership"].forEach(function (name) {
    form.elements[name].addEventListener("change", function () {
      if (form.elements[name].checked) form.querySelector("details.consent").open = true;
    });
  });

  // What the browser cannot say with attributes alone, and all of it in the app's words, not the browser's:
  // a name, a way to reach them, and something said at all.
  function check() {
    var name = form.elements.name, phone = form.elements.phone, email = form.elements.email;
    name.setCustomValidity(consent.checked && !name.value.trim() ? texts.name : "");
    phone.setCustomValidity("");
    email.setCustomValidity("");
    var unreachable = consent.checked && !phone.value.trim() && !email.value.trim();
    phone.setCustomValidity(unreachable || phone.validity.patternMismatch ? texts.reach : "");
    email.setCustomValidity(email.validity.typeMismatch ? texts.reach : "");
    var answered = Array.prototype.some.call(form.querySelectorAll("[name^=answer]"), function (field) {
      return (field.type !== "radio" && field.type !== "checkbox" || field.checked) && field.value.trim();
    });
    var empty = !form.querySelector("[name=topic]:checked") && !form.elements.words.value.trim() &&
      !form.querySelector("[name=importance]:checked") && !consent.checked && !answered;
    form.elements.words.setCustomValidity(empty ? texts.empty : "");
    var why = form.elements.wants_membership.checked || form.elements.wants_contact.checked;
    consent.setCustomValidity(consent.checked && !why ? texts.why : "");
  }
  function show(text) { said.textContent = text; said.hidden = !text; }
  // The first field in the way, with the message beside it and in the form's alert.
  function refuse() {
    var field = form.querySelector(":invalid:not(fieldset)");
    if (!field) return;
    if (field.closest("details")) field.closest("details").open = true;
    var note = field.parentNode.querySelector(".field-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "error field-error";
      note.id = field.id + "-error";
      field.after(note);
      field.setAttribute("aria-describedby", note.id);
    }
    note.textContent = field.validationMessage;
    show(field.validationMessage);
    field.focus();
  }
  function clearNotes() {
    form.querySelectorAll(".field-error").forEach(function (note) {
      var field = note.previousElementSibling;
      if (field && field.checkValidity()) note.textContent = "";
    });
  }

  form.addEventListener("submit", function (e) {
    check();
    if (!form.checkValidity()) { e.preventDefault(); refuse(); return; }
    e.preventDefault();
    if (window.CanvassPractice) return CanvassPractice.save(form);
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (!response.ok) { show(texts.refused.replace("%s", answer.error || response.status)); return; }
          CanvassStore.remember(Object.assign({ type: "visit", turf_id: Number(form.elements.turf_id.value),
                                                by: document.body.dataset.user }, answer.event));
          // The list shows the door's outcome once, in its own line; here only what the server turned down.
          sessionStorage.setItem("said", JSON.stringify({ door: door, text: answer.refused ? answer.refused.reason : "" }));
          // Saving replaces this page in the history: Back goes to the list, not to the filled form.
          location.replace(form.dataset.walk + "#" + door);
        });
      })
      .catch(function () { show(texts.offline); })
      .then(function () { button.disabled = false; });
  });
  // Checked as the form changes too: a stale message would keep the browser from sending the form at all.
  form.addEventListener("input", function () { show(""); check(); clearNotes(); });
  form.addEventListener("change", check);
})();
