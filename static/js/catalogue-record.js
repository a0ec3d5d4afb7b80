// A record's page: its footprint on a map.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    const box = document.getElementById("record-map");
    if (!box) return;
    const geometry = JSON.parse(document.getElementById("record-geometry").textContent);
    const map = L.map(box);
    L.tileLayer(window.tep.tileUrl, { attribution: window.tep.tileAttribution, maxZoom: 18 }).addTo(map);
    const layer = L.geoJSON(geometry, { style: { color: "#0d6efd", weight: 2 } }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 10 });
  });
})();
