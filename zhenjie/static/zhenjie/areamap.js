// Draws area boundaries from the project's own GeoJSON with Leaflet: no tile server is needed
// (government intranets are closed); a base map is added when the county has one (basemap.js).
(function () {
  // Area names reach the tooltip as text, never as HTML (Leaflet writes a string tooltip as HTML).
  function label(text) {
    const node = document.createElement("span");
    node.textContent = text;
    return node;
  }
  const palette = ["#b91c1c", "#1d4ed8", "#047857", "#b45309", "#7c3aed", "#0e7490", "#be185d", "#4d7c0f"];
  document.querySelectorAll("[data-geojson]").forEach(function (box) {
    const map = L.map(box, { zoomControl: true, attributionControl: false, zoomSnap: 0.25 });
    if (window.zhenjieBasemap) window.zhenjieBasemap(map);
    fetch(box.dataset.geojson, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        let index = 0;
        const layer = L.geoJSON(data, {
          style: function () { const color = palette[index++ % palette.length]; return { color: color, weight: 1.5, fillColor: color, fillOpacity: 0.18 }; },
          onEachFeature: function (feature, shape) {
            shape.bindTooltip(label(feature.properties.name), { sticky: true });
            if (box.dataset.areaUrl) shape.on("click", function () { window.location = box.dataset.areaUrl + encodeURIComponent(feature.properties.id) + "/"; });
          },
        }).addTo(map);
        if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        else map.setView([35, 117], 9);
        if (box.dataset.point) {
          const [lng, lat] = box.dataset.point.split(",").map(Number);
          L.circleMarker([lat, lng], { radius: 8, color: "#fff", weight: 2, fillColor: "#dc2626", fillOpacity: 1 }).addTo(map);
        }
        box.dataset.ready = "1";
      });
  });
})();
