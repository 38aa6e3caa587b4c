#!/usr/bin/env node
// The peer: the sample programme evaluated the way dealer portals do it today, with
// json-logic-js over JavaScript numbers (bench/peer/sample-rules.json: one JsonLogic
// expression per derived value, score, rule, cap and total, applied in order; each
// result is stored under its id for the steps after it).
//
//   node bench/peer/peer.mjs check CSV OURS.csv [rows=1000]   # agreement with our batch output, JSON on stdout
//   node bench/peer/peer.mjs bench CSV [runs=3]               # rows/s, JSON on stdout
//
// What `bench` times, per run: reading the CSV file, splitting it into lines and cells
// (the simple way: no quoting, which the generated data never needs), turning cells into
// numbers and booleans, and applying every step to every row; the per-unit totals are
// summed so that nothing is optimised away. It does not write an output file.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import jsonLogic from "json-logic-js";

const HERE = dirname(fileURLToPath(import.meta.url));

// The two operations a portal adds to json-logic-js (it has neither floor nor round).
jsonLogic.add_operation("floor", (x) => Math.floor(x));
jsonLogic.add_operation("round", (x, places) => {
  const f = 10 ** places;
  return (Math.sign(x) * Math.round(Math.abs(x) * f)) / f; // half away from zero, in binary floating point
});

export function loadSteps(path = join(HERE, "sample-rules.json")) {
  return JSON.parse(readFileSync(path, "utf8")).steps;
}

// CSV text -> {names, rows: [{id, name, values}]}; values as numbers and booleans.
export function parseCsv(text, limit = Infinity) {
  const lines = text.split("\n");
  const names = lines[0].replace(/\r$/, "").split(",");
  const rows = [];
  for (let i = 1; i < lines.length && rows.length < limit; i++) {
    const line = lines[i].replace(/\r$/, "");
    if (!line) continue;
    const cells = line.split(",");
    const values = {};
    for (let c = 3; c < names.length; c++) {
      const v = cells[c];
      values[names[c]] = v === "true" ? true : v === "false" ? false : Number(v);
    }
    rows.push({ id: cells[0], name: cells[1], values });
  }
  return { names, rows };
}

// Applies every step to one row's values (the object is extended in place).
export function evaluateRow(steps, data) {
  for (const s of steps) data[s.id] = jsonLogic.apply(s.expr, data);
  return data;
}

const cents = (x) => Math.round(x * 100); // exact for the 2-decimal text of our output

function check(csvPath, oursPath, limit) {
  const steps = loadSteps();
  const { rows } = parseCsv(readFileSync(csvPath, "utf8"), limit);
  const ours = readFileSync(oursPath, "utf8").split(/\r?\n/).filter(Boolean);
  const head = ours[0].split(",");
  const col = (name) => head.indexOf(name);
  const amountCols = steps.filter((s) => s.unit && s.kind !== "cap").map((s) => s.id);
  const awardSteps = steps.filter((s) => s.kind === "award").map((s) => s.id);
  const out = {
    rows: 0,
    totals_agree_to_the_cent: 0,
    total_CNY_agree: 0,
    total_points_agree: 0,
    components_compared: 0,
    components_agree: 0,
    awards_agree: 0,
    disagreements_by_component: {},
    examples: [],
  };
  for (let i = 0; i < rows.length; i++) {
    const r = evaluateRow(steps, { ...rows[i].values });
    const o = ours[i + 1].split(",");
    if (o[1] !== rows[i].id) throw new Error(`row ${i + 2}: dealer ${o[1]} in our output, ${rows[i].id} in the CSV`);
    out.rows++;
    const cny = cents(r.total_CNY) === cents(Number(o[col("total_CNY")]));
    const pts = r.total_points === Number(o[col("total_points")]);
    out.total_CNY_agree += cny;
    out.total_points_agree += pts;
    out.totals_agree_to_the_cent += cny && pts;
    const diffs = [];
    for (const id of amountCols) {
      out.components_compared++;
      const theirs = r[id];
      const mine = Number(o[col(id)]);
      if (cents(theirs) === cents(mine) && Math.abs(theirs * 100 - Math.round(theirs * 100)) < 1e-6) out.components_agree++;
      else {
        out.disagreements_by_component[id] = (out.disagreements_by_component[id] ?? 0) + 1;
        diffs.push({ component: id, peer: theirs, ours: o[col(id)] });
      }
    }
    const theirAwards = awardSteps.filter((a) => r[a]).join(" ");
    if (theirAwards === (o[col("awards")] ?? "")) out.awards_agree++;
    else diffs.push({ component: "awards", peer: theirAwards, ours: o[col("awards")] });
    if (!cny) diffs.push({ component: "total_CNY", peer: r.total_CNY, ours: o[col("total_CNY")] });
    if (diffs.length && out.examples.length < 10) {
      const inputs = {};
      for (const d of diffs) {
        const s = steps.find((x) => x.id === d.component);
        if (s) for (const v of JSON.stringify(s.expr).matchAll(/"var":"([a-z_]+)"/g)) if (v[1] in rows[i].values) inputs[v[1]] = rows[i].values[v[1]];
      }
      out.examples.push({ row: i + 2, dealer: rows[i].id, diffs, inputs });
    }
  }
  return out;
}

function bench(csvPath, runs) {
  const steps = loadSteps();
  const times = [];
  let rowsDone = 0;
  let sink = 0;
  for (let run = 0; run < runs; run++) {
    const t0 = process.hrtime.bigint();
    const { rows } = parseCsv(readFileSync(csvPath, "utf8"));
    let cny = 0;
    let points = 0;
    for (const row of rows) {
      const r = evaluateRow(steps, row.values);
      cny += r.total_CNY;
      points += r.total_points;
    }
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    rowsDone = rows.length;
    sink += cny + points;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length / 2)];
  return {
    rows: rowsDone,
    runs,
    seconds: times,
    seconds_p50: p50,
    rows_per_s: Math.round(rowsDone / p50),
    timed: "read file + split lines/cells + Number()/boolean per cell + json-logic-js apply of every step per row (no output written)",
    sink,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cmd, csv, a, b] = process.argv.slice(2);
  if (cmd === "check") console.log(JSON.stringify(check(csv, a, Number(b ?? 1000)), null, 2));
  else if (cmd === "bench") console.log(JSON.stringify(bench(csv, Number(a ?? 3))));
  else {
    console.error("usage: peer.mjs check CSV OURS.csv [rows] | bench CSV [runs]");
    process.exit(64);
  }
}
