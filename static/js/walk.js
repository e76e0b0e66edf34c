// The walk list: one form, event delegation. A tap records its door and folds it; each door shows what the
// server, the partner and this phone know. Answers are data, shown through the page's <template>.
(function () {
  "use strict";
  var form = document.getElementById("doors");
  if (!form) return;
  var texts = JSON.parse(form.dataset.texts), labels = JSON.parse(form.dataset.labels);
  var line = document.getElementById("door-done").content.firstElementChild;
  var fresh = document.getElementById("door-new"); // a door added in the field; the practice round has none
  var turf = Number(form.dataset.turf), secondRound = !!form.dataset.secondRound;
  var taps = {}, current = null;

  function $(selector, root) { return (root || document).querySelector(selector); }
  function doors() { return Array.prototype.slice.call(form.querySelectorAll("li.door")); }
  function door(a, u) { return document.getElementById("d-" + a + "-" + u); }

  function say(li, text) {
    var old = $(".said", li);
    if (old) old.remove();
    if (!text) return;
    var note = document.createElement("span");
    note.className = "said";
    note.setAttribute("role", "status");
    note.textContent = text;
    $(".door-name", li).after(note);
  }

  function fold(li, outcome, id, when, t) {
    unfold(li);
    say(li, "");
    var shown = line.cloneNode(true), undo = $("button", shown);
    $(".what", shown).textContent = (labels[outcome] || outcome) + " ✓";
    $(".when", shown).textContent = when || "";
    if (id) undo.value = [id, outcome, li.dataset.a, li.dataset.u].join(" ");
    else undo.remove();
    $(".door-name", li).after(shown);
    li.classList.add("done");
    li.dataset.o = outcome;
    li.dataset.id = id || "";
    if (t) li.dataset.t = t;
  }

  function unfold(li) {
    var old = $(".result", li);
    if (old) old.remove();
    li.classList.remove("done");
    li.dataset.o = li.dataset.id = "";
  }

  // The evening so far: the bar's count, the summary, and where "Neste dør" goes.
  function tally() {
    var all = doors(), done = all.filter(function (li) { return li.classList.contains("done"); });
    var set = function (selector, n) { $(selector).textContent = String(n); };
    var count = function (o) { return done.filter(function (li) { return li.dataset.o === o; }).length; };
    set("[data-done-count]", done.length);
    set("[data-total]", all.length);
    set('[data-count="total"]', all.length);
    set('[data-count="done"]', done.length);
    set('[data-count="conversation"]', count("conversation"));
    set('[data-count="not_home"]', count("not_home"));
    var title = $("#summary-title");
    if (done.length === all.length) title.textContent = title.dataset.finished;
    $("[data-next]").href = "#" + nextDoor(all).id;
  }

  // The first door not done after the last one recorded, wrapping round; the summary when all are.
  function nextDoor(all) {
    var start = current ? all.indexOf(current) + 1 : 0;
    for (var i = 0; i < all.length; i++) {
      var li = all[(start + i) % all.length];
      if (!li.classList.contains("done")) return li;
    }
    return $("#summary-title");
  }

  // Posts the form for one door (the practice round keeps it on the phone).
  function post(li, fields, url) {
    if (window.CanvassPractice) return CanvassPractice.post(li, fields);
    fields = Object.assign({ address_id: li.dataset.a, unit: li.dataset.u }, fields);
    return CanvassStore.post(li, form, url || form.action, fields, turf, say, texts);
  }

  function record(li, outcome) {
    var now = Date.now(), before = taps[li.id];
    // A second tap on the same door within seconds is the same record, with the same id.
    var tap = before && before.outcome === outcome && now - before.at < 5000 ? before
      : { id: CanvassStore.newId(), recorded_at: CanvassStore.now(), outcome: outcome, at: now };
    taps[li.id] = tap;
    post(li, { id: tap.id, recorded_at: tap.recorded_at, outcome: outcome }).then(function (answer) {
      if (!answer) return;
      current = li;
      // As sent: a tap the page stamped again by the right clock (CanvassStore.post) is repeated with that time.
      if (answer.event && answer.event.recorded_at) tap.recorded_at = answer.event.recorded_at;
      fold(li, outcome, tap.id, answer.status === "kept" ? texts.kept : "", tap.recorded_at);
      tally();
    });
  }

  function undo(li, button) {
    var parts = button.value.split(" ");
    post(li, { id: CanvassStore.newId(), recorded_at: CanvassStore.now(), corrects: parts[0], outcome: parts[1] },
         form.action.replace(/besok$/, "angre")).then(function (answer) {
      if (!answer) return;
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
    var li = button.closest("li.door"), outcome = button.value.split(" ")[0];
    if (button.name === "undo") return undo(li, button);
    if (outcome !== "conversation" && outcome !== "more") return record(li, outcome);
    // The door's own page; it shows the door's label also when it comes from the offline cache.
    sessionStorage.setItem(li.id, $("h2", li.parentNode.parentNode).textContent.replace(/^\d+\.\s*/, "") + ", " +
                           $(".door-name", li).textContent);
    location.href = form.dataset.conversation + "?address_id=" + li.dataset.a + "&unit=" +
      encodeURIComponent(li.dataset.u) + (outcome === "more" ? "#mer" : "");
  });

  $("[data-next]").addEventListener("click", function (e) {
    e.preventDefault();
    var target = nextDoor(doors()), first = $("button", target);
    history.replaceState(history.state, "", "#" + target.id);
    target.scrollIntoView({ block: "center" });
    if (first) first.focus({ preventScroll: true });
    if (target.classList.contains("door")) current = target;
  });

  // A door added on this phone, not yet in the page.
  function add(event) {
    var ul = $("#a-" + event.address_id + " .doors");
    if (!fresh || !ul || door(event.address_id, event.unit)) return false;
    var li = fresh.content.firstElementChild.cloneNode(true);
    li.id = "d-" + event.address_id + "-" + event.unit;
    li.dataset.a = event.address_id;
    li.dataset.u = event.unit;
    $(".door-name", li).textContent = event.label || event.street + " " + event.number;
    ul.appendChild(li);
    return true;
  }

  // A record newer than what the door shows counts; an undo opens the door it undid. True when the list changed.
  function apply(event) {
    if (event.turf_id !== turf) return false;
    if (event.type === "door") return add(event);
    if (event.type !== "visit") return false;
    if (event.corrects) {
      var undone = form.querySelector('li.door[data-id="' + CSS.escape(event.corrects) + '"]');
      if (undone) unfold(undone);
      return !!undone;
    }
    var li = door(event.address_id, event.unit);
    if (!li || li.dataset.t >= event.recorded_at || secondRound && event.outcome === "not_home") return false;
    // Waiting for someone else who used this phone: done, but theirs to undo, not this person's.
    var mine = !event.by || String(event.by) === document.body.dataset.user;
    fold(li, event.outcome, mine ? event.id : null, "", event.recorded_at);
    return true;
  }

  // What this phone knows beyond the page (maybe an old copy): its outbox and what it sent lately.
  // In the practice round, only what was practised in this tab (practice.js).
  var phone = window.CanvassPractice ? CanvassPractice.known()
    : Promise.all([CanvassStore.get("recent"), CanvassStore.all()]);
  phone.then(function (known) {
    var outbox = known[1].map(function (e) { return e.id; }), changed = false;
    (known[0] || []).concat(known[1]).sort(function (a, b) { return a.recorded_at < b.recorded_at ? -1 : 1; })
      .forEach(function (event) {
        changed = apply(event) || changed;
        var li = event.type === "visit" && door(event.address_id, event.unit);
        if (li && li.dataset.id === event.id && outbox.indexOf(event.id) >= 0) $(".when", li).textContent = texts.kept;
      });
    // Back from a conversation: at the door it was about, with what was said about it.
    var said = JSON.parse(sessionStorage.getItem("said") || "null"), target = document.getElementById(location.hash.slice(1));
    sessionStorage.removeItem("said");
    if (said && document.getElementById(said.door)) {
      current = document.getElementById(said.door);
      say(current, said.text);
    }
    // The server's page is counted already: on a long list, counting again at load is a long task for nothing.
    if (changed || current) tally();
    if (target) target.scrollIntoView({ block: "center" });
    poll();
  });

  CanvassStore.clearSent(doors, texts.kept);

  // The partner's records (and one's own from another phone).
  var poll = CanvassStore.watch(form.dataset.poll, function (states) {
    // A door the partner added comes first, with its label; then what was done at the doors.
    var changed = false;
    states.forEach(function (s) {
      changed = apply(s[2] === "door" ? { type: "door", turf_id: turf, address_id: s[0], unit: s[1], label: s[5] }
        : { type: "visit", turf_id: turf, address_id: s[0], unit: s[1], outcome: s[2], recorded_at: s[3], id: s[4],
            corrects: s[5] }) || changed;
    });
    if (changed) tally();
  });

  function script(src) {
    var el = document.createElement("script");
    el.src = src;
    document.head.appendChild(el);
  }
  var map = $("[data-map-script]");
  if (map) map.addEventListener("toggle", function load() {
    map.removeEventListener("toggle", load);
    script(map.dataset.mapScript);
  });

  // The map's share of the download (tiles.js): at the first "Last ned roden", or at once if this phone has the turf.
  var note = $("[data-tile-download]"), download = $("[data-offline-download]"), tiles = false;
  function loadTiles() { if (!tiles) { tiles = true; script(note.dataset.script); } }
  if (note && download) {
    download.addEventListener("click", function () { if (!tiles) { note.dataset.requested = ""; loadTiles(); } });
    var kept = null;
    try { kept = localStorage.getItem("canvass-tiles:" + note.dataset.list); } catch (e) { kept = null; }
    if (kept) loadTiles();
    else CanvassStore.get("downloaded " + location.pathname).then(function (when) { if (when) loadTiles(); });
  }
})();
