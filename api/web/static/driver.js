// The driver's phone page: the day's route of the signed-in driver (GET /me/route/work), the
// next stop with its directions and its work, scans typed or read by the camera (jsQR), kept
// on the phone while there is no signal (offline_queue.js) and sent when it returns.
import {
  ApiError, api, clock, escapeHtml, me, message, requireRole, signedIn, t,
} from "/ui/static/shuyun.js";
import { ScanQueue } from "/ui/static/offline_queue.js";

// Kept per account, so that a phone handed to another driver neither shows the other van's
// route nor sends the other driver's scans under the new account.
const routeKey = (day) => `shuyun.driver.${state.username}.route.${day}`; // as last fetched
const ME_KEY = "shuyun.driver.me";
const root = document.getElementById("driver");
const zh = document.documentElement.lang.startsWith("zh");
const $ = (id) => document.getElementById(id);

const state = {
  day: new URLSearchParams(location.search).get("date") || root.dataset.today,
  route: null,
  chosen: null, // position the driver chose; null: the next stop
  username: null,
};

let headerDrawn = false; // the header (nav, sign-out) is drawn once the account is read

// --- who is signed in (also offline: the account as last seen) -----------------------------

async function signedInDriver() {
  try {
    const user = await me();
    if (user) localStorage.setItem(ME_KEY, JSON.stringify(user));
    const checked = await requireRole("driver"); // draws the header; other roles go to theirs
    headerDrawn = true;
    return checked;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    // No network: the page still works with the route and the queue kept on the phone.
    const cached = JSON.parse(localStorage.getItem(ME_KEY) || "null");
    if (!cached || !signedIn()) return requireRole("driver");
    $("who").textContent = `${t("signed_in_as")}: ${cached.username} (${t("role_driver")})`;
    return cached;
  }
}

// --- the queue ------------------------------------------------------------------------------

function actionWord(action) {
  return t(action === "drop" ? "drop" : "collect");
}

async function sendScan(scan) {
  const verb = scan.action === "drop" ? "drop" : "pickup";
  if (scan.kind === "crate") {
    return api(`/crates/${encodeURIComponent(scan.code)}/${verb}`, {
      method: "POST", json: { site_code: scan.site_code },
    });
  }
  return api(`/transfers/${verb}`, {
    method: "POST", json: { barcode: scan.code, site_code: scan.site_code },
  });
}

let queue = null; // made once the account is known (its scans are kept under its name)
const queueHooks = {
  onChange: drawQueue,
  onSent: (scan) => {
    say(t("sent", { code: scan.code, action: actionWord(scan.action), site: scan.site_name }), "good");
    refreshSoon();
  },
  onRefused: (scan, error) => {
    say(t("refused", { code: scan.code, why: message(error) }), "bad", true);
    refreshSoon();
  },
  onRetry: (ms) => {
    $("retry-note").textContent = t("retrying", { s: Math.round(ms / 1000) });
  },
};

function drawNet() {
  const online = navigator.onLine;
  const net = $("net-state");
  net.textContent = t(online ? "online" : "offline");
  net.className = `pill ${online ? "good" : "warn"}`;
  if (online) $("retry-note").textContent = "";
}

function drawQueue() {
  if (!queue) return;
  const items = queue.items();
  const count = $("queue-count");
  count.textContent = t("queue_count", { n: items.length });
  count.dataset.count = String(items.length);
  $("queue-list").innerHTML = items.length
    ? items.map((q) => `<li data-scan="${escapeHtml(q.id)}"><strong>${escapeHtml(q.code)}</strong>
        ${escapeHtml(actionWord(q.action))} @ ${escapeHtml(q.site_name)}
        <span class="muted">${escapeHtml(new Date(q.made_at).toLocaleTimeString())}</span></li>`).join("")
    : `<li class="muted">${escapeHtml(t("queue_empty"))}</li>`;
  const refused = queue.refused();
  $("refused-box").hidden = refused.length === 0;
  $("refused-list").innerHTML = refused.map((r) => `<li class="bad">
      <strong>${escapeHtml(r.code)}</strong> ${escapeHtml(actionWord(r.action))} @
      ${escapeHtml(r.site_name)}: ${escapeHtml(r.error)}
      <button type="button" data-dismiss="${escapeHtml(r.id)}">${escapeHtml(t("dismiss"))}</button></li>`).join("");
  if (state.route) drawRoute();
}

