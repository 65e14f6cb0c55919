// Drag-and-drop upload with progress, status polling of a running analysis (stage
// and percent), and the report frame sized to its content (one scrollbar, the page's).
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  var form = document.getElementById("upload-form");
  if (form) {
    var zone = document.getElementById("dropzone");
    var input = document.getElementById("file-input");
    var bar = document.getElementById("upload-progress");
    var errorBox = document.getElementById("upload-error");
    var button = document.getElementById("upload-button");
    var note = document.createElement("p");
    note.id = "upload-status";
    note.className = "muted";
    note.setAttribute("role", "status");
    note.hidden = true;
    bar.insertAdjacentElement("afterend", note);
    var megabytes = function (n) { return (n / 1048576).toFixed(1); };

    var showError = function (message) {
      errorBox.textContent = message;
      errorBox.hidden = false;
      bar.hidden = true;
      note.hidden = true;
      button.disabled = false;
    };

    var send = function () {
      if (!input.files.length) { showError("Choose a recording file first."); return; }
      var data = new FormData(form);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          var percent = Math.round(100 * e.loaded / e.total);
          bar.value = percent;
          note.textContent = "Uploading: " + percent + " % (" + megabytes(e.loaded) +
            " of " + megabytes(e.total) + " MB)";
        }
      };
      xhr.upload.onload = function () {
        bar.value = 100;
        note.textContent = "Uploaded; the server is checking the file…";
      };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
        if (xhr.status >= 200 && xhr.status < 300 && body.url) {
          window.location.href = body.url;
        } else {
          showError(body.detail || ("Upload failed (HTTP " + xhr.status + ")."));
        }
      };
      xhr.onerror = function () { showError("The upload did not reach the server."); };
      errorBox.hidden = true;
      bar.hidden = false;
      bar.value = 0;
      note.hidden = false;
      note.textContent = "Uploading: 0 %";
      button.disabled = true;
      xhr.send(data);
    };

    form.addEventListener("submit", function (e) { e.preventDefault(); send(); });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        send();
      }
    });
  }

  var STAGES = {
    reading: "reading the file",
    analysing: "finding steps and walking direction",
    report: "writing the report"
  };
  var box = document.getElementById("status-box");
  if (box && (box.dataset.status === "queued" || box.dataset.status === "running")) {
    var poll = function () {
      fetch("/recordings/" + box.dataset.recording + "/status", {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.status === "done" || s.status === "failed") { window.location.reload(); return; }
          var text = document.getElementById("status-text");
          if (text) { text.textContent = s.status; }
          var stage = document.getElementById("status-stage");
          if (stage) {
            stage.textContent = s.stage ? ": " + (STAGES[s.stage] || s.stage) +
              (s.percent !== null && s.percent !== undefined ? ", " + Math.round(s.percent) + " %" : "") : "";
          }
          var meter = document.getElementById("analysis-progress");
          if (meter && s.percent !== null && s.percent !== undefined) {
            meter.value = s.percent;
            meter.hidden = false;
          }
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 800);
  }

  var frame = document.querySelector("iframe.report");
  if (frame) {
    var fit = function () {
      var doc = frame.contentDocument;
      if (!doc || !doc.body) { return; }
      var height = Math.max(doc.body.scrollHeight, doc.documentElement.offsetHeight);
      frame.style.height = (height + 2) + "px";
      frame.setAttribute("scrolling", "no");
    };
    var watch = function () {
      fit();
      if (window.ResizeObserver && frame.contentDocument && frame.contentDocument.body) {
        new ResizeObserver(fit).observe(frame.contentDocument.body);
      }
    };
    frame.addEventListener("load", watch);
    if (frame.contentDocument && frame.contentDocument.readyState === "complete" &&
        frame.contentDocument.body && frame.contentDocument.body.childElementCount) { watch(); }
    window.addEventListener("resize", fit);
  }
})();
