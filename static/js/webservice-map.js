// A web service's map: its raster tiles or its features over the base map, zoomed to the extent.
(function () {
  "use strict";

  function readJson(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function extentBounds(bbox) {
    return bbox ? L.latLngBounds([bbox[1], bbox[0]], [bbox[3], bbox[2]]) : null;
  }

  function showFeatures(map, data, bounds) {
    const layer = L.geoJSON(data, {
      style: { color: "#1b8a8f", weight: 2, fillOpacity: 0.25 },
      onEachFeature: function (feature, item) {
        const name = feature.properties && (feature.properties.name || feature.properties.title);
        item.bindTooltip(String(name || feature.id));
      },
    }).addTo(map);
    const drawn = layer.getBounds();
    if (!bounds && drawn.isValid()) map.fitBounds(drawn, { padding: [16, 16], maxZoom: 16 });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const box = document.getElementById("service-map");
    if (!box) return;
    const settings = readJson("service-map-settings") || {};
    const features = readJson("service-features");
    const map = L.map(box);
    L.tileLayer(window.tep.tileUrl, { attribution: window.tep.tileAttribution, maxZoom: 19 }).addTo(map);
    const bounds = extentBounds(settings.bbox);
    if (bounds) map.fitBounds(bounds, { padding: [16, 16] });
    else map.setView([20, 0], 2);
    if (settings.kind === "coverage") {
      // Tiles are asked for inside the extent only: outside it the service answers 404.
      L.tileLayer(settings.tiles, { bounds: bounds, maxZoom: 22, opacity: 0.9, className: "service-tiles" }).addTo(map);
    } else if (features) {
      showFeatures(map, features, bounds);
    } else if (settings.items) {
      fetch(settings.items, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data) showFeatures(map, data, bounds); });
    }
  });
})();