$("refused-list").addEventListener("click", (event) => {
  const id = event.target?.dataset?.dismiss;
  if (id) queue?.dismiss(id);
});

// --- the route ------------------------------------------------------------------------------

let refreshTimer = null;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => loadRoute({ quiet: true }), 300);
}

async function loadRoute({ quiet = false } = {}) {
  const note = $("route-note");
  if (!quiet) note.textContent = t("loading");
  try {
    const route = await api(`/me/route/work?date=${encodeURIComponent(state.day)}`);
    localStorage.setItem(routeKey(state.day), JSON.stringify({ at: new Date().toISOString(), route }));
    state.route = route;
    note.textContent = "";
    note.className = "note";
  } catch (error) {
    if (error instanceof ApiError) {
      state.route = null;
      note.textContent = t("no_route", { day: state.day, why: message(error) });
      note.className = "note warn";
    } else {
      const kept = JSON.parse(localStorage.getItem(routeKey(state.day)) || "null");
      state.route = kept?.route ?? null;
      note.textContent = kept
        ? t("cached_route", { at: new Date(kept.at).toLocaleString() })
        : t("no_cached_route");
      note.className = "note warn";
    }
  }
  drawRoute();
}

function siteName(stop) {
  return (zh ? stop.site_name_zh : stop.site_name_en) || stop.site_code || "";
}

function queuedCodes(stop) {
  return new Set(
    (queue?.items() ?? []).filter((q) => q.site_code === stop.site_code && q.action === stop.action)
      .map((q) => q.code),
  );
}

/** Done, queued or still to scan, as the phone knows it now. */
function stopState(stop) {
  const queued = queuedCodes(stop);
  const things = [
    ...stop.crates.map((c) => ({ code: c.crate_id, done: c.done })),
    ...stop.loose.map((c) => ({ code: c.barcode, done: c.done })),
  ];
  const left = things.filter((x) => !x.done && !queued.has(x.code));
  return { queued, left: left.length, open: things.filter((x) => !x.done).length };
}

function nextStop(route) {
  return route.stops.find((s) => s.action && stopState(s).left > 0) ?? null;
}

function chosenStop(route) {
  if (state.chosen !== null) {
    const stop = route.stops.find((s) => s.position === state.chosen);
    if (stop) return stop;
  }
  return nextStop(route);
}

function badge(done, queued) {
  if (done) return `<span class="pill good">${escapeHtml(t("state_done"))}</span>`;
  if (queued) return `<span class="pill warn">${escapeHtml(t("state_queued"))}</span>`;
  return `<span class="pill">${escapeHtml(t("state_todo"))}</span>`;
}

function drawLeg(leg) {
  if (!leg) return ""; // the first stop, or the same site as the stop before
  const lines = zh ? leg.instructions_zh : leg.instructions_en;
  const from = state.route.stops.find((s) => s.site_code === leg.from_site_code);
  return `<details open class="directions"><summary>${escapeHtml(t("directions_h", { from: from ? siteName(from) : leg.from_site_code }))}
      · ${escapeHtml(t("leg_summary", { km: (leg.distance / 1000).toFixed(1), min: Math.round(leg.duration / 60) }))}</summary>
      <ol lang="${zh ? "zh-CN" : "en"}">${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ol></details>`;
}

function drawStop(stop) {
  const { queued } = stopState(stop);
  const crates = stop.crates.map((c) => `<li data-crate="${escapeHtml(c.crate_id)}">
      ${escapeHtml(t("crate_line", { id: c.crate_id, dest: zh ? c.destination_site_name_zh : c.destination_site_name_en, n: c.copies }))}
      ${badge(c.done, queued.has(c.crate_id))}</li>`).join("");
  const loose = stop.loose.map((c) => `<li data-barcode="${escapeHtml(c.barcode)}">
      <strong>${escapeHtml(c.barcode)}</strong> ${escapeHtml(c.title)} → ${escapeHtml(c.destination_site_code)}
      ${c.card_last4 ? `<span class="slip">${escapeHtml(t("slip", { last4: c.card_last4 }))}</span>` : ""}
      ${badge(c.done, queued.has(c.barcode))}</li>`).join("");
  const empty = !stop.crates.length && !stop.loose.length;
  const head = `<p class="stop-name"><span class="num">${stop.position}</span>
      <strong>${escapeHtml(siteName(stop))}</strong> <span class="muted">${escapeHtml(stop.site_code)}</span></p>
    <p><span class="pill ${stop.action === "drop" ? "drop" : "collect"}">${escapeHtml(actionWord(stop.action))}</span>
      ${escapeHtml(t("arrive_at", { time: clock(stop.arrival) }))}</p>`;
  const work = `${empty ? `<p class="muted">${escapeHtml(t("nothing_here"))}</p>` : ""}
    ${stop.crates.length ? `<h3>${escapeHtml(t("crates_h"))}</h3><ul class="work">${crates}</ul>` : ""}
    ${stop.loose.length ? `<h3>${escapeHtml(t("loose_h"))}</h3><ul class="work">${loose}</ul>` : ""}
    ${drawLeg(stop.leg)}`;
  return { head, work };
}

