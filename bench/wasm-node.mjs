#!/usr/bin/env node
// The WASM build in Node, through the JS API (dist/dealer-calc.mjs), for bench/run.mjs:
//
//   node bench/wasm-node.mjs batch DIST PROGRAM CSV OUT [--next]
//     one batch like `dealer-calc batch`: the file read in 64 KiB pieces, pushed as
//     UTF-8 bytes through program.batch(), the output written to OUT. Timed from reading the
//     programme to closing OUT (programme parse included, module load not: that is
//     reported apart as load_ms). Prints JSON.
//   node bench/wasm-node.mjs evaluate DIST PROGRAM FIGURES [runs=2000]
//     program.evaluateJson(figures) with the defaults (next tiers, drivers, projection,
//     trace), warm, `runs` times: p50/p95 in µs. Prints JSON.
import { closeSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [mode, dist, programPath, dataPath, ...rest] = process.argv.slice(2);
const t0 = performance.now();
const { createDealerCalc } = await import(pathToFileURL(resolve(dist, "dealer-calc.mjs")).href);
const calc = await createDealerCalc();
const loadMs = performance.now() - t0;

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

if (mode === "batch") {
  const out = rest.find((a) => !a.startsWith("--"));
  const next = rest.includes("--next");
  const start = process.hrtime.bigint();
  const program = calc.loadProgram(readFileSync(programPath, "utf8"));
  const batch = program.batch({ input: "csv", output: "csv", next });
  const input = openSync(dataPath, "r");
  const output = openSync(out, "w");
  // The file is UTF-8: its bytes go in as they are read (Batch.push takes UTF-8 bytes).
  const buffer = Buffer.alloc(1 << 16);
  const write = (text) => {
    if (text) writeSync(output, text);
  };
  for (let n; (n = readSync(input, buffer, 0, buffer.length, null)) > 0; ) write(batch.push(buffer.subarray(0, n)));
  write(batch.finish());
  closeSync(input);
  closeSync(output);
  const status = batch.status();
  batch.dispose();
  program.dispose();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({ rows: status.rows, errors: status.errors, seconds, rows_per_s: Math.round(status.rows / seconds), load_ms: loadMs }));
} else if (mode === "evaluate") {
  const runs = Number(rest[0] ?? 2000);
  const program = calc.loadProgram(readFileSync(programPath, "utf8"));
  const figures = readFileSync(dataPath, "utf8");
  let sink = 0;
  for (let i = 0; i < Math.max(50, runs / 10); i++) sink += program.evaluateJson(figures).length; // warm up
  const us = [];
  for (let i = 0; i < runs; i++) {
    const a = process.hrtime.bigint();
    sink += program.evaluateJson(figures).length;
    us.push(Number(process.hrtime.bigint() - a) / 1e3);
  }
  us.sort((a, b) => a - b);
  console.log(JSON.stringify({ runs, p50_us: pct(us, 50), p95_us: pct(us, 95), mean_us: us.reduce((a, b) => a + b, 0) / runs, sink, load_ms: loadMs }));
} else {
  console.error("usage: wasm-node.mjs batch DIST PROGRAM CSV OUT [--next] | evaluate DIST PROGRAM FIGURES [runs]");
  process.exit(64);
}
