// Draws a patrol over the grid polygons from our own GeoJSON: the patrolled grid highlighted,
// its neighbours in grey, the track as a line, findings as dots. No tiles are needed.
(function () {
  // A tooltip is given an element whose text is set, never a string: Leaflet writes a string
  // tooltip as HTML, and a finding's text is whatever a grid worker typed (issue 12, item 2).
  function label(text) {
    const node = document.createElement("span");
    node.textContent = text;
    return node;
  }
  document.querySelectorAll("[data-track]").forEach(function (box) {
    const map = L.map(box, { attributionControl: false, zoomSnap: 0.25 });
    if (window.zhenjieBasemap) window.zhenjieBasemap(map);
    fetch(box.dataset.track, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      const focus = [];
      const layer = L.geoJSON(data, {
        style: function (feature) {
          const role = feature.properties.role;
          if (role === "track") return { color: "#1d4ed8", weight: 4, opacity: 0.9 };
          if (role === "own") return { color: "#b91c1c", weight: 2, fillColor: "#b91c1c", fillOpacity: 0.12 };
          return { color: "#6b7280", weight: 1, fillColor: "#9ca3af", fillOpacity: 0.06 };
        },
        pointToLayer: function (feature, latlng) {
          const urgent = feature.properties.needs_handling;
          return L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 2, fillColor: urgent ? "#dc2626" : "#f59e0b", fillOpacity: 1 });
        },
        onEachFeature: function (feature, shape) {
          if (feature.properties.name) shape.bindTooltip(label(feature.properties.name), { sticky: true });
          if (feature.properties.role === "track" || feature.properties.role === "own") focus.push(shape);
        },
      }).addTo(map);
      const target = focus.length ? L.featureGroup(focus) : layer;
      if (target.getLayers().length) map.fitBounds(target.getBounds(), { padding: [16, 16] });
      else map.setView([35, 117], 12);
      box.dataset.ready = "1";
      box.dataset.trackDrawn = data.features.some(function (f) { return f.properties.role === "track"; }) ? "1" : "0";
    });
  });
})();
