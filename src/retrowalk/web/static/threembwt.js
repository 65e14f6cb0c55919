// A simple stopwatch for the 3-metre backward walk test: Stop fills in the time field.
(() => {
  const out = document.getElementById("sw-out");
  const field = document.getElementById("time_s");
  if (!out || !field) return;
  let started = null;
  let timer = null;
  document.getElementById("sw-start").addEventListener("click", () => {
    started = performance.now();
    clearInterval(timer);
    timer = setInterval(() => {
      out.textContent = ((performance.now() - started) / 1000).toFixed(2) + " s";
    }, 30);
  });
  document.getElementById("sw-stop").addEventListener("click", () => {
    if (started === null) return;
    clearInterval(timer);
    const seconds = (performance.now() - started) / 1000;
    out.textContent = seconds.toFixed(2) + " s";
    field.value = seconds.toFixed(2);
    started = null;
  });
})();
