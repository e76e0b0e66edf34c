// Canvass service worker: pages of a downloaded turf work offline, and records made without signal
// wait in the outbox (IndexedDB) until the sync API confirms them. Protocol: docs/sync.md.
"use strict";
importScripts("/static/js/store.js");

// Replaced when served (canvass/web/pwa.py) by a name that changes with every release.
var VERSION = "canvass-dev";
// The small shell every field page needs; the map library is cached when a turf is downloaded.
var SHELL = ["/static/css/app.css", "/static/vendor/htmx.min.js", "/static/js/store.js", "/static/js/field.js",
             "/static/js/outbox.js", "/static/js/walk.js", "/static/js/mailboxes.js", "/static/js/conversation.js", "/static/js/map.js",
             "/static/js/tiles.js", "/uten-nett", "/uten-nett?logg-ut"];
// Shown for a page that was not kept (canvass/web/pwa.py), in the language of the last page served; and for a
// logout the server did not answer.
var OFFLINE = "/uten-nett", OFFLINE_LOGOUT = "/uten-nett?logg-ut";
var offlineLanguage = null;
// Map tiles come from our own route (canvass/web/tiles.py); "Last ned roden" keeps the turf's in their own
// cache (static/js/tiles.js fills it), served from it even online, and kept across releases.
var TILES = "canvass-tiles-v1";
var TILE_PATH = /^\/kart\/fliser\/[\w-]+\/\d+\/\d+\/\d+\.png$/;
var RECORDING = /^\/felt\/(\d+|innspill)\/?(besok|angre|samtale|notat|dor)?$/;
// Who is logged in on the phone changes here (`logIn`): what was kept is the last person's, not the next one's.
var WHO_CHANGES = /^\/(login(\/kode)?|bli-med\/[^/]+|inn\/[^/]+|passord\/[^/]+)$/;
var BATCH = 50;
// How long a record waits for the server's answer before it goes to the outbox: in a stairwell a request can hang
// for minutes with the door greyed out. The outbox sends it again under the same id, so if the hung request did
// arrive, the second is a duplicate (docs/sync.md), never a second conversation.
var RECORD_WAIT = 8000;
var failures = 0, nextTry = 0;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(VERSION).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== VERSION && k !== TILES; }).map(function (k) {
      return carryPages(k).then(function () { return caches.delete(k); });
    }));
  }).then(function () { return self.clients.claim(); }));
});

// A release must not take a downloaded turf off the phone: the pages the old release kept (walk lists, their
// conversation forms, the turf's outline) go into the new cache, unless it has them already. Its own files
// (static, the no-signal page) are the new release's.
function carryPages(old) {
  return Promise.all([caches.open(old), caches.open(VERSION)]).then(function (both) {
    return both[0].keys().then(function (requests) {
      return Promise.all(requests.filter(keptForAPerson).map(function (request) {
        return both[1].match(request).then(function (hit) {
          return hit || both[0].match(request).then(function (kept) { return kept && both[1].put(request, kept); });
        });
      }));
    });
  });
}

// What was kept for the person logged in (their walk lists with the door notes, conversation forms, turf outlines,
// start page), as against the release's own files and the no-signal page.
function keptForAPerson(request) {
  var path = new URL(request.url).pathname;
  return path.indexOf("/static/") !== 0 && path !== OFFLINE;
}

// The pages kept for the person, and the marks that say which walk lists were downloaded, go when the phone's
// login ends or changes hands, so whoever has the phone next cannot open them without signal, and a walk list
// does not say «lastet ned» of pages no longer there. So does the phone's credential: it belongs to a login that
// has ended, and the next page asks for a new one at once instead of finding it refused at its first send. The
// outbox stays: its records wait for their own person to log in again (docs/sync.md).
function forgetPerson() {
  return caches.open(VERSION).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(keptForAPerson).map(function (kept) { return cache.delete(kept); }));
    });
  }).then(function () { return CanvassStore.forgetMarks(); })
    .then(function () { return CanvassStore.set("device-token", null); });
}

