// ---- wasm/base64.js: base64 text to bytes, for the inline WASM (lzma.js, inflate.js).
// Needs nothing from the host (no atob: a vm context has none), but uses its decoder when
// it has one.

function dealerCalcBase64(text) {
  // The host's own decoder where there is one (Chromium 140+, Firefox 133+, Safari 18.2+).
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
  var table = new Uint8Array(128);
  var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (var i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  var n = text.length;
  while (n > 0 && text.charCodeAt(n - 1) === 61 /* '=' */) n--;
  var out = new Uint8Array((n * 3) >> 2);
  var o = 0, acc = 0, bits = 0;
  for (var j = 0; j < n; j++) {
    acc = ((acc << 6) | table[text.charCodeAt(j)]) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}
