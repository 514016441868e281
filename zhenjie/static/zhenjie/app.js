// Small behaviours shared by every staff page. No build step: plain script, loaded last.
document.addEventListener("htmx:responseError", function (event) {
  // A failed partial update must not fail silently: say so where the person is looking.
  const target = event.detail.target;
  const status = event.detail.xhr.status;
  const message = status === 403 ? "您没有权限执行此操作" : status === 404 ? "记录不存在或不在您的辖区内" : "操作未能完成，请稍后重试";
  const alert = document.createElement("div");
  alert.className = "alert alert-danger mt-2";
  alert.setAttribute("role", "alert");
  alert.textContent = message;
  if (target) target.prepend(alert);
});

// Behaviours the templates ask for with data- attributes instead of inline on…="" handlers, which
// the Content-Security-Policy forbids (settings.CONTENT_SECURITY_POLICY). Listening on the document
// covers content HTMX swaps in later too.
document.addEventListener("click", function (event) {
  const target = event.target.closest("[data-print], button[data-confirm]");
  if (!target) return;
  if (target.hasAttribute("data-print")) { window.print(); return; }
  if (!window.confirm(target.dataset.confirm)) { event.preventDefault(); event.stopImmediatePropagation(); }
});
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) event.preventDefault();
}, true);
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("select[data-autosubmit]") && event.target.form) event.target.form.submit();
});
// Widths that come from data (progress bars) are set here: a style="" attribute would need 'unsafe-inline'.
(function () {
  function widths(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-width]").forEach(function (node) {
      node.style.width = Math.max(0, Math.min(100, Number(node.dataset.width) || 0)) + "%";
    });
  }
  if (window.htmx) window.htmx.onLoad(widths);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { widths(document); });
  else widths(document);
})();
