// The grid file's preview map (areas/_grid_preview.html): the uploaded grids over their villages,
// coloured by what the import would do, with the part of a grid outside its village and the
// overlaps between grids of one village drawn on top, over the county's base map when it has one
// (basemap.js). Names reach the tooltip as text nodes, never as HTML.
(function () {
  function label(lines) {
    const node = document.createElement("span");
    lines.forEach(function (text, index) {
      if (index) node.appendChild(document.createElement("br"));
      node.appendChild(document.createTextNode(text));
    });
    return node;
  }
  const STATUS = { new: "新增", changed: "有变化", unchanged: "无变化", refused: "被拒绝" };
  const STYLE = {
    village: { color: "#475569", weight: 2, dashArray: "6 4", fillColor: "#94a3b8", fillOpacity: 0.05 },
    existing: { color: "#475569", weight: 1, dashArray: "2 3", fillColor: "#e2e8f0", fillOpacity: 0.3 },
    new: { color: "#15803d", weight: 1.5, fillColor: "#22c55e", fillOpacity: 0.25 },
    changed: { color: "#1d4ed8", weight: 1.5, fillColor: "#3b82f6", fillOpacity: 0.25 },
    unchanged: { color: "#64748b", weight: 1, fillColor: "#cbd5e1", fillOpacity: 0.2 },
    refused: { color: "#b91c1c", weight: 2.5, fillColor: "#fca5a5", fillOpacity: 0.25 },
    outside: { color: "#dc2626", weight: 1, fillColor: "#dc2626", fillOpacity: 0.55 },
    overlap: { color: "#c2410c", weight: 1, fillColor: "#f97316", fillOpacity: 0.6 },
  };
  function kindOf(feature) {
    const p = feature.properties;
    return p.role === "grid" ? p.status : p.role;
  }
  function describe(feature) {
    const p = feature.properties;
    if (p.role === "village") return [p.name + "（" + p.code + "）", "所属村(社区)"];
    if (p.role === "existing") return [p.name + "（" + p.code + "）", "本村已有网格，文件中没有"].concat(p.flagged ? ["与文件中的网格重叠"] : []);
    if (p.role === "outside") return [p.name + "（" + p.code + "）", "位于村(社区)之外的部分"];
    if (p.role === "overlap") return [p.name, "重叠约 " + Math.round(p.area).toLocaleString("zh-CN") + " 平方米"];
    const lines = [p.name + "（" + p.code + "）", STATUS[p.status] || p.status];
    if (p.inside !== null && p.inside !== undefined) lines.push("位于村内 " + p.inside + "%");
    if (p.flagged) lines.push("与同村其他网格重叠");
    return lines;
  }
  document.querySelectorAll("[data-grid-preview]").forEach(function (box) {
    const source = document.getElementById(box.dataset.gridPreview);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const map = L.map(box, { zoomControl: true, attributionControl: false, zoomSnap: 0.25 });
    if (window.zhenjieBasemap) window.zhenjieBasemap(map);
    const layer = L.geoJSON(data, {
      style: function (feature) {
        const kind = kindOf(feature);
        const style = Object.assign({}, STYLE[kind] || STYLE.unchanged, { className: "grid-preview-" + kind });
        if (feature.properties.flagged) { style.color = "#ea580c"; style.weight = 3; }
        return style;
      },
      onEachFeature: function (feature, shape) {
        shape.bindTooltip(label(describe(feature)), { sticky: true });
      },
    }).addTo(map);
    if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [12, 12] });
    else map.setView([35, 117], 9);
    box.dataset.ready = "1";
  });
})();
