/* Q9 Order Desk: countdowns, row selection that survives the list's own refresh, action dialogs. */
(function () {
  "use strict";

  // the same words as core/humanize.py countdown_text: 还剩 29 分 / 已超时 2 小时 / 还剩 6 天 10 小时 (in English:
  // 29 min left / 2 h overdue / 6 d 10 h left); seconds only in the last 10 minutes before a deadline
  var EN = (document.documentElement.lang || "").toLowerCase().indexOf("en") === 0;
  var W = EN ? { d: " d", h: " h", m: " min", s: " s", left: "", late: "", leftAfter: " left", lateAfter: " overdue" }
             : { d: " 天", h: " 小时", m: " 分", s: " 秒", left: "还剩 ", late: "已超时 ", leftAfter: "", lateAfter: "" };
  function span(seconds) {
    var minutes = Math.floor(seconds / 60), days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    if (days) return days + W.d + (hours ? " " + hours + W.h : "");
    if (hours) return hours + W.h + (mins ? " " + mins + W.m : "");
    return mins + W.m;
  }
  function fmt(seconds) {
    var s = Math.abs(Math.floor(seconds));
    if (seconds >= 0 && s < 600) return W.left + Math.floor(s / 60) + W.m + " " + String(s % 60).padStart(2, "0") + W.s + W.leftAfter;
    return seconds < 0 ? W.late + span(s) + W.lateAfter : W.left + span(s) + W.leftAfter;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var left = (due - now) / 1000, warn = parseInt(el.getAttribute("data-warn") || "600", 10);
      el.textContent = fmt(left);
      el.classList.toggle("cd-ok", left > warn);
      el.classList.toggle("cd-warn", left <= warn && left >= 0);
      el.classList.toggle("cd-late", left < 0);
    });
  }

  function boxes(scope) { return Array.prototype.slice.call(scope.querySelectorAll("input[name=ids]")); }

  function updateCount(form) {
    if (!form) return;
    var n = boxes(form).filter(function (b) { return b.checked; }).length;
    form.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = n; });
    var all = form.querySelector("[data-select-all]");
    if (all) { var list = boxes(form); all.checked = list.length > 0 && n === list.length; }
  }

  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.matches("[data-select-all]")) {
      var form = t.closest("form");
      boxes(form).forEach(function (b) { b.checked = t.checked; });
      updateCount(form);
    } else if (t.matches("input[name=ids]")) {
      updateCount(t.closest("form"));
    }
  });

  // 网点揽件's courier panel lists the orders closed meanwhile (a courier's phone, another clerk): mark their rows
  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail.target;
    if (!target || target.id !== "courier-panel") return;
    target.querySelectorAll("[data-closed-order]").forEach(function (item) {
      var row = document.getElementById("pickup-row-" + item.getAttribute("data-closed-order"));
      // rows the clerk confirmed here were already answered in place
      if (!row || ["closed", "confirmed"].indexOf(row.getAttribute("data-row-state")) >= 0) return;
      row.setAttribute("data-row-state", "closed");
      row.className = "table-secondary";
      row.querySelectorAll("[data-due]").forEach(function (el) { el.removeAttribute("data-due"); el.textContent = ""; });
      var cells = row.querySelectorAll("td");
      for (var i = 3; i < cells.length; i++) cells[i].hidden = true;
      var note = document.createElement("td");
      note.colSpan = Math.max(cells.length - 3, 1);
      note.setAttribute("data-closed-note", "");
      note.textContent = item.textContent;
      row.appendChild(note);
      var box = row.querySelector("input[name=ids]");
      if (box) { box.checked = false; box.disabled = true; }
    });
  });

  // the list refreshes itself: keep what the clerk selected
  var kept = {};
  document.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target;
    if (!target || !target.id) return;
    kept[target.id] = boxes(target).filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail.target;
    if (!target || !target.id) return;
    var ids = kept[target.id] || [];
    boxes(target).forEach(function (b) { b.checked = ids.indexOf(b.value) >= 0; });
    updateCount(target.closest("form"));
    var counter = target.querySelector("[data-pending]");
    if (counter) setTitle(parseInt(counter.getAttribute("data-pending"), 10));
    tick();
  });

  function setTitle(n) {
    var base = document.title.replace(/^\(\d+\) /, "");
    document.title = n > 0 ? "(" + n + ") " + base : base;
  }

  // a dialog for one order: fill its form's action and the order number from the button that opened it
  document.addEventListener("show.bs.modal", function (e) {
    var button = e.relatedTarget, modal = e.target;
    if (!button || !button.getAttribute("data-action")) return;
    var form = modal.querySelector("form");
    form.setAttribute("action", button.getAttribute("data-action"));
    modal.querySelectorAll("[data-order-label]").forEach(function (el) { el.textContent = button.getAttribute("data-order"); });
    var expect = form.querySelector("input[name=expect]");
    if (expect) expect.value = button.getAttribute("data-state") || "";
    var eventField = form.querySelector("[data-event-field]");
    if (eventField) eventField.value = button.getAttribute("data-event") || "";
    // the site picker offers the sites near this order (dispatch.views.network.site_search): a fresh list per order
    modal.querySelectorAll("[data-picker-order]").forEach(function (el) { el.value = button.getAttribute("data-order-pk") || ""; });
    modal.querySelectorAll("datalist").forEach(function (list) { list.textContent = ""; });
  });
  document.addEventListener("shown.bs.modal", function (e) {
    var error = e.target.querySelector("[data-dialog-error]");
    if (error && !error.hasAttribute("data-read")) { error.setAttribute("data-read", ""); error.focus(); return; }
    var first = e.target.querySelector("input[type=text], input[type=search], select, textarea");
    if (first) first.focus();
  });

  // A dialog reopened after a refusal shows the refusal inside itself, where it can be read (the page's message bar
  // lies behind the dialog's overlay), and takes the focus to it; closed, the dialog gives it back to the page.
  var lentAlerts = [];
  function errorsIntoDialog(modal) {
    var alerts = Array.prototype.slice.call(document.querySelectorAll("main > .alert-danger[role=alert]:not([data-testid=typed-errors])"));
    var body = modal.querySelector(".modal-body") || modal.querySelector(".modal-content");
    if (!alerts.length || !body) return;
    var box = document.createElement("div");
    box.className = "alert alert-danger py-2 mb-2";
    box.setAttribute("role", "alert");
    box.setAttribute("tabindex", "-1");
    box.setAttribute("data-dialog-error", "");
    box.setAttribute("data-testid", "dialog-error");
    alerts.forEach(function (a) {
      var line = document.createElement("div");
      line.textContent = a.textContent.trim();
      box.appendChild(line);
      lentAlerts.push({node: a, next: a.nextSibling, parent: a.parentNode});
      a.remove();
    });
    body.insertBefore(box, body.firstChild);
    modal.addEventListener("hidden.bs.modal", function giveBack() {
      modal.removeEventListener("hidden.bs.modal", giveBack);
      box.remove();
      lentAlerts.forEach(function (lent) { lent.parent.insertBefore(lent.node, lent.next); });
      lentAlerts = [];
    });
  }

  // a scanner types the waybill and sends Enter: confirm that row
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !e.target.matches("[data-waybill-input]")) return;
    e.preventDefault();
    var button = document.getElementById(e.target.getAttribute("data-waybill-input"));
    if (button) button.click();
  });

  // a form that asks before it acts (data-confirm: the question), without an inline handler (CSP)
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) e.preventDefault();
  }, true);

  // a button that prints the page (the recovery codes), without an inline handler (CSP)
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });

  // A download that takes seconds to make (a statement's PDF or Excel): the link says 「正在生成…」 while the file is
  // made, a second click starts nothing, and the file is handed over when it is ready.
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-slow-download]");
    if (!link || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    if (link.getAttribute("aria-busy") === "true") return;
    var label = link.textContent;
    link.setAttribute("aria-busy", "true");
    link.classList.add("disabled");
    link.textContent = "正在生成…";
    fetch(link.href, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      var named = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
      return r.blob().then(function (blob) { return {blob: blob, name: named ? named[1] : ""}; });
    }).then(function (file) {
      var url = URL.createObjectURL(file.blob), a = document.createElement("a");
      a.href = url;
      a.download = file.name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      link.textContent = label;
    }).catch(function () {
      link.textContent = "生成失败，请重试";
      setTimeout(function () { link.textContent = label; }, 4000);
    }).then(function () {
      link.removeAttribute("aria-busy");
      link.classList.remove("disabled");
    });
  });

  // "back to the sample": the browser's back (keeps the sample's filters) without an inline javascript: URL (CSP)
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("[data-history-back]");
    if (!link || window.history.length < 2) return;
    e.preventDefault();
    window.history.back();
  });

  // 网点揽件's scan box: after each scan the box is emptied and keeps the focus. A confirmation makes a short high
  // tone and a green flash, a refusal a low buzz and a red flash (body[data-scan-sound] says which, for tests).
  // The armed order (its 物流号 and sender, beside the box) is disarmed on Esc and after its 30 seconds.
  function tone(kind) {
    document.body.setAttribute("data-scan-sound", kind);
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      var ctx = tone.ctx || (tone.ctx = new Ctx()), osc = ctx.createOscillator(), gain = ctx.createGain();
      if (kind === "ok") { osc.type = "sine"; osc.frequency.value = 1320; gain.gain.value = 0.06; }
      else { osc.type = "square"; osc.frequency.value = 220; gain.gain.value = 0.08; }
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + (kind === "ok" ? 0.09 : 0.3));
    } catch (err) { /* no audio device: the flash and the words still show */ }
  }
  function flash(kind) {
    var box = scanBox();
    if (!box) return;
    box.classList.remove("scan-flash", "scan-flash-ok"); void box.offsetWidth;
    box.classList.add(kind === "ok" ? "scan-flash-ok" : "scan-flash");
  }
  function scanBox() { return document.getElementById("scan-input"); }
  var armTimer = null;
  function disarm(said) {
    if (armTimer) { clearInterval(armTimer); armTimer = null; }
    var armed = document.getElementById("scan-armed"), armedAt = document.getElementById("scan-armed-at"),
      shown = document.getElementById("scan-armed-box");
    if (!armed || !armed.value) return;
    armed.value = ""; if (armedAt) armedAt.value = "";
    if (shown) {
      shown.hidden = true;
      if (said) {
        var status = document.getElementById("scan-status");
        if (status) status.textContent = shown.getAttribute("data-disarmed-text");
      }
    }
    document.querySelectorAll("tr[data-row-state=armed]").forEach(function (row) {
      row.classList.remove("table-warning"); row.setAttribute("data-row-state", "open");
      row.querySelectorAll("[data-testid^=row-armed-]").forEach(function (el) { el.remove(); });
    });
  }
  function armCountdown() {
    var shown = document.getElementById("scan-armed-box"), armed = document.getElementById("scan-armed");
    if (armTimer) { clearInterval(armTimer); armTimer = null; }
    if (!shown || shown.hidden || !armed || !armed.value) return;
    var left = parseInt(shown.getAttribute("data-arm-seconds"), 10) || 30, label = shown.querySelector("[data-arm-left]");
    armTimer = setInterval(function () {
      left -= 1;
      if (label) label.textContent = String(Math.max(left, 0));
      if (left <= 0) disarm(true);
    }, 1000);
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && e.target && e.target.id === "scan-input") { e.preventDefault(); disarm(true); }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (!form || !form.matches || !form.matches("[data-scan-form]")) return;
    var box = scanBox();
    if (box) { box.value = ""; box.focus(); }
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.detail.target;
    if (!target) return;
    var result = target.querySelector && target.querySelector("[data-scan-result]");
    if (result) {
      var status = result.getAttribute("data-scan-result");
      if (status === "refused" || status === "not_found") { tone("bad"); flash("bad"); }
      else if (status === "confirmed") { tone("ok"); flash("ok"); }
      armCountdown();
    } else if (target.matches && target.matches("tr[data-row-state=refused]")) {
      tone("bad");
    } else if (target.matches && target.matches("tr[data-row-state=confirmed]")) {
      tone("ok");
    }
    var box2 = scanBox();
    if (box2 && document.activeElement === document.body) box2.focus();
    tick();
  });

  // New-order alerts (dispatch/alerts.py): a conditional poll of 网点接单's rows with the last ETag; an order
  // not seen before rings the vendored sound, raises one desktop notification and counts in the tab title.
  var SEEN_KEY = "q9-seen-orders", ASKED_KEY = "q9-notify-asked", etags = {};
  function store(key, value) { try { localStorage.setItem(key, value); } catch (err) { /* private mode */ } }
  function stored(key) { try { return localStorage.getItem(key); } catch (err) { return null; } }
  function seenOrders() { try { return JSON.parse(stored(SEEN_KEY) || "[]"); } catch (err) { return []; } }
  function activated() { return !navigator.userActivation || navigator.userActivation.hasBeenActive; }

  function ring(newIds) {
    var audio = document.getElementById("q9-alert-sound");
    if (audio) {
      try { audio.currentTime = 0; } catch (err) { /* not loaded yet */ }
      var played = audio.play();
      if (played && played.catch) played.catch(function () { showHint(true); });
    }
    if ("Notification" in window && Notification.permission === "granted") {
      var body = document.body, note = new Notification("Q9 新订单", {
        body: "有 " + newIds.length + " 个新订单等待接单，请在 30 分钟内处理。", tag: "q9-new-orders"
      });
      note.onclick = function () { window.focus(); window.location.href = body.getAttribute("data-workbench-url"); };
    }
  }

  // The passing warning (issue 28.2): orders whose accept deadline comes within 10 minutes, counted live from the
  // polled queue in the header's bar, and one desktop notification when an order enters that window (once per
  // order and deadline, across the clerk's tabs and pages). Never a stored message.
  var SOON_SECONDS = 600, WARNED_KEY = "q9-warned-orders", dueRows = [];
  function watchDue(root) {
    dueRows = Array.prototype.map.call(root.querySelectorAll("tr[data-order] [data-due]"), function (el) {
      return {id: el.closest("tr").getAttribute("data-order"), due: Date.parse(el.getAttribute("data-due"))};
    }).filter(function (row) { return !isNaN(row.due); });
    dueSoon();
  }
  function dueSoon() {
    var box = document.querySelector("[data-due-soon]");
    if (!box) return;
    var now = Date.now(), soon = dueRows.filter(function (row) { var left = (row.due - now) / 1000; return left >= 0 && left <= SOON_SECONDS; });
    box.hidden = soon.length === 0;
    box.querySelector("[data-due-soon-count]").textContent = soon.length;
    var warned = [];
    try { warned = JSON.parse(stored(WARNED_KEY) || "[]"); } catch (err) { warned = []; }
    var fresh = soon.filter(function (row) { return warned.indexOf(row.id + "@" + row.due) < 0; });
    if (!fresh.length) return;
    store(WARNED_KEY, JSON.stringify(warned.concat(fresh.map(function (row) { return row.id + "@" + row.due; })).slice(-2000)));
    if ("Notification" in window && Notification.permission === "granted") {
      var body = document.body, note = new Notification("Q9 接单提醒", {
        body: soon.length + " 个订单须在 10 分钟内接单或转单。", tag: "q9-due-soon"
      });
      note.onclick = function () { window.focus(); window.location.href = body.getAttribute("data-workbench-url"); };
    }
  }
  function showPending(pending) {
    var part = document.querySelector("[data-pending-part]");
    if (!part || typeof pending !== "number" || isNaN(pending)) return;
    part.hidden = pending === 0;
    part.querySelector("[data-pending-count]").textContent = pending;
  }

  function alertNew(ids, pending) {
    if (!document.body.hasAttribute("data-alerts")) return;
    showPending(pending);
    var seen = seenOrders(), fresh = ids.filter(function (id) { return seen.indexOf(id) < 0; });
    if (fresh.length) {
      // the clerk's very first look finds nothing "new": everything is
      if (stored(SEEN_KEY) !== null) noteArrivals(fresh);
      store(SEEN_KEY, JSON.stringify(seen.concat(fresh).slice(-2000)));
      ring(fresh);
    }
    if (typeof pending === "number" && !isNaN(pending)) setTitle(pending);
  }

  // Rows that arrived since the clerk last looked (a poll found them, on any page of theirs) are marked 「新」 for
  // NEW_SECONDS, in words (a badge and a sentence for screen readers), not by colour alone.
  var ARRIVED_KEY = "q9-arrived-orders", NEW_SECONDS = 600;
  function arrivals() { try { return JSON.parse(stored(ARRIVED_KEY) || "{}"); } catch (err) { return {}; } }
  function noteArrivals(ids) {
    var now = Date.now(), known = arrivals(), kept = {};
    Object.keys(known).forEach(function (id) { if (now - known[id] < NEW_SECONDS * 1000) kept[id] = known[id]; });
    ids.forEach(function (id) { if (!kept[id]) kept[id] = now; });
    store(ARRIVED_KEY, JSON.stringify(kept));
  }
  function markNew(root) {
    var table = document.getElementById("workbench-table");
    if (!root || !table) return;
    var now = Date.now(), known = arrivals();
    root.querySelectorAll("tr[data-order]").forEach(function (tr) {
      var at = known[tr.getAttribute("data-order")], fresh = at && now - at < NEW_SECONDS * 1000;
      var mark = tr.querySelector("[data-new-mark]");
      tr.classList.toggle("row-new", !!fresh);
      if (!fresh) { if (mark) mark.remove(); return; }
      if (mark) return;
      mark = document.createElement("span");
      mark.className = "badge text-bg-warning new-mark";
      mark.setAttribute("data-new-mark", "");
      mark.setAttribute("data-testid", "new-mark");
      mark.textContent = table.getAttribute("data-new-text") || "新";
      var said = document.createElement("span");
      said.className = "visually-hidden";
      said.textContent = "（" + (table.getAttribute("data-new-said") || "") + "）";
      mark.appendChild(said);
      var cell = tr.querySelector("td a[href]");
      (cell ? cell.parentNode : tr.lastElementChild).insertBefore(mark, cell ? cell.nextSibling : null);
    });
  }

  function idsIn(root) {
    return Array.prototype.map.call(root.querySelectorAll("tr[data-order]"), function (tr) { return tr.getAttribute("data-order"); });
  }
  function pendingIn(root) {
    var counter = root.querySelector("[data-pending]");
    return counter ? parseInt(counter.getAttribute("data-pending"), 10) : NaN;
  }

  function showHint(show) {
    var hint = document.getElementById("q9-sound-hint");
    if (hint) hint.hidden = !show;
  }
  function firstGesture() {
    document.removeEventListener("click", firstGesture);
    document.removeEventListener("keydown", firstGesture);
    showHint(false);
    try { sessionStorage.setItem("q9-gesture", "1"); } catch (err) { /* private mode */ }
    // after the click has done its own work (a permission prompt must not swallow it)
    setTimeout(function () {
      if ("Notification" in window && Notification.permission === "default" && !stored(ASKED_KEY)) {
        store(ASKED_KEY, "1");  // asked once: the browser remembers the answer
        Notification.requestPermission();
      }
    }, 0);
  }

  // 网点接单's own htmx poll: send the ETag, keep the rows when the answer is 304
  document.addEventListener("htmx:configRequest", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.id === "workbench-rows" && etags[elt.id]) e.detail.headers["If-None-Match"] = etags[elt.id];
  });
  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr, elt = e.detail.elt;
    if (!elt || elt.id !== "workbench-rows") return;
    if (xhr.status === 304) { e.detail.shouldSwap = false; return; }
    var tag = xhr.getResponseHeader("ETag");
    if (tag) etags[elt.id] = tag;
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.detail.target;
    if (target && target.id === "workbench-rows") {
      alertNew(idsIn(target), pendingIn(target)); watchDue(target); markNew(target); shortcutsRestore();
    }
  });

  // every other page of a clerk: the same request by fetch, nothing swapped
  function pollElsewhere() {
    var body = document.body, url = body.getAttribute("data-poll-url"), headers = {"HX-Request": "true"};
    if (etags.page) headers["If-None-Match"] = etags.page;
    fetch(url, {headers: headers, credentials: "same-origin", cache: "no-store"}).then(function (r) {
      if (r.status !== 200) return null;
      etags.page = r.headers.get("ETag") || etags.page;
      return r.text();
    }).then(function (html) {
      if (html === null || html === undefined) return;
      var tpl = document.createElement("template");
      tpl.innerHTML = "<table><tbody>" + html + "</tbody></table>";
      alertNew(idsIn(tpl.content), pendingIn(tpl.content));
      watchDue(tpl.content);
    }).catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  function startAlerts() {
    var body = document.body;
    if (!body.hasAttribute("data-alerts")) return;
    // browsers let a tab that was clicked once play sound on its next pages; if one still refuses, ring() shows it again
    var clicked = false;
    try { clicked = sessionStorage.getItem("q9-gesture") === "1"; } catch (err) { clicked = false; }
    showHint(!activated() && !clicked);
    if (!activated() || ("Notification" in window && Notification.permission === "default" && !stored(ASKED_KEY))) {
      document.addEventListener("click", firstGesture);
      document.addEventListener("keydown", firstGesture);
    }
    var rows = document.getElementById("workbench-rows");
    if (rows) {
      alertNew(idsIn(rows), pendingIn(rows));
      watchDue(rows);
      markNew(rows);
      setInterval(function () { markNew(rows); }, 30000);
    } else {
      var seconds = Math.max(parseInt(body.getAttribute("data-poll-seconds") || "10", 10), 1);
      pollElsewhere();
      setInterval(pollElsewhere, seconds * 1000);
    }
  }

  // 网点接单 by keyboard: j/k move between the rows, a accepts (接单) and t transfers (转单) the current row, x selects
  // it, / goes to the search and ? lists the keys. Never while the clerk types in a box, nor with Ctrl/Alt/⌘, nor
  // behind an open dialog. The skip link (the page's first Tab) goes straight to the first row's 接单.
  var currentOrder = null;
  function shortcutRows() {
    var table = document.querySelector("[data-shortcuts]");
    return table ? Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-order]")) : [];
  }
  function shortcutGo(row) {
    shortcutRows().forEach(function (tr) { tr.classList.toggle("row-current", tr === row); });
    if (!row) return;
    currentOrder = row.getAttribute("data-order");
    var button = row.querySelector("[data-testid^=accept-]") || row.querySelector("a, button, input");
    if (button) button.focus();
    row.scrollIntoView({block: "nearest"});
  }
  function shortcutCurrent() {
    var rows = shortcutRows(), active = document.activeElement && document.activeElement.closest ? document.activeElement.closest("tr[data-order]") : null;
    if (active && rows.indexOf(active) >= 0) return active;
    return rows.filter(function (tr) { return tr.getAttribute("data-order") === currentOrder; })[0] || null;
  }
  function shortcutsRestore() {
    // the list refreshed itself: the same order stays current (its new row), without taking the focus from a box
    if (!currentOrder) return;
    var row = shortcutRows().filter(function (tr) { return tr.getAttribute("data-order") === currentOrder; })[0];
    if (row) row.classList.add("row-current");
  }
  function typing(el) {
    if (!el || !el.tagName) return false;
    return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].indexOf(el.tagName) >= 0 && !(el.type === "checkbox" || el.type === "radio");
  }
  document.addEventListener("keydown", function (e) {
    if (!document.querySelector("[data-shortcuts]") || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (typing(e.target) || document.querySelector(".modal.show")) return;
    var rows = shortcutRows(), row = shortcutCurrent(), at = rows.indexOf(row);
    var key = e.key;
    if (key === "j" || key === "k") {
      e.preventDefault();
      if (!rows.length) return;
      shortcutGo(rows[at < 0 ? 0 : Math.min(Math.max(at + (key === "j" ? 1 : -1), 0), rows.length - 1)]);
    } else if (key === "a" || key === "t" || key === "x") {
      if (!row) return;
      e.preventDefault();
      var target = key === "a" ? row.querySelector("[data-testid^=accept-]")
        : key === "t" ? row.querySelector("[data-bs-target='#transfer-modal']") : row.querySelector("input[name=ids]");
      if (target) target.click();
    } else if (key === "/") {
      var search = document.querySelector("[data-testid=header-search]");
      if (search) { e.preventDefault(); search.focus(); search.select(); }
    } else if (key === "?") {
      var overlay = document.getElementById("shortcuts-modal");
      if (overlay && window.bootstrap) { e.preventDefault(); window.bootstrap.Modal.getOrCreateInstance(overlay).show(); }
    }
  });
  document.addEventListener("click", function (e) {
    var skip = e.target.closest && e.target.closest("[data-skip-rows]");
    if (!skip) return;
    var rows = shortcutRows();
    if (!rows.length) return;  // no order waits: the link goes to the table (its empty state)
    e.preventDefault();
    shortcutGo(rows[0]);
  });
  document.addEventListener("focusin", function (e) {
    var row = e.target.closest && e.target.closest("[data-shortcuts] tbody tr[data-order]");
    if (row) { currentOrder = row.getAttribute("data-order"); shortcutRows().forEach(function (tr) { tr.classList.toggle("row-current", tr === row); }); }
  });

  // a dialog's action was refused: reopen that dialog with what was typed (core/kept_input.py)
  function reopenTyped() {
    var holder = document.getElementById("q9-typed");
    if (!holder || !window.bootstrap) return;
    var typed = JSON.parse(holder.textContent), modal = document.getElementById(typed.modal);
    if (!modal) return;
    var form = modal.querySelector("form");
    form.setAttribute("action", typed.action);
    modal.querySelectorAll("[data-order-label]").forEach(function (el) { el.textContent = typed.order; });
    Object.keys(typed.data || {}).forEach(function (name) {
      var field = form.querySelector("[name='" + name.replace(/'/g, "") + "']");
      if (field && field.type !== "hidden" && field.type !== "file") field.value = typed.data[name];
      else if (field && (name === "expect" || name === "picker_order")) field.value = typed.data[name];
    });
    errorsIntoDialog(modal);
    window.bootstrap.Modal.getOrCreateInstance(modal).show();
  }

  // a form refused for what was typed in some fields (config/middleware.py: a control character): find the form that
  // posts where it was sent, put back what was typed and say next to each such field what is wrong
  function formFor(typed) {
    var names = Object.keys(typed.errors || {}), forms = Array.prototype.slice.call(document.querySelectorAll("form"));
    var here = window.location.pathname;
    function target(form) {
      var action = form.getAttribute("action");
      return action ? new URL(action, window.location.href).pathname : here;
    }
    function hasFields(form) {
      return names.some(function (name) { return form.querySelector("[name='" + name.replace(/'/g, "") + "']"); });
    }
    return forms.filter(function (f) { return target(f) === typed.action && hasFields(f); })[0] ||
      forms.filter(function (f) { return f.closest(".modal") && hasFields(f); })[0] ||
      forms.filter(hasFields)[0] || null;
  }

  function showFieldErrors() {
    var holder = document.getElementById("q9-typed");
    if (!holder) return;
    var typed = JSON.parse(holder.textContent);
    if (!typed.errors || !Object.keys(typed.errors).length) return;
    var form = formFor(typed);
    if (!form) return;
    var dialog = !!form.closest(".modal");  // a dialog's form posts where its button said: the hidden fields come back too
    if (dialog) form.setAttribute("action", typed.action);
    Object.keys(typed.data || {}).forEach(function (name) {
      var fields = form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']");
      Array.prototype.forEach.call(fields, function (field) {
        if ((field.type === "hidden" && !dialog) || field.type === "file" || field.type === "password") return;
        // a box ticked among several of one name (core/kept_input.py keeps them all in typed.lists)
        if (field.type === "checkbox" || field.type === "radio") field.checked = ((typed.lists || {})[name] || [typed.data[name]]).indexOf(field.value) >= 0;
        else field.value = typed.data[name];
      });
    });
    var first = null;
    Object.keys(typed.errors).forEach(function (name) {
      var field = form.querySelector("[name='" + name.replace(/'/g, "") + "']");
      if (!field) return;
      field.classList.add("is-invalid");
      var note = document.createElement("div");
      note.className = "invalid-feedback d-block";
      note.setAttribute("data-testid", "field-error");
      note.setAttribute("data-field", name);
      note.textContent = typed.errors[name];
      field.insertAdjacentElement("afterend", note);
      first = first || field;
    });
    var details = form.closest("details");
    if (details) details.open = true;
    var modal = form.closest(".modal");
    if (modal && window.bootstrap) window.bootstrap.Modal.getOrCreateInstance(modal).show();
    if (first) first.focus();
  }

  // every list becomes cards at phone width (static/css/app.css .table-cards): label each cell by its column
  function cardTables(root) {
    (root || document).querySelectorAll("main table.table").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      table.classList.add("table-cards");
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (td, i) {
          if (td.tagName === "TD" && !td.hasAttribute("data-label") && heads[i] && !td.hasAttribute("colspan")) td.setAttribute("data-label", heads[i]);
        });
      });
    });
  }
  document.addEventListener("htmx:afterSettle", function (e) { cardTables(e.detail.target && e.detail.target.closest ? e.detail.target.closest("main") : null); });

  document.addEventListener("DOMContentLoaded", function () {
    cardTables();
    reopenTyped();
    showFieldErrors();
    startAlerts();
    tick();
    setInterval(function () { tick(); dueSoon(); }, 1000);
    document.querySelectorAll("form").forEach(updateCount);
    var counter = document.querySelector("[data-pending]");
    if (counter) setTitle(parseInt(counter.getAttribute("data-pending"), 10));
  });
})();
