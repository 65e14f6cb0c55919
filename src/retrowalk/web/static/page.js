// Behaviour every page shares, without inline script (the Content-Security-Policy
// allows scripts from this server only): confirmation before destructive forms
// (<form data-confirm="...">), print buttons (data-action="print") and the progress
// of analysing again the recordings an earlier engine version analysed.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm !== undefined) {
      if (!window.confirm(form.dataset.confirm)) { e.preventDefault(); }
    }
  }, true);
  document.addEventListener("click", function (e) {
    var target = e.target instanceof Element ? e.target.closest("[data-action='print']") : null;
    if (target) { e.preventDefault(); window.print(); }
  });
  var older = document.getElementById("older-engine-all");
  if (older && Number(older.dataset.pending) > 0) {
    var meter = document.getElementById("older-progress");
    var poll = function () {
      fetch("/reanalysis.json", { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.pending === 0) { window.location.reload(); return; }
          document.getElementById("older-left").textContent =
            s.pending + (s.pending === 1 ? " recording left" : " recordings left");
          if (meter) { meter.value = Math.max(0, meter.max - s.pending); }
          var now = document.getElementById("older-running");
          if (now) {
            now.textContent = s.running ? " (now " + s.running.filename +
              (s.running.percent !== null ? ", " + Math.round(s.running.percent) + " %" : "") + ")" : "";
          }
          setTimeout(poll, 1500);
        })
        .catch(function () { setTimeout(poll, 4000); });
    };
    setTimeout(poll, 1000);
  }
})();
