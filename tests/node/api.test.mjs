// The API of wasm/dealer-calc.d.ts, method by method, on the sample programme (and the
// same answers as the native CLI where the CLI has them).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { dealerCalc, loadModule, nativeCli, readText, requireFile, root, run, samplePaths } from "./helpers.mjs";

const { dc } = await dealerCalc();
const programText = readText(samplePaths.program);
const figuresText = readText(samplePaths.figures);
const source = JSON.parse(programText);

test("createDealerCalc() is memoized", async () => {
  const mod = await loadModule();
  const a = mod.createDealerCalc();
  const b = mod.createDealerCalc();
  assert.equal(a, b);
  assert.equal(await a, dc);
  assert.ok(Object.isFrozen(dc));
});

test("version is the core's, as the native CLI prints it", async () => {
  requireFile(nativeCli, "build the native preset first");
  const n = await run(nativeCli, ["--version"]);
  assert.equal(`dealer-calc ${dc.version}\n`, n.stdout);
  assert.match(dc.version, /^\d+\.\d+\.\d+/);
});

test("info: the ProgramInfo of the typings", () => {
  const program = dc.loadProgram(programText);
  try {
    const info = program.info;
    assert.equal(info.id, source.id);
    assert.equal(info.version, source.version);
    assert.deepEqual(info.name, source.name);
    assert.equal(info.currency, "CNY");
    assert.deepEqual(info.units[0], { id: "CNY", precision: 2, currency: true });
    assert.deepEqual(info.units[1], { id: "points", label: source.units[0].label, precision: 0, currency: false });
    assert.deepEqual(info.period, source.period);
    assert.equal(info.metrics.length, source.metrics.length);
    const byId = Object.fromEntries(info.metrics.map((m) => [m.id, m]));
    assert.deepEqual(byId.content_posts, {
      id: "content_posts", label: source.metrics[0].label, help: source.metrics[0].help, category: "content",
      type: "count", min: 0, max: 1000, default: 0, cumulative: true, decimals: 0, resolution: 1,
    });
    assert.equal(byId.community_gmv.decimals, 2);
    assert.equal(byId.community_gmv.resolution, 0.01);
    assert.equal(byId.data_agreement_signed.type, "boolean");
    assert.equal(byId.data_agreement_signed.default, false);
    assert.equal(byId.community_members.default, undefined);
    for (const m of info.metrics) {
      assert.equal(typeof m.decimals, "number");
      assert.equal(typeof m.resolution, "number");
      assert.equal(typeof m.cumulative, "boolean");
    }
    assert.deepEqual(info.source, source);
  } finally {
    program.dispose();
  }
});

test("evaluate and evaluateJson: the same result; options; object or text input", () => {
  const program = dc.loadProgram(source);
  try {
    const text = program.evaluateJson(figuresText);
    assert.ok(text.startsWith('{"format":"dealer-incentive-result/1"'), "compact by default");
    const result = program.evaluate(JSON.parse(figuresText));
    assert.deepEqual(result, JSON.parse(text));
    assert.equal(result.program.id, source.id);
    assert.ok(result.projection, "as_of in the period gives a projection");
    assert.ok(result.components.some((c) => c.next), "next tiers by default");
    assert.ok(result.components.every((c) => c.trace), "a trace on every component by default");
    const lean = program.evaluate(figuresText, { next: false, projection: false, trace: false });
    assert.equal(lean.projection, undefined);
    // Without next: the next tier itself stays, its drivers and unlock go.
    assert.ok(lean.components.every((c) => !(c.next && c.next.drivers) && !c.unlock && !c.trace));
    assert.ok(lean.components.some((c) => c.next));
    assert.deepEqual(lean.totals, result.totals);
    const pretty = program.evaluateJson(figuresText, { pretty: true });
    assert.ok(pretty.startsWith('{\n  "format"'));
    assert.deepEqual(JSON.parse(pretty), result);
  } finally {
    program.dispose();
  }
});

test("pretty output is the native CLI's, byte for byte", async () => {
  requireFile(nativeCli, "build the native preset first");
  const program = dc.loadProgram(programText);
  try {
    const n = await run(nativeCli, ["evaluate", "--program", samplePaths.program, "--figures", samplePaths.figures]);
    assert.equal(n.code, 0);
    assert.equal(program.evaluateJson(figuresText, { pretty: true }) + "\n", n.stdout);
  } finally {
    program.dispose();
  }
});

