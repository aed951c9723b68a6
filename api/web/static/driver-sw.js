// The driver page's service worker: keeps the page's shell (the page, its scripts and styles,
// the QR reader) so that the page opens without signal. Network first, so that a deployed
// change is seen at once; the cache only when the network does not answer. API calls are not
// touched: the page keeps its own scans (offline_queue.js) and its last route.
const CACHE = "shuyun-driver-v1";
const SHELL = [
  "/ui/driver",
  "/ui/static/shuyun.css",
  "/ui/static/driver.css",
  "/ui/static/shuyun.js",
  "/ui/static/offline_queue.js",
  "/ui/static/driver.js",
  "/ui/vendor/jsqr/jsQR.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("shuyun-driver-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function isShell(url) {
  return url.origin === self.location.origin && SHELL.includes(url.pathname);
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || !isShell(url)) return;
  const key = url.pathname; // one copy per path: ?date= and ?lang= share the shell
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
        }
        return response;
      })
      .catch(() => caches.match(key).then((hit) => hit || Response.error())),
  );
});