function stepWord(stop) {
  if (stop.action) return actionWord(stop.action);
  return t({ start: "start", end: "end", break: "break" }[stop.type] || stop.type);
}

function drawRoute() {
  const route = state.route;
  $("sheets").hidden = !route;
  $("stops-card").hidden = !route;
  $("stop-card").hidden = !route;
  if (!route) {
    $("route-summary").textContent = "";
    return;
  }
  const visits = route.stops.filter((s) => s.action).length;
  $("route-summary").textContent = t("summary", {
    van: route.van, plan: route.plan_id, stops: visits, km: (route.distance / 1000).toFixed(1),
  });
  const stop = chosenStop(route);
  const next = nextStop(route);
  $("stop-h").textContent = t(stop && next && stop.position !== next.position ? "chosen_stop_h" : "next_stop_h");
  const drawn = stop ? drawStop(stop) : { head: `<p class="good">${escapeHtml(t("all_done"))}</p>`, work: "" };
  $("stop-head").innerHTML = drawn.head;
  $("stop-work").innerHTML = drawn.work;
  $("scan-form").hidden = !stop;
  $("stop-card").dataset.position = stop ? String(stop.position) : "";
  $("stop-card").dataset.site = stop ? stop.site_code : "";
  $("stops").innerHTML = route.stops.filter((s) => s.site_code || s.type === "break").map((s) => {
    const here = stop && s.position === stop.position;
    const info = s.action ? stopState(s) : null;
    const mark = info ? badge(info.open === 0, info.open > 0 && info.left === 0) : "";
    const button = s.action
      ? `<button type="button" data-choose="${s.position}" ${here ? 'aria-current="step"' : ""}>${escapeHtml(siteName(s))}</button>`
      : `<span>${escapeHtml(siteName(s) || stepWord(s))}</span>`;
    return `<li value="${s.position}" data-position="${s.position}" class="${here ? "here" : ""}">
        <span class="muted">${clock(s.arrival)}</span> ${escapeHtml(stepWord(s))} ${button} ${mark}</li>`;
  }).join("");
}

$("stops").addEventListener("click", (event) => {
  const position = event.target?.closest?.("[data-choose]")?.dataset.choose;
  if (position === undefined) return;
  state.chosen = Number(position);
  drawRoute();
  $("stop-card").scrollIntoView({ block: "start" });
  $("scan-code").focus();
});

// --- scanning -------------------------------------------------------------------------------

function say(text, kind = "", alert = false) {
  const out = $("scan-result");
  out.textContent = text;
  out.className = `note ${kind}`;
  out.setAttribute("role", alert ? "alert" : "status");
}

/** A crate label's QR may hold the crate id alone or inside a longer text (a link). */
function codeOf(text) {
  const crate = /\bCR\d{6,}\b/i.exec(text);
  return crate ? crate[0].toUpperCase() : text.trim();
}

function scan(raw) {
  const code = codeOf(raw || "");
  if (!code) return say(t("empty_code"), "bad", true);
  const stop = state.route && chosenStop(state.route);
  if (!stop || !stop.action || !queue) return say(t("no_stop"), "bad", true);
  const isCopy = stop.loose.some((c) => c.barcode.toUpperCase() === code) ||
    (!stop.crates.some((c) => c.crate_id === code) && !/^CR\d+$/.test(code));
  const loose = stop.loose.find((c) => c.barcode.toUpperCase() === code);
  const { scan: entry, added } = queue.add({
    kind: isCopy ? "copy" : "crate",
    code: loose ? loose.barcode : code,
    action: stop.action,
    site_code: stop.site_code,
    site_name: siteName(stop),
  });
  if (!added) say(t("already_queued", { code: entry.code }), "warn");
  else if (!navigator.onLine) say(t("queued", { code: entry.code, action: actionWord(entry.action), site: entry.site_name }), "warn");
  drawQueue();
  queue.flush();
}

