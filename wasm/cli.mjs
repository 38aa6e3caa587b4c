#!/usr/bin/env node
// dist/cli.mjs: the native `dealer-calc` command line over the WebAssembly build.
//
//   node dist/cli.mjs validate --program P.json [--figures F.json]
//   node dist/cli.mjs evaluate --program P.json --figures F.json [--no-next] [--no-trace] [--compact]
//   node dist/cli.mjs logic --rule RULE.json [--data DATA.json]
//   node dist/cli.mjs batch --program P.json --figures rows.csv|rows.jsonl [--out results.csv|results.jsonl] [--next]
//   node dist/cli.mjs --version
//
// Same stdout, byte for byte, and the same exit codes as build/native/dealer-calc:
// 0 for a result, 2 for an error object, 64 for a usage mistake. `batch` writes the same
// rows and the same summary line on stderr (its timing aside).
import { closeSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
// The Node build: the WASM inflated by Node's zlib, 25 ms quicker to start than
// dealer-calc.mjs, which a command pays on every run (wasm/node-inflate.js).
import createDealerCalc from "./dealer-calc.node.mjs";

const EXIT_ERROR = 2;
const EXIT_USAGE = 64;

const USAGE =
  "usage:\n" +
  "  dealer-calc validate --program P.json [--figures F.json]\n" +
  "  dealer-calc evaluate --program P.json --figures F.json [--no-next] [--no-trace] [--compact]\n" +
  "  dealer-calc logic --rule RULE.json [--data DATA.json]\n" +
  "  dealer-calc batch --program P.json --figures rows.csv|rows.jsonl [--out results.csv|results.jsonl] [--next]\n" +
  "  dealer-calc --version\n";

const FLAGS = new Set(["--no-next", "--no-trace", "--compact", "--next", "--pretty"]);
const OPTIONS = new Set(["--program", "--figures", "--rule", "--data", "--out"]);

// An error object to print (compact JSON text from the core).
class ErrorObject {
  constructor(json) {
    this.json = json;
  }
}

function parseArgs(argv) {
  if (argv.length < 1) return null;
  const a = { command: argv[0], options: new Map(), flags: new Set() };
  for (let i = 1; i < argv.length; i++) {
    const k = argv[i];
    if (FLAGS.has(k)) a.flags.add(k);
    else if (OPTIONS.has(k) && i + 1 < argv.length) a.options.set(k, argv[++i]);
    else {
      process.stderr.write(`dealer-calc: unknown or incomplete option ${k}\n`);
      return null;
    }
  }
  return a;
}

async function main(argv) {
  if (argv.length === 1 && argv[0] === "--version") {
    const dc = await createDealerCalc();
    process.stdout.write(`dealer-calc ${dc.version}\n`);
    return 0;
  }
  const a = parseArgs(argv);
  if (!a) {
    process.stderr.write(USAGE);
    return EXIT_USAGE;
  }
  const compact = a.flags.has("--compact");
  const dc = await createDealerCalc();
  const raw = dc._raw;

  const print = (json) => process.stdout.write((compact ? json : raw.formatJson(json, true)) + "\n");
  // A binding's answer: the text, or (a leading '!') the error object to print.
  const check = (out) => {
    if (out.charCodeAt(0) === 33) throw new ErrorObject(out.slice(1));
    return out;
  };
  // The whole file as bytes (handed to the core as is), like the native read_file().
  const read = (path) => {
    try {
      return readFileSync(path);
    } catch (e) {
      // std::ifstream opens a directory and reads nothing from it.
      if (e && e.code === "EISDIR") return new Uint8Array(0);
      throw new ErrorObject(raw.errorJson("io_error", `cannot read ${path}`, "", "cannot_read"));
    }
  };

  const commands = {
    validate() {
      const programPath = a.options.get("--program");
      if (programPath === undefined) return EXIT_USAGE;
      const program = new raw.Program();
      try {
        check(program.load(read(programPath)));
        const figuresPath = a.options.get("--figures");
        const figures = figuresPath === undefined ? null : read(figuresPath);
        const line = check(program.summary(figures ?? "", figures !== null));
        process.stdout.write(line + "\n");
        return 0;
      } finally {
        program.delete();
      }
    },
    evaluate() {
      const programPath = a.options.get("--program");
      const figuresPath = a.options.get("--figures");
      if (programPath === undefined || figuresPath === undefined) return EXIT_USAGE;
      const next = !a.flags.has("--no-next");
      const trace = !a.flags.has("--no-trace");
      const program = new raw.Program();
      try {
        check(program.load(read(programPath)));
        const figures = read(figuresPath);
        // Pretty output comes straight from the core; errors are re-written by print().
        process.stdout.write(check(program.evaluate(figures, next, true, trace, !compact)) + "\n");
        return 0;
      } finally {
        program.delete();
      }
    },
    logic() {
      const rulePath = a.options.get("--rule");
      if (rulePath === undefined) return EXIT_USAGE;
      const rule = read(rulePath);
      check(raw.formatJson(rule, false)); // a malformed rule fails before the data is read
      const dataPath = a.options.get("--data");
      const data = dataPath === undefined ? "null" : read(dataPath);
      process.stdout.write(check(raw.evaluateLogic(rule, data, !compact)) + "\n");
      return 0;
    },
    batch() {
      const programPath = a.options.get("--program");
      const figuresPath = a.options.get("--figures");
      if (programPath === undefined || figuresPath === undefined) return EXIT_USAGE;
      const t0 = process.hrtime.bigint();
      const program = new raw.Program();
      const batch = new raw.Batch();
      const files = [];
      const open = (path, mode, verb) => {
        try {
          const fd = openSync(path, mode);
          files.push(fd);
          return fd;
        } catch {
          throw new ErrorObject(raw.errorJson("io_error", `cannot ${verb} ${path}`, "", `cannot_${verb}`));
        }
      };
      try {
        check(program.load(read(programPath)));
        const input = open(figuresPath, "r", "read");
        const outPath = a.options.get("--out");
        const out = outPath === undefined ? 1 : open(outPath, "w", "write");
        const ends = (path, ...ext) => ext.some((e) => path.endsWith(e));
        const jsonlIn = ends(figuresPath, ".jsonl", ".ndjson");
        check(batch.start(program, jsonlIn, outPath !== undefined && ends(outPath, ".jsonl", ".json"), a.flags.has("--next")));
        let warned = false;
        const report = () => {
          const status = JSON.parse(check(batch.status()));
          if (!warned && status.unknown_columns.length) {
            for (const u of status.unknown_columns) process.stderr.write(`warning: column "${u}" names no metric; ignored\n`);
            warned = true;
          }
          for (const p of JSON.parse(check(batch.takeProblems()))) {
            const where = p.row > 0 && jsonlIn ? `row ${p.row}: ${p.error.code}: ` : "";
            process.stderr.write(where + p.error.message + "\n");
          }
          return status;
        };
        // The bytes as the native CLI reads them, in the same 64 KiB pieces, read straight
        // into the module's memory; the output written from it as bytes.
        const writeOutput = () => {
          const bytes = batch.output();
          if (bytes.length) writeSync(out, bytes);
        };
        let status = { stopped: false };
        for (let n; (n = readSync(input, batch.stage(1 << 16), 0, 1 << 16, null)) > 0; ) {
          check(batch.pushStaged(n));
          writeOutput();
          if ((status = report()).stopped) break;
        }
        check(batch.finishStaged());
        writeOutput();
        status = report();
        // The native summary line; its number of seconds is the native's own %g.
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        let line = `batch: ${status.rows} rows, ${status.errors} errors`;
        for (const [unit, total] of Object.entries(status.totals)) line += `, total ${unit} ${total}`;
        line += `, ${Number(seconds.toPrecision(6))} s`;
        if (seconds > 0) line += ` (${Math.floor(status.rows / seconds)} rows/s)`;
        process.stderr.write(line + "\n");
        return status.errors === 0 ? 0 : 1;
      } finally {
        batch.delete();
        program.delete();
        for (const fd of files) closeSync(fd);
      }
    },
  };

  let code = EXIT_USAGE;
  try {
    if (Object.hasOwn(commands, a.command)) code = commands[a.command]();
  } catch (e) {
    if (e instanceof ErrorObject) {
      print(e.json);
      return EXIT_ERROR;
    }
    const message = e instanceof Error ? e.message : String(e);
    print(raw.errorJson("internal_error", message, "", ""));
    return EXIT_ERROR;
  }
  if (code === EXIT_USAGE) process.stderr.write(USAGE);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`dealer-calc: ${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 70;
  },
);
