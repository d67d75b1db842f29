/* Q9 camera reader of waybill barcodes (Code 128), used by the courier's phone. It reads with the browser's own
   BarcodeDetector where that reads Code 128 (Android Chrome, Safari 17+), else with ZXing: zxing-cpp compiled to
   WebAssembly, vendored in static/vendor/zxing-wasm/. The .wasm comes from the URL this script's tag names in
   data-zxing-wasm (our own static files, cached by the courier's service worker), never from the library's
   built-in CDN address. The page's CSP allows 'wasm-unsafe-eval' for it.

   Q9Scanner.reader() → Promise of {name, read(canvas, ctx) → Promise of the text or null}
   Q9Scanner.watch({video, canvas, onRead(text, frame), onMiss(frame)}) → {stop()}: grabs the video's current frame
     into the canvas, reads it, and goes on until stopped or until onRead returns something other than true;
     frame = {ctx, width, height, ms, engine}: the canvas as read (the video frame, scaled up to 1280 px wide
     when the camera gives less, at most 2×) and the read's own time. */
(function (root) {
  "use strict";
  var tag = document.currentScript;
  var WASM_URL = tag ? tag.getAttribute("data-zxing-wasm") : null;
  var FORMAT_DETECTOR = "code_128", FORMAT_ZXING = "Code128", READ_WIDTH = 1280;
  var engine = null;

  function detector() {
    if (typeof root.BarcodeDetector !== "function" || !root.BarcodeDetector.getSupportedFormats) return Promise.resolve(null);
    return root.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf(FORMAT_DETECTOR) < 0) return null;
      var d = new root.BarcodeDetector({formats: [FORMAT_DETECTOR]});
      return {
        name: "BarcodeDetector",
        read: function (canvas) {
          return d.detect(canvas).then(function (found) { return found.length ? found[0].rawValue : null; });
        }
      };
    }, function () { return null; });
  }

  function zxing() {
    var Z = root.ZXingWASM;
    if (!Z || !WASM_URL) return Promise.reject(new Error("zxing-wasm is not loaded"));
    var options = {formats: [FORMAT_ZXING], tryHarder: true, tryRotate: true, tryInvert: false, maxNumberOfSymbols: 1};
    return Z.prepareZXingModule({
      overrides: {
        locateFile: function (path, prefix) { return /\.wasm$/.test(path) ? WASM_URL : prefix + path; }
      },
      fireImmediately: true
    }).then(function () {
      return {
        name: "zxing-wasm " + Z.ZXING_WASM_VERSION,
        read: function (canvas, ctx) {
          var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
          return Z.readBarcodes(image, options).then(function (found) {
            for (var i = 0; i < found.length; i++) if (found[i].isValid && found[i].text) return found[i].text;
            return null;
          });
        }
      };
    });
  }

  function reader() {
    if (!engine) {
      engine = detector().then(function (d) { return d || zxing(); });
      engine.catch(function () { engine = null; });  // a failed start is tried again at the next scan
    }
    return engine;
  }

  function watch(opts) {
    var video = opts.video, canvas = opts.canvas, stopped = false, timer = null;
    var ctx = canvas.getContext("2d", {willReadFrequently: true});
    function next(delay) { if (!stopped) timer = setTimeout(step, delay); }
    function step() {
      timer = null;
      if (stopped) return;
      if (!video.videoWidth || video.readyState < 2) { next(50); return; }
      reader().then(function (r) {
        if (stopped) return;
        // a small camera frame is read at up to twice its size: ZXing's line reader needs about 3 px a bar
        var vw = video.videoWidth, vh = video.videoHeight, scale = Math.min(2, Math.max(1, READ_WIDTH / vw));
        var w = Math.round(vw * scale), h = Math.round(vh * scale);
        if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
        ctx.imageSmoothingEnabled = true; ctx.imageSmoothingQuality = "high";
        ctx.drawImage(video, 0, 0, vw, vh, 0, 0, w, h);
        var started = performance.now();
        return r.read(canvas, ctx).then(function (text) {
          if (stopped) return;
          var frame = {ctx: ctx, width: w, height: h, ms: performance.now() - started, engine: r.name};
          if (text) {
            if (opts.onRead(text, frame) === true) next(0); else stop();
          } else {
            if (opts.onMiss) opts.onMiss(frame);
            next(20);
          }
        });
      }).catch(function (err) {
        if (stopped) return;
        stop();
        if (opts.onError) opts.onError(err);
      });
    }
    function stop() { stopped = true; if (timer) { clearTimeout(timer); timer = null; } }
    next(0);
    return {stop: stop};
  }

  root.Q9Scanner = {reader: reader, watch: watch};
})(window);
