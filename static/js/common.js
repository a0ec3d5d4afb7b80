// Shared by the platform's pages: the CSRF token for fetch(), job status colours, map tiles.
window.tep = {
  csrfToken: function () {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  },
  statusBadges: {
    successful: "text-bg-success", failed: "text-bg-danger", running: "text-bg-primary",
    dismissed: "text-bg-secondary", accepted: "text-bg-info",
  },
  tileUrl: "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
  tileAttribution: "© OpenStreetMap contributors",
};
