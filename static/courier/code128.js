/* A Code 128 reader for the courier's phone (the waybills are printed as Code 128): reads one row of grey
   values across the barcode and returns the text, or null. Code sets A, B and C, the checksum verified.
   Chromium on Linux has no BarcodeDetector; this file is ours, no library. */
(function (root) {
  "use strict";
  // the bar/space widths of symbols 0…106 (106, the stop, is read by its first six elements)
  var PATTERNS = [
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213", "221312", "231212",
    "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132", "221231", "213212", "223112", "312131",
    "311222", "321122", "321221", "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121",
    "313121", "211331", "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111", "111242", "121142", "121241", "114212",
    "124112", "124211", "411212", "421112", "421211", "212141", "214121", "412121", "111143", "111341", "131141", "114113",
    "114311", "411113", "411311", "113141", "114131", "311141", "411131", "211412", "211214", "211232", "233111"
  ].map(function (p) { return p.split("").map(Number); });
  var START_A = 103, START_B = 104, START_C = 105, STOP = 106;

  function runs(gray) {
    var min = 255, max = 0, i;
    for (i = 0; i < gray.length; i++) { if (gray[i] < min) min = gray[i]; if (gray[i] > max) max = gray[i]; }
    if (max - min < 40) return null;
    var mid = (min + max) / 2, out = [], dark = gray[0] < mid, len = 0;
    for (i = 0; i < gray.length; i++) {
      var d = gray[i] < mid;
      if (d === dark) { len++; } else { out.push({dark: dark, len: len}); dark = d; len = 1; }
    }
    out.push({dark: dark, len: len});
    return out;
  }

  // the symbol whose widths fit six runs best (null when none fits well)
  function symbol(rs, at) {
    if (at + 6 > rs.length) return null;
    var sum = 0, k;
    for (k = 0; k < 6; k++) sum += rs[at + k].len;
    var unit = sum / 11, best = -1, bestErr = 1e9;
    for (var s = 0; s < PATTERNS.length; s++) {
      var err = 0, p = PATTERNS[s];
      for (k = 0; k < 6 && err < bestErr; k++) err += Math.abs(rs[at + k].len / unit - p[k]);
      if (err < bestErr) { bestErr = err; best = s; }
    }
    return bestErr <= 1.6 ? best : null;
  }

  function text(codes) {
    var set = codes[0] === START_A ? "A" : codes[0] === START_B ? "B" : "C", out = "";
    for (var i = 1; i < codes.length; i++) {
      var c = codes[i];
      if (c === 102) continue;  // FNC1
      if (set === "C") {
        if (c < 100) out += (c < 10 ? "0" : "") + c;
        else if (c === 100) set = "B"; else if (c === 101) set = "A";
      } else if (c === 99) { set = "C"; }
      else if (set === "B") {
        if (c < 96) out += String.fromCharCode(c + 32); else if (c === 101) set = "A";
      } else {
        if (c < 64) out += String.fromCharCode(c + 32); else if (c < 96) out += String.fromCharCode(c - 64);
        else if (c === 100) set = "B";
      }
    }
    return out;
  }

  function from(rs, at) {
    var first = symbol(rs, at);
    if (first !== START_A && first !== START_B && first !== START_C) return null;
    var codes = [first], pos = at + 6;
    while (pos + 6 <= rs.length) {
      var c = symbol(rs, pos);
      if (c === null) return null;
      if (c === STOP) {
        if (codes.length < 3) return null;
        var check = codes.pop(), sum = codes[0];
        for (var i = 1; i < codes.length; i++) sum += i * codes[i];
        return sum % 103 === check ? text(codes) : null;
      }
      if (c >= 103) return null;
      codes.push(c);
      pos += 6;
    }
    return null;
  }

  // gray: luminance values (0…255) of one line across the barcode, either direction
  function decodeLine(gray) {
    var forward = Array.prototype.slice.call(gray);
    var tries = [forward, forward.slice().reverse()];
    for (var t = 0; t < tries.length; t++) {
      var rs = runs(tries[t]);
      if (!rs) continue;
      for (var i = 0; i < rs.length; i++) {
        if (!rs[i].dark) continue;
        var found = from(rs, i);
        if (found) return found;
      }
    }
    return null;
  }

  // rgba: ImageData.data of a width×height image; tries a few lines around the middle
  function decodeImage(rgba, width, height) {
    var lines = [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7];
    for (var l = 0; l < lines.length; l++) {
      var y = Math.floor(height * lines[l]), gray = new Array(width);
      for (var x = 0; x < width; x++) {
        var o = (y * width + x) * 4;
        gray[x] = (rgba[o] * 299 + rgba[o + 1] * 587 + rgba[o + 2] * 114) / 1000;
      }
      var found = decodeLine(gray);
      if (found) return found;
    }
    return null;
  }

  root.Code128 = {decodeLine: decodeLine, decodeImage: decodeImage};
})(window);
