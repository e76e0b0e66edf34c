// Connects a field page to its service worker: registers it, gets this phone's sync credential,
// shows how many records wait on the phone, and asks for them to be sent whenever there is a chance.
(function () {
  "use strict";
  // Five minutes or more off: said, so the canvasser may set the clock (the records' times are put right anyway).
  var clock = document.querySelector("[data-clock]");
  function showClock() {
    var off = CanvassStore.clockOffset(), minutes = Math.round(Math.abs(off) / 60000), days = Math.round(minutes / 1440);
    var h = Math.floor(minutes / 60), m = minutes % 60;
    clock.hidden = minutes < 5;
    // In the reader's words: «12 min», «2 t», «1 t 5 min»; two days and more in days.
    var span = (minutes >= 2880 ? clock.dataset[days === 1 ? "day" : "days"] : minutes < 60 ? clock.dataset.minutes
      : clock.dataset[m ? "hoursMinutes" : "hours"]).replace("{d}", days).replace("{h}", h).replace("{m}", m);
    clock.textContent = clock.dataset[off < 0 ? "fast" : "slow"].replace("{time}", span);
  }
  if (clock) {
    showClock();
    document.addEventListener("canvass-clock", showClock);
  }
  if (!("serviceWorker" in navigator)) return;
  var bar = document.querySelector("[data-sync-status]");
  var counter = document.querySelector("[data-outbox-count]");
  var download = document.querySelector("[data-offline-download]");
  var failedBox = document.querySelector("details[data-failed]");
  var others = document.querySelector("[data-others-count]");
  // Who is logged in: records made now are theirs, and only theirs go out under their credential.
  var user = document.body.dataset.user || "";
  if (user) CanvassStore.set("user", user);

  // In the reader's grammar: data-one or data-many, the number at {n}.
  function counted(number, n) {
    var form = number.parentNode.dataset[n === 1 ? "one" : "many"].split("{n}");
    number.textContent = n;
    number.parentNode.replaceChildren(form[0], number, form[1]);
  }

  // Quiet when all is sent; says so when there is no signal; counts what waits.
  function show(n, failed, elsewhere) {
    if (counter) counted(counter, n);
    if (others && elsewhere !== undefined) {
      counted(others, elsewhere);
      others.parentNode.hidden = !elsewhere;
    }
    if (bar) {
      bar.classList.toggle("offline", !navigator.onLine);
      bar.classList.toggle("waiting", n > 0);
      var state = function (name, on) { var el = bar.querySelector('[data-state="' + name + '"]'); if (el) el.hidden = !on; };
      state("sent", n === 0 && navigator.onLine);
      state("waiting", n > 0);
      state("offline", !navigator.onLine);
    }
    if (failedBox && failed) showFailed(failed);
  }
  // Records the server turned down stay on the phone, and in sight, until the canvasser deletes them.
  function showFailed(failed) {
    var list = failedBox.querySelector("ul");
    failedBox.hidden = !failed.length;
    counted(failedBox.querySelector("[data-failed-count]"), failed.length);
    list.textContent = "";
    failed.forEach(function (f) {
      var item = document.createElement("li");
      var at = new Date(f.at), door = doorName(f);
      item.textContent = (isNaN(at) ? "" : at.toLocaleString(document.documentElement.lang,
        { weekday: "short", hour: "2-digit", minute: "2-digit" }) + (door ? " · " : ": ")) +
        (door ? door + ": " : "") + (f.reason || "");
      list.appendChild(item);
    });
  }
  // The door a refused record was for, as the list names it: the address, and which door when it has several.
  function doorName(f) {
    var address = f.address_id && document.getElementById("a-" + f.address_id);
    var name = address ? address.querySelector("h2").textContent.replace(/^\d+\.\s*/, "") : f.label || "";
    var door = f.unit && document.getElementById("d-" + f.address_id + "-" + String(f.unit).replace(/ /g, "-"));
    return door && door.closest(".doors").children.length > 1
      ? name + ", " + door.querySelector(".door-name").textContent : name;
  }
  function refresh() {
    return Promise.all([CanvassStore.waiting(user), CanvassStore.failed(user)]).then(function (done) {
      show(done[0][0], done[1], done[0][1]);
    });
  }
  function worker() {
    return navigator.serviceWorker.ready.then(function (r) { return r.active; });
  }
  function ask(message) { return worker().then(function (w) { w.postMessage(message); }); }

  function credential() {
    return Promise.all([CanvassStore.get("device-token"), CanvassStore.get("device-user")]).then(function (held) {
      // A credential belongs to the person it was issued to; someone else logging in on the phone gets their own.
      var token = held[1] === user ? held[0] : null;
      if (token || !navigator.onLine || !user) return token;
      var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
      return fetch("/api/sync/v1/device", { method: "POST", credentials: "same-origin",
                                            headers: { "X-CSRFToken": csrf } })
        .then(function (r) { return r.ok ? r.json() : {}; })
        // Kept under the person the server issued it to, who is whoever is logged in on the phone now: a tab left
        // open on someone else's walk list must not label it theirs and send their records under it.
        .then(function (answer) {
          return answer.token ? CanvassStore.set("device-user", String(answer.user))
            .then(function () { return CanvassStore.set("device-token", answer.token); }) : null;
        })
        .catch(function () { return null; });
    });
  }
  function flush(force) {
    return credential().then(function () { return ask({ type: "flush", force: !!force }); });
  }

  navigator.serviceWorker.register("/sw.js", { scope: "/" });
  navigator.serviceWorker.addEventListener("message", function (e) {
    if (e.data.type === "outbox") refresh();
    if (e.data.type === "downloaded" && download) {
      CanvassStore.set("downloaded " + location.pathname, new Date().toISOString()).then(downloaded);
    }
  });
  // A downloaded turf says so after every reload, with or without signal, in a status line (not on the
  // button, which stays to download again); tiles.js says there instead when map tiles are missing.
  var status = document.querySelector("[data-offline-status]");
  function downloaded() {
    return CanvassStore.get("downloaded " + location.pathname).then(function (when) {
      if (!when || !download) return;
      download.textContent = download.dataset.again;
      download.classList.remove("primary");
      if (status && !("missing" in status.dataset)) status.textContent = download.dataset.done + ".";
      if (status) status.hidden = false;
      document.documentElement.dataset.offlineReady = "true";
    });
  }
  // The service worker writes the offline answers in the language of the page.
  if (bar && bar.dataset.texts) CanvassStore.set("texts", JSON.parse(bar.dataset.texts));
  // A page from the cache carries the bar as it was when it was stored: nothing said is sent until counted.
  if (bar) bar.querySelector('[data-state="sent"]').hidden = true;
  if (bar) bar.classList.toggle("offline", !navigator.onLine);
  if (bar && !navigator.onLine) bar.querySelector('[data-state="offline"]').hidden = false;
  refresh();
  if (failedBox) {
    failedBox.querySelector("button").addEventListener("click", function () {
      CanvassStore.clearFailed(user).then(refresh);
    });
  }
  window.addEventListener("online", function () { flush(true); });
  window.addEventListener("offline", function () { show(Number(counter && counter.textContent) || 0); });
  setInterval(function () { if (navigator.onLine) flush(false); }, 30000);
  worker().then(function () {
    flush(true);
    navigator.serviceWorker.ready.then(function (r) { if (r.sync) r.sync.register("outbox").catch(function () {}); });
  });
  if (download) {
    downloaded();
    download.hidden = false;
    download.addEventListener("click", function () {
      ask({ type: "download", urls: JSON.parse(download.dataset.urls) });
    });
  }
})();
