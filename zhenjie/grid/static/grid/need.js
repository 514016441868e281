// The visit form's referral fields (需要帮扶 → 转介) show only while that conclusion is picked.
// Without this script they stay visible, and the server reads them only for that conclusion.
(function () {
  document.querySelectorAll("[data-need-fields]").forEach(function (fields) {
    const form = fields.closest("form");
    const sync = function () {
      const picked = form.querySelector("input[name=situation]:checked");
      fields.hidden = !picked || picked.value !== "help";
    };
    form.querySelectorAll("input[name=situation]").forEach(function (radio) { radio.addEventListener("change", sync); });
    sync();
  });
})();
