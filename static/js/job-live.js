// Keeps a job page current: status pushed over WebSocket, cancel, results and run log.
(function () {
  "use strict";
  const FINISHED = ["successful", "failed", "dismissed"];
  const BADGES = window.tep.statusBadges;

  const csrfToken = window.tep.csrfToken;

  function formatRemaining(job, startedAt) {
    if (!startedAt || job.progress <= 0 || job.progress >= 100) return "";
    const elapsed = (Date.now() - startedAt) / 1000;
    const remaining = Math.max(0, Math.round(elapsed * (100 - job.progress) / job.progress));
    return " · about " + remaining + " s left";
  }

  document.addEventListener("DOMContentLoaded", function () {
    const root = document.getElementById("job-live");
    if (!root) return;
    const jobId = root.dataset.jobId;
    const bar = document.getElementById("job-progress-bar");
    const badge = document.getElementById("job-status");
    const message = document.getElementById("job-message");
    const cancel = document.getElementById("job-cancel");
    const log = document.getElementById("job-log");
    const results = document.getElementById("job-results");
    let startedAt = root.dataset.started ? Date.parse(root.dataset.started) : null;

    async function refreshLog() {
      const response = await fetch("/ogcapi/jobs/" + jobId + "/runlog", { credentials: "same-origin" });
      if (response.ok) log.textContent = (await response.text()).split("\n").slice(-20).join("\n");
    }

    async function showResults() {
      const response = await fetch("/ogcapi/jobs/" + jobId + "/results", {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      const document_ = await response.json();
      results.innerHTML = "";
      if (!response.ok) {
        results.textContent = document_.detail || "No results.";
        return;
      }
      Object.entries(document_).forEach(function ([id, value]) {
        const item = document.createElement("li");
        item.className = "list-group-item";
        const name = document.createElement("strong");
        name.textContent = id + ": ";
        item.appendChild(name);
        if (value && value.href) {
          const link = document.createElement("a");
          link.href = value.href;
          link.textContent = "download (" + (value.type || "file") + ")";
          link.setAttribute("download", "");
          item.appendChild(link);
          previewReference(item, id, value);
        } else {
          const shown = value && value.value !== undefined ? value.value : value;
          const pre = document.createElement("pre");
          pre.className = "small mb-0 mt-1 overflow-auto";
          pre.style.maxHeight = "16rem";
          pre.textContent = JSON.stringify(shown, null, 2);
          item.appendChild(pre);
          if (isGeoJson(shown)) previewGeoJson(item, id, shown);
        }
        results.appendChild(item);
      });
    }

    function isGeoJson(value) {
      return Boolean(value) && typeof value === "object" &&
        ["FeatureCollection", "Feature", "Polygon", "MultiPolygon", "Point", "LineString"].includes(value.type);
    }

    const BROWSER_IMAGES = ["image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"];

    function previewReference(item, id, value) {
      const type = (value.type || "").split(";")[0].trim();
      if (BROWSER_IMAGES.includes(type)) {
        const image = document.createElement("img");
        image.src = value.href;
        image.alt = "Preview of " + id;
        image.className = "d-block img-fluid border rounded mt-2 job-preview-image";
        image.style.maxHeight = "20rem";
        item.appendChild(image);
      } else if (type === "application/geo+json" || type === "application/vnd.geo+json") {
        fetch(value.href, { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (geojson) { if (isGeoJson(geojson)) previewGeoJson(item, id, geojson); });
      }
    }

    function previewGeoJson(item, id, geojson) {
      if (!window.L) return;
      const box = document.createElement("div");
      box.className = "border rounded mt-2 job-preview-map";
      box.style.height = "16rem";
      box.setAttribute("aria-label", "Map of " + id);
      item.appendChild(box);
      const map = L.map(box, { attributionControl: true });
      L.tileLayer(window.tep.tileUrl, { attribution: window.tep.tileAttribution, maxZoom: 18 }).addTo(map);
      const layer = L.geoJSON(geojson, { style: { color: "#0d6efd", weight: 2 } }).addTo(map);
      const bounds = layer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] }); else map.setView([0, 0], 1);
    }

    function show(job) {
      if (job.status === "running" && !startedAt) startedAt = Date.now();
      bar.style.width = job.progress + "%";
      bar.textContent = job.progress + "%";
      bar.parentElement.setAttribute("aria-valuenow", job.progress);
      badge.textContent = job.status;
      badge.className = "badge " + (BADGES[job.status] || "text-bg-light");
      message.textContent = (job.message || "") + formatRemaining(job, startedAt);
      const finished = FINISHED.includes(job.status);
      if (cancel) cancel.classList.toggle("d-none", finished);
      refreshLog();
      if (job.status === "successful" || job.status === "failed") showResults();
    }

    function connect() {
      const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      const socket = new WebSocket(scheme + window.location.host + "/ws/jobs/" + jobId + "/");
      socket.onmessage = function (event) { show(JSON.parse(event.data)); };
      // What changed before the socket was open is not pushed: read the status once.
      socket.onopen = async function () {
        const response = await fetch("/ogcapi/jobs/" + jobId, {
          credentials: "same-origin", headers: { Accept: "application/json" },
        });
        if (response.ok) show(await response.json());
      };
      socket.onclose = function (event) {
        if (event.code !== 4403 && !FINISHED.includes(badge.textContent)) setTimeout(connect, 2000);
      };
    }

    const rerun = document.getElementById("job-rerun");
    rerun.addEventListener("click", async function () {
      const request = JSON.parse(document.getElementById("job-request").textContent);
      const response = await fetch("/ogcapi/processes/" + rerun.dataset.process + "/execution", {
        method: "POST", credentials: "same-origin",
        headers: {
          "Content-Type": "application/json", Accept: "application/json",
          Prefer: "respond-async", "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify(request),
      });
      const created = await response.json();
      if (response.status === 201) {
        window.location.href = "/ogcapi/jobs/" + created.jobID + "?f=html";
      } else {
        message.textContent = created.detail || "The job could not be started again.";
      }
    });

    if (cancel) {
      cancel.addEventListener("click", async function () {
        const response = await fetch("/ogcapi/jobs/" + jobId, {
          method: "DELETE", credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        });
        if (response.ok) show(await response.json());
      });
    }
    if (FINISHED.includes(badge.textContent)) {
      refreshLog();
      if (badge.textContent !== "dismissed") showResults();
    } else {
      connect();
      refreshLog();
    }
  });
})();
