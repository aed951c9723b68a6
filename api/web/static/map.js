// The console's map: our own street layer (GeoJSON made from the Beilin shapefiles, served at
// /ui/data/streets.geojson) drawn by Leaflet, with no tile layer; the sites as symbols by kind
// (总馆 / 分馆 / 服务点), each van's route in its own colour with numbered stops, and the OSM
// credit. Leaflet is the UMD build loaded before this module (window.L).

import { escapeHtml, t } from "/ui/static/shuyun.js";

const L = window.L;

export const VAN_COLOURS = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#8d4e00", "#00838f", "#ad1457", "#455a64"];

const STREET_STYLE = {
  motorway: { color: "#e07b39", weight: 5 },
  trunk: { color: "#e8964f", weight: 4.5 },
  primary: { color: "#f0b45c", weight: 4 },
  secondary: { color: "#e6cf6e", weight: 3.2 },
  tertiary: { color: "#c9c3b3", weight: 2.6 },
};
const MINOR = { color: "#d8d4ca", weight: 1.6 };

const KIND_SYMBOL = { central: "总", branch: "分", service_point: "" };

/** The colour of a van: by its place in the day's fleet. */
export function vanColour(index) {
  return VAN_COLOURS[index % VAN_COLOURS.length];
}

export class RouteMap {
  constructor(element) {
    this.map = L.map(element, { preferCanvas: true, zoomSnap: 0.25, attributionControl: true });
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution(escapeHtml("© OpenStreetMap contributors"));
    this.map.setView([34.25, 108.955], 13.5);
    // The streets (thousands of lines) on a canvas; the routes as SVG paths of their own.
    this.renderer = L.canvas({ padding: 0.2 });
    this.lines = L.svg({ padding: 0.2 });
    this.streets = L.layerGroup().addTo(this.map);
    this.sites = L.layerGroup().addTo(this.map);
    this.routes = L.layerGroup().addTo(this.map);
    this.stops = L.layerGroup().addTo(this.map);
    this.bounds = null;
  }

  async drawStreets() {
    const response = await fetch("/ui/data/streets.geojson");
    if (!response.ok) throw new Error(t("streets_missing"));
    const data = await response.json();
    const layer = L.geoJSON(data, {
      renderer: this.renderer,
      interactive: false,
      style: (feature) => STREET_STYLE[feature.properties.class] || MINOR,
    });
    this.streets.clearLayers();
    this.streets.addLayer(layer);
    this.streetCount = data.features.length;
    this.bounds = layer.getBounds();
    if (!this.fitted) this.map.fitBounds(this.bounds, { padding: [10, 10] });
  }

  /** Sites as symbols by kind; `sites` are GET /sites items. */
  drawSites(sites) {
    this.sites.clearLayers();
    for (const site of sites) {
      const name = t("lang_name") === "en" ? site.name_en : site.name_zh;
      const kindName = t(`site_${site.kind}`);
      const icon = L.divIcon({
        className: `site-icon site-${site.kind}`,
        html: `<span aria-hidden="true">${KIND_SYMBOL[site.kind] ?? ""}</span>`,
        iconSize: site.kind === "service_point" ? [10, 10] : [22, 22],
      });
      L.marker([site.lat, site.lon], { icon, title: `${name} · ${kindName}`, keyboard: false })
        .bindTooltip(`${escapeHtml(name)} · ${escapeHtml(kindName)}`)
        .addTo(this.sites);
    }
  }

  /**
   * Each van's route as a line along the streets (`paths`: {van: [[lon, lat], ...]}) or
   * through its stops in order, in the van's colour, with
   * numbered stop markers; a stop with a broken rule is ringed in red.
   */
  drawRoutes(routes, sitesByCode, badStops, paths = {}) {
    this.routes.clearLayers();
    this.stops.clearLayers();
    const reach = L.latLngBounds([]);
    routes.forEach((route, index) => {
      const colour = vanColour(index);
      // Along the streets when the paths came (GeoJSON [lon, lat]); else stop to stop.
      const points = paths[route.van]
        ? paths[route.van].map(([lon, lat]) => [lat, lon])
        : route.stops
            .map((stop) => sitesByCode[stop.site_code])
            .filter(Boolean)
            .map((site) => [site.lat, site.lon]);
      if (points.length) reach.extend(L.latLngBounds(points));
      L.polyline(points, {
        color: colour,
        weight: 4,
        opacity: 0.85,
        className: "route-line",
        renderer: this.lines,
      })
        .bindTooltip(route.van)
        .addTo(this.routes);
      // Consecutive stops at one site share one marker ("3–4").
      const groups = [];
      let n = 0;
      for (const stop of route.stops) {
        if (stop.type !== "pickup" && stop.type !== "delivery") continue;
        n += 1;
        const last = groups[groups.length - 1];
        if (last && last.site === stop.site_code) last.stops.push([n, stop]);
        else groups.push({ site: stop.site_code, stops: [[n, stop]] });
      }
      for (const group of groups) {
        const site = sitesByCode[group.site];
        if (!site) continue;
        const numbers = group.stops.map(([k]) => k);
        const label = numbers.length > 1 ? `${numbers[0]}–${numbers[numbers.length - 1]}` : `${numbers[0]}`;
        const bad = group.stops.some(([, stop]) => badStops.has(stop.id));
        const locked = group.stops.some(([, stop]) => stop.locked);
        const icon = L.divIcon({
          className: `stop-icon${bad ? " stop-bad" : ""}${locked ? " stop-locked" : ""}`,
          html: `<span style="background:${colour}">${label}</span>`,
          iconSize: [20, 20],
          iconAnchor: [index * 6 - 4, 24],
        });
        const name = t("lang_name") === "en" ? site.name_en : site.name_zh;
        L.marker([site.lat, site.lon], {
          icon,
          keyboard: false,
          title: `${route.van} ${label}. ${name}`,
        }).addTo(this.stops);
      }
    });
    // The day's routes fill the map the first time they are drawn; later, the reader's view.
    if (!this.fitted && reach.isValid()) {
      this.map.fitBounds(reach, { padding: [20, 20] });
      this.fitted = true;
    }
  }
}
