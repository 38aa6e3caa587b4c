#!/usr/bin/env node
// The batch benchmark (issue 7). One command, not part of the tests:
//
//   node bench/run.mjs [--no-build] [--native-build DIR] [--wasm-build DIR] [--runs N]
//                      [--next-rows N] [--no-browser] [--no-readme] [--source-commit SHA]
//   node bench/run.mjs --readme-from bench/results/latest.json   # only rewrite the README table
//
// Builds what it needs (presets `native` and `wasm`; other build directories with
// --native-build/--wasm-build, e.g. to stay clear of a build someone else is running),
// generates the synthetic dealers with bench/gen-dealers.mjs (deterministic: 100,000 rows
// and, for the memory run, 1,000,000 rows, under build/bench/), then measures, all in this
// one run on the same data:
//   1. native batch throughput (`dealer-calc batch`, whole process: programme parse, CSV
//      read, evaluation, CSV written to a file), without and with next tiers;
//   2. the same through WASM: `node dist/cli.mjs batch` (whole process), the JS API in
//      Node (module load excluded), and a module Web Worker in headless Chromium fed
//      from 127.0.0.1;
//   3. the json-logic-js peer (bench/peer/): agreement with our output on the first 1,000
//      rows, then rows/s on the 100,000;
//   4. one evaluation with next tiers, p50/p95: native (build/.../bench/bench_evaluate)
//      and WASM in Node (evaluateJson with the defaults);
//   5. peak memory (max RSS) of native batch over 1,000,000 and 100,000 rows.
// Throughput is the p50 of --runs runs (default 9: this VM's run-to-run spread is ±10 %; 3 for the slow ones). With next tiers
// a row costs 20-100x more, so those runs use the first --next-rows rows (default 10,000)
// of the same file. Writes bench/results/latest.json and the README's measurement table
// (between <!-- measurements --> and the next heading; rows it does not write are kept).
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const flag = (name) => argv.includes(`--${name}`);
const RUNS = Math.max(3, Number(opt("runs", 9)));
const SLOW_RUNS = 3;
const NEXT_ROWS = Number(opt("next-rows", 10000));
const NATIVE_BUILD = resolve(ROOT, opt("native-build", "build/native"));
const WASM_BUILD = resolve(ROOT, opt("wasm-build", "build/wasm"));
const WASM_DEFAULT = WASM_BUILD === resolve(ROOT, "build/wasm");
const DIST = WASM_DEFAULT ? join(ROOT, "dist") : join(WASM_BUILD, "dist");
const BENCH = join(ROOT, "build", "bench");
const PROGRAM = join(ROOT, "programs", "sample", "program.json");
const FIGURES = join(ROOT, "programs", "sample", "figures.json");
const CLI = join(NATIVE_BUILD, "dealer-calc");
const BENCH_EVALUATE = join(NATIVE_BUILD, "bench", "bench_evaluate");
const CSV_100K = join(BENCH, "dealers-100k.csv");
const CSV_1M = join(BENCH, "dealers-1m.csv");
const CSV_NEXT = join(BENCH, `dealers-${NEXT_ROWS}.csv`);

const r1 = (x) => Math.round(x * 10) / 10;
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (...a) => console.error("[bench]", ...a);

