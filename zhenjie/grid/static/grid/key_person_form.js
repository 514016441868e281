// Changing the kind reloads the form with that kind's own ledger columns (no data is saved).
(function () {
  const kind = document.getElementById("id_kind"), refresh = document.querySelector("[data-refresh]");
  if (kind && refresh) kind.addEventListener("change", function () { refresh.click(); });
})();
