// Errors through the WASM API: every failure is a DealerCalcError with the spec's code,
// never a bare number (what a C++ exception escaping Embind would be).
import { test } from "node:test";
import assert from "node:assert/strict";
import { dealerCalc, readText, samplePaths } from "./helpers.mjs";

const { dc, DealerCalcError } = await dealerCalc();
const programText = readText(samplePaths.program);
const figuresText = readText(samplePaths.figures);

// Runs fn, which must throw a DealerCalcError; returns it.
function failure(fn) {
  try {
    fn();
  } catch (e) {
    assert.notEqual(typeof e, "number", "a C++ exception escaped as a number");
    assert.ok(e instanceof DealerCalcError, `not a DealerCalcError: ${e && e.stack}`);
    assert.ok(e instanceof Error);
    assert.equal(e.name, "DealerCalcError");
    assert.equal(typeof e.code, "string");
    assert.equal(typeof e.message, "string");
    assert.ok(Array.isArray(e.details));
    return e;
  }
  assert.fail("did not throw");
}

test("bad programme JSON: parse_error with line and column", () => {
  const e = failure(() => dc.loadProgram('{\n  "format": "dealer-incentive-program/1",\n  "id": x\n}'));
  assert.equal(e.code, "parse_error");
  assert.equal(e.line, 3);
  assert.equal(e.column, 9);
  assert.match(e.message, /line 3, column 9/);
  assert.equal(e.details[0].reason, "syntax");
  assert.deepEqual(e.details[0].args, { line: 3, column: 9 });
  const empty = failure(() => dc.loadProgram(""));
  assert.equal(empty.code, "parse_error");
  assert.equal(empty.line, 1);
});

test("other programme failures: unsupported_format, invalid_program with every problem", () => {
  assert.equal(failure(() => dc.loadProgram({ format: "something-else/1" })).code, "unsupported_format");
  const source = JSON.parse(programText);
  source.metrics[0].type = "counts";
  source.rules[0].base = "no_such_metric";
  const e = failure(() => dc.loadProgram(source));
  assert.equal(e.code, "invalid_program");
  const paths = e.details.map((d) => d.path);
  assert.ok(paths.includes("/metrics/0/type"), JSON.stringify(paths));
  assert.ok(paths.some((p) => p.startsWith("/rules/0")), JSON.stringify(paths));
  for (const d of e.details) assert.equal(typeof d.message, "string");
});

test("invalid figures: invalid_figures with a detail per bad value", () => {
  const program = dc.loadProgram(programText);
  try {
    const e = failure(() =>
      program.evaluate({ values: { content_posts: 12.5, sales_amount: -3, data_agreement_signed: "yes" } }),
    );
    assert.equal(e.code, "invalid_figures");
    const paths = e.details.map((d) => d.path).sort();
    assert.deepEqual(paths, ["/values/content_posts", "/values/data_agreement_signed", "/values/sales_amount"]);
    const posts = e.details.find((d) => d.path === "/values/content_posts");
    assert.equal(posts.reason, "not_integer");
    assert.equal(failure(() => program.checkFigures({ values: { content_posts: -1 } })).code, "invalid_figures");
    assert.equal(failure(() => program.summary('{"values": {"content_posts": 0.5}}')).code, "invalid_figures");
    const syntax = failure(() => program.evaluateJson('{"values": {'));
    assert.equal(syntax.code, "parse_error");
    assert.equal(syntax.line, 1);
    assert.equal(failure(() => program.evaluate({ format: "dealer-incentive-figures/9", values: {} })).code, "unsupported_format");
  } finally {
    program.dispose();
  }
});

test("CSV: invalid_csv for a malformed file, per-row errors with row/column/header", () => {
  const program = dc.loadProgram(programText);
  try {
    const e = failure(() => program.parseCsv('dealer_id,content_posts\nD-1,"12\n'));
    assert.equal(e.code, "invalid_csv");
    assert.ok(e.details.length > 0);
    const csv = program.parseCsv("dealer_id,content_posts,sales_amount\nD-1,12,100.5\nD-2,1.5,abc\n");
    assert.deepEqual(csv.header.names, ["dealer_id", "content_posts", "sales_amount"]);
    assert.deepEqual(csv.header.metrics, [null, "content_posts", "sales_amount"]);
    assert.deepEqual(csv.header.unknown, []);
    assert.equal(csv.rows.length, 2);
    assert.equal(csv.rows[0].line, 2);
    assert.deepEqual(csv.rows[0].errors, []);
    assert.equal(csv.rows[0].figures.values.content_posts, 12);
    assert.equal(csv.rows[1].line, 3);
    const bad = csv.rows[1].errors.map((d) => d.path).sort();
    assert.deepEqual(bad, ["/values/content_posts", "/values/sales_amount"]);
    for (const d of csv.rows[1].errors) {
      assert.equal(d.args.row, 3);
      assert.equal(typeof d.args.column, "number");
      assert.equal(typeof d.args.header, "string");
    }
    assert.equal(failure(() => program.parseCsv("a,b\n1,2\n")).code, "invalid_csv");
  } finally {
    program.dispose();
  }
});

