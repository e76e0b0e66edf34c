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
  return {
    // A record's id, made on the phone. Without one (a page served without https), the server makes it.
    newId: function () { return crypto.randomUUID ? crypto.randomUUID() : ""; },
    add: function (event) { return run("outbox", "readwrite", function (s) { return s.put(event); }); },
    all: function () { return run("outbox", "readonly", function (s) { return s.getAll(); }); },
    remove: function (id) { return run("outbox", "readwrite", function (s) { return s.delete(id); }); },
    count: function () { return run("outbox", "readonly", function (s) { return s.count(); }); },
    fail: function (event, reason) {
      return run("failed", "readwrite", function (s) { return s.put(Object.assign({}, event, { reason: reason })); })
        .then(function () { return run("outbox", "readwrite", function (s) { return s.delete(event.id); }); });
    },
    // What the canvasser needs to see of a record the server turned down: when, and why.
    failed: function () {
      return run("failed", "readonly", function (s) { return s.getAll(); }).then(function (all) {
        return all.map(function (e) { return { at: e.recorded_at, reason: e.reason }; });
      });
    },
    // The doors recorded lately (no conversation, no contact details): a walk list that comes from the cache
    // after the records have left the outbox still shows them done. The last 18 hours, at most 500.
    remember: function (event) {
      var recent = { id: event.id, type: event.type, turf_id: event.turf_id, address_id: event.address_id,
                     unit: event.unit, label: event.label || event.street && event.street + " " + event.number, outcome: event.outcome, corrects: event.corrects || null,
                     recorded_at: event.recorded_at };
      var since = new Date(Date.now() - 18 * 3600 * 1000).toISOString();
      // Read and written in one transaction: two taps in quick succession both stay.
      return run("meta", "readwrite", function (s) {
        s.get("recent").onsuccess = function (e) {
          var all = (e.target.result || []).filter(function (r) { return r.recorded_at > since && r.id !== recent.id; });
          all.push(recent);
          s.put(all.slice(-500), "recent");
        };
      });
    },
    clearFailed: function () { return run("failed", "readwrite", function (s) { return s.clear(); }); },
    get: function (key) { return run("meta", "readonly", function (s) { return s.get(key); }); },
    set: function (key, value) { return run("meta", "readwrite", function (s) { return s.put(value, key); }); }
  };
})();
