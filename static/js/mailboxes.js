// A leaflet round: one tap marks an entrance done (a `mailboxes` visit, docs/sync.md 1.4), offline too through the
// service worker's outbox. Each entrance's form gets its record's id when the page is shown, so a double tap or a
// retry is the same record; the counts are checked here before anything is kept or sent, and again on the server.
(function () {
  "use strict";
  var list = document.querySelector("ol.entrances");
  if (!list) return;
  var texts = JSON.parse(list.dataset.texts), turf = Number(list.dataset.turf);
  function $(selector, root) { return (root || document).querySelector(selector); }
  function fresh(li) {
    $("[name=id]", li).value = CanvassStore.newId();
    $("[name=recorded_at]", li).value = "";
  }
  function say(li, text) { $("[data-said]", li).textContent = text || ""; }

  function tally() {
    var done = list.querySelectorAll("li.done"), reached = 0;
    done.forEach(function (li) { reached += Number(li.dataset.n); });
    $("[data-done-count]").textContent = done.length;
    $("[data-reached]").textContent = reached;
  }

  // Done (with the record's id) or open again (id null).
  function show(li, id, when, t) {
    li.classList.toggle("done", !!id);
    li.dataset.id = id || "";
    if (t) li.dataset.t = t;
    $("[data-result]", li).hidden = !id;
    $("[data-mark]", li).hidden = !!id;
    $(".when", li).textContent = when || "";
    $("[name=undo]", li).value = id ? id + " mailboxes " + li.dataset.a + " " : "";
    tally();
  }

  // A number field holding text it cannot read ("e") has an empty value: that is not 0.
  function count(input) {
    var value = input.value.trim();
    if (input.validity.badInput) return NaN;
    return !value ? 0 : /^[0-9]{1,9}$/.test(value) ? Number(value) : NaN;
  }

  function post(li, url, fields) { return CanvassStore.post(li, $("form", li), url, fields, turf, say, texts); }

  list.addEventListener("click", function (e) {
    var button = e.target.closest("button[name=tap], button[name=undo]");
    if (!button) return;
    e.preventDefault();
    var li = button.closest("li"), form = $("form", li);
    if (button.name === "undo") {
      return post(li, list.dataset.undo, { id: CanvassStore.newId(), recorded_at: CanvassStore.now(),
                                           corrects: button.value.split(" ")[0], outcome: "mailboxes", unit: "" })
        .then(function (answer) {
          if (!answer) return;
          fresh(li);
          show(li, null);
          say(li, texts.undone);
        });
    }
    var n = Number(li.dataset.n), given = count(form.elements.no_ads) + count(form.elements.locked);
    if (isNaN(given)) return say(li, texts.count);
    if (given > n) return say(li, texts.many.replace("{n}", n).replace("{g}", given));
    var stamp = form.elements.recorded_at;
    if (!stamp.value) stamp.value = CanvassStore.now();
    post(li, form.action, { tap: button.value }).then(function (answer) {
      if (!answer) return;
      say(li, "");
      show(li, form.elements.id.value, answer.status === "kept" ? texts.kept : "", stamp.value);
    });
  });

  // A mark or an undo known beyond the page: from this phone (outbox, recent) or from a partner's (the poll).
  function apply(event, when) {
    if (event.type !== "visit" || event.turf_id !== turf || event.unit) return;
    var li = event.corrects ? list.querySelector('li[data-id="' + CSS.escape(event.corrects) + '"]')
      : event.outcome === "mailboxes" && document.getElementById("a-" + event.address_id);
    if (!li) return;
    if (event.corrects) {
      fresh(li);
      show(li, null);
    } else if (!(li.dataset.t >= event.recorded_at)) {
      show(li, event.id, when, event.recorded_at);
    }
  }

  // Every open entrance gets its id now; then what this phone knows beyond the (maybe cached) page.
  list.querySelectorAll("li:not(.done)").forEach(fresh);
  Promise.all([CanvassStore.get("recent"), CanvassStore.all()]).then(function (known) {
    var outbox = known[1].map(function (e) { return e.id; });
    (known[0] || []).concat(known[1]).sort(function (a, b) { return a.recorded_at < b.recorded_at ? -1 : 1; })
      .forEach(function (event) { apply(event, outbox.indexOf(event.id) >= 0 ? texts.kept : ""); });
    poll();
  });

  CanvassStore.clearSent(function () { return list.querySelectorAll("li.entrance"); }, texts.kept);

  // The partner's marks and undos (and one's own from another phone), so two on one round do not both climb the
  // same stairs.
  var poll = CanvassStore.watch(list.dataset.poll, function (states) {
    states.forEach(function (s) {
      if (s[2] === "door") return;
      apply({ type: "visit", turf_id: turf, address_id: s[0], unit: s[1], outcome: s[2], recorded_at: s[3],
              id: s[4], corrects: s[2] === "undone" ? s[5] : null }, "");
    });
  });

  var map = $("[data-map-script]");
  if (map) map.addEventListener("toggle", function load() {
    map.removeEventListener("toggle", load);
    var el = document.createElement("script");
    el.src = map.dataset.mapScript;
    document.head.appendChild(el);
  });
})();
