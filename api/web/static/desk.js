// The branch desk: returns and where they go, holds for a reader, a crate received and checked
// copy by copy. A reader's card is sent to the API and never shown beyond its last four digits.
import { api, escapeHtml, message, requireRole, t } from "/ui/static/shuyun.js";

const $ = (id) => document.getElementById(id);
const zh = document.documentElement.lang.startsWith("zh");
const HOLDS_KEY = "shuyun.desk.holds";
const state = { site: null, sites: [], crate: null, checked: new Set(), extras: [], finished: false };

function note(element, text, kind = "", alert = false) {
  element.textContent = text;
  element.className = `note ${kind}`;
  element.setAttribute("role", alert ? "alert" : "status");
}

function siteLabel(site) {
  return zh ? site.name_zh : site.name_en;
}

// A scan made before the sites have loaded waits for them rather than being refused.
let siteKnown;
const siteReady = new Promise((resolve) => { siteKnown = resolve; });

async function needSite(out) {
  await siteReady;
  if (state.site) return true;
  note(out, t("site_needed"), "bad", true);
  return false;
}

// --- the site -------------------------------------------------------------------------------

async function allSites() {
  const sites = [];
  for (let offset = 0; ; offset += 200) {
    const page = await api(`/sites?limit=200&offset=${offset}`);
    sites.push(...page.items);
    if (sites.length >= page.total || !page.items.length) return sites;
  }
}

async function chooseSite(user) {
  state.sites = await allSites();
  if (user.role === "branch_staff") {
    state.site = user.site_code;
    const site = state.sites.find((s) => s.code === user.site_code);
    $("site-fixed").hidden = false;
    $("site-fixed").textContent = t("site_fixed", { name: site ? siteLabel(site) : "", code: user.site_code });
    return;
  }
  const select = $("site");
  $("site-choice").hidden = false;
  const kept = localStorage.getItem("shuyun.desk.site");
  select.innerHTML = state.sites.map((s) => `<option value="${escapeHtml(s.code)}">${escapeHtml(siteLabel(s))}（${escapeHtml(s.code)}）</option>`).join("");
  if (kept && state.sites.some((s) => s.code === kept)) select.value = kept;
  state.site = select.value || null;
  select.addEventListener("change", () => {
    state.site = select.value;
    localStorage.setItem("shuyun.desk.site", state.site);
    drawHolds();
  });
}

// --- returns --------------------------------------------------------------------------------

function nameOf(code) {
  const site = state.sites.find((s) => s.code === code);
  return site ? siteLabel(site) : code;
}

async function slipOf(holdId) {
  const hold = await api(`/holds/${holdId}`);
  return `<div class="slip-card"><strong>${escapeHtml(t("slip_h"))}</strong>
    ${escapeHtml(t("slip_line", { id: hold.id, title: hold.title, last4: hold.card_last4 }))}</div>`;
}

async function checkIn(barcode) {
  const out = $("return-result");
  if (!(await needSite(out))) return;
  try {
    const answer = await api("/returns", { method: "POST", json: { barcode, site_code: state.site } });
    let where;
    let kind = "good";
    let slip = "";
    if (answer.next === "transfer") {
      const site = nameOf(answer.next_site_code);
      where = answer.crate_id
        ? t("goes_crate", { crate: answer.crate_id, site, code: answer.next_site_code })
        : t("goes_crate_none", { site, code: answer.next_site_code });
      kind = "warn";
    } else if (answer.next === "hold_shelf") {
      where = t("goes_hold_shelf");
      slip = answer.hold_id ? await slipOf(answer.hold_id) : "";
    } else {
      where = t("goes_shelf");
    }
    const why = answer.transfer_kind ? ` · ${t(`kind_${answer.transfer_kind}`)}` : "";
    out.innerHTML = `<div class="verdict ${kind}" data-next="${escapeHtml(answer.next)}">
      <p class="big">${escapeHtml(where)}</p>
      <p>${escapeHtml(answer.barcode)} · ${escapeHtml(answer.title)}${escapeHtml(why)}</p>${slip}</div>`;
  } catch (error) {
    out.innerHTML = `<p class="note bad" role="alert">${escapeHtml(message(error))}</p>`;
  }
}