// A logout or a login on the phone: once the server has done it (it redirects), what was kept for whoever was
// logged in before goes, whether or not the next is the same person. A wrong password, or a form another site sent
// (refused for its token), takes nothing off the phone. Without an answer, `withoutAnswer` says what happens.
function whoChanges(request, withoutAnswer) {
  return fetch(request).then(function (response) {
    if (response.type !== "opaqueredirect" && !response.redirected) return response;
    return forgetPerson().then(function () { return response; });
  }, withoutAnswer);
}

// Logging out without an answer: the server may or may not have ended the login (the signal can go after the
// request went). The person asked to leave the phone, so their pages go all the same, and the phone says it may
// still be logged in.
function logOut(request) {
  return whoChanges(request, function () {
    return forgetPerson().then(function () { return caches.match(OFFLINE_LOGOUT); }).then(function (page) {
      return page ? new Response(page.body, { status: 503, headers: page.headers }) : kept(request);
    });
  });
}

function logIn(request) {
  return whoChanges(request, function () { return kept(request); });
}

function page(request) {
  // Fragments are never stored as pages: only full pages without HX-Request.
  return request.mode === "navigate" || !request.headers.get("HX-Request");
}

// A page from the server is kept, so it opens again without signal.
function remember(request, response) {
  if (response.ok && page(request)) {
    var copy = response.clone();
    caches.open(VERSION).then(function (cache) { cache.put(request, copy); });
    followLanguage(response.headers.get("Content-Language"));
  }
  return response;
}

// Without signal: the copy kept on the phone, else the no-signal page.
function kept(request, options) {
  return caches.match(request, options).then(function (hit) {
    return hit || caches.match(OFFLINE).then(function (offline) {
      return new Response(offline ? offline.body : "", { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  });
}

function networkFirst(request) {
  var timeout = new Promise(function (_, reject) { setTimeout(reject, 3000); });
  return Promise.race([fetch(request), timeout]).then(function (response) { return remember(request, response); })
    .catch(function () { return kept(request, { ignoreSearch: /\/(samtale|mangler)\?/.test(request.url) }); });
}

// The start page (the manifest's start_url, what the home-screen icon opens): from the server whenever it answers,
// however slowly, since it is one address for whoever logs in on the phone; without signal the copy "Last ned roden"
// kept, which leads to the turf.
function startPage(request) {
  return fetch(request).then(function (response) { return remember(request, response); })
    .catch(function () { return kept(request); });
}

// The canvasser chose another language: keep the no-signal page in it too.
function followLanguage(language) {
  if (!language || language === offlineLanguage) return;
  caches.open(VERSION).then(function (cache) {
    return cache.match(OFFLINE).then(function (current) {
      offlineLanguage = current && current.headers.get("Content-Language");
      if (offlineLanguage !== language) {
        offlineLanguage = language;
        return cache.addAll([OFFLINE, OFFLINE_LOGOUT]);
      }
    });
  }).catch(function () { offlineLanguage = null; });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (request.method === "POST" && url.pathname === "/logout") {
    event.respondWith(logOut(request));
    return;
  }
  if (request.method === "POST" && WHO_CHANGES.test(url.pathname)) {
    event.respondWith(logIn(request));
    return;
  }
  if (request.method === "GET" && TILE_PATH.test(url.pathname)) {
    event.respondWith(caches.open(TILES).then(function (cache) {
      return cache.match(url.pathname).then(function (hit) {
        return hit || fetch(request).catch(function () { return new Response("", { status: 504 }); });
      });
    }));
  } else if (request.method === "POST" && RECORDING.test(url.pathname)) {
    // Offline, no answer within RECORD_WAIT, a login that has ended (401: the record waits for its person to log
    // in again; a tab left open after logout took the login page for stored), an expired form token, a walk list
    // no longer the canvasser's (the turf released meanwhile: the sync API still takes what was recorded in it),
    // or the server failing (a 5xx, whether or not it stored the record: the outbox sends it again under its id,
    // a duplicate if it did): to the outbox. Any other refusal reaches the page as one.
    event.respondWith(undoOfWaiting(request.clone(), url).then(function (waiting) {
      if (waiting) return keep(request, url);
      var waited = new Promise(function (_, reject) { setTimeout(reject, RECORD_WAIT); });
      return Promise.race([fetch(request.clone()), waited]).then(function (response) {
        return response.status === 401 || response.status === 404 || response.status >= 500 ||
          response.status === 400 && response.headers.get("Canvass-Refused") === "form-token"
          ? keep(request, url) : response;
      }).catch(function () { return keep(request, url); });
    }));
  } else if (request.method === "GET" && url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        var copy = response.clone();
        if (response.ok) caches.open(VERSION).then(function (cache) { cache.put(request, copy); });
        return response;
      });
    }));
  } else if (request.method === "GET" && /\.json$/.test(url.pathname)) {
    // Polled data: only ever fresh.
  } else if (request.method === "GET" && request.mode === "navigate" && url.pathname === "/") {
    event.respondWith(startPage(request));
  } else if (request.method === "GET" && (url.pathname.indexOf("/felt/") === 0 || url.pathname.indexOf("/mine/roder/") === 0)) {
    // Pages under /felt/ are cached as they are visited, so they open again without signal.
    event.respondWith(networkFirst(request));
  } else if (request.method === "GET" && request.mode === "navigate") {
    // Any other page without signal («Logg ut», the start of a coordinator's page): the no-signal page, which says
    // the records are safe on the phone, not the browser's own error page.
    event.respondWith(fetch(request).catch(function () { return kept(request); }));
  }
});

