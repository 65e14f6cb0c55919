// Weekly progress charts (Plotly, served locally). A chart is drawn only when
// the page holds its place (the page says why a chart without data is left out).
(function () {
  "use strict";
  var node = document.getElementById("progress-data");
  if (!node || typeof Plotly === "undefined") { return; }
  var weeks = JSON.parse(node.textContent);
  var x = weeks.map(function (w) { return w.week_start; });
  var layout = function (title, unit, extra) {
    var out = {
      title: { text: title, font: { size: 15 } },
      margin: { l: 55, r: 20, t: 45, b: 45 },
      xaxis: { type: "date", tickvals: x, tickformat: "%d %b", title: { text: "week starting" } },
      yaxis: { title: { text: unit }, rangemode: "tozero" },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)"
    };
    Object.keys(extra || {}).forEach(function (k) { out[k] = extra[k]; });
    return out;
  };
  var values = function (key) { return weeks.map(function (w) { return w[key]; }); };
  // Each point's label is the figure as the page's table writes it (from the server).
  var shown = function (key) {
    return weeks.map(function (w) { return w.shown ? w.shown[key] : w[key]; });
  };
  var hover = function (unit) { return "%{x|%d %b}: %{text} " + unit + "<extra>%{fullData.name}</extra>"; };
  var line = function (key, unit) {
    return [{ x: x, y: values(key), text: shown(key), hovertemplate: hover(unit), name: "",
      type: "scatter", mode: "lines+markers",
      line: { color: "#0b6e4f", width: 2 }, marker: { size: 8 }, connectgaps: true }];
  };
  var config = { displaylogo: false, responsive: true };
  var draw = function (id, data, lay) {
    if (document.getElementById(id)) { Plotly.newPlot(id, data, lay, config); }
  };
  var bar = function (key, name, color) {
    return { x: x, y: values(key), text: shown(key), textposition: "none",
      hovertemplate: hover("m"), type: "bar", name: name, marker: { color: color } };
  };
  draw("chart-walked", [
    bar("backward_distance_m", "backward", "#d9822b"),
    bar("forward_distance_m", "forward", "#2b6cb0"),
    bar("uncertain_distance_m", "uncertain", "#9aa5b1")
  ], layout("Distance walked per week", "m",
    { barmode: "stack", legend: { orientation: "h", y: -0.25 } }));
  draw("chart-speed", line("backward_speed_mps", "m/s"), layout("Backward speed", "m/s"));
  draw("chart-cadence", line("cadence_spm", "steps/min"), layout("Backward cadence", "steps/min"));
  draw("chart-steadiness", line("step_time_cv_pct", "%"),
    layout("Steadiness: step-time variability (lower is steadier)", "%"));
})();
