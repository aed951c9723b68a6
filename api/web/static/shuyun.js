// What every page shares: the page's texts, the signed-in account, calls to the API.
// The token is the API's own bearer token (POST /auth/token), kept in this browser until it
// expires or the reader signs out, so a page has exactly the rights its account has.

const TOKEN_KEY = "shuyun.token";

export const texts = JSON.parse(document.getElementById("texts")?.textContent || "{}");

/** The page's string for `key`, with `{name}` filled from `values`. */
export function t(key, values = {}) {
  const text = texts[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? `{${name}}`));
}

export function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.status = status;
    this.detail = detail;
  }
}

function storedToken() {
  try {
    const stored = JSON.parse(localStorage.getItem(TOKEN_KEY) || "null");
    if (stored && Date.parse(stored.expires_at) > Date.now()) return stored.access_token;
  } catch (_) { /* a damaged entry counts as none */ }
  localStorage.removeItem(TOKEN_KEY);
  return null;
}

export function token() {
  return storedToken();
}

export function signedIn() {
  return storedToken() !== null;
}

/** Sign in with the OAuth2 password flow; keeps the token; answers the account. */
export async function signIn(username, password) {
  const body = new URLSearchParams({ username, password });
  const response = await fetch("/auth/token", { method: "POST", body });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, answer.detail ?? response.statusText);
  localStorage.setItem(TOKEN_KEY, JSON.stringify(answer));
  cachedMe = null;
  return me();
}

export function signOut() {
  localStorage.removeItem(TOKEN_KEY);
  cachedMe = null;
  location.assign("/ui/login");
}

function toLogin() {
  if (location.pathname === "/ui/login") return;
  const here = location.pathname + location.search;
  location.assign(`/ui/login?next=${encodeURIComponent(here)}`);
}

/**
 * Call the API: `path` like "/plans/3"; `json` sent as the body; answers the parsed JSON (or
 * the Response itself with `raw: true`, for files). A 401 sends the reader to the sign-in;
 * any other failure throws an ApiError with the API's own message (`detail`).
 */
export async function api(path, { method = "GET", json, body, headers = {}, raw = false } = {}) {
  const bearer = storedToken();
  const sent = { method, headers: { ...headers } };
  if (bearer) sent.headers.Authorization = `Bearer ${bearer}`;
  if (json !== undefined) {
    sent.headers["Content-Type"] = "application/json";
    sent.body = JSON.stringify(json);
  } else if (body !== undefined) {
    sent.body = body;
  }
  const response = await fetch(path, sent);
  if (response.status === 401) {
    localStorage.removeItem(TOKEN_KEY);
    toLogin();
    throw new ApiError(401, "not signed in");
  }
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    throw new ApiError(response.status, answer.detail ?? response.statusText);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

/** The API's message as a person reads it (FastAPI's 422 lists name the field). */
export function message(error) {
  if (!(error instanceof ApiError)) return `${t("error")}: ${error.message ?? error}`;
  if (Array.isArray(error.detail)) {
    return error.detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
  }
  return String(error.detail ?? error.message);
}

let cachedMe = null;

/** The signed-in account (GET /auth/me), or null. */
export async function me() {
  if (!signedIn()) return null;
  if (!cachedMe) cachedMe = await api("/auth/me");
  return cachedMe;
}

const PAGES = [
  // [path, text key, roles that use it]
  ["/ui/console", "nav_console", ["dispatcher", "admin", "planner"]],
  ["/ui/driver", "nav_driver", ["driver"]],
  ["/ui/desk", "nav_desk", ["branch_staff", "admin"]],
  ["/ui/kpis", "nav_kpis", ["planner", "admin"]],
];

/** Where an account starts after signing in. */
export function landing(role) {
  const page = PAGES.find(([, , roles]) => roles.includes(role));
  return page ? page[0] : "/docs";
}

function drawHeader(user) {
  const nav = document.getElementById("nav");
  if (nav && user) {
    nav.innerHTML = PAGES.filter(([, , roles]) => roles.includes(user.role))
      .map(([path, key]) => {
        const current = location.pathname === path ? ' aria-current="page"' : "";
        return `<a href="${path}"${current}>${escapeHtml(t(key))}</a>`;
      })
      .join("");
  }
  const who = document.getElementById("who");
  if (who && user) {
    const site = user.site_code ? ` @ ${user.site_code}` : "";
    who.textContent = `${t("signed_in_as")}: ${user.username} (${t(`role_${user.role}`)}${site})`;
  }
  const out = document.getElementById("sign-out");
  if (out && user) {
    out.hidden = false;
    out.onclick = signOut;
  }
}

/**
 * For a page that needs an account: the account if its role is one of `roles` (any role when
 * none given); otherwise to the sign-in (no account) or to the account's own page.
 */
export async function requireRole(...roles) {
  const user = await me().catch(() => null);
  if (!user) {
    toLogin();
    return new Promise(() => {}); // the page is leaving
  }
  if (roles.length && !roles.includes(user.role)) {
    location.assign(landing(user.role));
    return new Promise(() => {});
  }
  drawHeader(user);
  return user;
}

/** Seconds after midnight as HH:MM. */
export function clock(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(minutes / 60) % 24;
  const m = minutes % 60;
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

// The library's clock is Asia/Shanghai (UTC+8, no daylight saving), whatever zone the
// browser's machine is set to: "today" and "tomorrow" are days in Xi'an, as on the server.
const LIBRARY_OFFSET_MS = 8 * 3600 * 1000;

/** The day `days` after `now`'s day on the library's clock, as YYYY-MM-DD. */
export function libraryDay(now = new Date(), days = 0) {
  return new Date(now.getTime() + LIBRARY_OFFSET_MS + days * 86400000).toISOString().slice(0, 10);
}

/** Seconds since midnight on the library's clock at `now`. */
export function librarySeconds(now = new Date()) {
  const shifted = new Date(now.getTime() + LIBRARY_OFFSET_MS);
  return shifted.getUTCHours() * 3600 + shifted.getUTCMinutes() * 60 + shifted.getUTCSeconds();
}
