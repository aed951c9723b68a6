// During the day: each stop planned against what the drivers' scans say (arrived, left, late by
// how much), and the stops at risk of missing their site's opening hours flagged before it
// happens, from each van's delay so far. Times are seconds since midnight of the plan's day.

import { api, clock, libraryDay, librarySeconds, t } from "/ui/static/shuyun.js";

const LATE_MARGIN = 10 * 60; // a stop not scanned 10 minutes after its planned departure

/** Seconds since midnight of `day` (YYYY-MM-DD) of a local ISO time from the API. */
function secondsOn(day, iso) {
  const [date, time = "00:00:00"] = iso.split("T");
  const [h, m, s] = time.split(":").map((x) => parseFloat(x) || 0);
  const offset = (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${day}T00:00:00Z`)) / 1000;
  return offset + h * 3600 + m * 60 + s;
}

async function scanned(day) {
  const found = {};
  for (const status of ["picked_up", "delivered"]) {
    for (let offset = 0; ; offset += 200) {
      const page = await api(`/transfers?planned_for=${day}&status=${status}&limit=200&offset=${offset}`);
      for (const tr of page.items) found[tr.id] = tr;
      if (offset + 200 >= page.total) break;
    }
  }
  return found;
}

function windowEnd(site, weekday, at) {
  const open = (site?.opening_hours || []).filter((h) => h.weekday === weekday);
  const inside = open.find((h) => h.open_s <= at && at <= h.close_s);
  return inside ? inside.close_s : null;
}

/**
 * What happened at each stop of `plan` so far: `{stopId: {state, arrived, left, late, risk}}`
 * (`state`: "done", "started", "due" or "risk"), and per van `{done, stops, delay}`.
 */
export async function dayProgress(plan, sitesByCode, now = new Date()) {
  const transfers = await scanned(plan.date);
  const [y, m, d] = plan.date.split("-").map(Number);
  const weekday = (new Date(y, m - 1, d).getDay() + 6) % 7;
  const nowS = libraryDay(now) === plan.date ? librarySeconds(now) : null;
  const stops = {};
  const vans = {};
  for (const route of plan.routes) {
    let delay = 0;
    let done = 0;
    let work = 0;
    for (const stop of route.stops) {
      if (stop.type !== "pickup" && stop.type !== "delivery") continue;
      work += 1;
      const field = stop.type === "pickup" ? "picked_up_at" : "delivered_at";
      const scans = stop.transfer_ids
        .map((id) => transfers[id]?.[field])
        .filter(Boolean)
        .sort();
      const times = scans.map((iso) => secondsOn(plan.date, iso));
      if (times.length) {
        const arrived = Math.min(...times);
        const left = Math.max(...times);
        const late = arrived - stop.service_start;
        delay = Math.max(0, late);
        const complete = times.length === stop.transfer_ids.length;
        if (complete) done += 1;
        const shown = (seconds, iso) =>
          seconds >= 0 && seconds < 86400 ? clock(seconds) : iso.slice(5, 16).replace("T", " ");
        stops[stop.id] = {
          state: complete ? "done" : "started",
          arrived: shown(arrived, scans[0]),
          left: shown(left, scans[scans.length - 1]),
          late,
        };
        continue;
      }
      // Not scanned yet: where the van's delay so far puts it, against the site's hours.
      const start = Math.max(stop.service_start, stop.arrival + delay);
      const end = windowEnd(sitesByCode[stop.site_code], weekday, stop.service_start);
      const overdue = nowS !== null && nowS > stop.departure + LATE_MARGIN;
      // As the solver and the plan's check have it: a window bounds the start of service.
      const missing = end !== null && start > end;
      stops[stop.id] = {
        state: overdue || missing ? "risk" : "due",
        expected: start,
        closes: end,
        overdue,
      };
    }
    vans[route.van] = { done, stops: work, delay };
  }
  return { stops, vans };
}

/** One stop's line: its scans against the plan, or why it is at risk. */
export function progressLine(entry) {
  if (!entry) return "";
  if (entry.state === "done" || entry.state === "started") {
    const minutes = Math.round(entry.late / 60);
    const how = minutes > 0 ? t("late_by", { n: minutes }) : minutes < 0 ? t("early_by", { n: -minutes }) : t("on_time");
    const left = entry.state === "done" ? t("scan_left", { time: entry.left }) : t("scan_partly");
    const en = t("lang_name") === "en";
    return `${t("scan_arrived", { time: entry.arrived })}${en ? ` (${how})` : `（${how}）`}${left}`;
  }
  if (entry.state === "risk") {
    return entry.overdue
      ? t("risk_overdue")
      : t("risk_closing", { expected: clock(entry.expected), closes: clock(entry.closes) });
  }
  return "";
}
