// The command screen: a map of the jurisdiction from the project's own GeoJSON (no outside tiles),
// live counts, charts and the department ranking. It polls two JSON endpoints every
// data-refresh seconds and updates everything in place: the page itself is never reloaded.
(function () {
  const root = document.querySelector("[data-dashboard]");
  if (!root) return;
  const dark = root.dataset.theme === "dark";
  const refreshMs = Math.max(2, parseInt(root.dataset.refresh, 10) || 30) * 1000;
  // By the event workflow's phase (events/workflow.py); the legend shows 待受理 and 待派遣 as one.
  const GROUP_COLOURS = { intake: "#f59e0b", dispatch: "#f59e0b", handling: "#3b82f6", paused: "#94a3b8", verify: "#10b981" };
  const OVERDUE_COLOUR = "#ef4444";
  const AREA_LINE = dark ? "#38bdf8" : "#b91c1c";
  const AREA_FILL = dark ? "#0ea5e9" : "#ef4444";
  const AREA_OPACITY = dark ? 0.06 : 0.04;

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      // An expired session answers with the login page: reload so the person sees it.
      if (response.redirected && response.url.indexOf("/accounts/login") !== -1) { window.location.reload(); throw new Error("logged out"); }
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  function text(tag, value, className) {
    const node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }

  // --- the map ------------------------------------------------------------------------------------
  const mapBox = root.querySelector("[data-map]");
  let map = null;
  let pointLayer = null;
  let areaLayer = null;
  let pointsPending = null;

  function setUpMap() {
    if (!mapBox || typeof L === "undefined") return Promise.resolve();
    map = L.map(mapBox, { zoomControl: !dark, attributionControl: false, zoomSnap: 0.25, preferCanvas: true });
    if (window.zhenjieBasemap) window.zhenjieBasemap(map);
    pointLayer = L.layerGroup().addTo(map);
    return fetchJson(mapBox.dataset.geojson).then(function (data) {
      // A township's villages (or a county's townships) are few enough to name on the map;
      // a wall of grids is not, and shows its names on hover instead.
      const labelled = data.features.length <= 40;
      areaLayer = L.geoJSON(data, {
        style: function () { return { color: AREA_LINE, weight: 1.5, fillColor: AREA_FILL, fillOpacity: AREA_OPACITY }; },
        onEachFeature: function (feature, shape) {
          shape.bindTooltip(areaLabel(feature.properties.name, null), labelled
            ? { permanent: true, direction: "center", className: "area-label" }
            : { sticky: true });
        },
      }).addTo(map);
      mapBox.dataset.areas = String(areaLayer.getLayers().length);
      if (areaLayer.getLayers().length) map.fitBounds(areaLayer.getBounds(), { padding: [16, 16] });
      else map.setView([35, 117], 9);
      map.on("moveend", function () { clearTimeout(pointsPending); pointsPending = setTimeout(loadPoints, 400); });
    }).catch(function () { map.setView([35, 117], 9); });
  }

  function areaLabel(name, open) {
    const box = text("div", name, "name");
    if (open !== null) box.appendChild(text("div", "未办结 " + open, "open"));
    return box;
  }

  // Shade each area by its open events now, darkest where most are waiting.
  function shadeAreas(rows) {
    if (!areaLayer) return;
    const open = {};
    let most = 0;
    rows.forEach(function (row) { open[row.id] = row.open; most = Math.max(most, row.open); });
    areaLayer.eachLayer(function (layer) {
      const count = open[layer.feature.properties.id] || 0;
      layer.setStyle({ fillOpacity: AREA_OPACITY + (most ? 0.38 * count / most : 0) });
      layer.setTooltipContent(areaLabel(layer.feature.properties.name, count));
    });
  }

  function drawPoints(data) {
    if (!map) return;
    pointLayer.clearLayers();
    data.points.forEach(function (point) {
      const colour = point.overdue ? OVERDUE_COLOUR : (GROUP_COLOURS[point.group] || GROUP_COLOURS.handling);
      const marker = L.circleMarker([point.lat, point.lng], {
        radius: point.overdue ? 7 : 5.5, color: dark ? "#0f172a" : "#ffffff", weight: 1.2, fillColor: colour, fillOpacity: 0.92,
      });
      const box = document.createElement("div");
      box.appendChild(text("div", point.number, "fw-semibold"));
      box.appendChild(text("div", point.category + " · " + point.state_label + (point.overdue ? " · 已超期" : "")));
      box.appendChild(text("div", "上报 " + point.reported_at, "text-secondary small"));
      if (point.url) { const link = text("a", "查看事件", "small"); link.href = point.url; link.target = "_blank"; box.appendChild(link); }
      marker.bindPopup(box);
      pointLayer.addLayer(marker);
    });
    mapBox.dataset.points = String(data.points.length);
    const capped = root.querySelector("[data-capped]");
    if (capped) capped.hidden = !data.capped;
    mapBox.dataset.ready = "1";
  }

  function loadPoints() {
    if (!map) return Promise.resolve();
    let url = mapBox.dataset.pointsUrl;
    try { url += "?bbox=" + map.getBounds().toBBoxString(); } catch (error) { /* the map has no view yet */ }
    return fetchJson(url).then(drawPoints);
  }

  // --- counts, charts, lists ----------------------------------------------------------------------
  function setCount(key, value) {
    root.querySelectorAll('[data-count="' + key + '"]').forEach(function (node) {
      const shown = String(value);
      if (node.textContent !== shown) {
        node.textContent = shown;
        node.classList.remove("bump");
        void node.offsetWidth; // restart the highlight animation
        node.classList.add("bump");
      }
    });
  }

  function drawRanking(rows) {
    const body = root.querySelector("[data-ranking]");
    if (!body) return;
    body.replaceChildren();
    if (!rows.length) {
      const row = document.createElement("tr");
      const cell = text("td", "近期没有乡呼县应呼叫", "text-center muted");
      cell.colSpan = 5;
      row.appendChild(cell);
      body.appendChild(row);
      return;
    }
    rows.forEach(function (r) {
      const row = document.createElement("tr");
      row.appendChild(text("td", String(r.rank), "rank rank-" + Math.min(r.rank, 4)));
      row.appendChild(text("td", r.name, "name"));
      row.appendChild(text("td", String(r.received), "num"));
      row.appendChild(text("td", r.acknowledge_rate === null ? "—" : r.acknowledge_rate + "%", "num"));
      row.appendChild(text("td", r.solve_rate === null ? "—" : r.solve_rate + "%", "num"));
      body.appendChild(row);
    });
  }

  function drawWarnings(items) {
    const list = root.querySelector("[data-warnings]");
    if (!list) return;
    list.replaceChildren();
    if (!items.length) { list.appendChild(text("li", "暂无待确认的预警", "muted")); return; }
    items.forEach(function (item) {
      const entry = document.createElement("li");
      entry.appendChild(text("span", item.raised_at, "when"));
      entry.appendChild(text("span", item.text));
      list.appendChild(entry);
    });
  }

  function render(data) {
    Object.keys(data.counts).forEach(function (key) { setCount(key, data.counts[key]); });
    root.querySelectorAll("[data-chart]").forEach(function (box) {
      window.ZhenjieCharts.draw(box, box.dataset.chart, data[box.dataset.chart], dark);
    });
    shadeAreas(data.open_by_area);
    drawRanking(data.ranking);
    drawWarnings(data.warnings);
    document.querySelectorAll("[data-refreshed]").forEach(function (node) { node.textContent = data.generated_at; });
  }

  function setStatus(ok) {
    document.querySelectorAll("[data-status]").forEach(function (node) {
      node.classList.toggle("offline", !ok);
      node.title = ok ? "数据实时更新中" : "连接中断，稍后自动重试";
    });
  }

  let polls = 0;
  function poll() {
    if (document.hidden && polls > 0) return; // nobody is looking; poll again when the screen is shown
    polls += 1;
    Promise.all([fetchJson(root.dataset.dataUrl).then(render), loadPoints()])
      .then(function () { setStatus(true); root.dataset.polls = String(polls); })
      .catch(function () { setStatus(false); });
  }

  // The wall clock in the header.
  const clock = root.querySelector("[data-clock]");
  function tick() {
    if (!clock) return;
    const now = new Date();
    const pad = function (n) { return String(n).padStart(2, "0"); };
    const days = "日一二三四五六";
    clock.textContent = now.getFullYear() + "年" + (now.getMonth() + 1) + "月" + now.getDate() + "日 星期" + days[now.getDay()] + " " + pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
  }
  tick();
  setInterval(tick, 1000);

  setUpMap().then(function () {
    poll();
    setInterval(poll, refreshMs);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
  });
})();