// The event canvass/services/field/door_record.py builds from the same form (tests/browser/test_door_record.py).
function number(value) {
  value = String(value || "").trim();
  return /^[0-9]+$/.test(value) && Number(value) > 0 && Number(value) < 2147483648 ? Number(value) : null;
}

function said(form) {
  return { topics: form.getAll("topic").map(function (t) { return t.trim(); }).filter(Boolean),
           words: form.get("words") || "", importance: number(form.get("importance")) };
}

function door(form) {
  var undo = form.get("undo"), tap = form.get("tap"), p = (undo || tap || "").split(" ");
  if (undo) return { corrects: p[0], outcome: p[1] || "", address_id: number(p[2]), unit: p.slice(3).join(" ") };
  if (tap) return { outcome: p[0], address_id: number(p[1]), unit: p.slice(2).join(" ") };
  return { outcome: form.get("outcome"), address_id: number(form.get("address_id")), unit: form.get("unit") || "" };
}

// Answers to the action's questions, as door_record._answers reads them (protocol 1.3).
function answers(form) {
  var found = {};
  Array.from(new Set(form.keys())).forEach(function (key) {
    if (key.indexOf("answer-") === 0 && String(form.get(key) || "").trim()) found[key.slice(7)] = form.get(key);
    else if (key.indexOf("answers-") === 0) {
      var ticked = form.getAll(key).filter(function (v) { return String(v).trim(); });
      if (ticked.length) found[key.slice(8)] = ticked;
    }
  });
  return found;
}

// A count of mailboxes, as door_record._count reads it (protocol 1.4): what is not a whole number goes as typed.
function count(value) {
  value = String(value || "").trim();
  return !value ? 0 : /^[0-9]{1,9}$/.test(value) ? Number(value) : value;
}

// An added door's key, as door_record.field_unit makes it.
function fieldUnit(id) { return "+" + id.replace(/-/g, "").toLowerCase().slice(0, 7); }

function coordinate(value) {
  value = String(value || "").trim();
  return value && isFinite(Number(value)) ? Number(value) : null;
}

