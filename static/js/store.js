// The phone's outbox in IndexedDB, shared by the pages and the service worker.
var CanvassStore = (function () {
  "use strict";
  var dbPromise;
  function open() {
    if (!dbPromise) dbPromise = new Promise(function (resolve, reject) {
      var request = indexedDB.open("canvass", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("outbox", { keyPath: "id" });
        request.result.createObjectStore("failed", { keyPath: "id" });
        request.result.createObjectStore("meta");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return dbPromise;
  }
  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode), result;
        var request = work(tx.objectStore(store));
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  // The phone's clock as the server's: the server refuses a record stamped more than an hour ahead, so on a phone set
  // an hour fast every record of the evening was refused, and on one a day slow every record went under yesterday.
  // Each answer from the server (a tap, refused or not, and the partner poll) says the server's time (its Date
  // header); the difference is kept for the pages opened later without signal. The header is to the second and the
  // answer took a moment: within a minute, the phone is right. Only a page's own fetch learns it (a page has
  // localStorage, the service worker has not; an answer the worker made up has no Date), and never from a copy kept
  // on the phone, which the polled data never is (sw.js).
  var CLOCK = "canvass-clock";
  function offset() {
    try { return Number(localStorage.getItem(CLOCK)) || 0; } catch (e) { return 0; }
  }
  // The server's time an answer says (ms), NaN without one. One Date; two joined by a proxy that added its own would
  // not parse, so the first.
  function serverTime(response) {
    return Date.parse((response.headers.get("Date") || "").split(/, (?=[A-Z][a-z]{2}, )/)[0]);
  }
  function learn(response) {
    var server = serverTime(response);
    if (isNaN(server)) return;
    var off = server - Date.now();
    off = Math.abs(off) < 60000 ? 0 : Math.round(off / 1000) * 1000;
    try {
      if (offset() === off) return;
      localStorage.setItem(CLOCK, String(off));
    } catch (e) { return; }
    document.dispatchEvent(new CustomEvent("canvass-clock", { detail: off }));
  }
  return {
    // Now, by the server's clock, as a record's time (ISO 8601, UTC).
    now: function () { return new Date(Date.now() + offset()).toISOString(); },
    // How far the server's clock is ahead of the phone's, in ms (negative: the phone is fast); 0 within a minute.
    clockOffset: offset,
    serverTime: serverTime,
    // Posts one door's form where the page would (`fields` over the form's own), its buttons disabled from the tap
    // to the answer; what the server recorded is remembered for the walk list, a refusal or no signal said in `li`.
    // URL-encoded, as the form without script is: a FormData body is multipart with a new boundary every time,
    // and the server compiles a parser for each boundary (a few ms of CPU per door; docs/benchmarks.md).
    // A tap refused while its answer taught the page a new difference to the server's clock (a phone clock set
    // right without signal, outsider K) goes once more, stamped by the right clock.
    post: function (li, form, url, fields, turf, say, texts) {
      var buttons = li.querySelectorAll("button"), remember = this.remember;
      buttons.forEach(function (b) { b.disabled = true; });
      function send(fields, again) {
        var data = new FormData(form), before = offset();
        Object.keys(fields).forEach(function (k) { data.set(k, fields[k]); });
        return fetch(url, { method: "POST", body: new URLSearchParams(data), credentials: "same-origin",
                            headers: { Accept: "application/json" } })
          .then(function (response) {
            learn(response);
            if (!again && !response.ok && response.status < 500 && offset() !== before && fields.recorded_at) {
              var now = new Date(Date.now() + offset()).toISOString();
              return send(Object.assign({}, fields, { recorded_at: now }), true);
            }
            return response.json().catch(function () { return {}; }).then(function (answer) {
              if (response.ok) {
                // Whose it is: on a phone someone else logs in on next, theirs to undo (walk.js).
                remember(Object.assign({ type: "visit", turf_id: turf, by: document.body.dataset.user }, answer.event));
                return answer;
              }
              say(li, texts.refused.replace("%s", answer.error || response.status));
            });
          }, function () { say(li, texts.offline); });
      }
      return send(fields, false)
        .then(function (answer) { buttons.forEach(function (b) { b.disabled = false; }); return answer; });
    },
    // What the turf's other phones recorded (a partner's, and one's own from another phone): `onStates` gets the
    // server's rows (field.door_states) every 15 seconds while online and in view, and when the screen comes back
    // on. Returns the poll, for the page to call once it has shown what this phone knows. No `url`, no poll.
    watch: function (url, onStates) {
      function poll() {
        if (!url || !navigator.onLine || document.hidden) return;
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { learn(r); return r.ok ? r.json() : []; })
          .then(onStates, function () {});
      }
      setInterval(poll, 15000);
      document.addEventListener("visibilitychange", poll);
      // The signal back: what the others did meanwhile, and the server's clock, at once (not at the next round).
      window.addEventListener("online", poll);
      return poll;
    },
    // The rows (doors, entrances) `rows()` lists that say `kept` («på telefonen») lose it once their record has left
    // the outbox, as a tap the server took at once says nothing more: the worker says when it has sent.
    clearSent: function (rows, kept) {
      if (!navigator.serviceWorker) return;
      navigator.serviceWorker.addEventListener("message", function (e) {
        if (e.data.type !== "outbox") return;
        run("outbox", "readonly", function (s) { return s.getAll(); }).then(function (waiting) {
          var ids = waiting.map(function (w) { return w.id; });
          rows().forEach(function (li) {
            var when = li.querySelector(".when");
            if (when && when.textContent === kept && ids.indexOf(li.dataset.id) < 0) when.textContent = "";
          });
        });
      });
    },
    // A record's id, made on the phone. Without one (a page served without https), the server makes it.
    newId: function () { return crypto.randomUUID ? crypto.randomUUID() : ""; },
    add: function (event) { return run("outbox", "readwrite", function (s) { return s.put(event); }); },
    all: function () { return run("outbox", "readonly", function (s) { return s.getAll(); }); },
    remove: function (id) { return run("outbox", "readwrite", function (s) { return s.delete(id); }); },
    // A record waits for whoever made it on this phone (its `by`), so another person logging in here never sends,
    // sees or clears it as theirs. A record from before `by` is anyone's.
    mine: function (record, user) { return !record.by || record.by === user; },
    // What waits, as [the canvasser's own, someone else's].
    waiting: function (user) {
      return run("outbox", "readonly", function (s) { return s.getAll(); }).then(function (all) {
        var mine = all.filter(function (e) { return CanvassStore.mine(e, user); }).length;
        return [mine, all.length - mine];
      });
    },
    fail: function (event, reason) {
      return run("failed", "readwrite", function (s) { return s.put(Object.assign({}, event, { reason: reason })); })
        .then(function () { return run("outbox", "readwrite", function (s) { return s.delete(event.id); }); });
    },
    // What the canvasser needs to see of a record the server turned down: when, at which door, and why.
    // Only the person's own, as in the outbox (all of them when no person is named).
    failed: function (user) {
      return run("failed", "readonly", function (s) { return s.getAll(); }).then(function (all) {
        return all.filter(function (e) { return !user || CanvassStore.mine(e, user); }).map(function (e) {
          return { at: e.recorded_at, reason: e.reason, address_id: e.address_id, unit: e.unit, label: e.label };
        });
      });
    },
    // The doors recorded lately (no conversation, no contact details): a walk list that comes from the cache
    // after the records have left the outbox still shows them done. The last 18 hours, at most 500.
    remember: function (event) {
      var recent = { id: event.id, type: event.type, turf_id: event.turf_id, address_id: event.address_id,
                     unit: event.unit, label: event.label || event.street && event.street + " " + event.number, outcome: event.outcome, corrects: event.corrects || null,
                     recorded_at: event.recorded_at, by: event.by };
      var since = new Date(Date.now() + offset() - 18 * 3600 * 1000).toISOString();
      // Read and written in one transaction: two taps in quick succession both stay.
      return run("meta", "readwrite", function (s) {
        s.get("recent").onsuccess = function (e) {
          var all = (e.target.result || []).filter(function (r) { return r.recorded_at > since && r.id !== recent.id; });
          all.push(recent);
          s.put(all.slice(-500), "recent");
        };
      });
    },
    // The phone's login ended or changed hands (sw.js `forgetPerson`): no walk list is downloaded any more, and the
    // doors the last person recorded lately are theirs.
    forgetMarks: function () {
      return run("meta", "readwrite", function (s) {
        s.getAllKeys().onsuccess = function (e) {
          e.target.result.filter(function (key) { return key === "recent" || String(key).indexOf("downloaded ") === 0; })
            .forEach(function (key) { s.delete(key); });
        };
      });
    },
    clearFailed: function (user) {
      return run("failed", "readwrite", function (s) {
        s.getAll().onsuccess = function (e) {
          e.target.result.forEach(function (f) { if (!user || CanvassStore.mine(f, user)) s.delete(f.id); });
        };
      });
    },
    get: function (key) { return run("meta", "readonly", function (s) { return s.get(key); }); },
    set: function (key, value) { return run("meta", "readwrite", function (s) { return s.put(value, key); }); }
  };
})();
