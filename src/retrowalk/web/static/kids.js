// Tap-to-count backward steps: one tap per step, timer from the first tap.
(function () {
  const root = document.getElementById("counter");
  if (!root) return;
  const countEl = document.getElementById("count");
  const timerEl = document.getElementById("timer");
  const saved = document.getElementById("saved");
  const error = document.getElementById("count-error");
  let taps = [];
  let tick = null;

  function seconds() {
    if (taps.length === 0) return 0;
    const end = tick ? performance.now() : taps[taps.length - 1];
    return (end - taps[0]) / 1000;
  }
  function show() {
    countEl.textContent = String(taps.length);
    timerEl.textContent = seconds().toFixed(1);
  }
  document.getElementById("tap").addEventListener("click", function () {
    taps.push(performance.now());
    if (!tick) tick = setInterval(show, 100);
    saved.hidden = true;
    show();
  });
  document.getElementById("undo").addEventListener("click", function () {
    taps.pop();
    if (taps.length === 0 && tick) { clearInterval(tick); tick = null; }
    show();
  });
  document.getElementById("reset").addEventListener("click", function () {
    taps = [];
    if (tick) { clearInterval(tick); tick = null; }
    show();
  });
  document.getElementById("save").addEventListener("click", async function () {
    if (tick) { clearInterval(tick); tick = null; }
    error.hidden = true;
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const body = {
      steps: taps.length,
      duration_s: taps.length > 1 ? Math.round(seconds() * 10) / 10 : null,
      skill: document.getElementById("skill").value,
      note: document.getElementById("note").value,
    };
    const response = await fetch(root.dataset.url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": token},
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      error.textContent = typeof data.detail === "string" ? data.detail : "Could not save; please try again.";
      error.hidden = false;
      return;
    }
    saved.innerHTML = "";
    saved.append("Saved: " + data.steps + " steps. ");
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = "See the log";
    saved.append(link);
    saved.hidden = false;
    taps = [];
    show();
  });
  show();
})();