$("scan-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("scan-code");
  scan(input.value);
  input.value = "";
  input.focus();
});

// The camera: frames of getUserMedia drawn on a canvas and read by jsQR, a few times a second.
const camera = { stream: null, timer: null, canvas: document.createElement("canvas"), last: "" };

function stopCamera() {
  clearInterval(camera.timer);
  camera.stream?.getTracks().forEach((track) => track.stop());
  camera.stream = null;
  $("camera").hidden = true;
  $("camera-toggle").textContent = t("camera_start");
}

async function startCamera() {
  if (!window.isSecureContext) return say(t("camera_insecure"), "warn", true);
  if (!navigator.mediaDevices?.getUserMedia) return say(t("camera_none"), "warn", true);
  if (typeof window.jsQR !== "function") return say(t("camera_no_reader"), "bad", true);
  try {
    camera.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment" }, audio: false,
    });
  } catch (error) {
    const name = error?.name;
    if (name === "NotAllowedError" || name === "SecurityError") return say(t("camera_denied"), "warn", true);
    if (name === "NotFoundError" || name === "OverconstrainedError") return say(t("camera_none"), "warn", true);
    return say(t("camera_failed", { why: error?.message || name }), "bad", true);
  }
  const video = $("camera");
  video.srcObject = camera.stream;
  video.hidden = false;
  await video.play().catch(() => {});
  $("camera-toggle").textContent = t("camera_stop");
  const context = camera.canvas.getContext("2d", { willReadFrequently: true });
  camera.timer = setInterval(() => {
    if (video.readyState < 2 || !video.videoWidth) return;
    camera.canvas.width = video.videoWidth;
    camera.canvas.height = video.videoHeight;
    context.drawImage(video, 0, 0);
    const frame = context.getImageData(0, 0, video.videoWidth, video.videoHeight);
    const found = window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" });
    if (found?.data && found.data !== camera.last) {
      camera.last = found.data; // the same label held in view is one scan, not many
      setTimeout(() => { camera.last = ""; }, 3000);
      scan(found.data);
    }
  }, 250);
}

$("camera-toggle").addEventListener("click", () => (camera.stream ? stopCamera() : startCamera()));

// --- the day, the route sheets --------------------------------------------------------------

function plusDays(iso, n) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function showDay(day) {
  state.day = day;
  state.chosen = null;
  $("day").value = day;
  const url = new URL(location.href);
  url.searchParams.set("date", day);
  history.replaceState(null, "", url);
  loadRoute();
}

$("day-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if ($("day").value) showDay($("day").value);
});
$("day-today").addEventListener("click", () => showDay(root.dataset.today));
$("day-tomorrow").addEventListener("click", () => showDay(plusDays(root.dataset.today, 1)));

async function openSheet(kind) {
  const route = state.route;
  if (!route) return;
  const tab = window.open("", "_blank");
  try {
    const response = await api(`/plans/${route.plan_id}/routes/${encodeURIComponent(route.van)}/sheet.${kind}`, { raw: true });
    const url = URL.createObjectURL(await response.blob());
    if (tab) tab.location.href = url;
    else location.assign(url);
  } catch (error) {
    tab?.close();
    $("route-note").textContent = t("sheet_missing", { why: message(error) });
  }
}

$("sheet-html").addEventListener("click", () => openSheet("html"));
$("sheet-pdf").addEventListener("click", () => openSheet("pdf"));

// --- start ----------------------------------------------------------------------------------

addEventListener("online", () => {
  drawNet();
  loadRoute({ quiet: true });
  // Opened without signal, the header has only the cached name: draw it whole now.
  if (!headerDrawn) requireRole("driver").then(() => { headerDrawn = true; }).catch(() => {});
});
addEventListener("offline", drawNet);

if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register("/ui/driver-sw.js", { scope: "/ui/driver" }).catch(() => {});
}

drawNet();
$("day").value = state.day;
const user = await signedInDriver();
state.username = user.username;
queue = new ScanQueue(`shuyun.driver.${user.username}`, sendScan, queueHooks);
drawQueue();
await loadRoute();
queue.flush();
