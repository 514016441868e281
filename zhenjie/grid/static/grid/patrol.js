// Records the patrol's track while the page is open: the phone's position is sent to the API
// every so often (not on every GPS tick, to spare battery and data). Every point is kept on the
// phone (IndexedDB, static/zhenjie/offline.js) with how many of them the server has, so a reload
// — or a page opened again without signal — draws the track again and sends what was not sent.
// The server stores a point once however often it is sent (grid.actions.patrols.add_positions).
(function () {
  const box = document.querySelector("[data-patrol]");
  if (!box) return;
  const status = box.querySelector("[data-track-status]");
  if (!navigator.geolocation) { status.textContent = "此设备无法定位，无法记录轨迹"; return; }
  const url = box.dataset.positionsUrl;
  const patrolId = Number(box.dataset.patrol);
  const counter = box.querySelector("[data-point-count]");
  const local = box.querySelector("[data-local-track]");
  const tracks = window.zhenjieOffline && window.zhenjieOffline.tracks;
  const MIN_SECONDS = 10, MIN_METRES = 15, PER_CALL = 500;
  let track = { patrol: patrolId, points: [], sent: 0 }, last = null, sending = false, watch = null;

  function metres(a, b) {
    const r = 6371008.8, rad = Math.PI / 180;
    const dLat = (b.lat - a.lat) * rad, dLng = (b.lng - a.lng) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
    return 2 * r * Math.asin(Math.sqrt(h));
  }
  function keep() { return tracks ? tracks.put(track).catch(function () {}) : Promise.resolve(); }
  function csrf() {
    const hit = document.cookie.split("; ").find(function (part) { return part.startsWith("csrftoken="); });
    return hit ? decodeURIComponent(hit.slice(10)) : box.dataset.csrf;
  }

  // The line on the map: the points this phone recorded.
  let map = null, line = null;
  const mapBox = box.querySelector("[data-live-map]");
  function draw() {
    const waiting = track.points.length - track.sent;
    local.textContent = "本机已记录 " + track.points.length + " 个点" + (waiting ? "，" + waiting + " 个待上传" : "");
    local.dataset.points = String(track.points.length);
    if (!mapBox || !window.L || !track.points.length) return;
    const latlngs = track.points.map(function (p) { return [p.lat, p.lng]; });
    if (!map) {
      map = L.map(mapBox, { attributionControl: false, zoomControl: false });
      if (window.zhenjieBasemap) window.zhenjieBasemap(map);
      line = L.polyline(latlngs, { color: "#1d4ed8", weight: 4 }).addTo(map);
    } else {
      line.setLatLngs(latlngs);
    }
    if (latlngs.length > 1) map.fitBounds(line.getBounds(), { padding: [20, 20], maxZoom: 17 });
    else map.setView(latlngs[0], 16);
    mapBox.dataset.drawn = String(latlngs.length);
  }

  let inFlight = Promise.resolve();
  function send() {
    if (sending || track.sent >= track.points.length) return inFlight;
    sending = true;
    let again = false;
    const batch = track.points.slice(track.sent, track.sent + PER_CALL);
    inFlight = fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ positions: batch }),
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, status: response.status, body: body }; });
    }).then(function (result) {
      if (result.ok) {
        track.sent += batch.length;
        again = track.sent < track.points.length;  // a long wait without signal: the rest next
        counter.textContent = result.body.point_count;
        status.textContent = "轨迹记录中，最近一次上传 " + new Date().toLocaleTimeString("zh-CN");
      } else if (result.status === 400) {
        // A refused position (e.g. outside the grid) is dropped, so the rest of the track goes on.
        track.sent += batch.length;
        status.textContent = result.body.message || "位置未被记录";
      } else if (result.status === 409) {
        status.textContent = result.body.message || "本次巡查已结束";
        if (watch !== null) navigator.geolocation.clearWatch(watch);
        if (tracks) tracks.remove(patrolId).catch(function () {});
        return;
      } else {
        status.textContent = "上传失败，将稍后重试";
      }
      return keep();
    }).catch(function () {
      status.textContent = "网络不可用，位置已保存在手机上(" + (track.points.length - track.sent) + "个待上传)";
    }).finally(function () { sending = false; draw(); if (again) return send(); });
    return inFlight;
  }

  // Stopping: what the phone still holds goes first, so the stored track is the whole walk.
  const stop = document.querySelector("form[data-patrol-stop]");
  if (stop) {
    stop.addEventListener("submit", function (event) {
      if (stop.dataset.flushed || track.sent >= track.points.length) return;
      event.preventDefault();
      send().then(function () { return inFlight; }).finally(function () {
        stop.dataset.flushed = "1";
        HTMLFormElement.prototype.submit.call(stop);
      });
    });
  }

  function start() {
    // Tracks of earlier patrols the server has whole are no longer needed on the phone.
    if (tracks) tracks.all().then(function (all) {
      all.forEach(function (kept) { if (kept.patrol !== patrolId && kept.sent >= kept.points.length) tracks.remove(kept.patrol); });
    }).catch(function () {});
    draw();
    send();
    watch = navigator.geolocation.watchPosition(function (position) {
      const point = { lng: +position.coords.longitude.toFixed(6), lat: +position.coords.latitude.toFixed(6), accuracy: Math.round(position.coords.accuracy), at: new Date(position.timestamp).toISOString() };
      const now = position.timestamp;
      if (last && (now - last.time) / 1000 < MIN_SECONDS && metres(last, point) < MIN_METRES) return;
      last = { lng: point.lng, lat: point.lat, time: now };
      track.points.push(point);
      keep().then(function () { draw(); send(); });
    }, function (error) {
      status.textContent = error.code === 1 ? "请允许本页面使用位置信息，以记录巡查轨迹" : "暂时无法定位，正在重试…";
    }, { enableHighAccuracy: true, maximumAge: 5000, timeout: 30000 });
    setInterval(send, 30000);
    window.addEventListener("online", send);
  }

  const restored = tracks ? tracks.get(patrolId).catch(function () { return null; }) : Promise.resolve(null);
  restored.then(function (kept) {
    if (kept && Array.isArray(kept.points)) {
      track = kept;
      const end = kept.points[kept.points.length - 1];
      if (end) last = { lng: end.lng, lat: end.lat, time: Date.parse(end.at) };
    }
    start();
  });
})();
