// Behaviour every page shares, without inline script (the Content-Security-Policy
// allows scripts from this server only): confirmation before destructive forms
// (<form data-confirm="...">) and print buttons (data-action="print").
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
})();
