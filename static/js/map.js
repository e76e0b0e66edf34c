// Draws the postal-code map: territories coloured by status; in edit mode a tap ticks the postal code in the list.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var colours = { covered: "#0072b2", contested: "#d55e00", uncovered: "#767676", selected: "#1e6b30" };
  var map = L.map(el, { preferCanvas: true });
  el.leafletMap = map; // other scripts on the page (and tests) reach the map through its element
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
  var editing = el.dataset.mode === "edit";

  function box(code) {
    return document.querySelector('input[name="postnummer"][value="' + code + '"]');
  }
  function style(feature) {
    var p = feature.properties, ticked = editing && box(p.postnummer) && box(p.postnummer).checked;
    var status = ticked ? "selected" : p.status;
    return { color: colours[status], weight: status === "contested" ? 3 : 1.5,
             dashArray: status === "uncovered" ? "4 4" : null, fillOpacity: status === "uncovered" ? 0.05 : 0.35 };
  }
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: style,
        onEachFeature: function (feature, shape) {
          var p = feature.properties;
          shape.bindTooltip(p.postnummer + " " + p.poststed + (p.branches.length ? " – " + p.branches.join(", ") : ""));
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
      if (data.features.length) map.fitBounds(frame.getBounds()); else map.setView([59.91, 10.75], 11);
      el.dataset.loaded = String(data.features.length);
    });
  if (el.dataset.overlay) {
    // District outlines on top, labelled, so postal codes can be read against them.
    fetch(el.dataset.overlay, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        L.geoJSON(data, {
          style: { color: "#1a1a1a", weight: 2.5, fill: false, interactive: false },
          onEachFeature: function (feature, shape) {
            shape.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "district-label" });
          }
        }).addTo(map);
        el.dataset.overlayLoaded = String(data.features.length);
      });
    // Labels crowd each other when the whole county is in view.
    var declutter = function () { el.classList.toggle("zoomed-out", map.getZoom() < 12); };
    map.on("zoomend", declutter);
    declutter();
  }
})();
