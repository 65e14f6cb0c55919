// Weekly progress charts (Plotly, served locally).
(function () {
  "use strict";
  var node = document.getElementById("progress-data");
  if (!node || typeof Plotly === "undefined") { return; }
  var weeks = JSON.parse(node.textContent);
  var x = weeks.map(function (w) { return w.week_start; });
  var layout = function (title, unit) {
    return {
      title: { text: title, font: { size: 15 } },
      margin: { l: 55, r: 20, t: 45, b: 45 },
      xaxis: { type: "date", tickvals: x, tickformat: "%d %b %Y", title: { text: "week starting" } },
      yaxis: { title: { text: unit }, rangemode: "tozero" },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)"
    };
  };
  var line = function (key) {
    return [{ x: x, y: weeks.map(function (w) { return w[key]; }), type: "scatter",
      mode: "lines+markers", line: { color: "#0b6e4f", width: 2 }, marker: { size: 8 },
      connectgaps: true }];
  };
  var config = { displaylogo: false, responsive: true };
  Plotly.newPlot("chart-speed", line("backward_speed_mps"), layout("Backward speed", "m/s"), config);
  Plotly.newPlot("chart-distance", [{ x: x, y: weeks.map(function (w) { return w.backward_distance_m; }),
    type: "bar", marker: { color: "#0b6e4f" } }], layout("Backward distance per week", "m"), config);
  Plotly.newPlot("chart-cadence", line("cadence_spm"), layout("Backward cadence", "steps/min"), config);
  Plotly.newPlot("chart-steadiness", line("step_time_cv_pct"),
    layout("Steadiness: step-time variability (lower is steadier)", "%"), config);
})();
