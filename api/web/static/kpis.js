// The KPI page: asks GET /kpis for the chosen days, draws the tables and a few bar charts
// (inline SVG, drawn here: no chart library), and downloads the CSV and Excel exports with
// the account's token. The tables' columns and headers come from the server (the exports').
import { api, escapeHtml, libraryDay, message, requireRole, t } from "/ui/static/shuyun.js";

const columns = JSON.parse(document.getElementById("kpi-columns").textContent);
const form = document.getElementById("kpi-form");
const status = document.getElementById("kpi-status");

const SHARES = new Set(["away_share", "on_time_rate", "utilisation", "peak_load_share"]);
const HOURS = new Set(["fill_median_s", "fill_p90_s"]);
const MINUTES = new Set(["delay_median_s", "delay_p90_s", "delay_s"]);
const DECIMALS = { km: 1, hours: 1, crates_per_visit: 2 };

/** A cell's text and whether it is a number (right-aligned). */
function cell(key, value) {
  if (value === null || value === undefined) {
    return { text: key === "actual" ? t("no_scan") : "—", none: true };
  }
  if (SHARES.has(key)) return { text: `${(value * 100).toFixed(1)} %`, num: true };
  if (HOURS.has(key)) return { text: (value / 3600).toFixed(1), num: true };
  if (MINUTES.has(key)) return { text: (value / 60).toFixed(1), num: true };
  if (key in DECIMALS) return { text: Number(value).toFixed(DECIMALS[key]), num: true };
  if (key === "planned" || key === "actual") return { text: String(value).slice(5, 16).replace("T", " ") };
  if (typeof value === "number") return { text: String(value), num: true };
  return { text: String(value) };
}

/** A site row flat, as the exports have it (sent_hold ...). */
function flat(row) {
  const out = { ...row };
  for (const [kind, count] of Object.entries(row.sent || {})) out[`sent_${kind}`] = count;
  for (const [kind, count] of Object.entries(row.received || {})) out[`received_${kind}`] = count;
  return out;
}

function drawTable(id, table, rows) {
  const head = columns[table].map(([, label]) => `<th scope="col">${escapeHtml(label)}</th>`);
  const body = rows.map((row) => {
    const cells = columns[table].map(([key]) => {
      const { text, num, none } = cell(key, row[key]);
      const cls = [num ? "num" : "", none ? "none" : ""].filter(Boolean).join(" ");
      return `<td${cls ? ` class="${cls}"` : ""}>${escapeHtml(text)}</td>`;
    });
    return `<tr>${cells.join("")}</tr>`;
  });
  const empty = `<tr><td colspan="${head.length}" class="none">${escapeHtml(t("no_rows"))}</td></tr>`;
  document.getElementById(id).innerHTML =
    `<thead><tr>${head.join("")}</tr></thead><tbody>${body.length ? body.join("") : empty}</tbody>`;
}

/**
 * Horizontal bars, one row per item, one bar per series: `series` is [[label, value(row)]];
 * values null are left out. Drawn as SVG text so it prints and scales.
 */
function drawBars(id, title, rows, label, series, format = (v) => String(v)) {
  const figure = document.getElementById(id);
  const shown = rows.filter((row) => series.some(([, value]) => value(row) !== null));
  if (!shown.length) {
    figure.innerHTML = `<figcaption>${escapeHtml(title)}</figcaption><p class="muted">${escapeHtml(t("no_rows"))}</p>`;
    return;
  }
  const barH = 12, gap = 6, labelW = 110, valueW = 70, width = 560;
  const rowH = series.length * barH + gap;
  const legendH = series.length > 1 ? 18 : 0;
  const height = legendH + shown.length * rowH + 4;
  const max = Math.max(...shown.flatMap((row) => series.map(([, v]) => v(row) ?? 0)), 1e-9);
  const plotW = width - labelW - valueW;
  const parts = [];
  series.forEach(([name], s) => {
    if (legendH) {
      parts.push(`<rect class="bar-${"ab"[s]}" x="${labelW + s * 110}" y="3" width="10" height="10"/>`);
      parts.push(`<text class="legend" x="${labelW + s * 110 + 14}" y="12">${escapeHtml(name)}</text>`);
    }
  });
  shown.forEach((row, i) => {
    const y0 = legendH + i * rowH;
    parts.push(`<text x="${labelW - 6}" y="${y0 + rowH / 2 + 2}" text-anchor="end">${escapeHtml(label(row))}</text>`);
    series.forEach(([name, value], s) => {
      const v = value(row);
      if (v === null) return;
      const w = Math.max(1, (v / max) * plotW);
      const y = y0 + s * barH;
      parts.push(
        `<rect class="bar-${"ab"[s]}" x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH - 2}">` +
          `<title>${escapeHtml(`${label(row)} ${name}: ${format(v)}`)}</title></rect>`,
      );
      parts.push(`<text x="${(labelW + w + 4).toFixed(1)}" y="${y + barH - 3}">${escapeHtml(format(v))}</text>`);
    });
  });
  const titleId = `${id}-title`;
  figure.innerHTML =
    `<figcaption id="${titleId}">${escapeHtml(title)}</figcaption>` +
    `<svg role="img" aria-labelledby="${titleId}" viewBox="0 0 ${width} ${height}" ` +
    `width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${parts.join("")}</svg>`;
}

