// Every case in tests/conformance/cases through the WebAssembly build, matched as
// tests/conformance/README.md says (the native core runs them in tests/core).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { dealerCalc, readText, root } from "./helpers.mjs";
import { parseExact, stringifyExact, mismatch } from "./match.mjs";

const dir = join(root, "tests", "conformance", "cases");
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

test("there are conformance cases", () => {
  assert.ok(files.length >= 12, `only ${files.length} cases in ${dir}`);
});

const { dc, DealerCalcError } = await dealerCalc();

for (const file of files) {
  test(`conformance ${file}`, () => {
    const kase = parseExact(readText(join(dir, file)));
    assert.ok(kase.program && kase.figures, "a case has program and figures");
    // The documents exactly as written (numbers included).
    const programText = stringifyExact(kase.program);
    const figuresText = stringifyExact(kase.figures);
    let out = null;
    let error = null;
    try {
      const program = dc.loadProgram(programText);
      try {
        out = program.evaluateJson(figuresText);
      } finally {
        program.dispose();
      }
    } catch (e) {
      if (!(e instanceof DealerCalcError)) throw e;
      error = e;
    }
    if (kase.expect_error) {
      assert.ok(error, `expected an error object, got ${out && out.slice(0, 300)}`);
      assert.equal(error.code, kase.expect_error.code);
      const paths = error.details.map((d) => d.path);
      for (const want of kase.expect_error.paths || []) {
        assert.ok(paths.includes(want), `no detail at ${want} in ${JSON.stringify(error.details)}`);
      }
    } else {
      assert.equal(error, null, error && `${error.code}: ${error.message} ${JSON.stringify(error.details)}`);
      const why = mismatch(kase.expect, parseExact(out));
      assert.equal(why, null, why);
    }
  });
}
