// The shapes of dist/: the ES module, the classic script (globalThis.DealerCalc) in a
// bare vm context, a worker thread; no eval / new Function; the size budget.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import vm from "node:vm";
import { Worker } from "node:worker_threads";
import { dist, loadModule, readText, requireFile, samplePaths } from "./helpers.mjs";

const esmPath = requireFile(join(dist, "dealer-calc.mjs"), "build the wasm preset first");
const classicPath = requireFile(join(dist, "dealer-calc.js"), "build the wasm preset first");
const inflatePath = requireFile(join(dist, "dealer-calc.inflate.mjs"), "build the wasm preset first");
const nodePath = requireFile(join(dist, "dealer-calc.node.mjs"), "build the wasm preset first");
const programText = readText(samplePaths.program);
const figuresText = readText(samplePaths.figures);

// Budget for dist/dealer-calc.mjs, gzipped: 120 KiB.
const GZIP_BUDGET = 120 * 1024;

test("the ES module exports createDealerCalc (also as default) and DealerCalcError", async () => {
  const mod = await loadModule();
  assert.deepEqual(Object.keys(mod).sort(), ["DealerCalcError", "createDealerCalc", "default"]);
  assert.equal(mod.default, mod.createDealerCalc);
  const dc = await mod.createDealerCalc();
  assert.deepEqual(Object.keys(dc).sort(), ["evaluateLogic", "evaluateLogicJson", "loadProgram", "memoryInUse", "version"]);
  const e = new mod.DealerCalcError({ code: "parse_error", message: "m", details: [], line: 2, column: 3 });
  assert.ok(e instanceof Error);
  assert.equal(e.name, "DealerCalcError");
  assert.equal(e.line, 2);
  assert.match(String(e), /^DealerCalcError: m$/);
});

test("the classic script works in a bare vm context and sets globalThis.DealerCalc", async () => {
  const context = vm.createContext({});
  vm.runInContext(readFileSync(classicPath, "utf8"), context, { filename: classicPath });
  const api = context.DealerCalc;
  assert.equal(typeof api.createDealerCalc, "function");
  assert.equal(typeof api.DealerCalcError, "function");
  assert.equal(vm.runInContext("typeof createDealerCalcModule", context), "undefined", "nothing else leaks into the global scope");
  const dc = await api.createDealerCalc();
  assert.equal(await api.createDealerCalc(), dc);
  const program = dc.loadProgram(programText);
  try {
    const esm = await (await loadModule()).createDealerCalc();
    const p2 = esm.loadProgram(programText);
    assert.equal(program.evaluateJson(figuresText), p2.evaluateJson(figuresText));
    p2.dispose();
  } finally {
    program.dispose();
  }
  let caught = null;
  try {
    dc.loadProgram("{");
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof api.DealerCalcError);
  assert.equal(caught.code, "parse_error");
});

test("the ES module works in a worker thread", async () => {
  const code = `
    import { parentPort, workerData } from "node:worker_threads";
    const { default: createDealerCalc } = await import(workerData.url);
    const dc = await createDealerCalc();
    const p = dc.loadProgram(workerData.program);
    parentPort.postMessage(p.evaluateJson(workerData.figures));
  `;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), {
    workerData: { url: pathToFileURL(esmPath).href, program: programText, figures: figuresText },
  });
  const message = await new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  await worker.terminate();
  const dc = await (await loadModule()).createDealerCalc();
  const p = dc.loadProgram(programText);
  assert.equal(message, p.evaluateJson(figuresText));
  p.dispose();
});

// Loads another build of dist/ and checks it evaluates the sample as dealer-calc.mjs does;
// returns what that evaluation gives.
async function sameAsReference(path) {
  const reference = await (await loadModule()).createDealerCalc();
  const expected = reference.loadProgram(programText).evaluateJson(figuresText);
  const calc = await (await import(pathToFileURL(path).href)).createDealerCalc();
  assert.equal(calc.loadProgram(programText).evaluateJson(figuresText), expected);
  assert.equal(calc.version, reference.version);
  return expected;
}

test("the offline page's variant (zlib-inlined WASM) gives the same results, also in a bare vm context", async () => {
  const expected = await sameAsReference(inflatePath);
  // A host with nothing (no atob, no Uint8Array.fromBase64, no DecompressionStream): the
  // module text runs as a classic script body in a bare vm context (its ESM footer dropped).
  const text = readFileSync(inflatePath, "utf8");
  const footer = /export\s*\{([^}]*)\};?\s*$/.exec(text);
  assert.ok(footer, "the module ends with its export list");
  const local = /(\w+) as createDealerCalc\b/.exec(footer[1])?.[1] ?? "createDealerCalc";
  const context = vm.createContext({});
  vm.runInContext(`${text.slice(0, footer.index)}\nglobalThis.DealerCalc = { createDealerCalc: ${local} };`, context);
  assert.equal(vm.runInContext("typeof Uint8Array.fromBase64", context), "undefined");
  const fallback = await context.DealerCalc.createDealerCalc();
  assert.equal(fallback.loadProgram(programText).evaluateJson(figuresText), expected);
});

test("the command line's Node variant (WASM inflated by node:zlib) gives the same results", async () => {
  await sameAsReference(nodePath);
  // Its one import is Node's zlib; the command line loads it.
  const text = readFileSync(nodePath, "utf8");
  assert.deepEqual([...text.matchAll(/\bimport\s*\{[^}]*\}\s*from\s*"([^"]+)"/g)].map((m) => m[1]), ["node:zlib"]);
  assert.match(readFileSync(join(dist, "cli.mjs"), "utf8"), /from "\.\/dealer-calc\.node\.mjs"/);
});

test("no eval( and no new Function in dist files", () => {
  for (const file of [esmPath, classicPath, inflatePath, nodePath, join(dist, "cli.mjs")]) {
    const text = readFileSync(file, "utf8");
    assert.doesNotMatch(text, /\beval\s*\(/, `${file} calls eval`);
    assert.doesNotMatch(text, /\bnew\s+Function\b/, `${file} uses new Function`);
    assert.doesNotMatch(text, /\bFunction\s*\(/, `${file} calls Function(`);
  }
});

test("one self-contained file: no import, no fetch of a .wasm", () => {
  for (const file of [esmPath, classicPath, inflatePath]) {
    const text = readFileSync(file, "utf8");
    assert.doesNotMatch(text, /\bimport\s*[\s{*"'(]/, `${file} imports something`);
    assert.doesNotMatch(text, /\brequire\s*\(/, `${file} requires something`);
  }
});

test(`dist/dealer-calc.mjs is within the budget (${GZIP_BUDGET} bytes gzipped)`, (t) => {
  const raw = readFileSync(esmPath);
  const gzip = gzipSync(raw, { level: 9 }).length;
  t.diagnostic(`dealer-calc.mjs: ${raw.length} bytes, ${gzip} gzipped (budget ${GZIP_BUDGET})`);
  assert.ok(gzip <= GZIP_BUDGET, `${gzip} bytes gzipped is over the budget of ${GZIP_BUDGET}`);
});
