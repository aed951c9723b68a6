// The console's map: our own street layer (GeoJSON made from the Beilin shapefiles, served at
// /ui/data/streets.geojson) drawn by Leaflet, with no tile layer; the sites as symbols by kind
// (总馆 / 分馆 / 服务点), each van's route in its own colour with numbered stops, and the OSM
// credit. The streets' Chinese names: on hover (a tooltip on every named street) and, zoomed in,
// as labels on the major roads (trunk, primary and secondary from zoom 15, tertiary from 16.5),
// placed anew after each move so that no two overlap. Leaflet is the UMD build loaded before
// this module (window.L).

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

/** The zoom from which a road class's names are labelled on the map (the others: on hover). */
export const LABEL_ZOOM = { motorway: 15, trunk: 15, primary: 15, secondary: 15, tertiary: 16.5 };
const LABEL_MIN_METRES = 60; // a shorter piece of street carries no label
const LABEL_REPEAT_PX = 320; // one street's name again only this far on
const LABEL_MAX = 120; // labels on the map at once
const LABEL_FONT_PX = 12;
const HOVER_COLOUR = "#ff6f00";

/** Metres between two [lon, lat] points (flat Earth: fine across a district). */
function metres([x0, y0], [x1, y1]) {
  const k = Math.cos(((y0 + y1) / 2) * (Math.PI / 180));
  return Math.hypot((x1 - x0) * k, y1 - y0) * 111_320;
}

/**
 * Where the streets' names may go: the point halfway along each named street line of a
 * labelled class, with its name and the zoom it shows from; the earliest zoom first, then the
 * longest lines (a label sits best on a long piece).
 */
export function labelPlaces(features) {
  const places = [];
  for (const feature of features) {
    const { name, class: roadClass } = feature.properties;
    const from = LABEL_ZOOM[roadClass];
    if (!name || from === undefined) continue;
    const line = feature.geometry.coordinates;
    const pieces = [];
    let length = 0;
    for (let i = 1; i < line.length; i += 1) {
      pieces.push(metres(line[i - 1], line[i]));
      length += pieces[i - 1];
    }
    if (length < LABEL_MIN_METRES) continue;
    let rest = length / 2;
    let i = 0;
    while (i < pieces.length - 1 && rest > pieces[i]) {
      rest -= pieces[i];
      i += 1;
    }
    const k = pieces[i] ? rest / pieces[i] : 0;
    const [[x0, y0], [x1, y1]] = [line[i], line[i + 1]];
    places.push({ name, from, length, latlng: L.latLng(y0 + (y1 - y0) * k, x0 + (x1 - x0) * k) });
  }
  return places.sort((a, b) => a.from - b.from || b.length - a.length);
}

const KIND_SYMBOL = { central: "总", branch: "分", service_point: "" };

/** The colour of a van: by its place in the day's fleet. */
export function vanColour(index) {
  return VAN_COLOURS[index % VAN_COLOURS.length];
}

export class RouteMap {
  constructor(element) {
    this.map = L.map(element, {
      preferCanvas: true,
      zoomSnap: 0.25,
      minZoom: 11,
      maxZoom: 18,
      attributionControl: true,
    });
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution(escapeHtml("© OpenStreetMap contributors"));
    this.map.setView([34.25, 108.955], 13.5);
    // The streets (thousands of lines) on a canvas in a pane of their own under the routes
    // (SVG paths of their own), their name labels above the routes and under the markers;
    // neither labels nor the routes' SVG box stand between the pointer and the streets
    // (console.css).
    this.map.createPane("streets").style.zIndex = "350";
    const labelPane = this.map.createPane("streetLabels");
    labelPane.style.zIndex = "450";
    labelPane.style.pointerEvents = "none";
    this.renderer = L.canvas({ pane: "streets", padding: 0.2, tolerance: 3 });
    this.lines = L.svg({ padding: 0.2 });
    this.streets = L.layerGroup().addTo(this.map);
    this.labels = L.layerGroup().addTo(this.map);
    this.streetFeatures = [];
    this.labelPlaces = null; // worked out the first time the map is zoomed in that far
    this.map.on("moveend", () => this.placeLabels());
    this.sites = L.layerGroup().addTo(this.map);
    this.routes = L.layerGroup().addTo(this.map);
    this.stops = L.layerGroup().addTo(this.map);
    this.bounds = null;
  }

  async drawStreets() {
    const response = await fetch("/ui/data/streets.geojson");
    if (!response.ok) throw new Error(t("streets_missing"));
    const data = await response.json();
    // A named street answers the pointer with its name (one tooltip for the whole layer,
    // its text the street's own); an unnamed one is not interactive at all.
    const style = (feature) => ({
      ...(STREET_STYLE[feature.properties.class] || MINOR),
      interactive: Boolean(feature.properties.name),
    });
    const layer = L.geoJSON(data, { renderer: this.renderer, style })
      .bindTooltip((line) => escapeHtml(line.feature.properties.name), {
        sticky: true,
        direction: "top",
        offset: [0, -8],
        className: "street-tooltip",
      })
      .on("mouseover", (event) => event.layer.setStyle({ color: HOVER_COLOUR }))
      .on("mouseout", (event) => layer.resetStyle(event.layer));
    this.streets.clearLayers();
    this.streets.addLayer(layer);
    this.streetCount = data.features.length;
    this.streetFeatures = data.features;
    this.labelPlaces = null;
    this.bounds = layer.getBounds();
    if (!this.fitted) this.map.fitBounds(this.bounds, { padding: [10, 10] });
    this.placeLabels();
  }

  /**
   * The names of the major roads in view at this zoom, as labels on their lines: the longest
   * pieces first, none overlapping another, one street's name again only a good way on.
   */
  placeLabels() {
    this.labels.clearLayers();
    const zoom = this.map.getZoom();
    if (zoom < Math.min(...Object.values(LABEL_ZOOM))) return;
    this.labelPlaces ??= labelPlaces(this.streetFeatures);
    const view = this.map.getBounds();
    const size = this.map.getSize();
    const taken = [];
    const shown = new Map();
    for (const place of this.labelPlaces) {
      if (place.from > zoom) break; // the earliest zoom first: none further shows
      if (!view.contains(place.latlng)) continue;
      const p = this.map.latLngToContainerPoint(place.latlng);
      const w = place.name.length * LABEL_FONT_PX + 8;
      const h = LABEL_FONT_PX + 6;
      const box = [p.x - w / 2, p.y - h / 2, p.x + w / 2, p.y + h / 2];
      if (box[0] < 0 || box[1] < 0 || box[2] > size.x || box[3] > size.y) continue; // whole
      if (taken.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3])) continue;
      const same = shown.get(place.name) || [];
      if (same.some((q) => q.distanceTo(p) < LABEL_REPEAT_PX)) continue;
      taken.push(box);
      shown.set(place.name, [...same, p]);
      const icon = L.divIcon({
        className: "street-label",
        html: `<span>${escapeHtml(place.name)}</span>`,
        iconSize: [w, h],
      });
      L.marker(place.latlng, { icon, pane: "streetLabels", interactive: false, keyboard: false })
        .addTo(this.labels);
      if (taken.length >= LABEL_MAX) break;
    }
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