$("return-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("return-barcode");
  const barcode = input.value.trim();
  if (barcode) checkIn(barcode);
  input.value = "";
  input.focus();
});

// --- holds ----------------------------------------------------------------------------------

function keptHolds() {
  try {
    return JSON.parse(sessionStorage.getItem(HOLDS_KEY) || "[]");
  } catch (_) {
    return [];
  }
}

function keepHold(hold) {
  const holds = keptHolds().filter((h) => h.id !== hold.id);
  sessionStorage.setItem(HOLDS_KEY, JSON.stringify([hold, ...holds].slice(0, 50)));
}

function expectedText(hold) {
  return hold.expected_on ? t("expected", { date: hold.expected_on }) : t("expected_unknown");
}

function drawHolds() {
  const holds = keptHolds();
  $("holds").innerHTML = holds.map((h) => {
    const open = h.status === "waiting" || h.status === "assigned" || h.status === "ready";
    return `<li data-hold="${h.id}" data-status="${escapeHtml(h.status)}">
      ${escapeHtml(t("hold_line", { id: h.id, title: h.title, last4: h.card_last4, status: t(`status_${h.status}`) }))}
      <br><span class="expected">${escapeHtml(expectedText(h))}</span>
      ${open ? `<button type="button" data-cancel="${h.id}">${escapeHtml(t("cancel_hold", { id: h.id }))}</button>` : ""}</li>`;
  }).join("");
}

async function search(q) {
  const out = $("hold-note");
  try {
    const site = state.site ? `&pickup_site=${encodeURIComponent(state.site)}` : "";
    const page = await api(`/records/search?q=${encodeURIComponent(q)}&limit=10${site}`);
    $("hits-box").hidden = false;
    note(out, page.items.length ? "" : t("no_hits"));
    $("hits").innerHTML = page.items.map((r) => `<li data-record="${r.record_id}">
      <strong>${escapeHtml(r.display_title || r.title)}</strong> ${escapeHtml((r.authors || []).join("、"))}
      <span class="muted">${escapeHtml(t("available", { n: r.available, copies: r.sites.reduce((a, s) => a + s.copies, 0) }))}</span>
      <button type="button" data-place="${r.record_id}">${escapeHtml(t("place_hold"))}<span class="sr-only">${escapeHtml(t("place_hold_for", { title: r.title }))}</span></button></li>`).join("");
  } catch (error) {
    note(out, message(error), "bad", true);
  }
}

async function placeHold(recordId) {
  const out = $("hold-note");
  const card = $("hold-card").value.replace(/\s+/g, "");
  if (!card) return note(out, t("card_needed"), "bad", true);
  if (!(await needSite(out))) return;
  try {
    const hold = await api("/holds", {
      method: "POST", json: { card_number: card, record_id: recordId, pickup_site_code: state.site },
    });
    keepHold(hold);
    $("hold-card").value = ""; // the card is not kept on the page
    note(out, `${t("hold_placed", { id: hold.id })} · ${expectedText(hold)}`, "good");
    drawHolds();
  } catch (error) {
    note(out, message(error), "bad", true);
  }
}

async function cancelHold(id) {
  const out = $("hold-note");
  try {
    const hold = await api(`/holds/${id}/cancel`, { method: "POST" });
    keepHold(hold);
    note(out, t("hold_cancelled", { id }), "good");
    drawHolds();
  } catch (error) {
    note(out, message(error), "bad", true);
  }
}

