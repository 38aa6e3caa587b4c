// Deterministic synthetic dealers for the sample programme (or any programme):
//   node bench/gen-dealers.mjs [rows=100000] [out=build/bench/dealers.csv] [program=programs/sample/program.json] [--jsonl]
//
// Realistic, not uniform: each dealer is a "typical" dealer (the first row of
// programs/sample/figures-network.csv, or 1 for metrics it lacks) scaled by a
// log-normal size factor (many small dealers, a few big ones), with per-metric noise;
// rates and percentages vary around the typical value; growth against last year is
// normal around +8 %. Values respect every metric's type, decimals, min and max. A
// fixed-seed PRNG makes every run write the same file.
import { readFileSync, mkdirSync, createWriteStream } from "node:fs";
import { dirname } from "node:path";

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const jsonl = process.argv.includes("--jsonl");
const rows = Number(args[0] ?? 100000);
const out = args[1] ?? (jsonl ? "build/bench/dealers.jsonl" : "build/bench/dealers.csv");
const programPath = args[2] ?? "programs/sample/program.json";
const program = JSON.parse(readFileSync(programPath, "utf8"));

// The typical dealer: the sample network's first row where it names the metric.
const typical = {};
try {
  const [head, first] = readFileSync("programs/sample/figures-network.csv", "utf8").split(/\r?\n/);
  const names = head.split(",");
  first.split(",").forEach((v, i) => (typical[names[i]] = v));
} catch {
  // another programme: every metric starts from 1
}

// mulberry32: small, fast, deterministic.
function prng(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20270101);
// Standard normal (Box–Muller).
const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

const decimalsOf = (m) => (m.type === "count" ? 0 : m.type === "amount" ? 2 : 1);
function clamp(m, x) {
  const lo = m.min ?? (m.type === "count" || m.type === "amount" ? 0 : -Infinity);
  const hi = m.max ?? Infinity;
  return Math.min(hi, Math.max(lo, x));
}
function fixed(m, x) {
  const d = decimalsOf(m);
  const v = clamp(m, x);
  return d === 0 ? String(Math.floor(v)) : (Math.round(v * 10 ** d) / 10 ** d).toFixed(d);
}

function dealer(i) {
  const size = Math.exp(0.8 * normal()); // log-normal: median 1, a long tail of big dealers
  const growth = 0.08 + 0.12 * normal();
  const v = {};
  for (const m of program.metrics) {
    const base = Number(typical[m.id] ?? 1);
    if (m.type === "boolean") v[m.id] = rand() < 0.7 ? "true" : "false";
    else if (m.type === "percent" || (!m.cumulative && m.type === "number")) v[m.id] = fixed(m, base + base * 0.15 * normal());
    else v[m.id] = fixed(m, base * size * Math.exp(0.3 * normal()));
  }
  if ("sales_amount" in v && "sales_amount_last_year" in v) {
    v.sales_amount_last_year = fixed(program.metrics.find((m) => m.id === "sales_amount_last_year"), Number(v.sales_amount) / (1 + growth));
  }
  return { id: `D-${String(i).padStart(6, "0")}`, name: `Dealer ${i}`, values: v };
}

mkdirSync(dirname(out), { recursive: true });
const stream = createWriteStream(out);
if (!jsonl) stream.write(["dealer_id", "dealer_name", "as_of", ...program.metrics.map((m) => m.id)].join(",") + "\n");
let buf = "";
for (let i = 1; i <= rows; i++) {
  const d = dealer(i);
  if (jsonl) {
    const values = {};
    for (const m of program.metrics) values[m.id] = m.type === "boolean" ? d.values[m.id] === "true" : Number(d.values[m.id]);
    buf += JSON.stringify({ format: "dealer-incentive-figures/1", dealer: { id: d.id, name: d.name }, as_of: "2027-03-15", values }) + "\n";
  } else {
    buf += [d.id, d.name, "2027-03-15", ...program.metrics.map((m) => d.values[m.id])].join(",") + "\n";
  }
  if (buf.length > 1 << 20) {
    stream.write(buf);
    buf = "";
  }
}
stream.end(buf);
stream.on("finish", () => console.error(`wrote ${rows} dealers to ${out}`));
