// The owner's controls: publish, retitle, public/private, share, unshare, remove (JSON API).
(function () {
  "use strict";

  function call(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": window.tep.csrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      if (response.status === 204) return null;
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.detail || response.statusText);
        return data;
      });
    });
  }

  function showError(id, error) {
    const alert = document.getElementById(id);
    alert.textContent = error.message;
    alert.classList.remove("d-none");
  }

  function setupCreate() {
    const form = document.getElementById("service-create-form");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const lines = form.elements.files.value.split("\n").map(function (line) { return line.trim(); });
      const body = {
        title: form.elements.title.value,
        description: form.elements.description.value,
        files: lines.filter(Boolean),
        public: form.elements.public.checked,
      };
      if (form.elements.job.value.trim()) body.job = form.elements.job.value.trim();
      call("POST", form.dataset.api, body)
        .then(function (created) { window.location.href = form.dataset.api + "/" + created.id + "?f=html"; })
        .catch(function (error) { showError("service-create-error", error); });
    });
  }

  function setupManage() {
    const panel = document.getElementById("service-manage");
    if (!panel) return;
    const settings = JSON.parse(document.getElementById("service-map-settings").textContent);
    const api = settings.api;
    const reload = function () { window.location.reload(); };
    const fail = function (error) { showError("service-error", error); };
    document.getElementById("service-retitle").addEventListener("submit", function (event) {
      event.preventDefault();
      const form = event.target;
      call("PATCH", api, { title: form.elements.title.value, description: form.elements.description.value }).then(reload, fail);
    });
    document.getElementById("service-public").addEventListener("change", function (event) {
      call("PATCH", api, { public: event.target.checked }).then(reload, fail);
    });
    document.getElementById("service-share").addEventListener("submit", function (event) {
      event.preventDefault();
      call("POST", api + "/readers", { username: event.target.elements.username.value.trim() }).then(reload, fail);
    });
    panel.querySelectorAll(".service-unshare").forEach(function (button) {
      button.addEventListener("click", function () {
        call("DELETE", api + "/readers/" + encodeURIComponent(button.dataset.reader)).then(reload, fail);
      });
    });
    document.getElementById("service-remove").addEventListener("click", function () {
      if (!window.confirm("Remove this web service? Its files stay in the workspace.")) return;
      call("DELETE", api).then(function () { window.location.href = "/services/" + settings.owner + "/?f=html"; }, fail);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupCreate();
    setupManage();
  });
})();
