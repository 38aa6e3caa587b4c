// Program.batch() (the WASM Batch) and `node dist/cli.mjs batch` against the native
// `dealer-calc batch`: the same output bytes for CSV and JSON Lines, with and without next
// tiers, whatever the size of the pieces the input is pushed in; bad rows skipped with
// their row number; an unusable header is an error; memory stays flat.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dealerCalc, dist, nativeCli, readText, requireFile, run, samplePaths } from "./helpers.mjs";

const { dc, DealerCalcError } = await dealerCalc();
const cli = requireFile(join(dist, "cli.mjs"), "build the wasm preset first");
requireFile(nativeCli, "build the native preset first");
const programText = readText(samplePaths.program);
const csv = readText(samplePaths.csv);
const dir = mkdtempSync(join(tmpdir(), "dealercalc-batch-"));
const file = (name, text) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

// The native CLI's output for an input file: {stdout (or the --out file), stderr, code}.
async function native(figuresPath, { out = "csv", next = false } = {}) {
  const outPath = join(dir, `native-${Math.random().toString(36).slice(2)}.${out}`);
  const args = ["batch", "--program", samplePaths.program, "--figures", figuresPath, "--out", outPath];
  if (next) args.push("--next");
  const r = await run(nativeCli, args);
  return { output: readFileSync(outPath, "utf8"), stderr: r.stderr, code: r.code };
}

// Pushes `text` in pieces of `size` characters (0 = all at once).
function throughApi(program, text, options, size = 0) {
  const batch = program.batch(options);
  try {
    let output = "";
    if (size <= 0) output += batch.push(text);
    else for (let i = 0; i < text.length; i += size) output += batch.push(text.slice(i, i + size));
    output += batch.finish();
    return { output, status: batch.status(), problems: batch.takeProblems() };
  } finally {
    batch.dispose();
  }
}

// Twelve sample dealers, a row with a bad cell, a quoted name with a comma and a formula.
const rows = csv.trimEnd().split(/\r?\n/);
const mixed =
  [rows[0], ...rows.slice(1, 6), rows[1].replace(/^D-\d+/, "D-BAD").replace(/,\d+,/, ",12.5,"), ...rows.slice(6)].join("\r\n") +
  '\r\n"=HYPERLINK(""x"")","Shop, ""Big"" 大",' + rows[1].split(",").slice(2).join(",") + "\r\n";
const mixedPath = file("mixed.csv", mixed);

for (const out of ["csv", "jsonl"]) {
  for (const next of [false, true]) {
    test(`batch ${out}${next ? " --next" : ""}: the same bytes as the native CLI, in pieces of any size`, async () => {
      const expected = await native(mixedPath, { out, next });
      assert.equal(expected.code, 1, "one row is bad");
      const program = dc.loadProgram(programText);
      try {
        for (const size of [0, 1, 7, 64, 1000]) {
          const r = throughApi(program, mixed, { input: "csv", output: out, next }, size);
          assert.equal(r.output, expected.output, `pieces of ${size}`);
          assert.equal(r.status.rows, rows.length + 1);
          assert.equal(r.status.errors, 1);
          assert.equal(r.status.stopped, false);
          assert.equal(r.problems.length, 1);
          assert.equal(r.problems[0].row, 7);
          assert.ok(r.problems[0].error instanceof DealerCalcError);
          assert.match(r.problems[0].error.message, /row 7/);
        }
      } finally {
        program.dispose();
      }
    });
  }
}

test("batch totals are the exact sums of the good rows", () => {
  const program = dc.loadProgram(programText);
  try {
    const r = throughApi(program, csv, { output: "jsonl" });
    const lines = r.output.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, rows.length - 1);
    // Integer cents: the sum of the rows equals the batch's total to the cent.
    const cents = lines.reduce((s, l) => s + BigInt(Math.round(l.totals.CNY * 100)), 0n);
    assert.equal(cents, BigInt(Math.round(r.status.totals.CNY * 100)));
    assert.equal(lines.reduce((s, l) => s + l.totals.points, 0), r.status.totals.points);
    // Each row's total is one evaluation of that dealer's figures.
    const parsed = program.parseCsv(csv);
    const one = program.evaluate(parsed.rows[3].figures, { next: false, projection: false });
    assert.deepEqual(lines[3].totals, one.totals);
    assert.equal(lines[3].dealer.id, parsed.rows[3].figures.dealer.id);
  } finally {
    program.dispose();
  }
});

