// Fills a form's hidden lng/lat from the phone's position when the person allows it. A form
// without a position is still accepted: the position is evidence, not a condition.
(function () {
  document.querySelectorAll("form[data-position]").forEach(function (form) {
    const status = form.querySelector("[data-position-status]");
    const say = function (text) {
      if (!status) return;
      const icon = document.createElement("i");
      icon.className = "bi bi-geo-alt me-1";
      status.replaceChildren(icon, document.createTextNode(text));
    };
    if (!navigator.geolocation) { say("此设备无法定位，将不记录位置"); return; }
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.querySelector("[name=lng]").value = position.coords.longitude.toFixed(6);
        form.querySelector("[name=lat]").value = position.coords.latitude.toFixed(6);
        say("已定位(精度约" + Math.round(position.coords.accuracy) + "米)");
      },
      function () { say("未获取到位置，将不记录位置"); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
