/* Approximate areas on a map, for pages that offer one (MAP_TILE_URL is set).
   The list stays the page's main view: the map starts only when its <details>
   opens, draws circles (never pins) from the JSON the page carries, and is
   moved with the keyboard (arrow keys, + and -) once focused. */
(function () {
  "use strict";

  function start(details) {
    var canvas = details.querySelector("[data-map-source]");
    if (!canvas || canvas.getAttribute("data-started")) return;
    canvas.setAttribute("data-started", "1");
    var data = JSON.parse(document.getElementById(canvas.getAttribute("data-map-source")).textContent);
    var map = L.map(canvas, { keyboard: true, scrollWheelZoom: false });
    // A view first: a circle knows its bounds only on a map that has one.
    map.setView([data.center.lat, data.center.lon], 11);
    L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 16 }).addTo(map);
    var bounds = null;
    data.areas.forEach(function (area) {
      var travel = area.kind === "travel";
      var circle = L.circle([area.lat, area.lon], {
        radius: area.radius,
        color: travel ? "#8a3b12" : "#1f5f5b",
        weight: 2,
        dashArray: travel ? "6 4" : null,
        fillOpacity: travel ? 0.05 : 0.25
      }).addTo(map);
      var label = document.createElement("span");
      label.textContent = area.label;
      circle.bindTooltip(label);
      if (area.url) {
        circle.on("click", function () { window.location.href = area.url; });
      }
      bounds = bounds ? bounds.extend(circle.getBounds()) : circle.getBounds();
    });
    if (bounds) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 13, animate: false });
    }
    canvas.setAttribute("data-ready", "1");
  }

  document.querySelectorAll("details[data-map]").forEach(function (details) {
    if (details.open) start(details);
    details.addEventListener("toggle", function () {
      if (details.open) start(details);
    });
  });
})();