test("JSON Lines input: a bad line is skipped with its line number", () => {
  const program = dc.loadProgram(programText);
  try {
    const good = readText(samplePaths.figures).replace(/\s*\n\s*/g, " ");
    const text = `${good}\n\n{"values": {"content_posts": -1}}\nnot json\n${good}\n`;
    const r = throughApi(program, text, { input: "jsonl", output: "jsonl" }, 5);
    assert.equal(r.output.trimEnd().split("\n").length, 2);
    assert.deepEqual(r.problems.map((p) => [p.row, p.error.code]), [[3, "invalid_figures"], [4, "parse_error"]]);
    assert.equal(r.status.rows, 4);
    assert.equal(r.status.errors, 2);
  } finally {
    program.dispose();
  }
});

test("an unusable header is invalid_csv and ends the batch; unknown columns are reported", () => {
  const program = dc.loadProgram(programText);
  try {
    const batch = program.batch();
    assert.throws(() => batch.push("dealer_id,dealer_id\r\nD-1,D-2\r\n"), (e) => e instanceof DealerCalcError && e.code === "invalid_csv");
    assert.throws(() => batch.push("more"), /after the batch ended/);
    batch.dispose();
    const r = throughApi(program, `dealer_id,no_such_column,content_posts\r\nD-1,x,3\r\n`, {});
    assert.deepEqual(r.status.unknownColumns, ["no_such_column"]);
    assert.equal(r.status.errors, 0);
  } finally {
    program.dispose();
  }
});

test("a malformed record stops the batch with a problem at row 0", () => {
  const program = dc.loadProgram(programText);
  try {
    const r = throughApi(program, `dealer_id,content_posts\r\nD-1,3\r\nD-2,"4\r\n`, {});
    assert.equal(r.status.stopped, true);
    assert.equal(r.problems.at(-1).row, 0);
    assert.equal(r.problems.at(-1).error.code, "invalid_csv");
  } finally {
    program.dispose();
  }
});

test("a piece ending in half a surrogate pair is joined to the next", () => {
  const program = dc.loadProgram(programText);
  try {
    const text = "dealer_id,dealer_name,content_posts\r\nD-1,店😀铺,3\r\n";
    const cut = text.indexOf("😀") + 1; // between the two halves
    const batch = program.batch({ output: "jsonl" });
    let out = batch.push(text.slice(0, cut));
    out += batch.push(text.slice(cut));
    out += batch.finish();
    batch.dispose();
    assert.equal(JSON.parse(out).dealer.name, "店😀铺");
  } finally {
    program.dispose();
  }
});

test("a batch keeps its programme alive; options are checked; dispose is final", () => {
  const program = dc.loadProgram(programText);
  const batch = program.batch({ output: "jsonl" });
  program.dispose();
  const out = batch.push(csv) + batch.finish();
  assert.equal(out.trimEnd().split("\n").length, rows.length - 1);
  batch.dispose();
  batch.dispose();
  assert.throws(() => batch.status(), /after dispose/);
  const p2 = dc.loadProgram(programText);
  assert.throws(() => p2.batch({ output: "xml" }), TypeError);
  assert.throws(() => p2.batch().push(42), TypeError);
  p2.dispose();
});

test("memory stays flat over many batches", () => {
  const program = dc.loadProgram(programText);
  try {
    const run = () => throughApi(program, mixed, { output: "jsonl", next: true }, 100);
    for (let i = 0; i < 5; i++) run();
    const heap = dc._raw.HEAP8.buffer.byteLength;
    const before = dc.memoryInUse();
    for (let i = 0; i < 200; i++) run();
    // emmalloc counts free-block headers as in use, so a few bytes move with fragmentation;
    // a leak of even one small allocation per batch would move it by kilobytes.
    assert.ok(Math.abs(dc.memoryInUse() - before) <= 1024, `bytes in use moved from ${before} to ${dc.memoryInUse()}`);
    assert.equal(dc._raw.HEAP8.buffer.byteLength, heap, "the WASM memory grew");
  } finally {
    program.dispose();
  }
});

test("node dist/cli.mjs batch: the native CLI's stdout, stderr and exit code", async () => {
  const jsonl = file("rows.jsonl", `${readText(samplePaths.figures).replace(/\s*\n\s*/g, " ")}\nnot json\n`);
  const strip = (s) => s.replace(/, [0-9.e+-]+ s( \(\d+ rows\/s\))?\n$/, "\n");
  for (const args of [
    ["--figures", mixedPath],
    ["--figures", mixedPath, "--next"],
    ["--figures", jsonl],
    ["--figures", join(dir, "missing.csv")],
    ["--figures", file("bad-header.csv", "dealer_id,dealer_id\r\n")],
  ]) {
    const all = ["batch", "--program", samplePaths.program, ...args];
    const [n, w] = await Promise.all([run(nativeCli, all), run(process.execPath, [cli, ...all])]);
    assert.equal(w.stdout, n.stdout, args.join(" "));
    assert.equal(strip(w.stderr), strip(n.stderr), args.join(" "));
    assert.equal(w.code, n.code, args.join(" "));
  }
});
