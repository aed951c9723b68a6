// The dispatcher console: a van day's open transfers, "plan" with the job's progress, the
// routes on the map and per van on a timeline, the unplanned transfers and what would fix
// them; moves (drag and drop, or each stop's form), locks, the rule check, a re-plan around
// the locks with its difference to the plan before, and accepting it. Planners read only.

import {
  api, clock, escapeHtml, libraryDay, message, requireRole, t, token,
} from "/ui/static/shuyun.js";
import { RouteMap, vanColour } from "/ui/static/map.js";
import { dayProgress, progressLine } from "/ui/static/console_day.js";
import { drawTimeline, timelineLegend } from "/ui/static/timeline.js";

const $ = (id) => document.getElementById(id);
const en = t("lang_name") === "en";
const user = await requireRole("dispatcher", "admin", "planner");
const canEdit = user.role === "dispatcher" || user.role === "admin";
document.body.classList.toggle("read-only", !canEdit);
$("read-only").hidden = canEdit;

const state = {
  day: null,
  sites: [],
  sitesByCode: {},
  vans: [],
  plans: [],
  plan: null,
  check: null,
  progress: null,
  paths: {},
  proposal: null,
  following: null,
};

const map = new RouteMap($("map"));
timelineLegend($("timeline-legend"));

function say(text) {
  $("console-message").textContent = text;
  $("console-error").textContent = "";
}

function fail(error) {
  $("console-error").textContent = message(error);
}

function siteName(code) {
  const site = state.sitesByCode[code];
  if (!site) return code || "";
  return en ? site.name_en : site.name_zh;
}

function kinds(counts) {
  return Object.entries(counts || {})
    .map(([kind, n]) => `${t(`kind_${kind}`)} ${n}`)
    .join(en ? ", " : "，");
}

function shortTime(iso) {
  return iso ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : "—";
}

function inForce(plan) {
  return plan.status === "done" && plan.superseded_by === null && !plan.awaiting_acceptance;
}

function editable() {
  const plan = state.plan;
  return canEdit && plan && plan.status === "done" && plan.superseded_by === null;
}

// --- the job's progress, from its event stream ---------------------------------------------

function showProgress(plan) {
  const percent = Math.round((plan.progress || 0) * 100);
  $("plan-progress").value = percent;
  $("plan-progress").dataset.status = plan.status;
  const phase = plan.phase && plan.status === "running" ? t(`phase_${plan.phase}`) : "";
  $("progress-text").textContent = t("progress_text", {
    id: plan.id,
    status: t(`status_${plan.status}`),
    phase,
    percent,
  });
}

/**
 * Follow a plan's job on GET /plans/{id}/events until it ends; answers its last state. The
 * stream is read with fetch (an EventSource cannot send the bearer token).
 */
async function follow(planId) {
  const response = await fetch(`/plans/${planId}/events`, {
    headers: { Authorization: `Bearer ${token()}`, Accept: "text/event-stream" },
  });
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let last = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trim())
        .join("\n");
      if (!data) continue;
      last = JSON.parse(data);
      showProgress(last);
    }
  }
  return last ?? (await api(`/plans/${planId}`));
}

// --- the day --------------------------------------------------------------------------------

async function loadSummary() {
  const summary = await api(`/transfers/summary?planned_for=${state.day}`);
  const holds = summary.by_kind.hold || 0;
  $("summary-totals").textContent = `${t("summary_totals", {
    total: summary.total,
    crates: summary.crates,
    holds,
  })}${en ? ` (${kinds(summary.by_kind)})` : `（${kinds(summary.by_kind)}）`}`;
  $("summary-table").querySelector("tbody").innerHTML = summary.sites
    .map(
      (s) => `<tr><th scope="row">${escapeHtml(en ? s.name_en : s.name_zh)}
        <span class="muted">${escapeHtml(t(`site_${s.site_kind}`))}</span></th>
        <td>${escapeHtml(kinds(s.outgoing))}</td><td>${escapeHtml(kinds(s.incoming))}</td>
        <td>${s.crates_out}</td><td>${s.holds || ""}</td><td>${shortTime(s.hold_deadline)}</td></tr>`,
    )
    .join("");
}

