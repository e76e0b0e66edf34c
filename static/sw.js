// Canvass service worker: pages of a downloaded turf work offline, and records made without signal
// wait in the outbox (IndexedDB) until the sync API confirms them. Protocol: docs/sync.md.
"use strict";
importScripts("/static/js/store.js");

// Replaced when served (canvass/web/pwa.py) by a name that changes with every release.
var VERSION = "canvass-dev";
// The small shell every field page needs; the map library is cached when a turf is downloaded.
var SHELL = ["/static/css/app.css", "/static/vendor/htmx.min.js", "/static/js/store.js", "/static/js/field.js",
             "/static/js/outbox.js", "/static/js/map.js"];
var RECORDING = /^\/felt\/(\d+|innspill)\/?(besok|angre|samtale|notat)?$/;
var BATCH = 50;
var failures = 0, nextTry = 0;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(VERSION).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    // The map tiles (their own cache, below) outlive a release: they do not change with our code.
    return Promise.all(keys.filter(function (k) { return k !== VERSION && k !== TILES; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function page(request) {
  // Fragments are never stored as pages: only full pages without HX-Request.
  return request.mode === "navigate" || !request.headers.get("HX-Request");
}

function networkFirst(request) {
  var timeout = new Promise(function (_, reject) { setTimeout(reject, 3000); });
  return Promise.race([fetch(request), timeout]).then(function (response) {
    if (response.ok && page(request)) {
      var copy = response.clone();
      caches.open(VERSION).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, { ignoreSearch: request.url.indexOf("/samtale") > 0 }).then(function (hit) {
      return hit || new Response("<p>Ingen nett, og siden er ikke lastet ned. / No connection, and this page is not downloaded.</p>",
                                 { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (request.method === "POST" && RECORDING.test(url.pathname)) {
    // Offline, or a page so old that its form token has expired: the record goes to the outbox.
    event.respondWith(fetch(request.clone()).then(function (response) {
      return response.status === 400 ? keep(request, url) : response;
    }).catch(function () { return keep(request, url); }));
  } else if (request.method === "GET" && url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        var copy = response.clone();
        if (response.ok) caches.open(VERSION).then(function (cache) { cache.put(request, copy); });
        return response;
      });
    }));
  } else if (request.method === "GET" && (url.pathname.indexOf("/felt/") === 0 || url.pathname.indexOf("/mine/roder/") === 0)) {
    // Pages under /felt/ are cached as they are visited, so they open again without signal.
    event.respondWith(networkFirst(request));
  }
});

function eventFrom(form, kind) {
  if (kind === "notat") {
    return { id: form.get("id"), type: "note", recorded_at: form.get("recorded_at") || new Date().toISOString(),
             turf_id: Number(form.get("turf_id")), address_id: Number(form.get("address_id")), text: form.get("text") || "" };
  }
  if (kind === "innspill") {
    return { id: form.get("id"), type: "input", recorded_at: form.get("recorded_at") || new Date().toISOString(),
             action_id: Number(form.get("action_id")) || null, postnummer: form.get("postnummer") || null,
             conversation: { topics: form.getAll("topic"), words: form.get("words") || "",
                             importance: Number(form.get("importance")) || null } };
  }
  var event = { id: form.get("id"), type: "visit", recorded_at: form.get("recorded_at") || new Date().toISOString(),
                turf_id: Number(form.get("turf_id")), action_id: Number(form.get("action_id")) || null,
                address_id: Number(form.get("address_id")), unit: form.get("unit") || "",
                outcome: kind === "samtale" ? "conversation" : form.get("outcome") };
  if (kind === "angre") event.corrects = form.get("corrects");
  if (kind === "samtale") {
    var wants = { wants_membership: form.get("wants_membership") === "1", wants_contact: form.get("wants_contact") === "1" };
    event.conversation = Object.assign({ topics: form.getAll("topic"), words: form.get("words") || "",
                                         importance: Number(form.get("importance")) || null }, wants);
    if (form.get("consent") && (wants.wants_membership || wants.wants_contact)) {
      event.contact = { consent: true, consent_version: form.get("consent"), name: form.get("name") || "",
                        phone: form.get("phone") || "", email: form.get("email") || "" };
    }
  }
  return event;
}

function keep(request, url) {
  var match = RECORDING.exec(url.pathname);
  return request.formData().then(function (form) {
    var kind = match[1] === "innspill" ? "innspill" : match[2];
    var event = eventFrom(form, kind);
    return Promise.all([CanvassStore.add(event), CanvassStore.get("texts")]).then(function (done) {
      var texts = done[1] || { saved: "Lagret på telefonen", undo: "Angre" };
      announce();
      if (kind === "innspill") return Response.redirect("/felt/innspill", 303);
      if (event.conversation || !request.headers.get("HX-Request")) {
        return Response.redirect("/felt/" + match[1] + "#adresse-" + event.address_id, 303);
      }
      if (kind === "notat") {
        return new Response('<p class="note">' + texts.saved + "</p>", { headers: { "Content-Type": "text/html; charset=utf-8" } });
      }
      var undo = event.corrects ? "" :
        '<form method="post" action="/felt/' + match[1] + '/angre" hx-post="/felt/' + match[1] + '/angre"' +
        ' hx-target="closest .recorded" hx-swap="outerHTML">' +
        '<input type="hidden" name="id"><input type="hidden" name="recorded_at">' +
        '<input type="hidden" name="corrects" value="' + event.id + '">' +
        '<input type="hidden" name="turf_id" value="' + event.turf_id + '">' +
        '<input type="hidden" name="action_id" value="' + (event.action_id || "") + '">' +
        '<input type="hidden" name="address_id" value="' + event.address_id + '">' +
        '<input type="hidden" name="unit" value="' + event.unit + '">' +
        '<input type="hidden" name="outcome" value="' + event.outcome + '">' +
        '<button type="submit">' + texts.undo + '</button></form>';
      return new Response('<div class="recorded offline" role="status"><span>' + texts.saved + '</span>' + undo + "</div>",
                          { headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  });
}

function announce() {
  return Promise.all([CanvassStore.count(), CanvassStore.failed(), self.clients.matchAll()]).then(function (done) {
    done[2].forEach(function (client) { client.postMessage({ type: "outbox", count: done[0], failed: done[1] }); });
  });
}

// After a 400 or 413 for a whole batch, the rest of this flush goes one event at a time.
var oneByOne = false;

function sendBatch(token) {
  return CanvassStore.all().then(function (all) {
    var events = all.slice(0, oneByOne ? 1 : BATCH);
    if (!events.length) return false;
    return fetch("/api/sync/v1/events", {
      method: "POST", headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token },
      body: JSON.stringify({ protocol: 1, events: events })
    }).then(function (response) {
      // A revoked credential, or a role that does not record: keep everything, the page asks for a new one.
      if (response.status === 401 || response.status === 403) {
        return CanvassStore.set("device-token", null).then(function () { return false; });
      }
      // The server can never take this request as it is (too large, unreadable): resending it would
      // stick the outbox for ever. Send the events one by one; the one it still refuses is set aside
      // with the reason, like a rejected event (docs/sync.md).
      if ((response.status === 400 || response.status === 413) && events.length > 1) { oneByOne = true; return true; }
      if (response.status === 400 || response.status === 413) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          return CanvassStore.fail(events[0], answer.error || String(response.status));
        }).then(function () { return true; });
      }
      if (!response.ok) throw new Error("sync " + response.status);
      return response.json().then(function (answer) {
        var byId = {};
        events.forEach(function (e) { byId[e.id] = e; });
        return Promise.all(answer.results.map(function (r) {
          var event = byId[r.id];
          if (!event) return false;
          // Confirmed records leave the phone, contact details with them; refused ones go aside with the reason.
          var done = r.status === "stored" || r.status === "duplicate" ? CanvassStore.remove(event.id)
            : CanvassStore.fail(event, r.reason || r.status);
          return done.then(function () { return true; });
        }));
      }).then(function (done) {
        // Go on only while events leave the outbox: an answer that names none of them must not loop.
        return done.some(Boolean);
      });
    });
  });
}

var flushing = null;
function flush(force) {
  if (flushing) return flushing;
  if (!force && Date.now() < nextTry) return Promise.resolve();
  flushing = CanvassStore.get("device-token").then(function (token) {
    if (!token) return;
    var loop = function () { return sendBatch(token).then(function (more) { if (more) return loop(); }); };
    return loop();
  }).then(function () {
    failures = 0;
    nextTry = 0;
  }).catch(function () {
    // Back off: 5 s, 10 s, 20 s … at most 5 minutes between tries.
    failures += 1;
    nextTry = Date.now() + Math.min(5000 * Math.pow(2, failures - 1), 300000);
  }).then(function () {
    flushing = null;
    oneByOne = false;
    return announce();
  });
  return flushing;
}

self.addEventListener("sync", function (event) { if (event.tag === "outbox") event.waitUntil(flush(true)); });

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "flush") event.waitUntil(flush(data.force));
  if (data.type === "count") event.waitUntil(announce());
  if (data.type === "download") {
    event.waitUntil(caches.open(VERSION).then(function (cache) {
      return Promise.all(data.urls.map(function (u) {
        return fetch(u, { credentials: "same-origin" }).then(function (r) { if (r.ok) return cache.put(u, r); });
      }));
    }).then(function () {
      return self.clients.matchAll().then(function (clients) {
        clients.forEach(function (c) { c.postMessage({ type: "downloaded" }); });
      });
    }));
  }
});

