// Scans kept on the phone until the server has answered them (basements and lifts have no
// signal). Every scan goes through the queue, online or not, so that none overtakes an older
// one: they are sent in the order made, each removed only once the server has answered it.
// A 2xx is done; a 4xx is a refusal (shown to the driver, kept in the refused list, never
// sent again); no answer, a 5xx, 408 or 429 is tried again later (the online event, or a
// timer backing off to a minute). The queue lives in localStorage, so it survives a reload;
// a Web Lock (where the browser has them) keeps two tabs from sending the same scan at once.

const RETRY_FIRST_MS = 2000;
const RETRY_MAX_MS = 60000;
const RETRIED_STATUSES = new Set([408, 425, 429]);

function newId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

function read(key) {
  try {
    const value = JSON.parse(localStorage.getItem(key) || "[]");
    return Array.isArray(value) ? value : [];
  } catch (_) {
    return []; // a damaged entry counts as empty rather than stopping the page
  }
}

function write(key, value) {
  localStorage.setItem(key, JSON.stringify(value));
}

/** Whether a failure means "try again later" rather than "the server said no". */
export function retryable(error) {
  const status = error?.status;
  if (typeof status !== "number") return true; // no answer at all (fetch threw)
  if (status === 401) return true; // signed out: the scan waits for the next sign-in
  return status >= 500 || RETRIED_STATUSES.has(status);
}

export class ScanQueue {
  /**
   * @param {string} name storage key prefix
   * @param {(scan) => Promise<any>} send sends one scan; resolves with the answer, throws
   *   an error with `status` for an HTTP refusal (shuyun.js's ApiError) or without for none
   * @param {{onSent, onRefused, onChange, onRetry}} hooks
   */
  constructor(name, send, hooks = {}) {
    this.key = `${name}.queue`;
    this.refusedKey = `${name}.refused`;
    this.lockName = `${name}.lock`;
    this.send = send;
    this.hooks = hooks;
    this.flushing = null;
    this.delay = RETRY_FIRST_MS;
    this.timer = null;
    addEventListener("online", () => this.flush());
    addEventListener("storage", (event) => {
      if (event.key === this.key || event.key === this.refusedKey) this.changed();
    });
  }

  items() {
    return read(this.key);
  }

  refused() {
    return read(this.refusedKey);
  }

  changed() {
    this.hooks.onChange?.(this.items(), this.refused());
  }

  /** Queue `scan` (an object without `id`); a scan equal to one queued already is not added. */
  add(scan) {
    const queued = this.items();
    const same = queued.find(
      (q) => q.kind === scan.kind && q.code === scan.code && q.action === scan.action &&
        q.site_code === scan.site_code,
    );
    if (same) return { scan: same, added: false };
    const entry = { ...scan, id: newId(), made_at: new Date().toISOString() };
    write(this.key, [...queued, entry]);
    this.changed();
    return { scan: entry, added: true };
  }

  dismiss(id) {
    write(this.refusedKey, this.refused().filter((r) => r.id !== id));
    this.changed();
  }

  /** Send what is queued, oldest first; one flush at a time. */
  flush() {
    if (!this.flushing) {
      const run = () => this._drain();
      const locked = navigator.locks?.request
        ? navigator.locks.request(this.lockName, run)
        : run();
      this.flushing = locked.finally(() => {
        this.flushing = null;
      });
    }
    return this.flushing;
  }

  async _drain() {
    clearTimeout(this.timer);
    this.timer = null;
    for (;;) {
      const [scan] = this.items(); // read again each time: another tab may have sent some
      if (!scan) {
        this.delay = RETRY_FIRST_MS;
        return;
      }
      let answer;
      try {
        answer = await this.send(scan);
      } catch (error) {
        if (retryable(error)) {
          this._retryLater();
          return;
        }
        this._remove(scan.id);
        write(this.refusedKey, [...this.refused(), { ...scan, error: error.message, status: error.status }]);
        this.changed();
        this.hooks.onRefused?.(scan, error);
        continue;
      }
      this._remove(scan.id);
      this.delay = RETRY_FIRST_MS;
      this.changed();
      this.hooks.onSent?.(scan, answer);
    }
  }

  _remove(id) {
    write(this.key, this.items().filter((q) => q.id !== id));
  }

  _retryLater() {
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, RETRY_MAX_MS);
    this.hooks.onRetry?.(wait);
    this.timer = setTimeout(() => this.flush(), wait);
  }
}
