// Draws a map from the page's GeoJSON: postal codes coloured by who covers them, a turf with its
// numbered addresses, or labelled outlines (districts, turf) on top. In edit mode a tap on a
// postal code ticks it in the form's list. Turf is coloured apart from its neighbours, its labels
// never overlap, and after a cut the map opens on the new turf (data-focus).
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el) return;

  // Leaflet is loaded only when a map is shown: a folded map costs a phone nothing.
  function withLeaflet(then) {
    if (window.L) return then();
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = el.dataset.leafletCss;
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = el.dataset.leafletJs;
    js.onload = then;
    document.head.appendChild(js);
  }
  var folded = el.closest("details");
  if (folded && !folded.open) {
    folded.addEventListener("toggle", function first() {
      folded.removeEventListener("toggle", first);
      withLeaflet(draw);
    });
  } else {
    withLeaflet(draw);
  }

  function draw() {
  var colours = { covered: "#0072b2", contested: "#d55e00", uncovered: "#767676", selected: "#1e6b30" };
  var map = L.map(el, { preferCanvas: true });
  el.leafletMap = map; // other scripts on the page (and tests) reach the map through its element
  // Tiles come from our own server (Kartverket's basemap, kept there); without a basemap the outlines stand alone,
  // and the attribution is shown on every map either way.
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
  map.attributionControl.addAttribution(el.dataset.attribution);
  var editing = el.dataset.mode === "edit";
  if (el.dataset.locate && navigator.geolocation) {
    // The canvasser's own position is drawn here only: it never leaves the phone.
    var here = L.control({ position: "topright" });
    here.onAdd = function () {
      var button = L.DomUtil.create("button", "locate");
      button.type = "button";
      button.textContent = el.dataset.locate;
      L.DomEvent.on(button, "click", function (e) {
        L.DomEvent.stop(e);
        map.locate({ setView: true, maxZoom: 18 });
      });
      return button;
    };
    here.addTo(map);
    var dot;
    map.on("locationfound", function (e) {
      if (dot) dot.remove();
      dot = L.circleMarker(e.latlng, { radius: 8, color: "#fff", weight: 3, fillColor: "#d55e00", fillOpacity: 1 }).addTo(map);
    });
  }

  function box(code) {
    return code && document.querySelector('input[name="postnummer"][value="' + code + '"]');
  }
  function style(feature) {
    var p = feature.properties;
    if (p.fill) return { color: "#1a1a1a", weight: 1.5, fillColor: p.fill, fillOpacity: 0.85 };
    if (!p.status) return { color: "#0b5394", weight: 3, fillOpacity: 0.1 };
    var ticked = editing && box(p.postnummer) && box(p.postnummer).checked;
    var status = ticked ? "selected" : p.status;
    return { color: colours[status], weight: status === "contested" ? 3 : 1.5,
             dashArray: status === "uncovered" ? "4 4" : null, fillOpacity: status === "uncovered" ? 0.05 : 0.35 };
  }
  // As a text node: Leaflet puts a string label in as HTML, and names are typed by people.
  function label(p) {
    var text;
    if (p.label) text = p.label;
    else if (p.name) text = p.name + (p.doors !== undefined ? " (" + p.doors + ")" : "");
    else text = p.postnummer + " " + p.poststed + (p.branches.length ? " – " + p.branches.join(", ") : "");
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }
  // Okabe–Ito colours: told apart also by colour-blind eyes.
  var turfColours = ["#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#999999"];

  // Labels in order of importance: each is shown unless it would cover one shown before it (or
  // lies wholly outside the map, where it would only block others at the edge). All are measured in one pass, then hidden in one, so the page lays out once.
  function hideCrowded(nodes) {
    nodes.forEach(function (node) { if (node) node.classList.remove("crowded"); });
    var frame = el.getBoundingClientRect();
    var boxes = nodes.map(function (node) { return node && node.getBoundingClientRect(); });
    var shown = [];
    boxes.forEach(function (box, k) {
      if (!box || !box.width) return;
      var out = box.right < frame.left || box.left > frame.right || box.bottom < frame.top || box.top > frame.bottom;
      var covers = shown.some(function (other) {
        return box.left < other.right && other.left < box.right && box.top < other.bottom && other.top < box.bottom;
      });
      if (out || covers) nodes[k].classList.add("crowded"); else shown.push(box);
    });
  }

  function load(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
  }

  var drawn = load(el.dataset.geojson).then(function (data) {
    var layer = L.geoJSON(data, {
      style: style,
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 6, color: "#1a1a1a", weight: 1, fillColor: "#ffbf47", fillOpacity: 1 });
      },
      onEachFeature: function (feature, shape) {
        var p = feature.properties;
        shape.bindTooltip(label(p));
        if (editing) shape.on("click", function () {
          var input = box(p.postnummer);
          if (input) { input.checked = !input.checked; shape.setStyle(style(feature)); }
        });
      }
    }).addTo(map);
    // On a branch page, frame the branch's own postal codes rather than the whole county.
    var own = L.featureGroup(layer.getLayers().filter(function (shape) {
      var input = box(shape.feature.properties.postnummer);
      return input && input.checked;
    }));
    var frame = own.getLayers().length ? own : layer;
    // After a cut the page names the new turf's corners: open on them, not on the whole area.
    var focus = el.dataset.focus && JSON.parse(el.dataset.focus);
    var fit = function () {
      if (focus) map.fitBounds(focus, { padding: [12, 12] });
      else if (data.features.length) map.fitBounds(frame.getBounds());
      else map.setView([59.91, 10.75], 11);
    };
    fit();
    // A map in a closed <details> has no size until it is opened.
    var folded = el.closest("details");
    if (folded) folded.addEventListener("toggle", function () { map.invalidateSize(); fit(); });
    el.dataset.loaded = String(data.features.length);
    // A map that follows work in progress (a leaflet drop's coverage) redraws its shapes where they are.
    if (el.dataset.refresh) setInterval(function () {
      if (document.hidden) return;
      load(el.dataset.geojson).then(function (fresh) {
        layer.clearLayers();
        layer.addData(fresh);
        el.dataset.refreshed = String(Date.now());
      }, function () {});
    }, Number(el.dataset.refresh) * 1000);
  });

  if (el.dataset.overlay) {
    // Outlines on top, labelled, so postal codes can be read against them; drawn once the map
    // has its view, since labels cannot open on a map that has none.
    drawn.then(function () { return load(el.dataset.overlay); }).then(function (data) {
      // A few outlines (districts) carry their names; many show them on a tap, except turf,
      // which is filled in colours apart from its neighbours and labelled where labels fit.
      var permanent = data.features.length <= 20;
      var labels = [];
      L.geoJSON(data, {
        style: function (feature) {
          var p = feature.properties;
          if (p.colour === undefined) return { color: "#1a1a1a", weight: 2.5, fill: false, interactive: !permanent };
          // Not interactive: a tap on the map still ticks the postal code underneath.
          return { color: "#1a1a1a", weight: p.fresh ? 3.5 : 1.5, fillColor: turfColours[p.colour % turfColours.length],
                   fillOpacity: p.fresh ? 0.5 : 0.3, interactive: false };
        },
        onEachFeature: function (feature, shape) {
          var p = feature.properties;
          if (p.label_at) {
            var tip = L.tooltip({ permanent: true, direction: "center", className: "turf-label" + (p.fresh ? " fresh" : ""),
                                  interactive: false }).setLatLng(p.label_at).setContent(label({ name: p.short || p.name }));
            labels.push({ tip: tip, rank: [p.fresh ? 0 : 1, -p.area] });
          } else {
            shape.bindTooltip(label(p), permanent ?
              { permanent: true, direction: "center", className: "district-label" } : {});
          }
        }
      }).addTo(map);
      // New turf first, then the biggest: when labels collide, those keep theirs.
      labels.sort(function (a, b) { return a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1]; });
      labels.forEach(function (l) { map.openTooltip(l.tip); });
      var unclutter = function () { hideCrowded(labels.map(function (l) { return l.tip.getElement(); })); };
      map.on("zoomend moveend resize", unclutter);
      unclutter();
      el.dataset.overlayLoaded = String(data.features.length);
    });
    // Labels crowd each other when the whole area is in view.
    var declutter = function () { el.classList.toggle("zoomed-out", map.getZoom() < 13); };
    map.on("zoomend", declutter);
    declutter();
  }
  }
})();
