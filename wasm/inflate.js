// ---- wasm/inflate.js: the inline WASM of dist/dealer-calc.inflate.mjs, zlib-compressed
// and base64-encoded (after wasm/base64.js). That variant is for the offline page, where
// the time to first result counts more than bytes: this plain RFC 1951 decoder inflates
// the binary in 10-30 ms on a cold start, where the LZMA decoder takes 40-100 ms. It is
// about 25 KB bigger gzipped than the LZMA variant. (The browser's DecompressionStream
// was no faster here: its chunks wait for the page's main thread, which is busy starting
// up, and took 40-130 ms.) bundle.mjs checks at build time that it gives back the binary,
// byte for byte.

/** The WASM binary: its bytes. */
function dealerCalcWasmBinary() {
  return dealerCalcInflate(dealerCalcBase64(dealerCalcWasm), dealerCalcWasmSize);
}

// src: a zlib stream (2-byte header, DEFLATE data, Adler-32 not checked: the size is);
// size: the number of bytes it inflates to.
function dealerCalcInflate(src, size) {
  function corrupt() {
    return new Error("dealer-calc: corrupt inline WASM");
  }
  if ((src[0] & 15) !== 8 || ((src[0] << 8) | src[1]) % 31 !== 0 || src[1] & 32) throw corrupt();
  var out = new Uint8Array(size), op = 0;
  var pos = 2, bitBuf = 0, bitCount = 0;

  function bits(n) {
    while (bitCount < n) {
      if (pos >= src.length) throw corrupt();
      bitBuf |= src[pos++] << bitCount;
      bitCount += 8;
    }
    var v = bitBuf & ((1 << n) - 1);
    bitBuf >>>= n;
    bitCount -= n;
    return v;
  }

  // A canonical Huffman code from code lengths: counts per length and symbols in order.
  function code(lengths, n) {
    var counts = new Uint16Array(16), offsets = new Uint16Array(16), symbols = new Uint16Array(n);
    for (var i = 0; i < n; i++) counts[lengths[i]]++;
    counts[0] = 0;
    for (i = 1; i < 16; i++) offsets[i] = offsets[i - 1] + counts[i - 1];
    for (i = 0; i < n; i++) if (lengths[i]) symbols[offsets[lengths[i]]++] = i;
    return { counts: counts, symbols: symbols };
  }
  function decode(h) {
    var c = 0, first = 0, index = 0;
    for (var len = 1; len < 16; len++) {
      c |= bits(1);
      var count = h.counts[len];
      if (c - first < count) return h.symbols[index + c - first];
      index += count;
      first = (first + count) << 1;
      c <<= 1;
    }
    throw corrupt();
  }

  var LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
  var LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  var DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
    4097, 6145, 8193, 12289, 16385, 24577];
  var DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
  var ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

  var fixedLit = null, fixedDist = null;
  for (var last = 0; !last; ) {
    last = bits(1);
    var type = bits(2), lit, dist, i;
    if (type === 0) {
      bitBuf = 0;
      bitCount = 0;
      var n = src[pos] | (src[pos + 1] << 8);
      if ((n ^ 0xffff) !== (src[pos + 2] | (src[pos + 3] << 8)) || pos + 4 + n > src.length || op + n > size) throw corrupt();
      out.set(src.subarray(pos + 4, pos + 4 + n), op);
      pos += 4 + n;
      op += n;
      continue;
    }
    if (type === 1) {
      if (!fixedLit) {
        var l = new Uint8Array(288);
        for (i = 0; i < 288; i++) l[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
        fixedLit = code(l, 288);
        var d = new Uint8Array(30).fill(5);
        fixedDist = code(d, 30);
      }
      lit = fixedLit;
      dist = fixedDist;
    } else if (type === 2) {
      var nlen = bits(5) + 257, ndist = bits(5) + 1, ncode = bits(4) + 4;
      var lengths = new Uint8Array(320);
      for (i = 0; i < ncode; i++) lengths[ORDER[i]] = bits(3);
      var lenCode = code(lengths, 19);
      lengths.fill(0);
      for (i = 0; i < nlen + ndist; ) {
        var sym = decode(lenCode);
        if (sym < 16) lengths[i++] = sym;
        else {
          var repeat, value = 0;
          if (sym === 16) {
            if (i === 0) throw corrupt();
            value = lengths[i - 1];
            repeat = 3 + bits(2);
          } else repeat = sym === 17 ? 3 + bits(3) : 11 + bits(7);
          if (i + repeat > nlen + ndist) throw corrupt();
          while (repeat--) lengths[i++] = value;
        }
      }
      lit = code(lengths.subarray(0, nlen), nlen);
      dist = code(lengths.subarray(nlen, nlen + ndist), ndist);
    } else throw corrupt();
    for (;;) {
      var s = decode(lit);
      if (s < 256) {
        if (op >= size) throw corrupt();
        out[op++] = s;
      } else if (s === 256) break;
      else {
        s -= 257;
        if (s >= 29) throw corrupt();
        var len = LEN_BASE[s] + bits(LEN_EXTRA[s]);
        var ds = decode(dist);
        if (ds >= 30) throw corrupt();
        var back = DIST_BASE[ds] + bits(DIST_EXTRA[ds]);
        if (back > op || op + len > size) throw corrupt();
        for (var from = op - back; len--; ) out[op++] = out[from++];
      }
    }
  }
  if (op !== size) throw corrupt();
  return out;
}
