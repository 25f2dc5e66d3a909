/* Maps of results and locations. Everything on the page works without this script and without map tiles. */
(function () {
  "use strict";
  function initMaps(root) {
    if (typeof L === "undefined") { return; }
    root.querySelectorAll("[data-map]").forEach(function (el) {
      if (el.dataset.ready) { return; }
      el.dataset.ready = "1";
      var source = document.getElementById(el.dataset.map);
      var points = source ? JSON.parse(source.textContent) : [];
      var map = L.map(el, { scrollWheelZoom: false });
      var tiles = el.dataset.tiles;
      if (tiles) {
        L.tileLayer(tiles, { maxZoom: 18, attribution: el.dataset.attribution || "" }).addTo(map);
      }
      var bounds = [];
      points.forEach(function (p) {
        var marker = L.marker([p.lat, p.lon], { title: p.service + " – " + p.location, alt: p.service, keyboard: true });
        var link = document.createElement("a");
        link.href = el.dataset.serviceUrl.replace("00000000-0000-0000-0000-000000000000", p.service_id);
        link.textContent = p.service;
        var box = document.createElement("div");
        box.appendChild(link);
        var where = document.createElement("div");
        where.textContent = p.location + (p.address ? ", " + p.address : "");
        box.appendChild(where);
        marker.bindPopup(box).addTo(map);
        bounds.push([p.lat, p.lon]);
      });
      if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 }); }
      else { map.setView([63.84, 23.13], 8); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { initMaps(document); });
  document.addEventListener("htmx:afterSwap", function (e) { initMaps(e.target); });
})();
