// The job table follows its jobs live, and cancels or deletes them.
(function () {
  "use strict";
  const BADGES = window.tep.statusBadges;

  const csrfToken = window.tep.csrfToken;

  function update(row, job) {
    const badge = row.querySelector(".badge");
    badge.textContent = job.status;
    badge.className = "badge " + (BADGES[job.status] || "text-bg-light");
    const bar = row.querySelector(".progress-bar");
    bar.style.width = job.progress + "%";
    bar.textContent = job.progress + "%";
    row.querySelector(".progress").setAttribute("aria-valuenow", job.progress);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const table = document.getElementById("job-table");
    if (!table) return;
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + window.location.host + "/ws/jobs/");
    socket.onopen = async function () {
      // Changes made before the socket opened are not pushed: read the listed jobs once.
      const response = await fetch(window.location.pathname + "?limit=1000", {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      (await response.json()).jobs.forEach(function (job) {
        const row = table.querySelector('tr[data-job-id="' + job.jobID + '"]');
        if (row) update(row, job);
      });
    };
    socket.onmessage = function (event) {
      const job = JSON.parse(event.data);
      const row = table.querySelector('tr[data-job-id="' + job.jobID + '"]');
      if (row) update(row, job);
    };
    table.addEventListener("click", async function (event) {
      const button = event.target.closest("[data-dismiss-job]");
      if (!button) return;
      const jobId = button.dataset.dismissJob;
      const response = await fetch("/ogcapi/jobs/" + jobId, {
        method: "DELETE", credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      if (!response.ok) return;
      const row = button.closest("tr");
      const job = await response.json();
      if (job.links && job.links.length === 0) {
        row.remove();
      } else {
        update(row, job);
        button.textContent = "Delete";
      }
    });
  });
})();
