// The calculator API (dist/dealer-calc.mjs, built from the C++ core). The build maps
// "dealer-calc" to that module: a separate, cacheable file for the static site, and
// bundled in for the offline single file.
import createDealerCalc from 'dealer-calc';

let pending = null;

/** Loads the WASM module once and resolves to the API. */
export function getCalc() {
  if (!pending) pending = createDealerCalc();
  return pending;
}