function eventFrom(form, kind) {
  var stamp = { id: form.get("id") || CanvassStore.newId(), recorded_at: form.get("recorded_at") || new Date().toISOString() };
  if (kind === "dor") {
    return Object.assign(stamp, { type: "door", what: form.get("what") || "door", unit: fieldUnit(stamp.id),
                                  turf_id: number(form.get("turf_id")), action_id: number(form.get("action_id")),
                                  address_id: number(form.get("address_id")), label: form.get("label") || "",
                                  street: form.get("street") || "", number: form.get("number") || "",
                                  lat: coordinate(form.get("lat")), lon: coordinate(form.get("lon")) });
  }
  if (kind === "notat") {
    return Object.assign(stamp, { type: "note", turf_id: number(form.get("turf_id")), address_id: number(form.get("address_id")),
                                  text: form.get("text") || "" });
  }
  if (kind === "innspill") {
    return Object.assign(stamp, { type: "input", action_id: number(form.get("action_id")),
                                  postnummer: (form.get("postnummer") || "").trim() || null, conversation: said(form) });
  }
  var event = Object.assign(stamp, { type: "visit", turf_id: number(form.get("turf_id")), action_id: number(form.get("action_id")) },
                            door(form));
  if (kind === "angre" && !form.get("undo")) event.corrects = form.get("corrects");
  if (kind === "besok" && event.outcome === "mailboxes") event.mailboxes = { no_ads: count(form.get("no_ads")), locked: count(form.get("locked")) };
  if (kind === "samtale") {
    event.outcome = "conversation";
    var wants = { wants_membership: form.get("wants_membership") === "1", wants_contact: form.get("wants_contact") === "1" };
    event.conversation = Object.assign(said(form), wants);
    var given = answers(form);
    if (Object.keys(given).length) event.conversation.answers = given;
    if (form.get("consent") && (wants.wants_membership || wants.wants_contact)) {
      event.contact = { consent: true, consent_version: form.get("consent"), name: form.get("name") || "",
                        phone: form.get("phone") || "", email: form.get("email") || "" };
    }
  }
  return event;
}

// An undo of one's own record still waiting in the outbox is done on the phone, with signal too: the server has not
// got the record (it failed on it, or the answer did not come in time), so it would refuse the undo, and the outbox
// would send the record after all (outsider L).
function undoOfWaiting(request, url) {
  var match = RECORDING.exec(url.pathname);
  return request.formData().then(function (form) {
    var kind = form.get("undo") ? "angre" : match[2];
    if (kind !== "angre") return false;
    var corrects = eventFrom(form, kind).corrects;
    return Promise.all([CanvassStore.all(), personOf(form)]).then(function (got) {
      return got[0].some(function (e) { return e.id === corrects && CanvassStore.mine(e, got[1]); });
    });
  }).catch(function () { return false; });
}

// Whose page made a record: the form says (`by`, templates/field/_door.html), so a tab left open on Daniel's walk
// list or conversation form after Berit logged in on the phone keeps Daniel's records for Daniel. A form from
// before that field: whoever's page loaded last.
function personOf(form) {
  return form.get("by") ? Promise.resolve(form.get("by")) : CanvassStore.get("user");
}

