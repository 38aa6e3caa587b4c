// Measures a WASM build's dist/: sizes (raw and gzip -9) and speed in Node (module load,
// evaluations of the sample, failures thrown and caught inside the WASM). Prints JSON.
//
//   node wasm/measure.mjs DIST_DIR [LABEL] [--runs N]
//
// Timings are CPU time of this process (process.cpuUsage), medians of N rounds, so a
// busy machine disturbs them less than wall-clock time would.
import { readFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";

const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const rounds = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 5;
const [distDir, label = distDir] = args;
if (!distDir) {
  console.error("usage: node wasm/measure.mjs DIST_DIR [LABEL] [--runs N]");
  process.exit(64);
}
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sample = (name) => readFileSync(join(root, "programs", "sample", name), "utf8");

const size = (file) => {
  const raw = readFileSync(file);
  return { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
};

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000; // ms
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// µs of CPU per call of fn, median over rounds of `count` calls.
function time(fn, count) {
  fn();
  const per = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = cpu();
    for (let i = 0; i < count; i++) fn();
    per.push(((cpu() - t0) * 1000) / count);
  }
  return Math.round(median(per));
}

// Module load in fresh processes: import + createDealerCalc (decode, compile, start).
function loadTimes() {
  const script = `const t0 = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(join(distDir, "dealer-calc.mjs")).href)});
    await m.default(); console.log(performance.now() - t0);`;
  const ms = [];
  for (let r = 0; r < rounds; r++) {
    ms.push(Number(execFileSync(process.execPath, ["--input-type=module", "-e", script]).toString()));
  }
  return Math.round(median(ms));
}

const mod = await import(pathToFileURL(join(distDir, "dealer-calc.mjs")).href);
const dc = await mod.createDealerCalc();
const programText = sample("program.json");
const figures = sample("figures.json");
const program = dc.loadProgram(programText);
const invalid = JSON.stringify({ values: { content_posts: 1.5 } });
const fails = (fn) => () => {
  try {
    fn();
  } catch {
    return;
  }
  throw new Error("expected a failure");
};

const out = {
  label,
  files: {
    "dealer-calc.mjs": size(join(distDir, "dealer-calc.mjs")),
    "dealer-calc.js": size(join(distDir, "dealer-calc.js")),
  },
  node_cpu_us: {
    evaluate_full: time(() => program.evaluateJson(figures), 20),
    evaluate_no_next_projection_trace: time(() => program.evaluateJson(figures, { next: false, projection: false, trace: false }), 300),
    invalid_figures_error: time(fails(() => program.evaluateJson(invalid)), 300),
    programme_parse_error: time(fails(() => dc.loadProgram('{"format": 1,')), 300),
    load_program: time(() => dc.loadProgram(programText).dispose(), 50),
  },
  module_load_ms: loadTimes(),
};
program.dispose();
if (existsSync(join(distDir, "..", "build"))) out.dist = distDir;
console.log(JSON.stringify(out, null, 2));
