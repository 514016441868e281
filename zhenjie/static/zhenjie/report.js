// The phone's position for an event report: watch until accurate enough, show it, fill the form.
(function () {
  const form = document.getElementById("report-form");
  if (!form) return;
  const lng = form.querySelector("[name=lng]"), lat = form.querySelector("[name=lat]");
  const status = document.getElementById("position-status"), detail = document.getElementById("position-detail");
  let watch = null;

  function show(position) {
    lng.value = position.coords.longitude.toFixed(6);
    lat.value = position.coords.latitude.toFixed(6);
    status.textContent = "已定位";
    detail.textContent = `经度 ${lng.value}，纬度 ${lat.value}，精度约 ${Math.round(position.coords.accuracy)} 米`;
    if (position.coords.accuracy < 30 && watch !== null) { navigator.geolocation.clearWatch(watch); watch = null; }
  }
  function fail(error) {
    status.textContent = "未能定位";
    detail.textContent = error.code === 1 ? "位置权限被拒绝：请在浏览器设置中允许，或在下方选择所在村(社区)" : "请到开阔处重试，或在下方选择所在村(社区)";
  }
  function locate() {
    if (!navigator.geolocation) { fail({ code: 0 }); return; }
    status.textContent = "正在获取定位…";
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    watch = navigator.geolocation.watchPosition(show, fail, { enableHighAccuracy: true, timeout: 20000, maximumAge: 10000 });
  }
  document.getElementById("locate-again").addEventListener("click", locate);
  // A grid worker's report needs the position, so it is asked for at once; a citizen's is
  // optional (data-optional-position) and asked for only when they press the button.
  if (lng.value && lat.value) { status.textContent = "已定位"; detail.textContent = `经度 ${lng.value}，纬度 ${lat.value}`; }
  else if (!("optionalPosition" in form.dataset)) { locate(); }

  const input = form.querySelector("input[type=file]"), previews = document.getElementById("photo-previews");
  if (input && previews) {
    input.addEventListener("change", function () {
      previews.innerHTML = "";
      Array.from(input.files).slice(0, Number(input.dataset.max || 9)).forEach(function (file) {
        const img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.className = "rounded border report-preview";
                img.alt = file.name;
        previews.appendChild(img);
      });
    });
  }
  form.addEventListener("submit", function () { form.querySelector("button[type=submit]").disabled = true; });
})();