// Kept on the phone: data for the page's script, else the list at the door.
// An undo of a record still in the outbox takes it out, and adds nothing.
function keep(request, url) {
  var match = RECORDING.exec(url.pathname);
  var wantsData = (request.headers.get("Accept") || "").indexOf("application/json") === 0;
  return request.formData().then(function (form) {
    var kind = match[1] === "innspill" ? "innspill" : form.get("undo") ? "angre" : match[2];
    var event = eventFrom(form, kind);
    var walk = "/felt/" + match[1];
    var user = personOf(form);
    if (kind === "besok" && (event.outcome === "conversation" || event.outcome === "more")) {
      return Response.redirect(walk + "/samtale?address_id=" + event.address_id + "&unit=" + encodeURIComponent(event.unit) +
                               (event.outcome === "more" ? "#mer" : ""), 303);
    }
    // Stamped with who made it, so it waits for them if someone else logs in on this phone before it is sent, and
    // when by the phone's own clock (`restamped`).
    var stored = user.then(function (by) {
      if (by) event.by = by;
      event.kept_at = Date.now();
      return kind !== "angre" ? CanvassStore.add(event) : CanvassStore.all().then(function (all) {
        // Only one's own: a record someone else made on this phone waits for them, and an undo of it goes to
        // the server like any other, which refuses it unless it was a partner's (docs/sync.md).
        var earlier = all.filter(function (e) { return e.id === event.corrects && CanvassStore.mine(e, by); })[0];
        return earlier ? CanvassStore.remove(earlier.id) : CanvassStore.add(event);
      });
    });
    return stored.then(function () {
      return event.type === "visit" || event.type === "door" ? CanvassStore.remember(event) : null;
    }).then(function () {
      announce();
      if (kind === "innspill") return Response.redirect("/felt/innspill", 303);
      if (wantsData) {
        return Response.json({ status: kind === "angre" ? "undone" : "kept",
          event: { id: event.id, outcome: event.outcome, address_id: event.address_id, unit: event.unit,
                   recorded_at: event.recorded_at, corrects: event.corrects || null } });
      }
      if (kind === "notat") return Response.redirect(walk + "#a-" + event.address_id, 303);
      return Response.redirect(walk + "#d-" + event.address_id + "-" + event.unit, 303);
    });
  });
}

function announce() {
  // Each page counts for its own person (outbox.js).
  return self.clients.matchAll().then(function (clients) {
    clients.forEach(function (client) { client.postMessage({ type: "outbox" }); });
  });
}

// A record the server refused, at the time the phone kept it by the server's clock (outsider K): the page stamps a
// record with the difference to the server's clock it learned last, and a phone whose clock was set right without
// signal goes on adding the old difference, so its records arrive hours ahead and are refused. The worker knows when
// it kept each record by the phone's own clock (`kept_at`), and the answer says the server's time: the record goes
// again once, stamped then, if that is five minutes or more from its stamp. Null when it should stay refused.
function restamped(event, response) {
  var server = CanvassStore.serverTime(response);
  if (event.restamped || !event.kept_at || isNaN(server)) return null;
  var at = server - (Date.now() - event.kept_at);
  if (Math.abs(at - Date.parse(event.recorded_at)) < 5 * 60000) return null;
  return Object.assign({}, event, { recorded_at: new Date(at).toISOString(), restamped: true });
}

// After a 400, a 413 or a server failure for a whole batch, the rest of this flush goes one event at a time.
var oneByOne = false;
// A record the server failed on when sent alone is passed over for the rest of the flush (`passed`) and sent after
// the others from then on (`failedAlone`): one the server fails on every time, a bug there, must not hold back the
// doors behind it. It stays in the outbox and goes again. Two failures alone in a row end the flush: the server
// is failing, not one record.
var passed = {}, failedAlone = {}, failedInRow = 0;

function mineInTurn(all, user) {
  var mine = all.filter(function (e) { return CanvassStore.mine(e, user) && !passed[e.id]; });
  return mine.filter(function (e) { return !failedAlone[e.id]; }).concat(mine.filter(function (e) { return failedAlone[e.id]; }));
}

