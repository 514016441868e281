// Chart options shared by the command screen and the analysis pages (ECharts, vendored).
// One look for both: the dark wall screen and the light pages differ only in text and grid colours.
(function () {
  const PALETTE = ["#f43f5e", "#3b82f6", "#10b981", "#f59e0b", "#8b5cf6", "#06b6d4", "#ec4899", "#84cc16", "#f97316", "#14b8a6", "#a855f7", "#64748b"];
  const THEMES = {
    dark: { text: "#cbd5e1", strong: "#f1f5f9", axis: "#334155", split: "rgba(148,163,184,.14)", tooltip: "rgba(15,23,42,.92)", border: "#1e293b", fontSize: 14 },
    light: { text: "#4b5563", strong: "#111827", axis: "#d1d5db", split: "#eef0f3", tooltip: "rgba(255,255,255,.96)", border: "#e5e7eb", fontSize: 12 },
  };

  function base(t) {
    return {
      color: PALETTE,
      animationDuration: 600,
      animationDurationUpdate: 600,
      textStyle: { fontFamily: "'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif", color: t.text, fontSize: t.fontSize },
      // Tooltips drawn on the canvas (richText), not as HTML: category and area names are county
      // data, and ECharts' HTML tooltip is innerHTML with inline styles, which the CSP refuses.
      // Axis labels, legends and series labels are canvas text already. (issue 12, item 2)
      tooltip: { renderMode: "richText", backgroundColor: t.tooltip, borderColor: t.border, textStyle: { color: t.strong } },
    };
  }

  function empty(t, rows) {
    return rows.length ? null : { text: "暂无数据", left: "center", top: "middle", textStyle: { color: t.text, fontSize: t.fontSize, fontWeight: "normal" } };
  }

  // Horizontal bars, largest on top: categories, areas.
  function bars(rows, t, options) {
    const shown = rows.slice(0, (options && options.limit) || 10).reverse();
    const gradient = options && options.color;
    return Object.assign(base(t), {
      title: empty(t, rows),
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: Object.assign(base(t).tooltip, { trigger: "axis", axisPointer: { type: "shadow" } }),
      xAxis: { type: "value", minInterval: 1, axisLabel: { color: t.text }, splitLine: { lineStyle: { color: t.split } } },
      yAxis: { type: "category", data: shown.map(function (r) { return r.name; }), axisLabel: { color: t.text, width: 96, overflow: "truncate" }, axisLine: { lineStyle: { color: t.axis } }, axisTick: { show: false } },
      series: [{
        type: "bar", name: "件数", data: shown.map(function (r) { return r.value; }), barMaxWidth: 18,
        itemStyle: { borderRadius: [0, 4, 4, 0], color: gradient || "#3b82f6" },
        label: { show: true, position: "right", color: t.strong },
      }],
    });
  }

  // A ring: channels.
  function ring(rows, t) {
    return Object.assign(base(t), {
      title: empty(t, rows),
      tooltip: Object.assign(base(t).tooltip, { trigger: "item", formatter: "{b}：{c} 件 ({d}%)" }),
      legend: { type: "scroll", bottom: 0, textStyle: { color: t.text }, icon: "circle", itemWidth: 10, itemHeight: 10 },
      series: [{
        type: "pie", name: "渠道", radius: ["42%", "68%"], center: ["50%", "44%"], avoidLabelOverlap: true,
        itemStyle: { borderColor: t.border, borderWidth: 2 },
        label: { color: t.text, formatter: "{b}\n{c}" },
        data: rows.map(function (r) { return { name: r.name, value: r.value }; }),
      }],
    });
  }

  // Reported against closed over time: days on the screen, weeks on the analysis page.
  function trend(data, t) {
    function line(name, values, color) {
      return { type: "line", name: name, data: values, smooth: 0.3, symbolSize: 6, lineStyle: { width: 2.5, color: color }, itemStyle: { color: color },
               areaStyle: { color: { type: "linear", x: 0, y: 0, x2: 0, y2: 1, colorStops: [{ offset: 0, color: color + "55" }, { offset: 1, color: color + "00" }] } } };
    }
    return Object.assign(base(t), {
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      tooltip: Object.assign(base(t).tooltip, { trigger: "axis" }),
      legend: { top: 0, right: 8, textStyle: { color: t.text } },
      xAxis: { type: "category", data: data.labels, boundaryGap: false, axisLabel: { color: t.text }, axisLine: { lineStyle: { color: t.axis } } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: t.text }, splitLine: { lineStyle: { color: t.split } } },
      series: [line("上报", data.reported, "#38bdf8"), line("办结", data.closed, "#34d399")],
    });
  }

  const BUILDERS = {
    by_category: function (rows, t) { return bars(rows, t, { color: "#f43f5e" }); },
    by_area: function (rows, t) { return bars(rows, t, { color: "#f59e0b", limit: 12 }); },
    counter_loads: function (rows, t) { return bars(rows, t, { color: "#34d399", limit: 16 }); },  // the hall screen (window)
    by_channel: ring,
    trend: trend,
  };

  window.ZhenjieCharts = {
    // Draws (or redraws in place) one chart; marks its box data-drawn="1" once ECharts has painted.
    draw: function (box, kind, data, dark) {
      let chart = echarts.getInstanceByDom(box);
      if (!chart) {
        chart = echarts.init(box, null, { renderer: "canvas" });
        chart.on("finished", function () { box.dataset.drawn = "1"; });
        window.addEventListener("resize", function () { chart.resize(); });
      }
      chart.setOption(BUILDERS[kind](data, THEMES[dark ? "dark" : "light"]), { notMerge: true, lazyUpdate: false });
      return chart;
    },
  };
})();
