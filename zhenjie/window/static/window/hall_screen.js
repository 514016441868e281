// The hall screen: polls the centre's figures every data-refresh seconds and redraws the calls,
// the waiting per item and the counters' loads in place. Item and counter names are the
// county's data: every one goes into a text node (textContent), never into HTML, under the CSP.
(function () {
  const root = document.querySelector("[data-hall-screen]");
  if (!root) return;
  const refreshMs = Math.max(2, parseInt(root.dataset.refresh, 10) || 5) * 1000;
  const status = root.querySelector("[data-status]");

  function cell(tag, value, className) {
    const node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }

  function row(values) {
    const tr = document.createElement("tr");
    values.forEach(function (value) { tr.appendChild(cell("td", value)); });
    return tr;
  }

  function fill(body, rows, columns, emptyText) {
    body.replaceChildren();
    if (!rows.length) {
      const td = cell("td", emptyText, "hall-empty");
      td.colSpan = columns;
      const tr = document.createElement("tr");
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    rows.forEach(function (values) { body.appendChild(row(values)); });
  }

  function draw(data) {
    fill(root.querySelector("[data-calls]"), data.calls.map(function (c) { return [c.ticket, c.counter + " " + c.counter_name]; }), 2, "暂无叫号");
    fill(root.querySelector("[data-items]"), data.items.map(function (i) {
      return [i.name, String(i.waiting), i.average_minutes + " 分钟", i.longest_minutes + " 分钟"];
    }), 4, "今日暂无取号");
    root.querySelector("[data-waiting-total]").textContent = String(data.waiting_total);
    root.querySelector("[data-refreshed]").textContent = data.generated_at;
    const chart = root.querySelector('[data-chart="counter_loads"]');
    if (window.ZhenjieCharts && typeof echarts !== "undefined") window.ZhenjieCharts.draw(chart, "counter_loads", data.loads, true);
    root.dataset.ready = "1";
  }

  function poll() {
    fetch(root.dataset.dataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.redirected && response.url.indexOf("/accounts/login") !== -1) { window.location.reload(); throw new Error("logged out"); }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) { draw(data); status.classList.remove("offline"); })
      .catch(function () { status.classList.add("offline"); })
      .finally(function () { setTimeout(poll, refreshMs); });
  }

  const clock = root.querySelector("[data-clock]");
  function tick() { clock.textContent = new Date().toLocaleString("zh-CN", { hour12: false }); }
  tick();
  setInterval(tick, 1000);
  poll();
})();
