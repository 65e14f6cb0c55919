// Behaviour every page shares, without inline script (the Content-Security-Policy
// allows scripts from this server only): confirmation before destructive forms
// (<form data-confirm="...">), print buttons (data-action="print"), a recording chosen
// setting its day (data-sets-date) and the progress of analysing again the recordings
// another engine version analysed.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm !== undefined) {
      if (!window.confirm(form.dataset.confirm)) { e.preventDefault(); }
    }
  }, true);
  // <select data-sets-date="css selector">: an option with data-date sets that date input
  // (a session logged from a recording is on the recording's day).
  document.addEventListener("change", function (e) {
    var select = e.target;
    if (!(select instanceof HTMLSelectElement) || !select.dataset.setsDate) { return; }
    var option = select.selectedOptions[0];
    var input = document.querySelector(select.dataset.setsDate);
    if (option && option.dataset.date && input) { input.value = option.dataset.date; }
  });
  document.addEventListener("click", function (e) {
    var target = e.target instanceof Element ? e.target.closest("[data-action='print']") : null;
    if (target) { e.preventDefault(); window.print(); }
  });
  var older = document.getElementById("older-engine-all");
  if (older && Number(older.dataset.pending) > 0) {
    var meter = document.getElementById("older-progress");
    // A person's page follows that person's recordings; the others the account's.
    var url = "/reanalysis.json" +
      (older.dataset.person ? "?person_id=" + encodeURIComponent(older.dataset.person) : "");
    var poll = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          // Those queued for something else too, and the older ones queued for
          // something else only, are named on the page, and a stop button shows only
          // while a stop would cancel some: reloaded when any of them changes.
          var stop = document.getElementById("stop-reanalysis");
          if (s.pending === 0 || s.stop_keeps !== Number(older.dataset.kept) ||
              s.queued_otherwise !== Number(older.dataset.otherwise) ||
              (stop && s.stop_cancels === 0)) { window.location.reload(); return; }
          // The run's size and how far it is come from the server (a reload
          // mid-run shows the same): analysed again, or not, of the total.
          var finished = s.analysed_again + s.failed.length;
          document.getElementById("older-left").textContent =
            s.pending + (s.pending === 1 ? " recording left" : " recordings left");
          document.getElementById("older-done").textContent = finished + " of " + s.total + " done";
          if (meter) { meter.max = s.total; meter.value = finished; }
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