test("logic: logic_error with reason and path, parse_error for bad JSON", () => {
  const zero = failure(() => dc.evaluateLogic({ if: [true, { "/": [1, 0] }, 0] }));
  assert.equal(zero.code, "logic_error");
  assert.equal(zero.details[0].reason, "division_by_zero");
  assert.equal(zero.details[0].path, "/if/1");
  assert.equal(failure(() => dc.evaluateLogic({ no_such_op: [1] })).details[0].reason, "unknown_operator");
  const overflow = failure(() => dc.evaluateLogic({ "*": [1e14, 1e14] }));
  assert.equal(overflow.code, "logic_error");
  assert.equal(overflow.details[0].reason, "overflow");
  const syntax = failure(() => dc.evaluateLogicJson('{"+": [1, }'));
  assert.equal(syntax.code, "parse_error");
  assert.equal(syntax.column, 11);
  assert.equal(failure(() => dc.evaluateLogicJson("1", "{")).code, "parse_error");
});

test("C++ exceptions of every kind stop at the boundary (never a number)", () => {
  const raw = dc._raw;
  const texts = [0, 1, 2].map((kind) => raw.throwForTest(kind));
  for (const text of texts) {
    assert.equal(typeof text, "string");
    assert.equal(text[0], "!");
  }
  const [failureText, stdText, otherText] = texts.map((t) => JSON.parse(t.slice(1)).error);
  assert.equal(failureText.code, "invalid_figures");
  assert.equal(failureText.details[0].path, "/values/x");
  assert.deepEqual(stdText, { code: "internal_error", message: "test exception", details: [] });
  assert.equal(otherText.code, "internal_error");
  // Figures at the edge of the number range: whatever the core does, it answers with a
  // result or a DealerCalcError.
  const program = dc.loadProgram(programText);
  try {
    for (const v of ["999999999999999", "1e15", "-1e-13", "0.0000000000001"]) {
      const text = figuresText.replace('"sales_amount": 648236.8', `"sales_amount": ${v}`);
      try {
        program.evaluateJson(text);
      } catch (e) {
        assert.ok(e instanceof DealerCalcError, `sales_amount ${v}: ${typeof e} ${e}`);
      }
    }
  } finally {
    program.dispose();
  }
});

test("deep nesting is refused as parse_error / logic_error, not a crash", () => {
  for (const text of ["[".repeat(100000), '{"a":'.repeat(5000) + "1" + "}".repeat(5000)]) {
    assert.equal(failure(() => dc.loadProgram(text)).code, "parse_error");
    assert.equal(failure(() => dc.evaluateLogicJson(text)).code, "parse_error");
  }
  const nested = (n) => Array.from({ length: n }).reduce((a) => ({ "+": [a, 1] }), 1);
  assert.equal(dc.evaluateLogic(nested(60)), 61);
  assert.equal(failure(() => dc.evaluateLogic(nested(100))).code, "logic_error");
  // The module still works afterwards.
  assert.equal(dc.evaluateLogic({ "+": [1, 2] }), 3);
});

test("a disposed programme says so; dispose() twice is harmless", () => {
  const program = dc.loadProgram(programText);
  const before = dc.memoryInUse();
  program.dispose();
  assert.ok(dc.memoryInUse() < before, "dispose() frees the programme");
  program.dispose();
  assert.throws(() => program.evaluate(figuresText), /after dispose\(\)/);
  assert.throws(() => program.evaluateJson(figuresText), /after dispose\(\)/);
  assert.throws(() => program.parseCsv("a"), /after dispose\(\)/);
  assert.throws(() => program.csvTemplate(), /after dispose\(\)/);
  assert.equal(program.info.id, "sample-digital-2027h1", "info stays readable");
});

test("wrong argument types are TypeErrors, not crashes", () => {
  const program = dc.loadProgram(programText);
  try {
    assert.throws(() => program.parseCsv(42), TypeError);
    assert.throws(() => dc.evaluateLogicJson({ "+": [1] }), TypeError);
    assert.throws(() => dc.loadProgram(() => 1), TypeError);
  } finally {
    program.dispose();
  }
});
