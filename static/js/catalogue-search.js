// The catalogue search page: a map to draw the area of interest, the filters turned into
// OGC API - Records query parameters, and the results' footprints on the map.
(function () {
  "use strict";

  function currentParameters() {
    return new URLSearchParams(window.location.search);
  }

  function restoreForm(parameters) {
    const types = (parameters.get("type") || "").split(",").filter(Boolean);
    document.querySelectorAll(".search-type").forEach(function (box) { box.checked = types.includes(box.value); });
    const interval = (parameters.get("datetime") || "").split("/");
    if (interval[0] && interval[0] !== "..") document.getElementById("search-from").value = interval[0].slice(0, 10);
    if (interval[1] && interval[1] !== "..") document.getElementById("search-to").value = interval[1].slice(0, 10);
    document.getElementById("search-platform").value = parameters.get("platform") || "";
    const cloud = /cloudCover <= (\d+)/.exec(parameters.get("filter") || "");
    if (cloud) document.getElementById("search-cloud").value = cloud[1];
    document.getElementById("search-cloud-value").textContent = document.getElementById("search-cloud").value;
  }

  function queryFromForm() {
    const query = new URLSearchParams({ f: "html" });
    const text = document.getElementById("search-q").value.trim();
    if (text) query.set("q", text);
    const types = Array.from(document.querySelectorAll(".search-type:checked")).map(function (box) { return box.value; });
    if (types.length) query.set("type", types.join(","));
    const from = document.getElementById("search-from").value;
    const to = document.getElementById("search-to").value;
    if (from || to) query.set("datetime", (from || "..") + "/" + (to || ".."));
    const platform = document.getElementById("search-platform").value.trim();
    if (platform) query.set("platform", platform);
    const cloud = Number(document.getElementById("search-cloud").value);
    if (cloud < 100) query.set("filter", "cloudCover <= " + cloud);
    const bbox = document.getElementById("search-bbox").value;
    if (bbox) query.set("bbox", bbox);
    return query;
  }

  function resultsLayer() {
    const features = JSON.parse(document.getElementById("catalogue-features").textContent);
    return L.geoJSON(
      { type: "FeatureCollection", features: features.filter(function (feature) { return feature.geometry; }) },
      {
        style: { color: "#0d6efd", weight: 1.5, fillOpacity: 0.08 },
        onEachFeature: function (feature, shape) { shape.bindTooltip(feature.properties.title); },
      }
    );
  }

  function boxFrom(field) {
    const values = field.value.split(",").map(Number);
    if (values.length !== 4 || !values.every(Number.isFinite)) return null;
    return L.latLngBounds([values[1], values[0]], [values[3], values[2]]);
  }

  // Dragging on the map draws the area of interest (the map is moved with its buttons).
  function areaPicker(map, field, initial) {
    let start = null;
    let box = initial ? L.rectangle(initial, { color: "#198754", weight: 2 }).addTo(map) : null;
    map.dragging.disable();
    map.on("mousedown", function (event) { start = event.latlng; });
    map.on("mousemove", function (event) {
      if (!start) return;
      if (box) map.removeLayer(box);
      box = L.rectangle(L.latLngBounds(start, event.latlng), { color: "#198754", weight: 2 }).addTo(map);
    });
    map.on("mouseup", function (event) {
      if (!start) return;
      const bounds = L.latLngBounds(start, event.latlng);
      start = null;
      field.value = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
        .map(function (value) { return Math.max(-180, Math.min(180, value)).toFixed(4); }).join(",");
      document.getElementById("catalogue-search").requestSubmit();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("catalogue-search");
    if (!form) return;
    restoreForm(currentParameters());
    const cloud = document.getElementById("search-cloud");
    cloud.addEventListener("input", function () { document.getElementById("search-cloud-value").textContent = cloud.value; });
    const field = document.getElementById("search-bbox");
    const drawn = boxFrom(field);
    const results = resultsLayer();
    const map = L.map("catalogue-map", { worldCopyJump: true });
    // The first view is set before the map has one, so it is not animated.
    if (drawn) map.fitBounds(drawn, { padding: [20, 20] });
    else if (results.getBounds().isValid()) map.fitBounds(results.getBounds(), { padding: [20, 20], maxZoom: 8 });
    else map.setView([30, 0], 2);
    L.tileLayer(window.tep.tileUrl, { attribution: window.tep.tileAttribution, maxZoom: 18 }).addTo(map);
    results.addTo(map);
    areaPicker(map, field, drawn);
    window.tepCatalogue = { map: map };
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.location.search = queryFromForm().toString();
    });
  });
})();
