// The practice round (Øvingsrunde): what is practised stays in this tab's sessionStorage and goes when the
// tab closes. walk.js and conversation.js ask this instead of posting, and it never touches the outbox, so
// nothing practised can be sent, counted or shown on a real turf (canvass/services/field/practice.py says why).
var CanvassPractice = (function () {
  "use strict";
  var KEY = "canvass-practice";
  function all() {
    try { return JSON.parse(sessionStorage.getItem(KEY)) || {}; } catch (e) { return {}; }
  }
  // One line per door, like the walk list: the latest tap, or none after an undo.
  function keep(a, u, outcome, id, at) {
    var kept = all(), key = a + " " + u;
    delete kept[key];
    if (outcome) {
      kept[key] = { type: "visit", turf_id: 0, id: id || String(Date.now()), outcome: outcome, address_id: Number(a),
                    unit: u, recorded_at: at || CanvassStore.now() };
    }
    sessionStorage.setItem(KEY, JSON.stringify(kept));
  }
  function back(form) {
    var a = form.elements.address_id.value, u = form.elements.unit.value;
    return { a: a, u: u, url: document.querySelector("[data-back]").getAttribute("href") + "#d-" + a + "-" + u };
  }

  // The conversation page's other outcomes: kept here too, and back to the door.
  var more = document.querySelector("[data-practice-more]");
  if (more) more.addEventListener("submit", function (e) {
    e.preventDefault();
    var door = back(more);
    keep(door.a, door.u, e.submitter && e.submitter.value);
    location.replace(door.url);
  });

  return {
    // A tap, or (with `corrects`) an undo, answered as the server would answer it, without a request.
    post: function (li, fields) {
      // A door practised without script is in the session cookie: its undo goes to the server, as then.
      if (fields.corrects === "ovelse") {
        li.closest("form").requestSubmit(li.querySelector(".undo"));
        return new Promise(function () {});
      }
      keep(li.dataset.a, li.dataset.u, fields.corrects ? null : fields.outcome, fields.id, fields.recorded_at);
      return Promise.resolve({ status: fields.corrects ? "undone" : "kept" });
    },
    // What walk.js would read from the phone: nothing sent lately, and every practised door as "kept".
    known: function () {
      var kept = all();
      return Promise.resolve([[], Object.keys(kept).map(function (k) { return kept[k]; })]);
    },
    // A checked practice conversation: kept, and the walk list takes this page's place in the history.
    save: function (form) {
      var door = back(form);
      keep(door.a, door.u, "conversation", form.elements.id.value, form.elements.recorded_at.value);
      location.replace(door.url);
    }
  };
})();
