/* Q9 Order Desk: countdowns, row selection that survives the list's own refresh, action dialogs. */
(function () {
  "use strict";

  function fmt(seconds) {
    var neg = seconds < 0, s = Math.abs(Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var text = h > 0 ? h + "小时" + String(m).padStart(2, "0") + "分" : String(m).padStart(2, "0") + ":" + String(r).padStart(2, "0");
    return neg ? "已超时 " + text : text;
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
  });
  document.addEventListener("shown.bs.modal", function (e) {
    var first = e.target.querySelector("input[type=text], input[type=search], select, textarea");
    if (first) first.focus();
  });

  // a scanner types the waybill and sends Enter: confirm that row
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !e.target.matches("[data-waybill-input]")) return;
    e.preventDefault();
    var button = document.getElementById(e.target.getAttribute("data-waybill-input"));
    if (button) button.click();
  });

  // 网点揽件's scan box: after each scan the box is emptied and keeps the focus; a refusal beeps and flashes
  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      var ctx = beep.ctx || (beep.ctx = new Ctx()), osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.type = "square"; osc.frequency.value = 880; gain.gain.value = 0.08;
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.25);
    } catch (err) { /* no audio device: the flash and the reason still show */ }
  }
  function scanBox() { return document.getElementById("scan-input"); }
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
      if (status === "refused" || status === "not_found") {
        beep();
        var box = scanBox();
        if (box) { box.classList.remove("scan-flash"); void box.offsetWidth; box.classList.add("scan-flash"); }
      }
    } else if (target.matches && target.matches("tr[data-row-state=refused]")) {
      beep();
    }
    var box2 = scanBox();
    if (box2 && document.activeElement === document.body) box2.focus();
    tick();
  });

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    document.querySelectorAll("form").forEach(updateCount);
    var counter = document.querySelector("[data-pending]");
    if (counter) setTitle(parseInt(counter.getAttribute("data-pending"), 10));
  });
})();
