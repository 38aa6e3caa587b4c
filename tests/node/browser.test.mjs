// dist/ in headless Chromium: the ES module and the classic script on a page served over
// http under a strict Content-Security-Policy (no 'unsafe-eval'), in a module worker and a
// classic worker, and both inlined in a page opened from file:// (as the offline single
// file does: the classic script inline, the module through a blob: URL). Each must give the same bytes as Node for the sample.
//
// Needs Chromium (scripts/setup.sh --all installs it); CHROMIUM=path overrides
// /usr/bin/chromium. Skipped, with a note, when there is none.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { spawn } from "node:child_process";
import { dealerCalc, dist, readText, samplePaths } from "./helpers.mjs";

const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
const skip = existsSync(chromium) ? false : `no Chromium at ${chromium} (scripts/setup.sh --all installs it)`;

const programText = readText(samplePaths.program);
const figuresText = readText(samplePaths.figures);
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'";

const chromiumArgs = (profile) => [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run", `--user-data-dir=${profile}`,
];

// Opens a page in headless Chromium until `done` settles (or 90 s), then closes it.
function openPage(url, profile, done) {
  const child = spawn(chromium, [...chromiumArgs(profile), url], { stdio: ["ignore", "ignore", "pipe"] });
  const err = [];
  child.stderr.on("data", (d) => err.push(d));
  const exited = new Promise((resolve) => child.on("close", resolve));
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`no result from ${url} in 90 s: ${Buffer.concat(err).toString().slice(-1500)}`)), 90000).unref(),
  );
  return Promise.race([done, timeout]).finally(() => {
    child.kill("SIGKILL");
    return exited;
  });
}

// The probe every context runs: the sample's result, and a parse_error caught as a
// DealerCalcError of that context.
const probeSource = `
async function probe(createDealerCalc, DealerCalcError, program, figures) {
  const dc = await createDealerCalc();
  const p = dc.loadProgram(program);
  const out = p.evaluateJson(figures);
  p.dispose();
  let err = "no error";
  try { dc.loadProgram("{"); } catch (e) { err = (e instanceof DealerCalcError) + ":" + e.name + ":" + e.code + ":" + e.line; }
  return { out, err };
}`;

