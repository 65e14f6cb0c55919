// Drag-and-drop upload with progress, and status polling of a running analysis.
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

    var showError = function (message) {
      errorBox.textContent = message;
      errorBox.hidden = false;
      bar.hidden = true;
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
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
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
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 800);
  }
})();
