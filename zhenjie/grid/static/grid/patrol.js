// Records the patrol's track while the page is open: the phone's position is sent to the API
// every so often (not on every GPS tick, to spare battery and data). Positions that could not be
// sent (no signal) wait in a queue and go with the next batch.
(function () {
  const box = document.querySelector("[data-patrol]");
  if (!box || !navigator.geolocation) {
    if (box) box.querySelector("[data-track-status]").textContent = "此设备无法定位，无法记录轨迹";
    return;
  }
  const url = box.dataset.positionsUrl;
  const csrf = box.dataset.csrf;
  const status = box.querySelector("[data-track-status]");
  const counter = box.querySelector("[data-point-count]");
  const MIN_SECONDS = 10, MIN_METRES = 15, MAX_QUEUE = 500;
  let queue = [], last = null, sending = false;

  function metres(a, b) {
    const r = 6371008.8, rad = Math.PI / 180;
    const dLat = (b.lat - a.lat) * rad, dLng = (b.lng - a.lng) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
    return 2 * r * Math.asin(Math.sqrt(h));
  }

  function send() {
    if (sending || !queue.length) return;
    sending = true;
    const batch = queue.slice(0, MAX_QUEUE);
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ positions: batch }),
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, status: response.status, body: body }; });
    }).then(function (result) {
      if (result.ok) {
        queue = queue.slice(batch.length);
        counter.textContent = result.body.point_count;
        status.textContent = "轨迹记录中，最近一次上传 " + new Date().toLocaleTimeString("zh-CN");
      } else if (result.status === 400) {
        // A refused position (e.g. outside the grid) is dropped, so the rest of the track goes on.
        queue = queue.slice(batch.length);
        status.textContent = result.body.message || "位置未被记录";
      } else if (result.status === 409) {
        status.textContent = result.body.message || "本次巡查已结束";
        navigator.geolocation.clearWatch(watch);
      } else {
        status.textContent = "上传失败，将稍后重试";
      }
    }).catch(function () {
      status.textContent = "网络不可用，位置已暂存(" + queue.length + ")";
    }).finally(function () { sending = false; });
  }

  const watch = navigator.geolocation.watchPosition(function (position) {
    const point = { lng: +position.coords.longitude.toFixed(6), lat: +position.coords.latitude.toFixed(6), accuracy: Math.round(position.coords.accuracy), at: new Date(position.timestamp).toISOString() };
    const now = position.timestamp;
    if (last && (now - last.time) / 1000 < MIN_SECONDS && metres(last, point) < MIN_METRES) return;
    last = { lng: point.lng, lat: point.lat, time: now };
    queue.push(point);
    if (queue.length > MAX_QUEUE) queue.shift();
    send();
  }, function (error) {
    status.textContent = error.code === 1 ? "请允许本页面使用位置信息，以记录巡查轨迹" : "暂时无法定位，正在重试…";
  }, { enableHighAccuracy: true, maximumAge: 5000, timeout: 30000 });
  setInterval(send, 30000);
})();
