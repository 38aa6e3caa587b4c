// Memory stays flat: 100,000 evaluations of the sample programme (plus, every 1,000th
// time, a full evaluation, an error, a CSV parse, a logic rule and a programme loaded and
// disposed) leave the allocator's bytes in use where they were, and the WASM memory
// never grows.
//
//   DEALERCALC_MEMORY_EVALS=N (default 100000)
import { test } from "node:test";
import assert from "node:assert/strict";
import { dealerCalc, readText, samplePaths } from "./helpers.mjs";

const EVALS = Number(process.env.DEALERCALC_MEMORY_EVALS || 100000);

test(`memory stays flat over ${EVALS} evaluations`, async (t) => {
  const { dc, DealerCalcError } = await dealerCalc();
  const raw = dc._raw;
  const programText = readText(samplePaths.program);
  const figures = readText(samplePaths.figures);
  const csv = readText(samplePaths.csv);
  const program = dc.loadProgram(programText);
  const bad = JSON.stringify({ values: { content_posts: 1.5, sales_amount: -1 } });
  const occasional = () => {
    program.evaluateJson(figures); // next tiers, drivers, projection, trace
    assert.throws(() => program.evaluateJson(bad), DealerCalcError);
    assert.throws(() => dc.loadProgram("{\"format\": 1"), DealerCalcError);
    program.parseCsv(csv);
    program.checkFigures(figures);
    program.summary(figures);
    dc.evaluateLogic({ "*": [{ var: "a" }, 0.1] }, { a: 3 });
    assert.throws(() => dc.evaluateLogic({ "/": [1, 0] }), DealerCalcError);
    const other = dc.loadProgram(programText);
    other.evaluateJson(figures, { next: false });
    other.dispose();
  };
  const cheap = { next: false, projection: false, trace: false };

  // Warm up: the allocator's free lists and any lazily built state settle first.
  for (let i = 0; i < 2000; i++) program.evaluateJson(figures, cheap);
  for (let i = 0; i < 3; i++) occasional();
  const heapBefore = raw.HEAP8.buffer.byteLength;
  const inUseBefore = dc.memoryInUse();

  const started = performance.now();
  let last = "";
  for (let i = 1; i <= EVALS; i++) {
    last = program.evaluateJson(figures, cheap);
    if (i % 1000 === 0) occasional();
  }
  const seconds = (performance.now() - started) / 1000;

  const inUseAfter = dc.memoryInUse();
  const heapAfter = raw.HEAP8.buffer.byteLength;
  t.diagnostic(
    `${EVALS} evaluations in ${seconds.toFixed(1)} s (${((seconds * 1e6) / EVALS).toFixed(0)} µs each); ` +
      `bytes in use ${inUseBefore} → ${inUseAfter}; WASM memory ${heapBefore} → ${heapAfter} bytes`,
  );
  assert.ok(last.startsWith('{"format":"dealer-incentive-result/1"'));
  assert.equal(heapAfter, heapBefore, "the WASM memory grew");
  assert.ok(Math.abs(inUseAfter - inUseBefore) <= 16 * 1024, `bytes in use moved from ${inUseBefore} to ${inUseAfter}`);
  program.dispose();
  assert.ok(dc.memoryInUse() < inUseAfter, "dispose() gives the programme's memory back");
});