test("dist/ in Chromium: http page under CSP, workers, file:// page", { skip }, async (t) => {
  const { dc } = await dealerCalc();
  const expected = dc.loadProgram(programText).evaluateJson(figuresText);
  const expectedErr = "true:DealerCalcError:parse_error:1";

  const files = {
    "/page.html": ["text/html", '<!doctype html><meta charset="utf-8"><pre id="out">pending</pre>' +
      '<script src="/dist/dealer-calc.js"></script><script type="module" src="/page.mjs"></script>'],
    "/page.mjs": ["text/javascript", `${probeSource}
      import createDealerCalc, { DealerCalcError } from "/dist/dealer-calc.mjs";
      const out = document.getElementById("out");
      try {
        const program = await (await fetch("/sample/program.json")).text();
        const figures = await (await fetch("/sample/figures.json")).text();
        const res = {};
        res.module = await probe(createDealerCalc, DealerCalcError, program, figures);
        res.classic = await probe(DealerCalc.createDealerCalc, DealerCalc.DealerCalcError, program, figures);
        const ask = (w) => new Promise((resolve) => {
          w.onmessage = (e) => resolve(e.data);
          w.onerror = (e) => resolve({ out: "worker error " + e.message });
          w.postMessage({ program, figures });
        });
        res.moduleWorker = await ask(new Worker("/worker.mjs", { type: "module" }));
        res.classicWorker = await ask(new Worker("/worker.js"));
        out.textContent = JSON.stringify(res);
      } catch (e) { out.textContent = "FAIL " + e; }
      await fetch("/result/http", { method: "POST", body: out.textContent });`],
    "/worker.mjs": ["text/javascript", `${probeSource}
      import createDealerCalc, { DealerCalcError } from "/dist/dealer-calc.mjs";
      self.onmessage = async (e) => self.postMessage(await probe(createDealerCalc, DealerCalcError, e.data.program, e.data.figures));`],
    "/worker.js": ["text/javascript", `${probeSource}
      importScripts("/dist/dealer-calc.js");
      self.onmessage = async (e) => self.postMessage(await probe(DealerCalc.createDealerCalc, DealerCalc.DealerCalcError, e.data.program, e.data.figures));`],
    "/sample/program.json": ["application/json", programText],
    "/sample/figures.json": ["application/json", figuresText],
    "/dist/dealer-calc.mjs": ["text/javascript", readFileSync(join(dist, "dealer-calc.mjs"))],
    "/dist/dealer-calc.js": ["text/javascript", readFileSync(join(dist, "dealer-calc.js"))],
  };
  // Each page POSTs its result to /result/<page>.
  const results = {};
  const resultOf = (page) => new Promise((resolve) => (results[page] = resolve));
  const served = resultOf("http");
  const offline = resultOf("file");
  const server = createServer((req, res) => {
    const posted = /^\/result\/(\w+)$/.exec(req.url);
    if (req.method === "POST" && posted && results[posted[1]]) {
      const body = [];
      req.on("data", (d) => body.push(d));
      req.on("end", () => {
        res.writeHead(204, { "Access-Control-Allow-Origin": "*" }).end();
        results[posted[1]](Buffer.concat(body).toString("utf8"));
      });
      return;
    }
    const f = files[req.url];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": `${f[0]}; charset=utf-8`, "Content-Security-Policy": CSP });
    res.end(f[1]);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;

  // The offline shape: everything inline in one page opened from file://.
  const dir = mkdtempSync(join(tmpdir(), "dealercalc-browser-"));
  const esmInline = readFileSync(join(dist, "dealer-calc.mjs"), "utf8").replace(/<\/script/gi, "<\\/script");
  const classicInline = readFileSync(join(dist, "dealer-calc.js"), "utf8").replace(/<\/script/gi, "<\\/script");
  writeFileSync(join(dir, "offline.html"), `<!doctype html><meta charset="utf-8"><pre id="out">pending</pre>
    <script>${classicInline}</script>
    <script type="text/plain" id="esm">${esmInline}</script>
    <script type="module">
      ${probeSource}
      const out = document.getElementById("out");
      const program = ${JSON.stringify(programText)}, figures = ${JSON.stringify(figuresText)};
      try {
        // The ES module from a blob: URL (a module cannot be loaded from file://).
        const esm = new Blob([document.getElementById("esm").textContent], { type: "text/javascript" });
        const { default: createDealerCalc, DealerCalcError } = await import(URL.createObjectURL(esm));
        const res = {};
        res.module = await probe(createDealerCalc, DealerCalcError, program, figures);
        res.classic = await probe(DealerCalc.createDealerCalc, DealerCalc.DealerCalcError, program, figures);
        out.textContent = JSON.stringify(res);
      } catch (e) { out.textContent = "FAIL " + e; }
      await fetch("http://127.0.0.1:${port}/result/file", { method: "POST", mode: "no-cors", body: out.textContent });
    </script>`);

  try {
    const started = performance.now();
    const [a, b] = await Promise.all([
      openPage(`http://127.0.0.1:${port}/page.html`, join(dir, "profile-http"), served),
      openPage(pathToFileURL(join(dir, "offline.html")).href, join(dir, "profile-file"), offline),
    ]);
    t.diagnostic(`Chromium runs took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    assert.ok(!a.startsWith("FAIL"), `http page: ${a.slice(0, 500)}`);
    assert.ok(!b.startsWith("FAIL"), `file:// page: ${b.slice(0, 500)}`);
    const http = JSON.parse(a);
    const file = JSON.parse(b);
    for (const [name, r] of [["module", http.module], ["classic", http.classic], ["module worker", http.moduleWorker], ["classic worker", http.classicWorker], ["file:// module", file.module], ["file:// classic", file.classic]]) {
      assert.equal(r.err, expectedErr, `${name}: ${r.err}`);
      assert.equal(r.out, expected, `${name}: ${String(r.out).slice(0, 200)}`);
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