// Only the credential's own person's records go out under it; `by` stays on the phone.
function sendBatch(token, user) {
  return CanvassStore.all().then(function (all) {
    var events = mineInTurn(all, user).slice(0, oneByOne ? 1 : BATCH);
    var sent = events.map(function (e) {
      var copy = Object.assign({}, e);
      delete copy.by; delete copy.kept_at; delete copy.restamped;
      return copy;
    });
    if (!events.length) return false;
    return fetch("/api/sync/v1/events", {
      method: "POST", headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token },
      body: JSON.stringify({ protocol: 1, events: sent })
    }).then(function (response) {
      // A revoked credential, or a role that does not record: keep everything, the page asks for a new one.
      if (response.status === 401 || response.status === 403) {
        return CanvassStore.set("device-token", null).then(function () { return false; });
      }
      // Never storable as it is (too large, unreadable), or failed by the server: send one by one, set aside what is
      // still refused, pass over what the server still fails on.
      if ((response.status === 400 || response.status === 413 || response.status >= 500) && events.length > 1) {
        oneByOne = true;
        return true;
      }
      if (response.status === 400 || response.status === 413) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          return CanvassStore.fail(events[0], answer.error || String(response.status));
        }).then(function () { return true; });
      }
      if (response.status >= 500) {
        passed[events[0].id] = failedAlone[events[0].id] = true;
        if (++failedInRow >= 2) throw new Error("sync " + response.status);
        return true;
      }
      if (!response.ok) throw new Error("sync " + response.status);
      failedInRow = 0;
      return response.json().then(function (answer) {
        var byId = {};
        events.forEach(function (e) { byId[e.id] = e; });
        return Promise.all(answer.results.map(function (r) {
          var event = byId[r.id];
          if (!event) return false;
          delete failedAlone[event.id];
          // Confirmed records leave the phone, contact details with them; refused ones go aside with the reason,
          // unless the phone's clock was wrong when the record was stamped and it goes again at the right time.
          var again = r.status === "rejected" && restamped(event, response);
          var done = r.status === "stored" || r.status === "duplicate" ? CanvassStore.remove(event.id)
            : again ? CanvassStore.add(again) : CanvassStore.fail(event, r.reason || r.status);
          // Stored without its contact part or an answer (protocol 1.3 lists every part): the reason stays in sight.
          (r.refused_parts || (r.refused ? [r.refused] : [])).forEach(function (part) {
            done = done.then(function () { return CanvassStore.get("texts"); }).then(function (texts) {
              var line = part.part === "contact" ? ((texts || {}).contact || "%s").replace("%s", part.reason) : part.reason;
              return CanvassStore.fail({ id: event.id + "/" + part.part, recorded_at: event.recorded_at,
                                         address_id: event.address_id, unit: event.unit, by: event.by }, line);
            });
          });
          return done.then(function () { return true; });
        }));
      }).then(function (done) {
        // Go on only while events leave the outbox: an answer that names none of them must not loop.
        return done.some(Boolean);
      });
    });
  });
}

// Asked to send now while a send is under way (the signal came back, a page asked): that send may have begun while
// the server was failing and end in the backoff, so another follows it at once.
var flushing = null, sendAgain = false;
function flush(force) {
  if (flushing) {
    if (force) sendAgain = true;
    return flushing;
  }
  if (!force && Date.now() < nextTry) return Promise.resolve();
  flushing = Promise.all([CanvassStore.get("device-token"), CanvassStore.get("device-user")]).then(function (held) {
    var token = held[0], user = held[1];
    if (!token) return;
    var loop = function () { return sendBatch(token, user).then(function (more) { if (more) return loop(); }); };
    return loop().then(function () {
      // Everything else went: what the server failed on goes again after the usual wait.
      if (Object.keys(passed).length) throw new Error("sync: records passed over");
    });
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
    passed = {};
    failedInRow = 0;
    var announced = announce();
    if (!sendAgain) return announced;
    sendAgain = false;
    return announced.then(function () { return flush(true); });
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
        return fetch(u, { credentials: "same-origin" }).then(function (r) {
          // A login that has ended answers with the login page (the redirect followed): never kept as the turf's,
          // and the turf is not said to be downloaded.
          if (r.redirected) return false;
          return r.ok ? cache.put(u, r).then(function () { return true; }) : true;
        });
      }));
    }).then(function (kept) {
      if (kept.indexOf(false) >= 0) return;
      return self.clients.matchAll().then(function (clients) {
        clients.forEach(function (c) { c.postMessage({ type: "downloaded" }); });
      });
    }));
  }
});
