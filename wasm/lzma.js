// ---- wasm/lzma.js: the WASM binary is inlined LZMA-compressed (xz --format=lzma) and
// base64-encoded (decoded by wasm/base64.js, which comes first). Against Emscripten's SINGLE_FILE (base64 of the plain binary) that is
// about 55 % smaller raw and about 30 % smaller gzipped; LZMA beats DEFLATE on WASM by
// some 20 %. The decoders need nothing from the host (no atob, no DecompressionStream:
// a vm context or an old browser has neither). bundle.mjs checks at build time that they
// give back the binary, byte for byte.
//
// dealerCalcLzma follows the LZMA specification's reference decoder (LzmaSpec.cpp in
// the LZMA SDK, public domain), decoding into one buffer of the known size.

/** The WASM binary: its bytes (a promise of them in the inflate variant, inflate.js). */
function dealerCalcWasmBinary() {
  return dealerCalcLzma(dealerCalcBase64(dealerCalcWasm), dealerCalcWasmSize);
}

// src: an .lzma stream (13-byte header: properties, dictionary size, size; then the range
// coded data); size: the number of bytes it decodes to.
function dealerCalcLzma(src, size) {
  function corrupt() {
    return new Error("dealer-calc: corrupt inline WASM");
  }
  var props = src[0];
  if (props >= 225) throw corrupt();
  var lc = props % 9, lp = ((props / 9) | 0) % 5, pb = (props / 45) | 0;
  var out = new Uint8Array(size), op = 0;
  // The range coder's range and code, as unsigned 32-bit values: kept in a typed array
  // (closure variables above 2^30 would be boxed numbers, several times slower).
  var rc = new Uint32Array([0xffffffff, 0]), pos = 13, i;
  if (src[pos++] !== 0) throw corrupt();
  for (i = 0; i < 4; i++) rc[1] = (rc[1] << 8) | src[pos++];

  function probs(n) {
    var p = new Uint16Array(n);
    p.fill(1024);
    return p;
  }
  function normalize() {
    if (rc[0] < 0x1000000) {
      rc[0] <<= 8;
      rc[1] = (rc[1] << 8) | src[pos++];
    }
  }
  function bit(p, k) {
    var v = p[k], bound = (rc[0] >>> 11) * v, b = 0;
    if (rc[1] < bound) {
      p[k] = v + ((2048 - v) >>> 5);
      rc[0] = bound;
    } else {
      p[k] = v - (v >>> 5);
      rc[1] -= bound;
      rc[0] -= bound;
      b = 1;
    }
    normalize();
    return b;
  }
  function direct(n) {
    var r = 0;
    while (n--) {
      rc[0] >>>= 1;
      var b = rc[1] >= rc[0] ? 1 : 0;
      if (b) rc[1] -= rc[0];
      r = r * 2 + b;
      normalize();
    }
    return r;
  }
  function tree(p, base, n) {
    var m = 1;
    for (var k = 0; k < n; k++) m = (m << 1) + bit(p, base + m);
    return m - (1 << n);
  }
  function reverse(p, base, n) {
    var m = 1, s = 0;
    for (var k = 0; k < n; k++) {
      var b = bit(p, base + m);
      m = (m << 1) + b;
      s |= b << k;
    }
    return s;
  }
  // Length coders: choice, choice2, low[16] (3 bits), mid[16] (3 bits), high (8 bits).
  function length(p, posState) {
    if (!bit(p, 0)) return tree(p, 2 + posState * 8, 3);
    if (!bit(p, 1)) return 8 + tree(p, 130 + posState * 8, 3);
    return 16 + tree(p, 258, 8);
  }

  var literals = probs(0x300 << (lc + lp));
  var isMatch = probs(192), isRep = probs(12), isRepG0 = probs(12), isRepG1 = probs(12), isRepG2 = probs(12);
  var isRep0Long = probs(192), posSlots = probs(4 << 6), posCoders = probs(115), align = probs(16);
  var lenCoder = probs(514), repLenCoder = probs(514);
  var state = 0, rep0 = 0, rep1 = 0, rep2 = 0, rep3 = 0, len, dist;
  var pbMask = (1 << pb) - 1, lpMask = (1 << lp) - 1;

  while (op < size) {
    var posState = op & pbMask;
    if (!bit(isMatch, (state << 4) + posState)) {
      // A literal, coded against the byte at rep0 after a match.
      var prev = op > 0 ? out[op - 1] : 0;
      var base = 0x300 * (((op & lpMask) << lc) + (prev >> (8 - lc)));
      var symbol = 1;
      if (state >= 7) {
        var matchByte = out[op - rep0 - 1];
        do {
          var matchBit = (matchByte >> 7) & 1;
          matchByte <<= 1;
          var b = bit(literals, base + ((1 + matchBit) << 8) + symbol);
          symbol = (symbol << 1) | b;
          if (matchBit !== b) break;
        } while (symbol < 0x100);
      }
      while (symbol < 0x100) symbol = (symbol << 1) | bit(literals, base + symbol);
      out[op++] = symbol - 0x100;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    if (bit(isRep, state)) {
      if (op === 0) throw corrupt();
      if (!bit(isRepG0, state)) {
        if (!bit(isRep0Long, (state << 4) + posState)) {
          state = state < 7 ? 9 : 11;
          out[op] = out[op - rep0 - 1];
          op++;
          continue;
        }
      } else {
        if (!bit(isRepG1, state)) dist = rep1;
        else {
          if (!bit(isRepG2, state)) dist = rep2;
          else {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = length(repLenCoder, posState);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = length(lenCoder, posState);
      state = state < 7 ? 7 : 10;
      var slot = tree(posSlots, (len < 3 ? len : 3) << 6, 6);
      if (slot < 4) rep0 = slot;
      else {
        var direct_bits = (slot >> 1) - 1;
        rep0 = (2 | (slot & 1)) * Math.pow(2, direct_bits);
        if (slot < 14) rep0 += reverse(posCoders, rep0 - slot, direct_bits);
        else rep0 += direct(direct_bits - 4) * 16 + reverse(align, 0, 4);
      }
      if (rep0 >= op) throw corrupt(); // also the end marker (0xFFFFFFFF) before the end
    }
    len += 2;
    if (len > size - op) throw corrupt();
    for (var from = op - rep0 - 1; len--; ) out[op++] = out[from++];
  }
  return out;
}
