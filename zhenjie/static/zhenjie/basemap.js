// The one base map every map draws on (workbench/basemap.py): tiles from the county's own file
// served by the platform (/tiles/{z}/{x}/{y}), or an intranet tile server, or none — then maps
// draw the areas' polygons alone. The config reaches the page as JSON (components/basemap.html).
(function () {
  const node = document.getElementById("zhenjie-basemap");
  let config = null;
  try { config = node ? JSON.parse(node.textContent) : null; } catch (error) { config = null; }
  window.zhenjieBasemap = function (map) {
    if (!config || !config.url) return null;
    const options = { minZoom: 0, maxZoom: 19, maxNativeZoom: config.maxNativeZoom, className: "basemap-tiles" };
    if (config.bounds) {
      // Outside the file's territory there are no tiles: Leaflet asks for none there.
      options.bounds = L.latLngBounds([config.bounds[1], config.bounds[0]], [config.bounds[3], config.bounds[2]]);
    }
    if (config.minZoom) options.minNativeZoom = config.minZoom;
    if (config.attribution) options.attribution = config.attribution;
    return L.tileLayer(config.url, options).addTo(map);
  };
})();
