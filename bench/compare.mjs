#!/usr/bin/env node
// Compares the batch throughput of two WASM builds (two dist/ directories) in one Node
// process, their passes taking turns, for changes too small to see across separate runs
// on this VM (its speed drifts by 10-20 % from minute to minute):
//
//   node bench/compare.mjs DIST_A DIST_B [pairs=20] [CSV]
//
// Both modules are loaded, warmed up (3 passes each), then run `pairs` times as A,B or
// B,A in alternation over the same CSV (default build/bench/dealers-100k.csv, made by
// bench/run.mjs or `node bench/gen-dealers.mjs 100000 FILE`), sample programme, CSV out.
// Prints each build's median rows/s and the median of the per-pair ratios B/A: the
// figure to trust (two runs of one build give 0.99-1.01). These are warm (steady-state)
// passes; bench/run.mjs measures cold processes.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const [distA, distB, pairs = "20", csv = join(ROOT, "build", "bench", "dealers-100k.csv")] = process.argv.slice(2);
if (!distB) {
  console.error("usage: node bench/compare.mjs DIST_A DIST_B [pairs=20] [CSV]");
  process.exit(64);
}
const programText = readFileSync(join(ROOT, "programs", "sample", "program.json"), "utf8");
const data = readFileSync(csv);

async function load(dist) {
  // The query string keeps the two modules apart when both paths name the same file.
  const url = `${pathToFileURL(resolve(dist, "dealer-calc.mjs")).href}?${encodeURIComponent(dist)}`;
  return (await import(url)).createDealerCalc();
}

function pass(calc) {
  const start = performance.now();
  const program = calc.loadProgram(programText);
  const batch = program.batch({ input: "csv", output: "csv", next: false });
  for (let at = 0; at < data.length; at += 1 << 16) batch.push(data.subarray(at, at + (1 << 16)));
  batch.finish();
  const { rows } = batch.status();
  batch.dispose();
  program.dispose();
  return rows / ((performance.now() - start) / 1000);
}

const a = await load(distA);
const b = await load(distB);
for (let i = 0; i < 3; i++) pass(a), pass(b);
const ra = [], rb = [], ratios = [];
for (let i = 0; i < Number(pairs); i++) {
  let x, y;
  if (i % 2) (y = pass(b)), (x = pass(a));
  else (x = pass(a)), (y = pass(b));
  ra.push(x);
  rb.push(y);
  ratios.push(y / x);
}
const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
console.log(`A ${Math.round(median(ra))} rows/s  B ${Math.round(median(rb))} rows/s  B/A ${median(ratios).toFixed(3)} (median of ${pairs} pairs)`);