// ---- Map tiles -------------------------------------------------------------------------------
// Tiles come from our own route (/kart/fliser/, canvass/web/tiles.py). "Last ned roden" keeps the
// turf's tiles in a cache of their own (static/js/tiles.js asks for them); a tile in that cache is
// served from it, online too, and the rest come from the network as they are. Only the tiles a
// download asked for are kept, so the cache stays the size of the downloaded turf(s).
var TILES = "canvass-tiles-v1";  // static/js/tiles.js looks in it by this name too
var TILE_PATH = /^\/kart\/fliser\/[\w-]+\/\d+\/\d+\/\d+\.png$/;

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== location.origin || request.method !== "GET" || !TILE_PATH.test(url.pathname)) return;
  event.respondWith(caches.open(TILES).then(function (cache) {
    return cache.match(url.pathname).then(function (hit) {
      return hit || fetch(request).catch(function () { return new Response("", { status: 504 }); });
    });
  }));
});

// Turf after turf over a season: the oldest tiles go once the phone holds more than this (about 40 MB),
// never those of the turf just downloaded.
var MAX_TILES = 2000;
function trimTiles(cache, keep) {
  return cache.keys().then(function (keys) {
    var wanted = {}, extra = keys.length - MAX_TILES;
    keep.forEach(function (path) { wanted[new URL(path, location.origin).href] = true; });
    var old = keys.filter(function (k) { return !wanted[k.url]; }).slice(0, Math.max(extra, 0));
    return Promise.all(old.map(function (k) { return cache.delete(k); }));
  });
}

function keepTiles(urls) {
  var count = 0, bytes = 0, failed = 0, next = 0;
  return caches.open(TILES).then(function (cache) {
    // Four at a time: quick on a good signal, and the server is not flooded by one phone.
    function worker() {
      if (next >= urls.length) return Promise.resolve();
      var path = urls[next++];
      if (!TILE_PATH.test(path)) return worker();
      return cache.match(path).then(function (hit) {
        if (hit) return hit.blob();
        return fetch(path, { credentials: "same-origin" }).then(function (response) {
          if (!response.ok) throw new Error("tile " + response.status);
          return cache.put(path, response.clone()).then(function () { return response.blob(); });
        });
      }).then(function (blob) { count += 1; bytes += blob.size; }, function () { failed += 1; }).then(worker);
    }
    return Promise.all([worker(), worker(), worker(), worker()]).then(function () { return trimTiles(cache, urls); });
  }).then(function () {
    return self.clients.matchAll().then(function (clients) {
      clients.forEach(function (c) { c.postMessage({ type: "tiles-downloaded", count: count, bytes: bytes, failed: failed }); });
    });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "download-tiles" && Array.isArray(data.urls)) event.waitUntil(keepTiles(data.urls));
});
