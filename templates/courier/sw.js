{% load static %}/* Q9 courier's phone: the offline shell and the last list. Navigations to the courier's page go to the
   network first and fall back to the copy kept from the last good load; static files come from the cache. Writes
   (the acts) never pass through here: the page keeps them in IndexedDB and sends them itself. */
"use strict";
var CACHE = "q9-courier-{{ version }}";
var HOME = "{% url 'courier:home' %}";
var SHELL = [
  "{% static 'vendor/bootstrap/bootstrap.min.css' %}", "{% static 'css/app.css' %}", "{% static 'courier/courier.css' %}",
  "{% static 'js/desk.js' %}", "{% static 'courier/courier.js' %}",
  "{% static 'vendor/zxing-wasm/zxing-reader.js' %}", "{% static 'courier/scanner.js' %}",
  "{% static 'vendor/zxing-wasm/zxing_reader.wasm' %}",
  "{% static 'favicon.svg' %}", "{% static 'courier/icon.svg' %}", "{% url 'courier:manifest' %}"
];

function keepList(cache, response) {
  // only the courier's own list (a signed-out visit is redirected to the login page: not kept)
  if (response.ok && !response.redirected) return cache.put(HOME, response);
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL).then(function () {
      return fetch(HOME, {credentials: "same-origin", cache: "no-store"}).then(function (r) { return keepList(cache, r); },
                                                                            function () { /* kept at the next visit */ });
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("q9-courier-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === HOME) {
    event.respondWith(fetch(request).then(function (response) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return keepList(cache, copy); });
      return response;
    }).catch(function () {
      return caches.match(HOME).then(function (hit) {
        return hit || new Response("<!doctype html><meta charset=utf-8><title>离线</title><p>离线：请联网后打开一次“我的取件”。</p>",
                                   {headers: {"Content-Type": "text/html; charset=utf-8"}});
      });
    }));
    return;
  }
  if (SHELL.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  }
});
