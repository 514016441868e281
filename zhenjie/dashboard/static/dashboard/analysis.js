// The analysis page: its figures come with the page (json_script); draw each chart box once.
(function () {
  const source = document.getElementById("analysis-figures");
  if (!source) return;
  const figures = JSON.parse(source.textContent);
  document.querySelectorAll("[data-chart]").forEach(function (box) {
    window.ZhenjieCharts.draw(box, box.dataset.chart, figures[box.dataset.chart], false);
  });
})();
