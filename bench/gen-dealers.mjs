// Deterministic synthetic dealers for the sample programme (or any programme):
//   node bench/gen-dealers.mjs [rows=100000] [out=build/bench/dealers.csv] [program=programs/sample/program.json]
// Values are drawn per metric type within min/max from a fixed-seed PRNG, so every run
// writes the same file.
import { readFileSync, writeFileSync, mkdirSync, createWriteStream } from "node:fs";
import { dirname } from "node:path";

const rows = Number(process.argv[2] ?? 100000);
const out = process.argv[3] ?? "build/bench/dealers.csv";
const program = JSON.parse(readFileSync(process.argv[4] ?? "programs/sample/program.json", "utf8"));

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

function value(m) {
  const lo = m.min ?? 0;
  const hi = m.max ?? (m.type === "amount" ? 2000000 : m.type === "percent" ? 100 : m.type === "count" ? 5000 : 100);
  const x = lo + (hi - lo) * Math.pow(rand(), 2.2); // skewed: many small dealers, few big ones
  switch (m.type) {
    case "boolean": return rand() < 0.6 ? "true" : "false";
    case "count": return String(Math.floor(x));
    case "amount": return x.toFixed(2);
    default: return x.toFixed(2);
  }
}

mkdirSync(dirname(out), { recursive: true });
const stream = createWriteStream(out);
const header = ["dealer_id", "dealer_name", "as_of", ...program.metrics.map((m) => m.id)];
stream.write(header.join(",") + "\n");
let buf = "";
for (let i = 1; i <= rows; i++) {
  const cells = [`D-${String(i).padStart(6, "0")}`, `Dealer ${i}`, "2027-03-15", ...program.metrics.map(value)];
  buf += cells.join(",") + "\n";
  if (buf.length > 1 << 20) {
    stream.write(buf);
    buf = "";
  }
}
stream.end(buf);
stream.on("finish", () => console.error(`wrote ${rows} dealers to ${out}`));
