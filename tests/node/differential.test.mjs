// Differential test: the native CLI (`dealer-calc evaluate --compact`) and the WASM build
// (`evaluateJson(…, {pretty: false})`) on the sample programme with randomized figures
// (deterministic, seeded): byte-identical results, and the same error objects.
//
//   DEALERCALC_DIFF_CASES=N (default 1000)   DEALERCALC_DIFF_SEED=S (default 20270315)
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dealerCalc, nativeCli, pool, prng, readText, requireFile, run, samplePaths } from "./helpers.mjs";

const CASES = Number(process.env.DEALERCALC_DIFF_CASES || 1000);
const SEED = Number(process.env.DEALERCALC_DIFF_SEED || 20270315);

// Every number the programme's rules compare against: tier thresholds, `when` limits.
function interestingNumbers(source) {
  const found = new Set();
  const walk = (v) => {
    if (typeof v === "number") found.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  for (const rule of source.rules || []) {
    for (const tier of rule.tiers || []) walk(tier.from);
    walk(rule.when);
  }
  return [...found];
}

function makeGenerator(info, sampleValues) {
  const interesting = interestingNumbers(info.source);
  const dealers = ["杭州西湖数码专营店", "Shanghai Pudong Store", "成都 \"旗舰\" 店", "Dealer, with comma", "Ürümqi 🚗"];
  return function generate(random, index) {
    const pick = (list) => list[Math.floor(random() * list.length)];
    const values = [];
    let invalid = random() < 0.03 ? Math.floor(random() * info.metrics.length) : -1;
    for (const [i, m] of info.metrics.entries()) {
      if (random() < 0.06) continue; // missing: default or missing_metric
      let text;
      if (m.type === "boolean") {
        text = random() < 0.6 ? "true" : "false";
      } else {
        const min = m.min ?? 0;
        const max = m.max ?? 1e7;
        const r = random();
        let x;
        if (r < 0.05) x = min;
        else if (r < 0.08) x = max;
        else if (r < 0.25 && interesting.length) x = pick(interesting) + pick([-1, 0, 0, 1]) * m.resolution;
        else {
          const center = typeof sampleValues[m.id] === "number" && sampleValues[m.id] > 0 ? sampleValues[m.id] : Math.max(1, max / 1000);
          x = center * Math.exp((random() * 2 - 1) * Math.log(20)); // 1/20 … 20 times the sample
        }
        x = Math.min(max, Math.max(min, x));
        const places = m.decimals === 0 ? 0 : Math.floor(random() * (m.decimals + 1));
        text = x.toFixed(places);
        if (Number(text) > max) text = String(max);
        if (Number(text) < min) text = String(min);
      }
      if (i === invalid) {
        // One value the core must refuse: too many decimals, out of range, wrong type.
        const kind = Math.floor(random() * 3);
        if (m.type === "boolean" || kind === 2) text = m.type === "boolean" ? "3" : '"12"';
        else if (kind === 0) text = m.decimals < 6 ? `${Math.floor(Number(text))}.${"1234567".slice(0, m.decimals + 1)}` : "1e300";
        else text = String((m.max ?? 1e9) * 2 + 1);
        invalid = -2;
      }
      values.push(`${JSON.stringify(m.id)}:${text}`);
    }
    const doc = { format: '"dealer-incentive-figures/1"' };
    doc.dealer = JSON.stringify({ id: `D-${String(index).padStart(4, "0")}`, name: pick(dealers) });
    const r = random();
    if (info.period && r < 0.7) {
      const start = Date.parse(info.period.start);
      const end = Date.parse(info.period.end);
      const span = (end - start) / 86400000;
      const day = r < 0.6 ? Math.floor(random() * (span + 1)) : pick([-10, -1, span + 1, span + 40]);
      doc.as_of = JSON.stringify(new Date(start + day * 86400000).toISOString().slice(0, 10));
    }
    if (random() < 0.02) values.push('"not_a_metric":1');
    const members = Object.entries(doc).map(([k, v]) => `${JSON.stringify(k)}:${v}`);
    return `{${members.join(",")},"values":{${values.join(",")}}}`;
  };
}

test(`native CLI and WASM agree byte for byte on ${CASES} random figure sets (seed ${SEED})`, async (t) => {
  requireFile(nativeCli, "build it with cmake --preset native && cmake --build --preset native");
  const { dc, DealerCalcError } = await dealerCalc();
  const programText = readText(samplePaths.program);
  const program = dc.loadProgram(programText);
  const sample = JSON.parse(readText(samplePaths.figures)).values;
  const generate = makeGenerator(program.info, sample);
  const random = prng(SEED);
  const dir = mkdtempSync(join(tmpdir(), "dealercalc-diff-"));
  const optionSets = [
    { args: [], options: {} },
    { args: [], options: {} },
    { args: ["--no-next"], options: { next: false } },
    { args: ["--no-next", "--no-trace"], options: { next: false, trace: false } },
  ];
  const stats = { results: 0, errors: 0, wasmMs: 0 };
  const failures = [];
  const started = performance.now();
  try {
    const cases = [];
    for (let i = 0; i < CASES; i++) {
      const file = join(dir, `figures-${i}.json`);
      const text = generate(random, i);
      writeFileSync(file, text);
      cases.push({ i, file, text, variant: optionSets[i % optionSets.length] });
    }
    const jobs = cases.map((c) => async () => {
      const native = run(nativeCli, ["evaluate", "--program", samplePaths.program, "--figures", c.file, "--compact", ...c.variant.args]);
      const t0 = performance.now();
      let wasm;
      let wasmError = null;
      try {
        wasm = program.evaluateJson(c.text, { ...c.variant.options, pretty: false });
      } catch (e) {
        if (!(e instanceof DealerCalcError)) throw e;
        wasmError = e;
      }
      stats.wasmMs += performance.now() - t0;
      const n = await native;
      if (wasmError) {
        stats.errors++;
        const expected = { code: wasmError.code, message: wasmError.message };
        if (wasmError.line !== undefined) Object.assign(expected, { line: wasmError.line, column: wasmError.column });
        expected.details = wasmError.details;
        let nativeError;
        try {
          nativeError = JSON.parse(n.stdout).error;
        } catch {
          nativeError = n.stdout;
        }
        try {
          assert.equal(n.code, 2);
          assert.deepStrictEqual(nativeError, expected);
        } catch (e) {
          failures.push({ c, why: `error objects differ: native ${n.stdout.slice(0, 400)} wasm ${JSON.stringify(expected).slice(0, 400)}` });
        }
      } else {
        stats.results++;
        if (n.code !== 0 || n.stdout !== wasm + "\n") {
          let at = 0;
          while (at < wasm.length && wasm[at] === n.stdout[at]) at++;
          failures.push({ c, why: `exit ${n.code}; first difference at offset ${at}: native …${n.stdout.slice(Math.max(0, at - 80), at + 80)}… wasm …${wasm.slice(Math.max(0, at - 80), at + 80)}…` });
        }
      }
    });
    await pool(jobs, 2);
  } finally {
    program.dispose();
    if (!failures.length) rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`${CASES} cases (${stats.results} results, ${stats.errors} error objects) in ${seconds.toFixed(1)} s; WASM evaluation ${(stats.wasmMs / CASES).toFixed(2)} ms/case`);
  assert.ok(stats.results > CASES * 0.8, "most random figure sets are valid");
  assert.ok(stats.errors > 0, "some random figure sets are invalid");
  assert.equal(
    failures.length,
    0,
    `${failures.length} of ${CASES} differ (figures kept in ${dir}); first: case ${failures[0]?.c.i} (${failures[0]?.c.variant.args.join(" ")}): ${failures[0]?.why}`,
  );
});
