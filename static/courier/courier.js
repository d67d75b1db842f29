/* Q9 courier's phone: the acts (pickup confirm, pickup fail, re-appointment) are kept in IndexedDB with an id the
   phone makes, and sent when the network is there — at once, on the `online` event and at each start (background
   sync is not relied on). The server applies each id once and answers each act plainly. The camera reads the
   waybill's Code 128 (scanner.js). No inline script: the page's words come from a <template>'s attributes. */
(function () {
  "use strict";
  var body = document.body;
  if (!body || !body.hasAttribute("data-courier-app")) return;
  var ACTS_URL = body.getAttribute("data-acts-url"), CSRF = body.getAttribute("data-csrf");
  var WORDS = document.getElementById("courier-words");
  function word(name) { return WORDS ? WORDS.getAttribute("data-" + name) || "" : ""; }

  // ---------------------------------------------------------------- the queue (IndexedDB)
  var DB_NAME = "q9-courier", STORE = "acts", dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var open = indexedDB.open(DB_NAME, 1);
        open.onupgradeneeded = function () { open.result.createObjectStore(STORE, {keyPath: "id"}); };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return dbPromise;
  }
  function tx(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(STORE, mode), store = t.objectStore(STORE), result = work(store);
        t.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function queued() { return tx("readonly", function (s) { return s.getAll(); }).then(function (all) {
    return (all || []).sort(function (a, b) { return a.seq - b.seq; });
  }); }
  function enqueue(act) { return tx("readwrite", function (s) { return s.put(act); }); }
  function dequeue(id) { return tx("readwrite", function (s) { return s["delete"](id); }); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // ---------------------------------------------------------------- the page
  function card(orderId) { return document.querySelector('.order-card[data-order-id="' + orderId + '"]'); }
  function status(el, text, kind) {
    var box = el.querySelector("[data-status]");
    box.textContent = text;
    box.className = "order-status small mt-2 fw-semibold " + (kind === "ok" ? "text-success" : kind === "bad" ? "text-danger" : "text-warning");
  }
  function notice(text, kind) {
    var box = document.getElementById("notices"), div = document.createElement("div");
    div.className = "alert alert-" + (kind === "ok" ? "success" : kind === "bad" ? "danger" : "warning");
    div.textContent = text;
    box.insertBefore(div, box.firstChild);
    while (box.children.length > 6) box.removeChild(box.lastChild);
  }
  function markQueued(act) {
    var el = card(act.order);
    if (!el) return;
    el.classList.add("is-queued");
    el.querySelector("[data-actions]").hidden = true;
    status(el, word("queued"), "wait");
  }
  function refreshQueueInfo() {
    return queued().then(function (all) {
      document.getElementById("queue-count").textContent = all.length;
      document.getElementById("queue-info").hidden = all.length === 0;
      return all;
    });
  }
  function netStatus() {
    var badge = document.getElementById("net-status"), on = navigator.onLine;
    badge.textContent = badge.getAttribute(on ? "data-online-text" : "data-offline-text");
    badge.className = "badge " + (on ? "text-bg-success" : "text-bg-secondary");
  }

  // the counts at the top follow each applied act (a replay was counted when it was first answered)
  function bump(name, by) {
    var box = document.querySelector('[data-count="' + name + '"]');
    if (box) box.textContent = String(Math.max(0, (parseInt(box.textContent, 10) || 0) + by));
  }
  function answer(result, act) {
    var el = card(result.order || (act && act.order));
    if (result.outcome === "applied" && !result.replay && act && act.kind !== "reappoint") {
      bump(act.kind === "fail" ? "failed" : "done", 1);
      bump("todo", -1);
    }
    if (result.outcome === "applied") {
      if (el) {
        el.classList.remove("is-queued");
        el.classList.add(act && act.kind === "fail" ? "is-failed" : "is-done");
        el.querySelector("[data-actions]").hidden = act && act.kind !== "reappoint" ? true : false;
        status(el, result.message, "ok");
      }
      notice(result.message, "ok");
    } else {
      if (el) {
        el.classList.remove("is-queued");
        // the order changed meanwhile: nothing to do on it; a refusal (a mistyped number…) can be tried again
        el.querySelector("[data-actions]").hidden = result.outcome === "conflict";
        status(el, result.message, "bad");
      }
      notice(result.message, "bad");
    }
  }

  // ---------------------------------------------------------------- sending
  var flushing = false, again = false;
  function flush() {
    if (flushing) { again = true; return Promise.resolve(); }
    flushing = true;
    return queued().then(function (all) {
      if (!all.length) return null;
      // photos make acts heavy: send at most about 2 MB at a time (the rest goes in the next round)
      var acts = [], size = 0;
      all.forEach(function (a) {
        var n = JSON.stringify(a).length;
        if (!acts.length || size + n < 2000000) { acts.push(a); size += n; } else { again = true; }
      });
      return fetch(ACTS_URL, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: {"Content-Type": "application/json", "X-CSRFToken": CSRF},
        // the phone's clock now: the server brings each act's time onto its own clock by the difference
        body: JSON.stringify({sent_at: new Date().toISOString(), acts: acts})
      }).then(function (response) {
        if (response.status === 403 || response.redirected) { notice(word("signed-out"), "bad"); return null; }
        if (!response.ok) return null;
        return response.json().then(function (data) {
          var byId = {};
          acts.forEach(function (a) { byId[a.id] = a; });
          return (data.results || []).reduce(function (chain, result) {
            return chain.then(function () {
              answer(result, byId[result.id]);
              return dequeue(result.id);
            });
          }, Promise.resolve()).then(keepFreshList);
        });
      }, function () { return null; /* no network: the acts stay on the phone */ });
    }).then(function () {
      flushing = false;
      netStatus();
      return refreshQueueInfo();
    }, function () { flushing = false; }).then(function () {
      if (again) { again = false; return flush(); }
    });
  }

  // the service worker keeps the list of each visit for offline use: after acts are answered, refresh that copy
  function keepFreshList() {
    if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return;
    fetch(window.location.pathname, {credentials: "same-origin", cache: "no-store"}).catch(function () { /* next time */ });
  }

  // ---------------------------------------------------------------- what the phone witnesses at the door
  var photos = {};  // order id → the photo taken for its next act (a JPEG data URL, ≤ 1600 px and ≤ 300 KB)
  var PHOTO_MAX = 300 * 1024, PHOTO_SIDE = 1600;
  function bitmap(file) {
    if (window.createImageBitmap) return createImageBitmap(file);
    return new Promise(function (resolve, reject) {  // the page's CSP allows data: images, not blob: ones
      var reader = new FileReader();
      reader.onload = function () { var img = new Image(); img.onload = function () { resolve(img); }; img.onerror = reject; img.src = reader.result; };
      reader.onerror = reject;
      reader.readAsDataURL(file);
    });
  }
  function downscale(file) {
    return bitmap(file).then(function (img) {
      var w0 = img.width || img.naturalWidth, h0 = img.height || img.naturalHeight;
      var scale = Math.min(1, PHOTO_SIDE / Math.max(w0, h0)), canvas = document.createElement("canvas");
      function draw(s, q) {
        canvas.width = Math.max(1, Math.round(w0 * s)); canvas.height = Math.max(1, Math.round(h0 * s));
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        return canvas.toDataURL("image/jpeg", q);
      }
      var q = 0.82, data = draw(scale, q);
      while ((data.length - 23) * 3 / 4 > PHOTO_MAX && q > 0.45) { q -= 0.12; data = draw(scale, q); }
      while ((data.length - 23) * 3 / 4 > PHOTO_MAX && scale > 0.1) { scale *= 0.75; data = draw(scale, 0.6); }
      return data;
    });
  }
  document.addEventListener("change", function (e) {
    if (!e.target.matches || !e.target.matches("[data-photo-input]")) return;
    var el = e.target.closest(".order-card"), file = e.target.files && e.target.files[0];
    if (!file) return;
    downscale(file).then(function (data) {
      photos[el.getAttribute("data-order-id")] = data;
      var preview = el.querySelector("[data-photo-preview]");
      preview.src = data; preview.hidden = false;
    }, function () { status(el, word("photo-bad"), "bad"); });
    e.target.value = "";
  });
  function calledKey(orderId) { return "q9-called-" + orderId; }
  function showCalled(el) {
    var at = null;
    try { at = localStorage.getItem(calledKey(el.getAttribute("data-order-id"))); } catch (err) { /* private mode */ }
    var box = el.querySelector("[data-called]");
    if (box && at) box.textContent = word("called-at") + " " + new Date(at).toTimeString().slice(0, 5);
  }
  document.addEventListener("click", function (e) {  // the tap on 📞 records the time, then the phone dials
    var link = e.target.closest && e.target.closest("[data-call]");
    if (!link) return;
    var el = link.closest(".order-card");
    try { localStorage.setItem(calledKey(el.getAttribute("data-order-id")), new Date().toISOString()); } catch (err) { /* private mode */ }
    showCalled(el);
  }, true);
  function place() {  // a coarse location with its accuracy, when the phone gives one within 2.5 s; never required
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(null); return; }
      var done = false, finish = function (v) { if (!done) { done = true; resolve(v); } };
      setTimeout(function () { finish(null); }, 2500);
      navigator.geolocation.getCurrentPosition(function (p) {
        finish({lat: Math.round(p.coords.latitude * 1000) / 1000, lng: Math.round(p.coords.longitude * 1000) / 1000,
                acc: Math.round(p.coords.accuracy)});
      }, function () { finish(null); }, {enableHighAccuracy: false, timeout: 2500, maximumAge: 120000});
    });
  }

  var seq = Date.now();
  function act(el, kind, fields) {
    var orderId = el.getAttribute("data-order-id"), doneAt = new Date().toISOString(), called = null;
    var record = {id: uuid(), seq: seq++, kind: kind, order: orderId, done_at: doneAt};
    Object.keys(fields).forEach(function (k) { record[k] = fields[k]; });
    if (photos[orderId]) record.photo = photos[orderId];
    try { called = localStorage.getItem(calledKey(orderId)); } catch (err) { /* private mode */ }
    if (called) record.called_at = called;
    return place().then(function (where) {
      if (where) record.geo = where;
      return enqueue(record);
    }).then(function () {
      delete photos[orderId];
      if (record.geo) notice(word("place").replace("{m}", record.geo.acc), "wait");
      markQueued(record);
      if (navigator.onLine) status(el, word("sending"), "wait");
      return refreshQueueInfo();
    }).then(flush);
  }

  document.addEventListener("click", function (e) {
    var t = e.target.closest("button");
    if (!t) return;
    var el = t.closest(".order-card");
    if (t.hasAttribute("data-confirm")) {
      var typed = el.querySelector("[data-waybill-field]").value.trim();
      if (!typed && !el.getAttribute("data-waybill")) { status(el, word("need-waybill"), "bad"); return; }
      var doc = idDoc(el);
      if (doc === false) return;
      act(el, "confirm", doc ? {waybill: typed, id_doc: doc} : {waybill: typed});
    } else if (t.hasAttribute("data-ewaybill")) {
      var doc2 = idDoc(el);
      if (doc2 === false) return;
      act(el, "confirm", doc2 ? {waybill: "", ewaybill: true, id_doc: doc2} : {waybill: "", ewaybill: true});
    } else if (t.hasAttribute("data-open")) {
      var name = t.getAttribute("data-open");
      el.querySelectorAll("[data-form]").forEach(function (f) { f.hidden = f.getAttribute("data-form") !== name || !f.hidden; });
    } else if (t.hasAttribute("data-copy-address")) {
      copy(el.querySelector("[data-address]").textContent.trim(), el);
    } else if (t.hasAttribute("data-scan")) {
      scanner.open(el);
    } else if (t.hasAttribute("data-scan-close")) {
      scanner.close();
    }
  });

  document.addEventListener("submit", function (e) {
    var form = e.target.closest("[data-form]");
    if (!form) return;
    e.preventDefault();
    var el = form.closest(".order-card"), data = {};
    Array.prototype.forEach.call(form.elements, function (f) { if (f.name) data[f.name] = f.value.trim(); });
    if (form.getAttribute("data-form") === "fail") {
      if (!data.reason || !data.text) { status(el, word("need-reason"), "bad"); return; }
      if (word("photo-reasons").split(" ").indexOf(data.reason) >= 0 && !photos[el.getAttribute("data-order-id")]) {
        status(el, word("need-photo"), "bad"); return;
      }
      act(el, "fail", {reason: data.reason, text: data.text});
    } else {
      if (!data.window_start || !data.window_end || !data.text) { status(el, word("need-window"), "bad"); return; }
      act(el, "reappoint", {window_start: data.window_start, window_end: data.window_end, text: data.text});
    }
    form.hidden = true;
  });

  // 实名收寄: the sender's document, checked on the phone too (a 居民身份证 number by its GB 11643 check character),
  // so a wrong number is said at the door, offline as well. null: none asked; false: refused (said on the card).
  function residentIdValid(n) {
    if (!/^[0-9]{17}[0-9X]$/.test(n)) return false;
    var w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], sum = 0;
    for (var i = 0; i < 17; i++) sum += parseInt(n.charAt(i), 10) * w[i];
    return "10X98765432".charAt(sum % 11) === n.charAt(17);
  }
  function idDoc(el) {
    var box = el.querySelector("[data-id-check]");
    if (!box) return null;
    var type = box.querySelector("[name=id_type]").value,
      number = box.querySelector("[name=id_number]").value.replace(/\s+/g, "").toUpperCase(),
      name = box.querySelector("[name=id_name]").value.trim();
    if (!number || !name) { status(el, word("need-id"), "bad"); return false; }
    if (type === "resident_id" && !residentIdValid(number)) { status(el, word("bad-id"), "bad"); return false; }
    return {type: type, number: number, name: name};
  }

  function copy(text, el) {
    var done = function () { status(el, word("copied"), "ok"); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { legacyCopy(text); done(); });
    } else { legacyCopy(text); done(); }
  }
  function legacyCopy(text) {
    var area = document.createElement("textarea");
    area.value = text; document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); } catch (err) { /* the address stays visible to copy by hand */ }
    document.body.removeChild(area);
  }

  // ---------------------------------------------------------------- the camera
  var scanner = (function () {
    var box = document.getElementById("scanner"), video = document.getElementById("scanner-video"),
      canvas = document.getElementById("scanner-canvas"), stream = null, watching = null, target = null;
    function stop() {
      if (watching) { watching.stop(); watching = null; }
      if (stream) { stream.getTracks().forEach(function (tr) { tr.stop(); }); stream = null; }
      video.srcObject = null;
    }
    function close() { stop(); box.hidden = true; }
    function found(text) {
      if (!target) return;
      var el = target, field = el.querySelector("[data-waybill-field]");
      field.value = text;
      close();
      status(el, word("scanned") + " " + text, "ok");
      var confirm = el.querySelector("[data-confirm]");
      if (confirm) confirm.focus();
    }
    function open(el) {
      target = el;
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.Q9Scanner) {
        status(el, word("no-camera"), "bad"); return;
      }
      box.hidden = false;
      window.Q9Scanner.reader().catch(function () { /* reported when the first frame is read */ });
      navigator.mediaDevices.getUserMedia({video: {facingMode: "environment", width: {ideal: 1280}}, audio: false})
        .then(function (s) {
          stream = s; video.srcObject = s;
          var played = video.play();
          if (played && played.catch) played.catch(function () { /* autoplay of a muted video is allowed */ });
          watching = window.Q9Scanner.watch({
            video: video, canvas: canvas, onRead: found,
            onError: function () { close(); status(el, word("no-reader"), "bad"); }
          });
        }, function () { close(); status(el, word("no-camera"), "bad"); });
    }
    return {open: open, close: close};
  })();

  // ---------------------------------------------------------------- start
  window.addEventListener("online", function () { netStatus(); flush(); });
  window.addEventListener("offline", netStatus);
  netStatus();
  document.querySelectorAll(".order-card").forEach(showCalled);
  queued().then(function (all) { all.forEach(markQueued); }).then(refreshQueueInfo).then(flush);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(body.getAttribute("data-sw-url"), {scope: "/courier/"})
      .catch(function () { /* the page still works online */ });
  }
})();
