// The map part of "Last ned roden": shows how much the turf's map weighs before it is downloaded,
// asks the service worker to keep those tiles, and says what was kept, also after a reload.
(function () {
  "use strict";
  var note = document.querySelector("[data-tile-download]");
  var button = document.querySelector("[data-offline-download]");
  if (!note || !button || !("serviceWorker" in navigator)) return;
  var key = "canvass-tiles:" + note.dataset.list;
  var list = null;

  function megabytes(bytes) {
    return Math.max(bytes / 1048576, 0.1).toLocaleString(document.documentElement.lang || "nb",
                                                          { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  }
  // The turf's status line (outbox.js) says "downloaded"; with tiles missing it says how many, and the
  // button beside it downloads again.
  var status = document.querySelector("[data-offline-status]");
  function say(template, count, bytes, failed) {
    note.textContent = template.replace("{count}", String(count)).replace("{size}", megabytes(bytes));
    note.hidden = false;
    if (!status) return;
    if (failed) {
      status.dataset.missing = "";
      status.textContent = note.dataset.failedText.replace("{failed}", String(failed))
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
      else if (answer.count) say(note.dataset.before, answer.count, answer.bytes, 0);
    }).catch(function () {});
  }
  var kept = null;
  try { kept = JSON.parse(localStorage.getItem(key)); } catch (e) { kept = null; }
  if (kept && window.caches) {
    // The phone may have emptied the tile cache since (low storage): say "saved" only while it holds them.
    caches.open("canvass-tiles-v1").then(function (cache) { return cache.keys(); }).then(function (keys) {
      if (keys.length >= kept.count) say(note.dataset.after, kept.count, kept.bytes, kept.failed);
      else before();
    }).catch(before);
  } else {
    before();
  }

  function download() {
    fetchList().then(function (answer) {
      if (!answer.count) return;
      return navigator.serviceWorker.ready.then(function (r) {
        r.active.postMessage({ type: "download-tiles", urls: answer.tiles });
      });
    }).catch(function () {});
  }
  button.addEventListener("click", download);
  // Loaded by walk.js because the button was pressed: that press asks for the tiles too.
  if ("requested" in note.dataset) { delete note.dataset.requested; download(); }
  navigator.serviceWorker.addEventListener("message", function (e) {
    if (!e.data || e.data.type !== "tiles-downloaded") return;
    var summary = { count: e.data.count, bytes: e.data.bytes, failed: e.data.failed };
    try { localStorage.setItem(key, JSON.stringify(summary)); } catch (err) { /* private mode: shown, not kept */ }
    say(note.dataset.after, summary.count, summary.bytes, summary.failed);
    document.documentElement.dataset.tilesReady = "true";
  });
})();
