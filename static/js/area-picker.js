// A Leaflet map under bbox and polygon inputs: drag to draw a box, or click the corners of a
// polygon and double-click to close it; the drawing fills the input it belongs to.
(function () {
  "use strict";

  function boxFrom(start, end) {
    return L.latLngBounds(start, end);
  }

  function attach(field, kind) {
    const container = document.createElement("div");
    container.className = "area-picker border rounded mt-2";
    container.style.height = "260px";
    container.id = field.id + "-map";
    field.insertAdjacentElement("afterend", container);
    const map = L.map(container, { doubleClickZoom: false }).setView([52.37, 4.88], 10);
    L.tileLayer(window.tep.tileUrl, { maxZoom: 18, attribution: window.tep.tileAttribution }).addTo(map);
    let shape = null;

    function show(layer) {
      if (shape) map.removeLayer(shape);
      shape = layer.addTo(map);
    }

    if (kind === "bbox") {
      let start = null;
      map.dragging.disable();
      map.on("mousedown", function (event) { start = event.latlng; });
      map.on("mousemove", function (event) {
        if (start) show(L.rectangle(boxFrom(start, event.latlng), { weight: 2 }));
      });
      map.on("mouseup", function (event) {
        if (!start) return;
        const bounds = boxFrom(start, event.latlng);
        start = null;
        show(L.rectangle(bounds, { weight: 2 }));
        field.value = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
          .map(function (value) { return value.toFixed(5); }).join(", ");
        field.dispatchEvent(new Event("change"));
      });
    } else {
      let corners = [];
      map.on("click", function (event) {
        corners.push(event.latlng);
        show(L.polyline(corners, { weight: 2 }));
      });
      map.on("dblclick", function () {
        if (corners.length < 3) return;
        const ring = corners.map(function (point) { return [point.lng, point.lat]; });
        ring.push(ring[0]);
        show(L.polygon(corners, { weight: 2 }));
        field.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
        corners = [];
        field.dispatchEvent(new Event("change"));
      });
    }
  }

  window.tepAreaPicker = { attach: attach };
})();
