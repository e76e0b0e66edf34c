// Draws a map from the page's GeoJSON: postal codes coloured by who covers them, a turf with its
// numbered addresses, or labelled outlines (districts, turf) on top. In edit mode a tap on a
// postal code ticks it in the form's list.
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
    var fit = function () {
      if (data.features.length) map.fitBounds(frame.getBounds()); else map.setView([59.91, 10.75], 11);
    };
    fit();
    // A map in a closed <details> has no size until it is opened.
    var folded = el.closest("details");
    if (folded) folded.addEventListener("toggle", function () { map.invalidateSize(); fit(); });
    el.dataset.loaded = String(data.features.length);
  });

  if (el.dataset.overlay) {
    // Outlines on top, labelled, so postal codes can be read against them; drawn once the map
    // has its view, since labels cannot open on a map that has none.
    drawn.then(function () { return load(el.dataset.overlay); }).then(function (data) {
      // A few outlines (districts) carry their names; many (turf) show them on a tap.
      var permanent = data.features.length <= 20;
      L.geoJSON(data, {
        style: { color: "#1a1a1a", weight: 2.5, fill: false, interactive: !permanent },
        onEachFeature: function (feature, shape) {
          shape.bindTooltip(label(feature.properties), permanent ?
            { permanent: true, direction: "center", className: "district-label" } : {});
        }
      }).addTo(map);
      el.dataset.overlayLoaded = String(data.features.length);
    });
    // Labels crowd each other when the whole area is in view.
    var declutter = function () { el.classList.toggle("zoomed-out", map.getZoom() < 13); };
    map.on("zoomend", declutter);
    declutter();
  }
  }
})();