function planOption(plan) {
  const tag = inForce(plan)
    ? t("plan_in_force")
    : plan.awaiting_acceptance
      ? t("plan_proposal")
      : plan.superseded_by
        ? t("plan_history")
        : "";
  const status = t(`status_${plan.status}`) + (tag ? ` · ${tag}` : "");
  return `<option value="${plan.id}">${escapeHtml(t("plan_label", { id: plan.id, status }))}</option>`;
}

async function loadDay({ show = null } = {}) {
  $("console-error").textContent = "";
  await loadSummary();
  const page = await api(`/plans?date=${state.day}&limit=50`);
  state.plans = page.items;
  const select = $("plan-select");
  select.innerHTML = state.plans.length
    ? state.plans.map(planOption).join("")
    : `<option value="">${escapeHtml(t("plan_none"))}</option>`;
  const current = state.plans.find(inForce);
  const chosen = show ?? current?.id ?? state.plans[0]?.id ?? null;
  if (chosen) select.value = String(chosen);
  state.proposal = state.plans.find((p) => p.awaiting_acceptance) || null;
  await showPlan(chosen);
  if (state.proposal) await showDiff(state.proposal.id);
  else $("diff").hidden = true;
  const active = state.plans.find((p) => p.status === "queued" || p.status === "running");
  if (active && state.following !== active.id) {
    state.following = active.id;
    const ended = await follow(active.id).finally(() => (state.following = null));
    await loadDay({ show: ended.status === "done" && !ended.awaiting_acceptance ? ended.id : null });
  }
}

async function showPlan(planId) {
  state.plan = planId ? await api(`/plans/${planId}`) : null;
  state.check = null;
  state.progress = null;
  const plan = state.plan;
  if (plan) showProgress(plan);
  if (plan && plan.status === "done") {
    state.check = await api(`/plans/${plan.id}/check`).catch(() => null);
    state.progress = await dayProgress(plan, state.sitesByCode).catch(() => null);
  }
  // The routes along the streets come after the page is drawn (the first call loads the
  // street graph on the server); until then, and without them, stop to stop.
  state.paths = {};
  if (plan && plan.status === "done") {
    const shown = plan.id;
    const version = plan.version;
    api(`/ui/data/plans/${plan.id}/paths.geojson`)
      .then((data) => {
        if (state.plan?.id !== shown || state.plan?.version !== version) return;
        state.paths = Object.fromEntries(data.features.map((f) => [f.properties.van, f.geometry.coordinates]));
        map.drawRoutes(state.plan.routes, state.sitesByCode, badStops(), state.paths);
        document.body.dataset.paths = String(data.features.length);
      })
      .catch(() => {});
  }
  $("replan-button").disabled = !editable() || Boolean(plan?.awaiting_acceptance);
  $("replan-now-button").disabled = $("replan-button").disabled;
  const note = $("history-note");
  note.hidden = !(plan && plan.superseded_by);
  if (plan && plan.superseded_by) note.textContent = t("history_read_only", { id: plan.superseded_by });
  draw();
}

function badStops() {
  const bad = new Set();
  for (const v of state.check?.violations || []) if (v.stop_id) bad.add(v.stop_id);
  for (const route of state.plan?.routes || []) {
    for (const stop of route.stops) if (stop.violations.length && stop.type !== "end") bad.add(stop.id);
  }
  return bad;
}

function draw() {
  const plan = state.plan;
  const routes = plan?.routes || [];
  const bad = badStops();
  map.drawRoutes(routes, state.sitesByCode, bad, state.paths);
  drawTimeline($("timeline"), routes, state.sitesByCode, bad, plan?.date || state.day);
  drawRoutes(routes, bad);
  drawUnplanned(plan?.unplanned || []);
  drawCheck();
  drawFiles();
  $("map-legend").innerHTML = routes
    .map((r, i) => `<span class="legend-item"><span class="swatch" style="background:${vanColour(i)}"></span>${escapeHtml(r.van)}</span>`)
    .join("") +
    ["central", "branch", "service_point"]
      .map((k) => `<span class="legend-item"><span class="site-icon site-${k} key" aria-hidden="true">${k === "central" ? "总" : k === "branch" ? "分" : ""}</span>${escapeHtml(t(`site_${k}`))}</span>`)
      .join("");
}

