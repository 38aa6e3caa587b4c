// ---- wasm/node-inflate.js: the inline WASM of dist/dealer-calc.node.mjs, the build the
// command line (dist/cli.mjs) loads. Node only: the WASM is zlib-compressed and base64-encoded
// as in the offline page's variant (inflate.js), but Node's own zlib inflates it, in about
// 2 ms where the JavaScript inflater takes 15-25 ms on a cold start, which a command pays
// on every run. dealerCalcNodeInflate is node:zlib's inflateSync, imported by the module's
// first line (bundle.mjs).

/** The WASM binary: its bytes. */
function dealerCalcWasmBinary() {
  var bytes = dealerCalcNodeInflate(Buffer.from(dealerCalcWasm, "base64"));
  if (bytes.length !== dealerCalcWasmSize) throw new Error("dealer-calc: corrupt inline WASM");
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