test("checkFigures, summary, csvTemplate, parseCsv", async () => {
  requireFile(nativeCli, "build the native preset first");
  const program = dc.loadProgram(programText);
  try {
    const check = program.checkFigures(figuresText);
    assert.ok(Array.isArray(check.warnings));
    const withWarnings = program.checkFigures({ values: { content_posts: 1, no_such: 2 } });
    const codes = withWarnings.warnings.map((w) => w.code);
    assert.ok(codes.includes("unknown_metric"), JSON.stringify(codes));
    assert.ok(codes.includes("missing_metric"), JSON.stringify(codes));

    const v1 = await run(nativeCli, ["validate", "--program", samplePaths.program]);
    assert.equal(program.summary() + "\n", v1.stdout);
    const v2 = await run(nativeCli, ["validate", "--program", samplePaths.program, "--figures", samplePaths.figures]);
    assert.equal(program.summary(figuresText) + "\n", v2.stdout);
    assert.equal(program.summary(JSON.parse(figuresText)), program.summary(figuresText));

    const template = program.csvTemplate();
    assert.equal(template, "dealer_id,dealer_name,as_of," + source.metrics.map((m) => m.id).join(",") + "\r\n");
    const parsed = program.parseCsv(readText(samplePaths.csv));
    assert.ok(parsed.rows.length > 0);
    assert.equal(parsed.header.names.length, parsed.header.metrics.length);
    for (const row of parsed.rows) {
      assert.equal(typeof row.line, "number");
      assert.ok(row.figures.values);
      if (row.errors.length === 0) program.evaluate(row.figures, { next: false });
    }
    // A template filled in reads back.
    const filled = program.parseCsv(template + "D-9,Test,2027-03-01," + source.metrics.map((m) => (m.type === "boolean" ? "yes" : "1")).join(",") + "\r\n");
    assert.deepEqual(filled.rows[0].errors, []);
    assert.equal(filled.rows[0].figures.dealer.id, "D-9");
    assert.equal(filled.rows[0].figures.as_of, "2027-03-01");
  } finally {
    program.dispose();
  }
});

test("evaluateLogic and evaluateLogicJson: exact decimals", () => {
  assert.equal(dc.evaluateLogic({ "+": [0.1, 0.2] }), 0.3);
  assert.equal(dc.evaluateLogicJson('{"+": [0.1, 0.2]}'), "0.3");
  assert.equal(dc.evaluateLogicJson('{"*": [{"var": "a"}, 3]}', '{"a": 0.1}'), "0.3");
  assert.equal(dc.evaluateLogic({ var: "a.b" }, { a: { b: [1, 2] } })[1], 2);
  assert.equal(dc.evaluateLogic({ var: "x" }), null);
  assert.deepEqual(dc.evaluateLogic({ map: [[1, 2], { "*": [{ var: "" }, 1.5] }] }), [1.5, 3]);
  assert.equal(dc.evaluateLogic({ cat: ["a", 1] }), "a1");
  // A result shaped like an error object is still a result.
  assert.deepEqual(dc.evaluateLogic({ var: "" }, { error: { code: "x" } }), { error: { code: "x" } });
});

test("the JsonLogic suite (tests/jsonlogic) through WASM", async () => {
  const cases = JSON.parse(readText(join(root, "tests", "jsonlogic", "tests.json"))).filter(Array.isArray);
  assert.equal(cases.length, 262);
  let passed = 0;
  for (const [rule, data, expected] of cases) {
    const got = dc.evaluateLogic(rule, data);
    assert.deepEqual(got, expected, `${JSON.stringify(rule)} with ${JSON.stringify(data)}`);
    passed++;
  }
  assert.ok(passed > 200);
});

test("a failed load keeps nothing alive; loading many programmes works", () => {
  const before = dc.memoryInUse();
  for (let i = 0; i < 50; i++) {
    assert.throws(() => dc.loadProgram('{"format": "dealer-incentive-program/1"}'));
    dc.loadProgram(programText).dispose();
  }
  assert.ok(dc.memoryInUse() - before < 4096, `${before} → ${dc.memoryInUse()}`);
});
