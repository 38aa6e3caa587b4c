// Shared by the tests in tests/node (run with `node --test tests/node/`).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { spawn } from "node:child_process";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
// DEALERCALC_DIST points the tests at another build's dist/ (e.g. the JS-exceptions one).
export const dist = process.env.DEALERCALC_DIST || join(root, "dist");
export const nativeCli = process.env.DEALERCALC_NATIVE || join(root, "build", "native", "dealer-calc");
export const samplePaths = {
  program: join(root, "programs", "sample", "program.json"),
  figures: join(root, "programs", "sample", "figures.json"),
  csv: join(root, "programs", "sample", "figures-network.csv"),
};

export function requireFile(path, hint) {
  if (!existsSync(path)) throw new Error(`${path} is missing: ${hint}`);
  return path;
}

export async function loadModule() {
  const file = requireFile(join(dist, "dealer-calc.mjs"), "build it with cmake --preset wasm && cmake --build --preset wasm");
  return import(pathToFileURL(file).href);
}

export async function dealerCalc() {
  const mod = await loadModule();
  return { dc: await mod.createDealerCalc(), DealerCalcError: mod.DealerCalcError };
}

export const readText = (path) => readFileSync(path, "utf8");

// Runs a command; resolves to {code, stdout, stderr} (stdout/stderr as strings).
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    const out = [];
    const err = [];
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}

// Runs `jobs` (functions returning promises) with at most `limit` at a time, in order.
export async function pool(jobs, limit) {
  const results = new Array(jobs.length);
  let next = 0;
  async function worker() {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

// A seeded random number generator (mulberry32: small, fast, deterministic): () → [0, 1).
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
