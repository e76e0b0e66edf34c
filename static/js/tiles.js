// The map part of "Last ned roden": shows how much the turf's map weighs before it is downloaded,
// keeps those tiles, and says what was kept, also after a reload.
(function () {
  "use strict";
  var note = document.querySelector("[data-tile-download]");
  var button = document.querySelector("[data-offline-download]");
  if (!note || !button || !("serviceWorker" in navigator)) return;
  var key = "canvass-tiles:" + note.dataset.list;
  var CACHE = "canvass-tiles-v1", MAX_TILES = 2000;  // the cache static/sw.js serves tiles from
  var list = null;

  function megabytes(bytes) {
    return Math.max(bytes / 1048576, 0.1).toLocaleString(document.documentElement.lang || "nb",
                                                          { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  }
  // The turf's status line (outbox.js) says "downloaded"; with tiles missing it says how many, and the
  // button beside it downloads again.
  var status = document.querySelector("[data-offline-status]");
  // In the reader's grammar: data-<name>-one or data-<name>-many (walk.html), by the number that counts.
  function counted(name, n) { return note.dataset[name + (n === 1 ? "One" : "Many")]; }
  function say(name, count, bytes, failed) {
    note.textContent = counted(name, count).replace("{count}", String(count)).replace("{size}", megabytes(bytes));
    note.hidden = false;
    if (!status) return;
    if (failed) {
      status.dataset.missing = "";
      status.textContent = counted("failed", failed).replace("{failed}", String(failed))
        .replace("{total}", String(count + failed));
      status.hidden = false;
    } else if ("missing" in status.dataset) {
      delete status.dataset.missing;
      status.textContent = button.dataset.done + ".";
    }
  }
  function fetchList() {
    if (list) return Promise.resolve(list);
    return fetch(note.dataset.list, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("tile list " + r.status);
      return r.json();
    }).then(function (answer) { list = answer; return list; });
  }

  function before() {
    if (!navigator.onLine) return;
    fetchList().then(function (answer) {
      if (!answer.allowed) { note.textContent = note.dataset.refused; note.hidden = false; }
      else if (answer.count) say("before", answer.count, answer.bytes, 0);
    }).catch(function () {});
  }
  var kept = null;
  try { kept = JSON.parse(localStorage.getItem(key)); } catch (e) { kept = null; }
  if (kept && window.caches) {
    // The phone may have emptied the tile cache since (low storage): say "saved" only while it holds them.
    caches.open(CACHE).then(function (cache) { return cache.keys(); }).then(function (keys) {
      if (keys.length >= kept.count) say("after", kept.count, kept.bytes, kept.failed);
      else before();
    }).catch(before);
  } else {
    before();
  }

  // The turf's tiles go into the cache the service worker serves them from (sw.js, TILES), four at a time:
  // quick on a good signal, and the server is not flooded by one phone. Done in the page, so the service
  // worker every field page loads does not carry it.
  function keep(urls) {
    var count = 0, bytes = 0, failed = 0, next = 0;
    return caches.open(CACHE).then(function (cache) {
      function worker() {
        if (next >= urls.length) return Promise.resolve();
        var path = urls[next++];
        if (!/^\/kart\/fliser\//.test(path)) return worker();
        return cache.match(path).then(function (hit) {
          if (hit) return hit.blob();
          return fetch(path, { credentials: "same-origin" }).then(function (response) {
            if (!response.ok) throw new Error("tile " + response.status);
            return cache.put(path, response.clone()).then(function () { return response.blob(); });
          });
        }).then(function (blob) { count += 1; bytes += blob.size; }, function () { failed += 1; }).then(worker);
      }
      return Promise.all([worker(), worker(), worker(), worker()]).then(function () { return trim(cache, urls); });
    }).then(function () { return { count: count, bytes: bytes, failed: failed }; });
  }
  // Past MAX_TILES (about 40 MB) the oldest tiles go, never the turf's just downloaded.
  function trim(cache, kept) {
    return cache.keys().then(function (keys) {
      var wanted = {}, extra = keys.length - MAX_TILES;
      kept.forEach(function (path) { wanted[new URL(path, location.origin).href] = true; });
      var old = keys.filter(function (k) { return !wanted[k.url]; }).slice(0, Math.max(extra, 0));
      return Promise.all(old.map(function (k) { return cache.delete(k); }));
    });
  }

  var busy = false;
  function download() {
    if (busy || !window.caches) return;
    busy = true;
    fetchList().then(function (answer) {
      if (!answer.count) return;
      return keep(answer.tiles).then(function (summary) {
        try { localStorage.setItem(key, JSON.stringify(summary)); } catch (err) { /* private mode: shown, not kept */ }
        say("after", summary.count, summary.bytes, summary.failed);
        document.documentElement.dataset.tilesReady = "true";
      });
    }).catch(function () {}).then(function () { busy = false; });
  }
  button.addEventListener("click", download);
  // Loaded by walk.js because the button was pressed: that press asks for the tiles too.
  if ("requested" in note.dataset) { delete note.dataset.requested; download(); }
})();