function run(cmd, args, options = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28, ...options });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}\n${(r.stderr || "").slice(-3000)}`);
  return { seconds, stdout: r.stdout, stderr: r.stderr };
}

if (opt("readme-from")) {
  writeReadme(JSON.parse(readFileSync(resolve(opt("readme-from")), "utf8")));
  process.exit(0);
}

// ---- build --------------------------------------------------------------------------
const emEnv = { ...process.env, NODE_PATH: "/usr/share/nodejs" };
if (!flag("no-build")) {
  log("building native (", NATIVE_BUILD, ")");
  run("cmake", ["--preset", "native", "-B", NATIVE_BUILD], { stdio: "inherit" });
  run("cmake", ["--build", NATIVE_BUILD, "--target", "dealer-calc", "bench_evaluate"], { stdio: "inherit" });
  log("building wasm (", WASM_BUILD, "->", DIST, ")");
  const extra = WASM_DEFAULT ? [] : ["-B", WASM_BUILD, `-DDEALERCALC_DIST_DIR=${DIST}`, `-DDEALERCALC_JSON_INCLUDE_DIR=${join(WASM_BUILD, "wasm-include")}`];
  run("cmake", ["--preset", "wasm", ...extra], { stdio: "inherit", env: emEnv });
  run("cmake", ["--build", WASM_BUILD, "--target", "dist"], { stdio: "inherit", env: emEnv });
}
for (const f of [CLI, BENCH_EVALUATE, join(DIST, "dealer-calc.mjs"), join(DIST, "cli.mjs")])
  if (!existsSync(f)) throw new Error(`${f} is missing: run without --no-build`);

// ---- data ---------------------------------------------------------------------------
mkdirSync(BENCH, { recursive: true });
const GEN = join(ROOT, "bench", "gen-dealers.mjs");
function generate(rows, path) {
  if (existsSync(path) && statSync(path).mtimeMs > statSync(GEN).mtimeMs && statSync(path).mtimeMs > statSync(PROGRAM).mtimeMs) return;
  log(`generating ${rows} dealers -> ${path}`);
  run(process.execPath, [GEN, String(rows), path], { stdio: "inherit" });
}
generate(100000, CSV_100K);
generate(1000000, CSV_1M);
{
  const lines = readFileSync(CSV_100K, "utf8").split("\n");
  writeFileSync(CSV_NEXT, lines.slice(0, NEXT_ROWS + 1).join("\n") + "\n");
}
const ROWS = 100000;

const results = {};
const machine = {
  cpus: cpus().length,
  model: cpus()[0]?.model,
  memory_gb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  chromium: spawnSync("/usr/bin/chromium", ["--version"], { encoding: "utf8" }).stdout?.trim(),
  emscripten: spawnSync("em++", ["--version"], { encoding: "utf8", env: emEnv }).stdout?.split("\n")[0],
  note: "2 cores shared with other engineers' builds, tests and a fuzzer while measuring: timings are upper bounds; see each figure's load_average",
};
const git = (...a) => spawnSync("git", a, { cwd: ROOT, encoding: "utf8" }).stdout.trim();
// --source-commit SHA: the tree is an export of that commit (git archive), not a checkout.
const source = opt("source-commit")
  ? { commit: opt("source-commit"), dirty: [], tree: "git archive of the commit" }
  : { commit: git("rev-parse", "HEAD"), dirty: git("status", "--porcelain", "--", "core", "cli", "wasm").split("\n").filter(Boolean) };
const loadStart = load();

// ---- 1. and 2. native and WASM throughput ----------------------------------------------
// This VM's speed drifts by 10-20 % from minute to minute, so runs that are compared take
// turns: each round runs native, then the WASM command, then the JS API, and each WASM
// figure's percentage is against the native runs of the same rounds.
function entryOf(name, what, rows, seconds, la) {
  const p50 = median(seconds);
  const entry = { what, rows, runs: seconds.length, seconds: seconds.map((s) => Math.round(s * 1e4) / 1e4), seconds_p50: Math.round(p50 * 1e4) / 1e4, rows_per_s: Math.round(rows / p50), load_average: la };
  results[name] = entry;
  log(`${name}: ${entry.rows_per_s} rows/s (p50 of ${seconds.length}, load ${la[0]})`);
  return entry;
}
// specs: [{name, what, fn}] run in turns, `runs` rounds; returns the entries by name.
function interleaved(rows, runs, specs) {
  const la = load();
  const seconds = specs.map(() => []);
  for (let i = 0; i < runs; i++) specs.forEach((spec, k) => seconds[k].push(spec.fn()));
  return Object.fromEntries(specs.map((spec, k) => [spec.name, entryOf(spec.name, spec.what, rows, seconds[k], la)]));
}
const ratio = (e, base) => {
  e.percent_of_native = r1((100 * e.rows_per_s) / base.rows_per_s);
  return e;
};
const OUT_NATIVE = join(BENCH, "out-native.csv");
const OUT_NATIVE_NEXT = join(BENCH, "out-native-next.csv");
const OUT_WASM = join(BENCH, "out-wasm.csv");
const nativeBatch = (csv, out, next) => () => run(CLI, ["batch", "--program", PROGRAM, "--figures", csv, "--out", out, ...(next ? ["--next"] : [])]).seconds;
const wasmCli = (csv, out, next) => () => run(process.execPath, [join(DIST, "cli.mjs"), "batch", "--program", PROGRAM, "--figures", csv, "--out", out, ...(next ? ["--next"] : [])]).seconds;
const apiRun = (csv, next) => () => JSON.parse(run(process.execPath, [join(ROOT, "bench", "wasm-node.mjs"), "batch", DIST, PROGRAM, csv, join(BENCH, "out-wasm-api.csv"), ...(next ? ["--next"] : [])]).stdout).seconds;
const plain = interleaved(ROWS, RUNS, [
  { name: "native_batch", what: "build/native/dealer-calc batch, CSV in and out (file), whole process", fn: nativeBatch(CSV_100K, OUT_NATIVE, false) },
  { name: "wasm_node_cli_batch", what: "node dist/cli.mjs batch, CSV in and out (file), whole process (Node's own start, ~65 ms, and the module load included)", fn: wasmCli(CSV_100K, OUT_WASM, false) },
  { name: "wasm_node_api_batch", what: "the JS API in Node (program.batch(), 64 KiB pieces, output written to a file), a new process per run (cold JIT); module load excluded", fn: apiRun(CSV_100K, false) },
]);
const native = plain.native_batch;
native.target = { rows_per_s: 500000 };
native.ok = native.rows_per_s >= 500000;
// The command's figure carries what a Node process costs besides the engine (Node's own
// start, ~60 ms of ~0.5 s here, and the module load); the engine's own throughput in Node,
// the one held to the 40 % target, is the JS API's below.
const wasmNode = ratio(plain.wasm_node_cli_batch, native);
wasmNode.node_start_ms = r1(median(Array.from({ length: 5 }, () => run(process.execPath, ["-e", "0"]).seconds)) * 1000);
wasmNode.output_identical_to_native = readFileSync(OUT_WASM).equals(readFileSync(OUT_NATIVE));
const wasmApi = ratio(plain.wasm_node_api_batch, native);
wasmApi.target = { percent_of_native: 40 };
wasmApi.ok = wasmApi.percent_of_native >= 40;
const withNext = interleaved(NEXT_ROWS, SLOW_RUNS, [
  { name: "native_batch_next", what: `the same with --next, first ${NEXT_ROWS} rows`, fn: nativeBatch(CSV_NEXT, OUT_NATIVE_NEXT, true) },
  { name: "wasm_node_cli_batch_next", what: `node dist/cli.mjs batch --next, first ${NEXT_ROWS} rows`, fn: wasmCli(CSV_NEXT, join(BENCH, "out-wasm-next.csv"), true) },
]);
const nativeNext = withNext.native_batch_next;
const wasmNodeNext = ratio(withNext.wasm_node_cli_batch_next, nativeNext);
wasmNodeNext.output_identical_to_native = readFileSync(join(BENCH, "out-wasm-next.csv")).equals(readFileSync(OUT_NATIVE_NEXT));

// Chromium: a module Worker on a page served from 127.0.0.1.
async function browserRuns() {
  const { chromium } = await import("playwright-core");
  const MIME = { ".html": "text/html; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".csv": "text/csv; charset=utf-8", ".json": "application/json; charset=utf-8" };
  const routes = [
    ["/bench/browser/", join(ROOT, "bench", "browser")],
    ["/dist/", DIST],
    ["/data/", BENCH],
    ["/programs/", join(ROOT, "programs")],
  ];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const route = routes.find(([p]) => path.startsWith(p));
    const file = route && resolve(route[1], "." + path.slice(route[0].length - 1));
    if (!route || !file.startsWith(route[1]) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": MIME[extname(file)] || "application/octet-stream", "content-length": statSync(file).size, "cache-control": "no-store" });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const dir = mkdtempSync(join(tmpdir(), "dealer-bench-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await context.newPage();
    await page.goto(`${base}/bench/browser/index.html`);
    const one = (csv, next, runs, source = "file") =>
      page.evaluate((o) => window.runBench(o), { module: `${base}/dist/dealer-calc.mjs`, program: `${base}/programs/sample/program.json`, csv: `${base}/data/${csv}`, next, runs, source });
    const plain = await one("dealers-100k.csv", false, RUNS);
    const next = await one(`dealers-${NEXT_ROWS}.csv`, true, SLOW_RUNS);
    const fetched = await one("dealers-100k.csv", false, RUNS, "fetch");
    return { plain, next, fetched };
  } finally {
    await context.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
if (!flag("no-browser")) {
  const la = load();
  // Native runs just before and just after the browser's, for its percentages (the VM's
  // speed drifts; see interleaved()).
  const around = [];
  const half = Math.ceil(RUNS / 2);
  for (let i = 0; i < half; i++) around.push(nativeBatch(CSV_100K, OUT_NATIVE, false)());
  const b = await browserRuns();
  for (let i = 0; i < half; i++) around.push(nativeBatch(CSV_100K, OUT_NATIVE, false)());
  const nativeAround = entryOf("native_batch_around_chromium", "native_batch again, half of the runs just before the Chromium runs and half just after: the base of their percentages", ROWS, around, la);
  const entry = (name, what, r, rows, base) => {
    if (r.runs.some((x) => x.rows !== rows || x.errors)) throw new Error(`${name}: rows ${r.runs.map((x) => x.rows)}`);
    const e = entryOf(name, what, rows, r.runs.map((x) => x.seconds), la);
    e.module_load_ms = r1(r.load_ms);
    e.output_bytes = r.runs[0].output_bytes;
    return ratio(e, base);
  };
  const w = entry("wasm_chromium_worker_batch", "headless Chromium, module Web Worker, as the network view reads a picked file: programme fetched and parsed, the CSV (a Blob) read in 1 MiB slices, its bytes pushed through program.batch(), output gathered into a Blob; module load excluded; warm (runs in one worker)", b.plain, ROWS, nativeAround);
  w.target = { percent_of_native: 40 };
  w.ok = w.percent_of_native >= 40;
  entry("wasm_chromium_worker_batch_next", `the same with next tiers, first ${NEXT_ROWS} rows`, b.next, NEXT_ROWS, nativeNext);
  entry("wasm_chromium_worker_fetch_batch", "the same, but the CSV fetched from the bench's server on 127.0.0.1 in each run and pushed as it streams in (server, network process and worker share the 2 cores)", b.fetched, ROWS, nativeAround);
  machine.user_agent = b.plain.userAgent;
}

// ---- 3. the json-logic-js peer --------------------------------------------------------
{
  const la = load();
  const check = JSON.parse(run(process.execPath, [join(ROOT, "bench", "peer", "peer.mjs"), "check", CSV_100K, OUT_NATIVE, "1000"]).stdout);
  const checkAll = JSON.parse(run(process.execPath, [join(ROOT, "bench", "peer", "peer.mjs"), "check", CSV_100K, OUT_NATIVE, String(ROWS)]).stdout);
  const bench = JSON.parse(run(process.execPath, [join(ROOT, "bench", "peer", "peer.mjs"), "bench", CSV_100K, String(SLOW_RUNS)]).stdout);
  const peerVersion = JSON.parse(readFileSync(join(ROOT, "node_modules", "json-logic-js", "package.json"), "utf8")).version;
  const times = (e) => Math.round((10 * e.rows_per_s) / bench.rows_per_s) / 10;
  results.peer_json_logic_js = {
    what: `json-logic-js ${peerVersion} in Node ${process.version}: bench/peer/sample-rules.json (the sample programme as ${JSON.parse(readFileSync(join(ROOT, "bench", "peer", "sample-rules.json"), "utf8")).steps.length} JsonLogic expressions: derived values, score, rules, awards, caps, totals), one jsonLogic.apply per expression per row`,
    timed: bench.timed,
    rows: bench.rows,
    runs: bench.runs,
    seconds: bench.seconds.map((s) => Math.round(s * 1e4) / 1e4),
    rows_per_s: bench.rows_per_s,
    load_average: la,
    ours_times_peer: {
      native: times(native),
      wasm_node_cli: times(wasmNode),
      wasm_node_api: times(wasmApi),
      ...(results.wasm_chromium_worker_batch ? { wasm_chromium_worker: times(results.wasm_chromium_worker_batch) } : {}),
    },
    target: { ours_times_peer: 5 },
    agreement_first_1000_rows: check,
    agreement_all_rows: { ...checkAll, examples: checkAll.examples.slice(0, 5) },
  };
  const p = results.peer_json_logic_js;
  p.ok = p.ours_times_peer.native >= 5 && p.ours_times_peer.wasm_node_cli >= 5;
  log(`peer: ${bench.rows_per_s} rows/s; agreement ${check.totals_agree_to_the_cent}/${check.rows} (first 1000), ${checkAll.totals_agree_to_the_cent}/${checkAll.rows} (all)`);
}

// ---- 4. one evaluation with next tiers -------------------------------------------------
{
  let la = load();
  const json = join(BENCH, "evaluate-native.json");
  // Five processes, and the median one's figures: about one process in ten on this VM runs
  // all of its evaluations ~1.7× slower (the same binary, whatever it is; not with a fixed
  // memory layout, setarch -R), and one process would sometimes be that one.
  const processes = [];
  for (let i = 0; i < 5; i++) {
    run(BENCH_EVALUATE, ["2000", "--json", json]);
    processes.push(JSON.parse(readFileSync(json, "utf8")));
  }
  const key = (x) => (x.evaluate_without_next_us || x.evaluate_with_next_us || {}).p50 ?? 0;
  const n = [...processes].sort((a, b) => key(a) - key(b))[Math.floor(processes.length / 2)];
  n.p50_us_of_each_process = processes.map(key);
  const w = n.evaluate_with_next_us || {};
  results.native_evaluate_next = {
    what: "one evaluation of programs/sample with next tiers, drivers and projection (bench_evaluate, 2000 runs; the median of 5 processes)",
    p50_us: w.p50,
    p95_us: w.p95,
    target: { p95_us: 1000 },
    ok: w.p95 <= 1000,
    load_average: la,
    all: n,
  };
  la = load();
  const e = JSON.parse(run(process.execPath, [join(ROOT, "bench", "wasm-node.mjs"), "evaluate", DIST, PROGRAM, FIGURES, "2000"]).stdout);
  results.wasm_node_evaluate_next = {
    what: "program.evaluateJson(programs/sample/figures.json) with the defaults (next tiers, drivers, projection, trace) in Node, warm, 2000 runs",
    p50_us: r1(e.p50_us),
    p95_us: r1(e.p95_us),
    load_average: la,
  };
  log(`evaluate with next: native ${w.p50}/${w.p95} us, wasm ${r1(e.p50_us)}/${r1(e.p95_us)} us`);
}

// ---- 5. peak memory ---------------------------------------------------------------------
function maxRss(csv) {
  const r = run("/usr/bin/time", ["-f", "%M", CLI, "batch", "--program", PROGRAM, "--figures", csv, "--out", "/dev/null"]);
  const kb = Number(r.stderr.trim().split("\n").pop());
  return { max_rss_mb: r1(kb / 1024), seconds: Math.round(r.seconds * 1e3) / 1e3 };
}
{
  const la = load();
  const m1 = [maxRss(CSV_1M), maxRss(CSV_1M)];
  const m100 = [maxRss(CSV_100K), maxRss(CSV_100K)];
  const peak = Math.max(...m1.map((m) => m.max_rss_mb));
  results.native_batch_memory = {
    what: "max RSS of `dealer-calc batch` (GNU time %M), output to /dev/null, 2 runs each",
    rows_1000000: { max_rss_mb: peak, runs: m1, rows_per_s: Math.round(1e6 / median(m1.map((m) => m.seconds))) },
    rows_100000: { max_rss_mb: Math.max(...m100.map((m) => m.max_rss_mb)), runs: m100 },
    flat: peak <= Math.max(...m100.map((m) => m.max_rss_mb)) * 1.25 + 1,
    target: { max_rss_mb: 50 },
    ok: peak <= 50,
    load_average: la,
  };
  log(`memory: ${peak} MB at 1M rows, ${results.native_batch_memory.rows_100000.max_rss_mb} MB at 100k`);
}

// ---- write ------------------------------------------------------------------------------
const size = readFileSync(join(DIST, "dealer-calc.mjs"));
const { gzipSync } = await import("node:zlib");
const out = {
  benchmark: "batch throughput, peer, evaluation latency and memory (issue 7): node bench/run.mjs",
  date: new Date().toISOString(),
  machine,
  source,
  load_average: { start: loadStart, end: load() },
  data: { generator: "bench/gen-dealers.mjs (fixed seed)", program: "programs/sample/program.json", rows: ROWS, next_rows: NEXT_ROWS, memory_rows: 1000000, runs: RUNS, slow_runs: SLOW_RUNS },
  builds: { native: NATIVE_BUILD.replace(ROOT + "/", ""), wasm_dist: DIST.replace(ROOT + "/", ""), dealer_calc_mjs: { bytes: size.length, gzip_bytes: gzipSync(size, { level: 9 }).length } },
  targets_met: Object.fromEntries(Object.entries(results).filter(([, v]) => "ok" in v).map(([k, v]) => [k, v.ok])),
  results,
};
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
writeFileSync(join(ROOT, "bench", "results", "latest.json"), JSON.stringify(out, null, 2) + "\n");
log("wrote bench/results/latest.json");

if (!flag("no-readme")) writeReadme(out);
console.log(JSON.stringify(out.targets_met, null, 2));

// ---- README table -------------------------------------------------------------------------
// The table from a latest.json (also alone: --readme-from bench/results/latest.json).
function writeReadme(out) {
  const fmt = (n) => Math.round(n).toLocaleString("en-US");
  const okMark = (ok) => (ok === undefined ? "" : ok ? " ✓" : " ✗ missed");
  const R = out.results;
  const { source, machine } = out;
  const NEXT_ROWS = out.data.next_rows;
  const RUNS = out.data.runs;
  const rows = [];
  const add = (what, result, target, ok) => rows.push([what, result + okMark(ok), target]);
  add("native batch, 100,000 dealers, no next tiers (whole `dealer-calc batch`: parse, read, evaluate, write)", `${fmt(R.native_batch.rows_per_s)} rows/s`, "≥ 500,000 rows/s", R.native_batch.ok);
  add(`native batch with next tiers (first ${fmt(NEXT_ROWS)} rows)`, `${fmt(R.native_batch_next.rows_per_s)} rows/s`, "—");
  add("WASM batch in Node, JS API (`program.batch()`; a new process per run, so the JIT starts cold; module load excluded)", `${fmt(R.wasm_node_api_batch.rows_per_s)} rows/s, ${R.wasm_node_api_batch.percent_of_native} % of native`, "≥ 40 % of native", R.wasm_node_api_batch.ok);
  add(`WASM batch in Node, \`node dist/cli.mjs batch\` (whole process: Node's own start${R.wasm_node_cli_batch.node_start_ms ? `, ${Math.round(R.wasm_node_cli_batch.node_start_ms)} ms,` : ""} and the module load included)`, `${fmt(R.wasm_node_cli_batch.rows_per_s)} rows/s, ${R.wasm_node_cli_batch.percent_of_native} % of native`, "— (the engine in Node: the row above)");
  add(`WASM batch in Node with next tiers (first ${fmt(NEXT_ROWS)} rows)`, `${fmt(R.wasm_node_cli_batch_next.rows_per_s)} rows/s, ${R.wasm_node_cli_batch_next.percent_of_native} % of native`, "—");
  if (R.wasm_chromium_worker_batch) {
    add("WASM batch in a Chromium module Web Worker (the CSV a Blob read in 1 MiB slices, as the network view reads a picked file)", `${fmt(R.wasm_chromium_worker_batch.rows_per_s)} rows/s, ${R.wasm_chromium_worker_batch.percent_of_native} % of native`, "≥ 40 % of native", R.wasm_chromium_worker_batch.ok);
    if (R.wasm_chromium_worker_fetch_batch)
      add("the same with the CSV fetched from 127.0.0.1 as it streams in", `${fmt(R.wasm_chromium_worker_fetch_batch.rows_per_s)} rows/s, ${R.wasm_chromium_worker_fetch_batch.percent_of_native} % of native`, "—");
    add(`WASM batch in a Chromium Worker with next tiers (first ${fmt(NEXT_ROWS)} rows)`, `${fmt(R.wasm_chromium_worker_batch_next.rows_per_s)} rows/s, ${R.wasm_chromium_worker_batch_next.percent_of_native} % of native`, "—");
  }
  const P = R.peer_json_logic_js;
  add("peer: the same rules as json-logic-js expressions in Node (CSV parse + evaluate)", `${fmt(P.rows_per_s)} rows/s; ours ${P.ours_times_peer.native}× (native), ${P.ours_times_peer.wasm_node_cli}× (WASM, Node)${P.ours_times_peer.wasm_chromium_worker ? `, ${P.ours_times_peer.wasm_chromium_worker}× (WASM, Chromium)` : ""}`, "ours ≥ 5×", P.ok);
  add("peer agrees with us to the cent (binary floating point drifts)", `${P.agreement_first_1000_rows.totals_agree_to_the_cent} of the first 1,000 dealers; ${fmt(P.agreement_all_rows.totals_agree_to_the_cent)} of ${fmt(P.agreement_all_rows.rows)}`, "—");
  const all = R.native_evaluate_next.all || {};
  const us = (x) => (x >= 100 ? `${Math.round(x)} µs` : `${r1(x)} µs`);
  if (all.compute_pass_us) add("one evaluation of the sample programme, engine pass only (native)", `${us(all.compute_pass_us.p50)} p50`, "≤ 10 µs", all.compute_pass_us.p50 <= 10);
  if (all.evaluate_without_next_us) add("one evaluation without next tiers: the full result document, no projection or trace (native)", `${us(all.evaluate_without_next_us.p50)} p50 / ${us(all.evaluate_without_next_us.p95)} p95`, "≤ 10 µs", all.evaluate_without_next_us.p50 <= 10);
  if (all.evaluate_without_next_with_trace_and_projection_us) add("one evaluation without next tiers, with trace and projection (native)", `${us(all.evaluate_without_next_with_trace_and_projection_us.p50)} p50 / ${us(all.evaluate_without_next_with_trace_and_projection_us.p95)} p95`, "—");
  add("one evaluation with next tiers, drivers and projection (native)", `${us(R.native_evaluate_next.p50_us)} p50 / ${us(R.native_evaluate_next.p95_us)} p95`, "≤ 1 ms (p95)", R.native_evaluate_next.ok);
  add("one evaluation with next tiers, drivers and projection (WASM, Node)", `${us(R.wasm_node_evaluate_next.p50_us)} p50 / ${us(R.wasm_node_evaluate_next.p95_us)} p95`, "—");
  const M = R.native_batch_memory;
  add("peak memory (max RSS) of native batch, 1,000,000 dealers", `${M.rows_1000000.max_rss_mb} MB (100,000 dealers: ${M.rows_100000.max_rss_mb} MB)`, "≤ 50 MB, flat", M.ok && M.flat);
  const ownRows = rows.length;

  // The other benchmarks' latest results (their own commands; see the note under the table).
  const readJson = (name) => {
    try {
      return JSON.parse(readFileSync(join(ROOT, "bench", "results", name), "utf8"));
    } catch {
      return null;
    }
  };
  const kb = (bytes) => `${r1(bytes / 1024)} KiB`;
  const size = readJson("wasm-size.json");
  const mjs = size?.chosen?.files?.["dealer-calc.mjs"];
  if (mjs) add("`dist/dealer-calc.mjs` (the WASM module and its API, one file), gzip -9", `${kb(mjs.gzip)} (${kb(mjs.raw)} raw)`, "≤ 120 KiB", mjs.gzip <= 120 * 1024);
  const page = readJson("page.json");
  if (page) {
    const f = page.first_result_ms;
    add("the offline page `dist/dealer-calculator.html`, gzip -9", `${r1(page.offline_file.gzip_kb)} KB`, "≤ 250 KB", page.offline_file.ok);
    add("page: navigation → first rendered result, offline file, cold (new browser profile)", `${f.cold.p50} ms p50 / ${f.cold.p95} ms p95`, "≤ 300 ms", f.cold.p50 <= f.target_ms);
    add("page: navigation → first rendered result, offline file, warm (reload)", `${f.warm.p50} ms p50 / ${f.warm.p95} ms p95`, "≤ 300 ms", f.warm.p50 <= f.target_ms);
    const u = page.input_to_result_ms;
    add("page: input → updated result in the DOM (style and layout included)", `${u.sync.p50} ms p50 / ${u.sync.p95} ms p95`, "≤ 16 ms (p95)", u.ok);
  }

  {
    const readmePath = join(ROOT, "README.md");
    const readme = readFileSync(readmePath, "utf8");
    const marker = "<!-- measurements -->";
    const at = readme.indexOf(marker);
    if (at < 0) throw new Error("README.md has no <!-- measurements --> marker");
    const after = readme.slice(at + marker.length);
    const nextHeading = after.search(/\n#{1,6} /);
    const section = nextHeading < 0 ? after : after.slice(0, nextHeading);
    const rest = nextHeading < 0 ? "" : after.slice(nextHeading);
    // Rows of the old table that this run does not write (another benchmark's) are kept.
    const mine = new Set(rows.map((r) => r[0]));
    const kept = section
      .split("\n")
      .filter((l) => l.startsWith("|") && !/^\|\s*what\s*\|/.test(l) && !/^\|[-| ]+\|$/.test(l))
      .filter((l) => !mine.has(l.split("|")[1].trim()));
    const la = out.load_average;
    const table = [
      "| what | result | target |",
      "|---|---|---|",
      ...rows.map((r) => `| ${r.join(" | ")} |`),
      ...kept,
    ].join("\n");
    const text =
      `\n${table}\n\n` +
      `The first ${ownRows} rows come from one run of \`node bench/run.mjs\` on ${out.date.slice(0, 10)} ` +
      `(commit ${source.commit.slice(0, 7)}${source.dirty.length ? " with uncommitted changes" : ""}; ${machine.cpus} × ${machine.model}, ` +
      `load average ${la.start[0]} at the start, ${la.end[0]} at the end). ` +
      `Synthetic dealers from \`bench/gen-dealers.mjs\` (fixed seed), throughput = p50 of ${RUNS} runs of the whole batch ` +
      `(programme parse, file read, output written); runs with next tiers use the first ${fmt(NEXT_ROWS)} rows, as a row then costs ~${Math.round(R.native_batch.rows_per_s / R.native_batch_next.rows_per_s)}× more (native). ` +
      `Native and WASM runs take turns (native runs just before and after the Chromium ones), so each percentage compares runs made at the same machine speed. ` +
      `Figures, targets and loads: \`bench/results/latest.json\`; ` +
      `\`build/native/bench/bench_evaluate 2000 --json bench/results/evaluate.json\` measures the evaluation rows alone. ` +
    `What limits the WASM rows: [wasm/README.md](wasm/README.md), "Speed". ` +
    `The module size comes from \`bench/results/wasm-size.json\` (\`node wasm/measure.mjs dist\`), the page rows from the last \`node bench/page-bench.mjs\` ` +
    `(\`bench/results/page.json\`${page ? `, ${page.date.slice(0, 10)}, load average ${page.machine.load_average_before[0]}` : ""}; cold starts vary most with load).\n`;
    writeFileSync(readmePath, readme.slice(0, at + marker.length) + text + rest);
    log("rewrote the README's measurement table");
  }
}

