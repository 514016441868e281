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
