// The service worker (issue 14 item 9), served from /sw.js (workbench.views.service_worker) so
// that its scope is the whole site. It keeps the pages a phone was told to keep (the event
// report, the visit form, the patrol page: each marks itself data-offline-page and
// static/zhenjie/offline.js posts their addresses here) with their assets, and answers from
// that copy when there is no network. Nothing else is cached; POSTs are never touched (the page
// keeps a form that could not be sent, offline.js).
const CACHE = "zhenjie-offline-v1";
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;  // ManifestStaticFilesStorage names: never change

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.startsWith("zhenjie-offline-") && name !== CACHE; }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function usable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

self.addEventListener("message", function (event) {
  const urls = (event.data && event.data.keep) || [];
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      const target = new URL(url, self.location.origin);
      if (target.origin !== self.location.origin) return null;
      return cache.match(target.href, { ignoreVary: true }).then(function (hit) {
        if (hit) return null;  // a kept page is refreshed by each visit (below), an asset by its own fetch
        return fetch(target.href, { credentials: "same-origin" }).then(function (response) {
          if (usable(response)) return cache.put(target.href, response);
          return null;
        }).catch(function () { return null; });
      });
    }));
  }));
});

function offlinePage() {
  const body = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>没有网络</title>"
    + "<h1>没有网络</h1><p>此页面还没有保存在手机上。有信号时打开过的上报、走访、巡查页面，没有信号时也能打开。</p></html>";
  return new Response(body, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // The network first; a kept page's copy is refreshed, and answers when there is none.
    event.respondWith(fetch(request).then(function (response) {
      if (usable(response)) {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then(function (cache) {
          return cache.match(url.href, { ignoreVary: true }).then(function (hit) { return hit ? cache.put(url.href, copy) : null; });
        }));
      }
      return response;
    }, function () {
      return caches.open(CACHE).then(function (cache) {
        return cache.match(url.href, { ignoreVary: true }).then(function (hit) {
          return hit || cache.match(url.href, { ignoreVary: true, ignoreSearch: true });
        });
      }).then(function (hit) { return hit || offlinePage(); });
    }));
    return;
  }
  if (!url.pathname.startsWith("/static/")) return;
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (hit) {
      if (hit && HASHED.test(url.pathname)) return hit;  // a hashed name is forever
      return fetch(request).then(function (response) {
        if (usable(response)) event.waitUntil(cache.put(request, response.clone()));
        return response;
      }, function () { return hit || Response.error(); });
    });
  }));
});
