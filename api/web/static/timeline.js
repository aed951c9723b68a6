// A timeline per van: drive, wait, service and the lunch break as bars on one clock, each
// branch's lunch closure shaded on the rows of the vans that call there, and the stops with a
// broken rule marked. Times are seconds since midnight of the plan's day.

import { clock, escapeHtml, t } from "/ui/static/shuyun.js";
import { vanColour } from "/ui/static/map.js";

const HOUR = 3600;

/** Monday 0 … Sunday 6 (as the API's opening hours count) of an ISO date. */
function weekday(isoDate) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return (new Date(y, m - 1, d).getDay() + 6) % 7;
}

/** The closures between a site's opening intervals on `day` (a lunch closure). */
export function closures(site, day) {
  const open = (site?.opening_hours || [])
    .filter((h) => h.weekday === day)
    .sort((a, b) => a.open_s - b.open_s);
  const gaps = [];
  for (let i = 1; i < open.length; i += 1) {
    if (open[i].open_s > open[i - 1].close_s) gaps.push([open[i - 1].close_s, open[i].open_s]);
  }
  return gaps;
}

function segment(kind, from, to, span, extra = "", label = "") {
  if (to <= from) return "";
  const left = ((from - span[0]) / (span[1] - span[0])) * 100;
  const width = ((to - from) / (span[1] - span[0])) * 100;
  const title = `${label || t(`seg_${kind}`)} ${clock(from)}–${clock(to)}`;
  return `<span class="tl-seg tl-${kind}${extra}" style="left:${left}%;width:${width}%" title="${escapeHtml(title)}"></span>`;
}

/**
 * Draw `routes` (GET /plans/{id}'s) into `element`. `sitesByCode`: GET /sites items by code;
 * `badStops`: ids of stops with a broken rule; `planDate`: the van day (YYYY-MM-DD).
 */
export function drawTimeline(element, routes, sitesByCode, badStops, planDate) {
  if (!routes.length) {
    element.innerHTML = "";
    return;
  }
  const day = weekday(planDate);
  let first = Infinity;
  let last = -Infinity;
  for (const route of routes) {
    for (const stop of route.stops) {
      first = Math.min(first, stop.arrival);
      last = Math.max(last, stop.departure);
    }
  }
  const span = [Math.floor(first / HOUR) * HOUR, Math.ceil(last / HOUR) * HOUR];
  let ticks = "";
  for (let h = span[0]; h <= span[1]; h += HOUR) {
    const left = ((h - span[0]) / (span[1] - span[0])) * 100;
    ticks += `<span class="tl-tick" style="left:${left}%">${clock(h)}</span>`;
  }
  const rows = routes.map((route, index) => {
    let bars = "";
    const shaded = new Set();
    for (const stop of route.stops) {
      const site = sitesByCode[stop.site_code];
      if (site?.kind !== "branch") continue;
      for (const [from, to] of closures(site, day)) {
        const key = `${from}-${to}`;
        if (shaded.has(key)) continue;
        shaded.add(key);
        const name = t("lang_name") === "en" ? site.name_en : site.name_zh;
        bars += segment("closed", from, to, span, "", `${t("seg_closed")} ${name}`);
      }
    }
    let previous = null;
    let n = 0;
    for (const stop of route.stops) {
      if (previous) bars += segment("drive", previous.departure, stop.arrival, span);
      if (stop.type === "break") {
        bars += segment("break", stop.arrival, stop.departure, span);
      } else if (stop.type === "pickup" || stop.type === "delivery") {
        n += 1;
        const bad = badStops.has(stop.id) ? " tl-bad" : "";
        bars += segment("wait", stop.arrival, stop.service_start, span);
        const site = sitesByCode[stop.site_code];
        const name = site ? (t("lang_name") === "en" ? site.name_en : site.name_zh) : stop.site_code;
        const label = `${n}. ${name} ${t(`stop_${stop.type}`)}`;
        bars += segment("service", stop.service_start, Math.max(stop.departure, stop.service_start + 60), span, bad, label);
      }
      previous = stop;
    }
    const colour = vanColour(index);
    return `<div class="tl-row" role="group" aria-label="${escapeHtml(route.van)}">
      <div class="tl-label"><span class="swatch" style="background:${colour}"></span>${escapeHtml(route.van)}</div>
      <div class="tl-track">${bars}</div></div>`;
  });
  element.innerHTML = `<div class="tl-axis"><div class="tl-label"></div><div class="tl-track">${ticks}</div></div>${rows.join("")}`;
}

/** The legend of the timeline's bars. */
export function timelineLegend(element) {
  element.innerHTML = ["drive", "wait", "service", "break", "closed", "violation"]
    .map((kind) => `<span class="legend-item"><span class="tl-key tl-${kind === "violation" ? "service tl-bad" : kind}"></span>${escapeHtml(t(`seg_${kind}`))}</span>`)
    .join("");
}