// --- the routes and their edits -------------------------------------------------------------

const WORK = new Set(["pickup", "delivery"]);

function vansOfDay() {
  const codes = (state.plan?.routes || []).map((r) => r.van);
  for (const van of state.vans) if (van.active !== false && !codes.includes(van.code)) codes.push(van.code);
  return codes;
}

function stopItem(route, stop, n, bad, edit) {
  const counts = kinds(stop.transfers);
  const problems = (state.check?.violations || []).filter((v) => v.stop_id === stop.id);
  const saved = problems.length ? [] : stop.violations;
  const lines = [
    ...problems.map((v) => (en ? v.message_en : v.message_zh)),
    ...saved.map((v) => (en ? v.en : v.zh)),
  ];
  const vans = vansOfDay()
    .map((code) => `<option value="${escapeHtml(code)}"${code === route.van ? " selected" : ""}>${escapeHtml(code)}</option>`)
    .join("");
  const id = `stop-${stop.id}`;
  const day = state.progress?.stops[stop.id];
  const dayLine = progressLine(day);
  const form = edit
    ? `<details class="move"><summary>${escapeHtml(t("move"))}</summary>
        <form class="move-form" data-stop="${stop.id}">
          <label for="${id}-van">${escapeHtml(t("move_to_van"))}</label>
          <select id="${id}-van" name="van">${vans}</select>
          <label for="${id}-pos">${escapeHtml(t("move_to_position"))}</label>
          <input id="${id}-pos" name="position" type="number" min="1" value="${n}" required>
          <button type="submit">${escapeHtml(t("move_do"))}</button>
        </form></details>`
    : "";
  const lock = `<label class="lock"><input type="checkbox" class="lock-box" data-stop="${stop.id}"${stop.locked ? " checked" : ""}${edit ? "" : " disabled"}> ${escapeHtml(t("lock"))}</label>`;
  return `<li class="stop${bad.has(stop.id) ? " bad" : ""}${stop.locked ? " locked" : ""}${day ? ` day-${day.state}` : ""}" data-stop="${stop.id}" data-type="${stop.type}" data-van="${escapeHtml(route.van)}" data-pos="${n - 1}"${edit ? ' draggable="true"' : ""}>
    <div class="stop-main"><span class="stop-n">${n}</span>
      <strong>${escapeHtml(siteName(stop.site_code))}</strong> ${escapeHtml(t(`stop_${stop.type}`))}
      <span class="muted">${escapeHtml(t("stop_times", { arrival: clock(stop.arrival), departure: clock(stop.departure) }))}</span>
      <span class="counts">${escapeHtml(counts)}</span> ${lock}</div>
    ${dayLine ? `<p class="day-line">${escapeHtml(dayLine)}</p>` : ""}
    ${lines.length ? `<ul class="violations">${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul>` : ""}
    ${form}</li>`;
}

function drawRoutes(routes, bad) {
  const edit = editable();
  const byVan = Object.fromEntries(routes.map((r) => [r.van, r]));
  const vans = state.plan?.status === "done" ? vansOfDay() : [];
  $("routes").innerHTML = vans
    .map((code, index) => {
      const route = byVan[code] || { van: code, driver: null, distance: 0, duration: 0, stops: [] };
      let n = 0;
      const items = route.stops
        .map((stop) => {
          if (WORK.has(stop.type)) {
            n += 1;
            return stopItem(route, stop, n, bad, edit);
          }
          if (stop.type === "break") {
            return `<li class="stop break"><span class="stop-n">☕</span>${escapeHtml(t("stop_break"))} ${clock(stop.arrival)}–${clock(stop.departure)}</li>`;
          }
          return "";
        })
        .join("");
      const summary = t("van_summary", {
        van: code,
        // The plan names the driver of its day; a van given a driver since shows the fleet's.
        driver: route.driver || state.vans.find((v) => v.code === code)?.driver_username || t("no_driver"),
        stops: n,
        km: (route.distance / 1000).toFixed(1),
        hours: (route.duration / 3600).toFixed(1),
      });
      const going = state.progress?.vans[code];
      const progress = going && (going.done || going.delay)
        ? `<p class="van-progress">${escapeHtml(t("van_progress", { done: going.done, stops: going.stops, delay: Math.round(going.delay / 60) }))}</p>`
        : "";
      const endZone = edit
        ? `<li class="drop-end" data-van="${escapeHtml(code)}" data-pos="${n}">${escapeHtml(t("drop_here"))}</li>`
        : "";
      const routeProblems = (state.check?.violations || []).filter((v) => v.van === code && !v.stop_id);
      return `<section class="route" style="--van:${vanColour(index)}" aria-label="${escapeHtml(code)}">
        <h3><span class="swatch" style="background:${vanColour(index)}"></span>${escapeHtml(summary)}</h3>
        ${progress}
        ${routeProblems.length ? `<ul class="violations">${routeProblems.map((v) => `<li>${escapeHtml(en ? v.message_en : v.message_zh)}</li>`).join("")}</ul>` : ""}
        <ol class="stops" tabindex="0" aria-label="${escapeHtml(code)}" data-van="${escapeHtml(code)}">${items}${endZone}</ol></section>`;
    })
    .join("");
}

async function edit(path, body) {
  const plan = state.plan;
  try {
    const answer = await api(`/plans/${plan.id}/${path}`, {
      method: "POST",
      json: { ...body, version: plan.version },
    });
    await showPlan(plan.id);
    // Each note is "中文 / English": the reader's half, the first few only.
    const notes = answer.notes.map((note) => note.split(" / ")[en ? 1 : 0] ?? note);
    const more = notes.length > 3 ? ` … (+${notes.length - 3})` : "";
    say([t("edit_saved", { version: answer.version }), ...notes.slice(0, 3)].join(" ") + more);
  } catch (error) {
    fail(error);
    if (error.status === 409) await loadDay({ show: plan.id });
  }
}

function move(stopId, van, position) {
  return edit("moves", { stop_id: Number(stopId), van, position: Math.max(0, position) });
}

$("routes").addEventListener("submit", (event) => {
  const form = event.target.closest(".move-form");
  if (!form) return;
  event.preventDefault();
  move(form.dataset.stop, form.van.value, Number(form.position.value) - 1);
});

$("routes").addEventListener("change", (event) => {
  const box = event.target.closest(".lock-box");
  if (!box) return;
  edit("locks", { stop_ids: [Number(box.dataset.stop)], locked: box.checked });
});

let dragged = null;
$("routes").addEventListener("dragstart", (event) => {
  const item = event.target.closest("li.stop[draggable]");
  if (!item) return;
  dragged = item;
  item.classList.add("dragging");
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", item.dataset.stop);
});
$("routes").addEventListener("dragend", () => {
  dragged?.classList.remove("dragging");
  dragged = null;
});
$("routes").addEventListener("dragover", (event) => {
  if (dragged && event.target.closest("li[data-pos]")) event.preventDefault();
});
$("routes").addEventListener("drop", (event) => {
  const target = event.target.closest("li[data-pos]");
  if (!dragged || !target) return;
  event.preventDefault();
  const from = Number(dragged.dataset.pos);
  let to = Number(target.dataset.pos);
  // Within one van the stop leaves its place first: a later target moves up by one.
  if (target.dataset.van === dragged.dataset.van && to > from) to -= 1;
  move(dragged.dataset.stop, target.dataset.van, to);
});

// --- the check, the unplanned, the files ----------------------------------------------------

function drawCheck() {
  const body = $("check-body");
  if (!state.check) {
    body.innerHTML = "";
    return;
  }
  const found = state.check.violations;
  if (!found.length) {
    body.innerHTML = `<p class="good check-ok">${escapeHtml(t("check_ok"))}</p>`;
    return;
  }
  body.innerHTML = `<p class="bad">${escapeHtml(t("check_bad", { n: found.length }))}</p><div class="scroll check-box" tabindex="0"><ul class="violations">${found
    .map((v) => `<li>${escapeHtml(v.van || "")} ${escapeHtml(en ? v.message_en : v.message_zh)}</li>`)
    .join("")}</ul></div>`;
}

function drawUnplanned(unplanned) {
  const element = $("unplanned");
  if (!state.plan || state.plan.status !== "done") {
    element.innerHTML = "";
    return;
  }
  if (!unplanned.length) {
    element.innerHTML = `<p class="good">${escapeHtml(t("unplanned_none"))}</p>`;
    return;
  }
  const rows = unplanned
    .map((u) => {
      const fix = t(`fix_${u.reason}`) === `fix_${u.reason}` ? t("fix_other") : t(`fix_${u.reason}`);
      return `<tr><td>${escapeHtml(t(`kind_${u.kind}`))} <span class="muted">${escapeHtml(u.shipment_id)}</span></td>
        <td>${escapeHtml(siteName(u.pickup_site_code))} → ${escapeHtml(siteName(u.delivery_site_code))}</td>
        <td>${u.transfers}</td><td>${escapeHtml(en ? u.reason_en : u.reason_zh)}</td><td>${escapeHtml(fix)}</td></tr>`;
    })
    .join("");
  element.innerHTML = `<div class="scroll" tabindex="0"><table class="unplanned-table"><thead><tr>
    <th scope="col">${escapeHtml(t("shipment"))}</th><th scope="col">${escapeHtml(t("from_to"))}</th>
    <th scope="col">${escapeHtml(t("transfers"))}</th><th scope="col">${escapeHtml(t("reason"))}</th>
    <th scope="col">${escapeHtml(t("fix"))}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function drawFiles() {
  const plan = state.plan;
  if (!plan || plan.status !== "done") {
    $("files").innerHTML = "";
    return;
  }
  // Route sheets, labels and exports are another module's endpoints: linked, fetched with
  // the token and opened as files.
  const links = [];
  for (const route of plan.routes) {
    links.push([`/plans/${plan.id}/routes/${route.van}/sheet.html`, `${route.van} ${t("sheet_html")}`]);
    links.push([`/plans/${plan.id}/routes/${route.van}/sheet.pdf`, `${route.van} ${t("sheet_pdf")}`]);
    links.push([`/plans/${plan.id}/routes/${route.van}/route.gpx`, `${route.van} GPX`]);
  }
  links.push([`/plans/${plan.id}/labels.pdf`, t("labels_pdf")]);
  links.push([`/plans/${plan.id}/export.csv`, t("export_csv")]);
  links.push([`/plans/${plan.id}/export.xlsx`, t("export_xlsx")]);
  links.push([`/plans/${plan.id}/vroom.json`, t("export_vroom")]);
  $("files").innerHTML = links
    .map(([href, label]) => `<button type="button" class="file" data-href="${escapeHtml(href)}">${escapeHtml(label)}</button>`)
    .join("");
}

$("files").addEventListener("click", async (event) => {
  const button = event.target.closest("button.file");
  if (!button) return;
  try {
    const response = await api(button.dataset.href, { raw: true });
    const url = URL.createObjectURL(await response.blob());
    window.open(url, "_blank", "noopener");
  } catch (error) {
    fail(error);
  }
});

// --- plan, re-plan, diff, accept ------------------------------------------------------------

$("plan-button").addEventListener("click", async () => {
  const button = $("plan-button");
  button.disabled = true;
  try {
    const job = await api("/plans", { method: "POST", json: { date: state.day } });
    showProgress({ id: job.id, status: job.status, progress: 0 });
    state.following = job.id;
    const ended = await follow(job.id);
    state.following = null;
    say(t("progress_text", { id: ended.id, status: t(`status_${ended.status}`), phase: "", percent: Math.round(ended.progress * 100) }));
    await loadDay({ show: ended.id });
  } catch (error) {
    fail(error);
  } finally {
    button.disabled = false;
  }
});

// A re-plan around the locks starts every van at its depot; "the rest of the day" starts
// each van where its driver scanned last, with the copies it carries (409 for the first
// once copies ride on a van: the server says which to use).
async function replan(buttonId, body) {
  const button = $(buttonId);
  button.disabled = true;
  say(t("replan_busy"));
  try {
    const job = await api(`/plans/${state.plan.id}/replan`, { method: "POST", json: body });
    state.following = job.id;
    const ended = await follow(job.id);
    state.following = null;
    await loadDay({ show: state.plan.id });
    say(t("progress_text", { id: ended.id, status: t(`status_${ended.status}`), phase: "", percent: Math.round((ended.progress || 0) * 100) }));
    if (ended.status !== "done") say(t("progress_text", { id: ended.id, status: t(`status_${ended.status}`), phase: ended.error || "", percent: 100 }));
  } catch (error) {
    fail(error);
  } finally {
    button.disabled = !editable();
  }
}

$("replan-button").addEventListener("click", () => replan("replan-button", {}));
$("replan-now-button").addEventListener("click", () => replan("replan-now-button", { from_now: true }));

async function showDiff(planId) {
  const d = await api(`/plans/${planId}/diff`);
  const total = d.total;
  const moves = d.moved
    .map((m) => t("diff_move_line", {
      site: siteName(m.site_code),
      type: t(`stop_${m.type}`),
      from_van: m.from_van,
      from_pos: m.from_position + 1,
      to_van: m.to_van,
      to_pos: m.to_position + 1,
    }))
    .map((line) => `<li>${escapeHtml(line)}</li>`)
    .join("");
  const vans = d.vans
    .map((f) => `<tr><th scope="row">${escapeHtml(f.van)}</th><td>${f.km_before}</td><td>${f.km_after}</td><td>${f.hours_before}</td><td>${f.hours_after}</td></tr>`)
    .join("");
  $("diff-body").innerHTML = `<p>${escapeHtml(t("proposal_waiting", { id: planId }))}
      ${escapeHtml(t("diff_intro", { id: d.plan_id, against: d.against }))}</p>
    <p class="diff-totals">${escapeHtml(t("diff_totals", total))}</p>
    <p>${[t("diff_moved", { n: d.moved.length }), t("diff_newly_planned", { n: d.newly_planned.length }), t("diff_newly_unplanned", { n: d.newly_unplanned.length })].map(escapeHtml).join(en ? "; " : "；")}</p>
    ${moves ? `<div class="scroll moves-box" tabindex="0"><ul class="moves">${moves}</ul></div>` : ""}
    <table class="diff-vans"><thead><tr><th scope="col">${escapeHtml(t("van"))}</th>
      <th scope="col">${escapeHtml(t("km"))} ←</th><th scope="col">${escapeHtml(t("km"))} →</th>
      <th scope="col">${escapeHtml(t("hours"))} ←</th><th scope="col">${escapeHtml(t("hours"))} →</th></tr></thead>
      <tbody>${vans}</tbody></table>`;
  $("diff").hidden = false;
  $("diff").dataset.plan = String(planId);
}

$("accept-button").addEventListener("click", async () => {
  const planId = Number($("diff").dataset.plan);
  try {
    await api(`/plans/${planId}/accept`, { method: "POST" });
    $("diff").hidden = true;
    await loadDay({ show: planId });
    say(t("accepted", { id: planId }));
  } catch (error) {
    fail(error);
  }
});

$("discard-button").addEventListener("click", () => {
  // The proposal stays as history (a newer plan of the day supersedes it); the plan in force
  // is kept.
  $("diff").hidden = true;
  say(t("kept", { id: state.plan?.id, other: $("diff").dataset.plan }));
});

$("plan-select").addEventListener("change", (event) => {
  if (event.target.value) showPlan(Number(event.target.value)).catch(fail);
});

$("day").addEventListener("change", (event) => {
  if (!event.target.value) return;
  state.day = event.target.value;
  history.replaceState(null, "", `?date=${state.day}`);
  loadDay().catch(fail);
});

// --- start ----------------------------------------------------------------------------------

async function start() {
  const asked = new URLSearchParams(location.search).get("date");
  state.day = asked && /^\d{4}-\d{2}-\d{2}$/.test(asked) ? asked : libraryDay(new Date(), 1);
  $("day").value = state.day;
  const [sites, vans] = await Promise.all([
    api("/sites?limit=200"),
    api("/vans?limit=200").catch(() => ({ items: [] })),
  ]);
  state.sites = sites.items;
  state.sitesByCode = Object.fromEntries(sites.items.map((s) => [s.code, s]));
  state.vans = vans.items;
  map.drawSites(state.sites);
  map.drawStreets().then(() => {
    document.body.dataset.streets = String(map.streetCount);
  }).catch(fail);
  await loadDay();
  document.body.dataset.ready = "true";
}

start().catch(fail);
