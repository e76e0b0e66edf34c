// The walk list: one form for the whole turf, read by event delegation. A tap records its door and folds
// it into one line; what the server, the partner's phone and this phone's outbox know shows on every door;
// "Neste dør" and the count follow. Answers come as data and are shown through the page's <template>.
(function () {
  "use strict";
  var form = document.getElementById("doors");
  if (!form) return;
  var texts = JSON.parse(form.dataset.texts), labels = JSON.parse(form.dataset.labels);
  var line = document.getElementById("door-done").content.firstElementChild;
  var turf = Number(form.dataset.turf), secondRound = !!form.dataset.secondRound;
  var taps = {}, current = null;
  var SAME_TAP = 5000;

  function byId(a, u) { return document.getElementById("d-" + a + "-" + u); }
  function doors() { return Array.prototype.slice.call(form.querySelectorAll("li.door")); }

  function say(li, text) {
    var old = li.querySelector(".said");
    if (old) old.remove();
    if (!text) return;
    var note = document.createElement("span");
    note.className = "said";
    note.setAttribute("role", "status");
    note.textContent = text;
    li.querySelector(".door-name").after(note);
  }

  function fold(li, outcome, id, when, t) {
    var old = li.querySelector(".result");
    if (old) old.remove();
    say(li, "");
    var shown = line.cloneNode(true);
    shown.querySelector(".what").textContent = (labels[outcome] || outcome) + " ✓";
    shown.querySelector(".when").textContent = when || "";
    var undo = shown.querySelector("button");
    if (id) undo.value = [id, outcome, li.dataset.a, li.dataset.u].join(" ");
    else undo.remove();
    li.querySelector(".door-name").after(shown);
    li.classList.add("done");
    li.dataset.o = outcome;
    li.dataset.id = id || "";
    if (t) li.dataset.t = t;
  }

  function unfold(li) {
    var old = li.querySelector(".result");
    if (old) old.remove();
    li.classList.remove("done");
    delete li.dataset.o;
    li.dataset.id = "";
  }

  // The evening so far: the bar's count, the summary, and where "Neste dør" goes.
  function tally() {
    var all = doors(), done = all.filter(function (li) { return li.classList.contains("done"); });
    var count = function (o) { return done.filter(function (li) { return li.dataset.o === o; }).length; };
    var set = function (selector, n) { var el = document.querySelector(selector); if (el) el.textContent = String(n); };
    set("[data-done-count]", done.length);
    set('[data-count="done"]', done.length);
    set('[data-count="conversation"]', count("conversation"));
    set('[data-count="not_home"]', count("not_home"));
    var title = document.getElementById("summary-title");
    if (title && done.length === all.length) title.textContent = title.dataset.finished;
    var next = document.querySelector("[data-next]");
    if (next) next.href = "#" + nextDoor(all).id;
  }

  function nextDoor(all) {
    var start = current ? all.indexOf(current) + 1 : 0;
    for (var i = 0; i < all.length; i++) {
      var li = all[(start + i) % all.length];
      if (!li.classList.contains("done")) return li;
    }
    return document.getElementById("summary-title");
  }

  function post(li, data, url) {
    var buttons = li.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    return fetch(url || form.action, { method: "POST", body: data, credentials: "same-origin",
                                       headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (response.ok) return answer;
          say(li, texts.refused.replace("%s", answer.error || response.status));
          return null;
        });
      })
      .catch(function () { say(li, texts.offline); return null; })
      .then(function (answer) { buttons.forEach(function (b) { b.disabled = false; }); return answer; });
  }

  function record(li, outcome) {
    var key = li.id, now = Date.now(), before = taps[key];
    // A second tap on the same door within seconds is the same record, with the same id.
    var tap = before && before.outcome === outcome && now - before.at < SAME_TAP ? before
      : { id: CanvassId(), recorded_at: new Date().toISOString(), outcome: outcome, at: now };
    taps[key] = tap;
    var data = new FormData(form);
    data.set("id", tap.id);
    data.set("recorded_at", tap.recorded_at);
    data.set("address_id", li.dataset.a);
    data.set("unit", li.dataset.u);
    data.set("outcome", outcome);
    return post(li, data).then(function (answer) {
      if (!answer) return;
      CanvassStore.remember(Object.assign({ type: "visit", turf_id: turf }, answer.event));
      current = li;
      fold(li, outcome, tap.id, answer.status === "kept" ? texts.kept : "", tap.recorded_at);
      tally();
    });
  }

  function undo(li, button) {
    var parts = button.value.split(" ");
    var data = new FormData(form);
    data.set("id", CanvassId());
    data.set("recorded_at", new Date().toISOString());
    data.set("corrects", parts[0]);
    data.set("outcome", parts[1]);
    data.set("address_id", li.dataset.a);
    data.set("unit", li.dataset.u);
    return post(li, data, form.action.replace(/besok$/, "angre")).then(function (answer) {
      if (!answer) return;
      CanvassStore.remember(Object.assign({ type: "visit", turf_id: turf }, answer.event));
      delete taps[li.id];
      unfold(li);
      say(li, texts.undone);
      tally();
    });
  }

  form.addEventListener("click", function (e) {
    var button = e.target.closest("button[name=tap], button[name=undo]");
    if (!button) return;
    e.preventDefault();
    var li = button.closest("li.door");
    if (button.name === "undo") return undo(li, button);
    var outcome = button.value.split(" ")[0];
    if (outcome === "conversation" || outcome === "more") {
      // The door's own page; it shows this door's label even when it comes from the offline cache.
      sessionStorage.setItem(li.id, li.closest("[id^=a-]").querySelector("h2").textContent.replace(/^\d+\.\s*/, "") +
                             ", " + li.querySelector(".door-name").textContent);
      current = li;
      location.href = form.dataset.conversation + "?address_id=" + li.dataset.a + "&unit=" +
        encodeURIComponent(li.dataset.u) + (outcome === "more" ? "#mer" : "");
      return;
    }
    record(li, outcome);
  });

  document.querySelector("[data-next]").addEventListener("click", function (e) {
    e.preventDefault();
    var target = nextDoor(doors());
    history.replaceState(history.state, "", "#" + target.id);
    target.scrollIntoView({ block: "center" });
    var first = target.querySelector("button");
    if (first) first.focus({ preventScroll: true });
    if (target.classList.contains("door")) current = target;
  });

  // A record this phone knows of (outbox, or sent lately): newer than what the page shows, it counts.
  function apply(event) {
    if (event.type !== "visit" || event.turf_id !== turf) return;
    if (event.corrects) {
      doors().forEach(function (li) { if (li.dataset.id === event.corrects) unfold(li); });
      return;
    }
    var li = byId(event.address_id, event.unit);
    if (!li || (li.dataset.t && li.dataset.t >= event.recorded_at)) return;
    if (secondRound && event.outcome === "not_home") return;
    fold(li, event.outcome, event.id, "", event.recorded_at);
  }

  Promise.all([CanvassStore.get("recent"), CanvassStore.all()]).then(function (known) {
    var outbox = {};
    known[1].forEach(function (e) { outbox[e.id] = true; });
    (known[0] || []).concat(known[1]).sort(function (a, b) { return a.recorded_at < b.recorded_at ? -1 : 1; })
      .forEach(function (event) {
        apply(event);
        var li = event.type === "visit" && byId(event.address_id, event.unit);
        if (li && outbox[event.id] && li.dataset.id === event.id) li.querySelector(".when").textContent = texts.kept;
      });
    tally();
  }).then(back);

  // Back from a conversation: at the door it was about, with what was said about it.
  function back() {
    var said = JSON.parse(sessionStorage.getItem("said") || "null");
    sessionStorage.removeItem("said");
    var li = said && document.getElementById(said.door);
    if (li) { say(li, said.text); current = li; tally(); }
    var target = document.getElementById(location.hash.slice(1));
    if (target) target.scrollIntoView({ block: "center" });
  }

  // The partner's records (and one's own from another phone), polled while online.
  function poll() {
    if (!navigator.onLine || document.hidden) return;
    fetch(form.dataset.poll, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (states) {
        states.forEach(function (s) {
          var li = byId(s[0], s[1]);
          if (li && (!li.dataset.t || li.dataset.t < s[3]) && !(secondRound && s[2] === "not_home")) {
            fold(li, s[2], s[4], "", s[3]);
          }
        });
        tally();
      }).catch(function () {});
  }
  setInterval(poll, 15000);
  document.addEventListener("visibilitychange", poll);
})();
