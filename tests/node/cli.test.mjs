// `node dist/cli.mjs` against the native CLI: the same stdout, byte for byte, and the same
// exit code, for validate / evaluate / logic on the conformance cases and the sample (batch: batch.test.mjs),
// for error objects (parse, validation, I/O) and for usage mistakes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dist, nativeCli, pool, readText, requireFile, root, run, samplePaths } from "./helpers.mjs";
import { parseExact, stringifyExact } from "./match.mjs";

const cli = requireFile(join(dist, "cli.mjs"), "build the wasm preset first");
requireFile(nativeCli, "build the native preset first");

const dir = mkdtempSync(join(tmpdir(), "dealercalc-cli-"));
const file = (name, text) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

// Every invocation: [label, args].
const invocations = [];
const add = (label, args) => invocations.push([label, args]);

// The conformance cases and the sample.
const casesDir = join(root, "tests", "conformance", "cases");
const programs = [["sample", samplePaths.program, samplePaths.figures]];
for (const name of readdirSync(casesDir).filter((f) => f.endsWith(".json")).sort()) {
  const kase = parseExact(readText(join(casesDir, name)));
  const base = name.replace(/\.json$/, "");
  programs.push([base, file(`${base}.program.json`, stringifyExact(kase.program)), file(`${base}.figures.json`, stringifyExact(kase.figures))]);
}
for (const [name, program, figures] of programs) {
  add(`${name}: evaluate`, ["evaluate", "--program", program, "--figures", figures]);
  add(`${name}: evaluate --compact`, ["evaluate", "--program", program, "--figures", figures, "--compact"]);
  add(`${name}: evaluate --no-next --no-trace --compact`, ["evaluate", "--program", program, "--figures", figures, "--no-next", "--no-trace", "--compact"]);
  add(`${name}: validate`, ["validate", "--program", program]);
  add(`${name}: validate with figures`, ["validate", "--program", program, "--figures", figures]);
}
add("sample: evaluate --no-trace", ["evaluate", "--program", samplePaths.program, "--figures", samplePaths.figures, "--no-trace"]);

// Error objects: bad JSON (pretty and compact), invalid figures, files that cannot be read.
const badJson = file("bad.json", '{\n  "format": "dealer-incentive-program/1",\n  "id": \n}');
const badFigures = file("bad-figures.json", '{"values": {"content_posts": 1.5, "sales_amount": -2}}');
const emptyDir = join(dir, "a-directory");
mkdirSync(emptyDir);
add("programme parse_error", ["evaluate", "--program", badJson, "--figures", samplePaths.figures]);
add("programme parse_error --compact", ["validate", "--program", badJson, "--compact"]);
add("figures invalid_figures", ["evaluate", "--program", samplePaths.program, "--figures", badFigures]);
add("figures invalid_figures (validate)", ["validate", "--program", samplePaths.program, "--figures", badFigures, "--compact"]);
add("figures parse_error", ["evaluate", "--program", samplePaths.program, "--figures", badJson]);
add("missing programme file", ["evaluate", "--program", join(dir, "missing.json"), "--figures", samplePaths.figures]);
add("missing figures file", ["validate", "--program", samplePaths.program, "--figures", join(dir, "missing.json"), "--compact"]);
add("a directory as the programme", ["validate", "--program", emptyDir]);

// logic: a sample of the JsonLogic suite, and its failures.
const suite = JSON.parse(readText(join(root, "tests", "jsonlogic", "tests.json"))).filter(Array.isArray);
suite.forEach(([rule, data], i) => {
  if (i % 12 !== 0) return;
  const args = ["logic", "--rule", file(`rule-${i}.json`, JSON.stringify(rule)), "--data", file(`data-${i}.json`, JSON.stringify(data))];
  add(`logic #${i}`, i % 24 === 0 ? [...args, "--compact"] : args);
});
add("logic without data", ["logic", "--rule", file("rule-nodata.json", '{"+": [0.1, 0.2, {"var": "x"}]}')]);
add("logic exact decimals", ["logic", "--rule", file("rule-exact.json", '{"*": [{"var": "a"}, 3]}'), "--data", file("data-exact.json", '{"a": 0.1}')]);
add("logic division by zero", ["logic", "--rule", file("rule-div0.json", '{"if": [true, {"/": [1, 0]}]}')]);
add("logic unknown operator --compact", ["logic", "--rule", file("rule-unknown.json", '{"frobnicate": [1]}'), "--compact"]);
add("logic overflow", ["logic", "--rule", file("rule-overflow.json", '{"*": [100000000000000, 100000000000000]}')]);
add("logic bad rule JSON (data missing too)", ["logic", "--rule", badJson, "--data", join(dir, "missing.json")]);
add("logic bad data JSON", ["logic", "--rule", file("rule-ok.json", "1"), "--data", badJson]);
add("logic missing rule file", ["logic", "--rule", join(dir, "missing.json")]);

// Usage mistakes (exit 64, nothing on stdout) and --version.
add("no arguments", []);
add("--version", ["--version"]);
add("--version with more", ["--version", "x"]);
add("unknown command", ["frobnicate"]);
add("unknown option", ["evaluate", "--programme", samplePaths.program]);
add("option without its value", ["evaluate", "--program"]);
add("evaluate without figures", ["evaluate", "--program", samplePaths.program]);
add("validate without programme", ["validate", "--compact"]);
add("logic without rule", ["logic", "--data", samplePaths.figures]);
add("options repeated: the last wins", ["validate", "--program", badJson, "--program", samplePaths.program, "--pretty"]);

test(`node dist/cli.mjs and the native CLI agree on ${invocations.length} invocations`, async (t) => {
  const started = performance.now();
  const results = await pool(
    invocations.map(([label, args]) => async () => {
      const [n, w] = await Promise.all([run(nativeCli, args), run(process.execPath, [cli, ...args])]);
      return { label, args, n, w };
    }),
    2,
  );
  const failures = [];
  const codes = {};
  for (const { label, n, w } of results) {
    codes[n.code] = (codes[n.code] || 0) + 1;
    if (n.code !== w.code || n.stdout !== w.stdout) {
      failures.push(`${label}: native exit ${n.code}, wasm exit ${w.code}\n  native: ${n.stdout.slice(0, 300)}\n  wasm:   ${w.stdout.slice(0, 300)}\n  wasm stderr: ${w.stderr.slice(0, 300)}`);
    } else if (n.code === 64) {
      assert.equal(w.stdout, "", `${label}: nothing on stdout`);
      assert.match(w.stderr, /usage:/, `${label}: usage on stderr`);
    }
  }
  t.diagnostic(`${results.length} invocations in ${((performance.now() - started) / 1000).toFixed(1)} s; exit codes ${JSON.stringify(codes)}`);
  assert.deepEqual(failures, []);
  // Every outcome was exercised.
  assert.ok(codes[0] > 30 && codes[2] > 8 && codes[64] >= 7, JSON.stringify(codes));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