$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const q = $("hold-q").value.trim();
  if (q) search(q);
});
$("hits").addEventListener("click", (event) => {
  const id = event.target?.closest?.("[data-place]")?.dataset.place;
  if (id) placeHold(Number(id));
});
$("holds").addEventListener("click", (event) => {
  const id = event.target?.dataset?.cancel;
  if (id) cancelHold(Number(id));
});
$("lookup-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = $("hold-id").value.trim();
  if (!/^\d+$/.test(id)) return;
  try {
    keepHold(await api(`/holds/${id}`));
    drawHolds();
    note($("hold-note"), "");
  } catch (error) {
    note($("hold-note"), message(error), "bad", true);
  }
});

// --- receiving a crate ----------------------------------------------------------------------

function drawCrate() {
  const crate = state.crate;
  $("crate-check").hidden = !crate;
  if (!crate) return;
  $("crate-items").innerHTML = crate.items.map((item) => {
    const done = state.checked.has(item.barcode);
    const flag = !done && state.finished;
    const word = done ? t("checked") : flag ? t("missing") : t("expected_copy");
    const kind = done ? "good" : flag ? "bad" : "";
    return `<li data-barcode="${escapeHtml(item.barcode)}" data-state="${done ? "checked" : flag ? "missing" : "expected"}">
      <span class="pill ${kind}">${escapeHtml(word)}</span> <strong>${escapeHtml(item.barcode)}</strong>
      ${escapeHtml(item.title)}${item.card_last4 ? ` · <span class="slip">${escapeHtml(t("card_tail", { id: item.hold_id, last4: item.card_last4 }))}</span>` : ""}</li>`;
  }).join("");
  $("extras-box").hidden = state.extras.length === 0;
  $("extras").innerHTML = state.extras.map((x) => `<li class="bad" data-extra="${escapeHtml(x)}">${escapeHtml(t("extra", { barcode: x, id: crate.crate_id }))}</li>`).join("");
}

async function receive(code) {
  const out = $("crate-note");
  if (!(await needSite(out))) return;
  try {
    // The crate's own list first, so that the copies are checked against what was packed.
    const packed = await api(`/crates/${encodeURIComponent(code)}`);
    const crate = await api(`/crates/${encodeURIComponent(code)}/drop`, {
      method: "POST", json: { site_code: state.site },
    });
    state.crate = { ...crate, items: packed.items };
    state.checked = new Set();
    state.extras = [];
    state.finished = false;
    note(out, t("crate_received", { id: crate.crate_id, n: crate.items.length }), "good");
    note($("copy-note"), "");
    drawCrate();
    $("copy-barcode").focus();
  } catch (error) {
    note(out, message(error), "bad", true);
  }
}

function checkCopy(barcode) {
  const crate = state.crate;
  const out = $("copy-note");
  if (!crate) return;
  const item = crate.items.find((i) => i.barcode === barcode);
  if (!item) {
    if (!state.extras.includes(barcode)) state.extras.push(barcode);
    note(out, t("extra", { barcode, id: crate.crate_id }), "bad", true);
  } else if (state.checked.has(barcode)) {
    note(out, t("copy_again", { barcode }), "warn");
  } else {
    state.checked.add(barcode);
    note(out, t("copy_checked", { barcode, done: state.checked.size, n: crate.items.length }), "good");
  }
  drawCrate();
}

function finishCheck() {
  const crate = state.crate;
  if (!crate) return;
  state.finished = true;
  const missing = crate.items.filter((i) => !state.checked.has(i.barcode)).map((i) => i.barcode);
  if (missing.length) note($("copy-note"), t("missing_count", { n: missing.length, list: missing.join("、") }), "bad", true);
  else note($("copy-note"), t("all_present", { n: crate.items.length }), "good");
  drawCrate();
}

$("crate-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("crate-code");
  const code = input.value.trim().toUpperCase();
  if (code) receive(code);
  input.value = "";
});
$("copy-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("copy-barcode");
  const barcode = input.value.trim();
  if (barcode) checkCopy(barcode);
  input.value = "";
  input.focus();
});
$("finish-check").addEventListener("click", finishCheck);

// --- start ----------------------------------------------------------------------------------

const user = await requireRole("branch_staff", "admin");
await chooseSite(user).finally(siteKnown);
drawHolds();