function query() {
  const params = new URLSearchParams({ from: form.from.value, to: form.to.value });
  if (form.site.value) params.set("site", form.site.value);
  return params;
}

async function show() {
  status.textContent = t("loading");
  let report;
  try {
    report = await api(`/kpis?${query()}`);
  } catch (failure) {
    status.textContent = failure.status === 403 ? t("forbidden") : `${t("error")}: ${message(failure)}`;
    return;
  }
  status.textContent = "";
  history.replaceState(null, "", `?${query()}`);
  document.getElementById("kpi-period").textContent =
    `${t("period", { from: report.start, to: report.end })} ${t("lost_after", { days: report.lost_after_days })}`;
  const sites = report.sites.map(flat);
  drawTable("sites-table", "sites", sites);
  drawTable("vans-table", "vans", report.vans);
  drawTable("visits-table", "visits", report.visits);
  drawBars("chart-loans", t("chart_loans"), sites, (r) => r.site_code, [
    [t("loans"), (r) => r.loans],
    [t("returns"), (r) => r.returns],
  ]);
  drawBars("chart-fill", t("chart_fill"), sites, (r) => r.site_code,
    [[t("chart_fill"), (r) => (r.fill_median_s === null ? null : r.fill_median_s / 3600)]],
    (v) => v.toFixed(1));
  document.getElementById("no-vans").hidden = report.vans.length > 0;
  drawBars("chart-km", t("chart_km"), report.vans, (r) => r.van_code, [[t("chart_km"), (r) => r.km]],
    (v) => v.toFixed(1));
  // Turnover passes 100 % when a van unloads and loads again along its route; the peak
  // load is how full it ever was.
  drawBars("chart-use", t("chart_use"), report.vans, (r) => r.van_code, [
    [t("peak_load"), (r) => r.peak_load_share],
    [t("turnover"), (r) => r.utilisation],
  ], (v) => `${(v * 100).toFixed(1)} %`);
}

async function download(kind, table) {
  const params = query();
  if (kind === "csv") params.set("table", table);
  try {
    const response = await api(`/kpis.${kind}?${params}`, { raw: true });
    const blob = await response.blob();
    const disposition = response.headers.get("Content-Disposition") || "";
    const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || `kpis.${kind}`;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (failure) {
    status.textContent = failure.status === 403 ? t("forbidden") : `${t("error")}: ${message(failure)}`;
  }
}

async function start() {
  await requireRole("planner", "admin");
  const asked = new URLSearchParams(location.search);
  const now = new Date();
  form.from.value = asked.get("from") || libraryDay(now, -6);
  form.to.value = asked.get("to") || libraryDay(now, 1);
  try {
    const sites = await api("/sites?limit=200");
    form.site.insertAdjacentHTML(
      "beforeend",
      sites.items
        .map((s) => `<option value="${escapeHtml(s.code)}">${escapeHtml(`${s.code} ${s.name_zh}`)}</option>`)
        .join(""),
    );
  } catch (failure) {
    status.textContent = `${t("error")}: ${message(failure)}`;
  }
  form.site.value = asked.get("site") || "";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show();
  });
  for (const button of document.querySelectorAll("[data-download]")) {
    button.addEventListener("click", () => download(button.dataset.download, button.dataset.table));
  }
  await show();
}

start();
