// Shared set-up for the browser tests: builds the page when its sources are newer than
// the outputs, launches Debian's Chromium through playwright-core with a fresh profile,
// and offers small helpers to drive <dealer-calculator>.

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OFFLINE = join(ROOT, 'dist', 'dealer-calculator.html');
export const OFFLINE_URL = pathToFileURL(OFFLINE).href;
export const WEB_ROOT = join(ROOT, 'dist', 'web');
export const SAMPLE = join(ROOT, 'programs', 'sample');
export const CLI = join(ROOT, 'build', 'native', 'dealer-calc');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function newestMtime(paths) {
  let newest = 0;
  const walk = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const f of readdirSync(p)) walk(join(p, f));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) walk(p);
  return newest;
}

/** Builds dist/web and dist/dealer-calculator.html unless they are newer than their sources. */
export function ensureBuilt() {
  const sources = newestMtime([join(ROOT, 'web'), join(ROOT, 'dist', 'dealer-calc.mjs'), join(ROOT, 'scripts', 'build-web.mjs'), SAMPLE]);
  const built = existsSync(OFFLINE) && existsSync(join(WEB_ROOT, 'index.html')) ? Math.min(statSync(OFFLINE).mtimeMs, statSync(join(WEB_ROOT, 'index.html')).mtimeMs) : 0;
  if (built >= sources) return;
  // Test files may run in parallel: one builds, the others wait for it.
  const lock = join(ROOT, 'dist', '.build-web.lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (let i = 0; i < 600; i++) {
    try {
      mkdirSync(lock);
    } catch {
      execFileSync('sleep', ['0.2']);
      continue;
    }
    try {
      const again = existsSync(OFFLINE) ? statSync(OFFLINE).mtimeMs : 0;
      if (again < sources) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs'), '--quiet'], { stdio: 'inherit' });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    return;
  }
  throw new Error('timed out waiting for another test to build the page');
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A fresh browser (new profile). opts: {locale, viewport, deviceScaleFactor}. */
export async function launch(opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dealer-page-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: opts.viewport || { width: 1280, height: 900 },
    deviceScaleFactor: opts.deviceScaleFactor || 1,
    locale: opts.locale || 'zh-CN',
    acceptDownloads: true,
  });
  const page = context.pages()[0] || (await context.newPage());
  const log = { console: [], errors: [], requests: [] };
  page.on('console', (m) => log.console.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => log.errors.push(String(e?.message || e)));
  page.on('request', (r) => log.requests.push(r.url()));
  const close = async () => {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { context, page, log, close, dir };
}

export const calc = (page) => page.locator('dealer-calculator');

/** Waits until the element has rendered a complete result (drivers included). */
export async function settled(page, after = 0) {
  await page.waitForFunction(
    (rev) => {
      const el = document.querySelector('dealer-calculator');
      return el && el.dataset.ready === 'true' && !el.dataset.busy && Number(el.dataset.revision || 0) > rev;
    },
    after,
    { timeout: 20000 },
  );
}

export async function revision(page) {
  return page.evaluate(() => Number(document.querySelector('dealer-calculator')?.dataset.revision || 0));
}

export async function open(page, url = OFFLINE_URL) {
  await page.goto(url);
  await settled(page);
}

/** Fills one figure as a dealer would (select all, type). */
export async function typeFigure(page, id, text) {
  const input = page.locator(`dealer-calculator input[name="${id}"]`);
  await input.click();
  await input.press('Control+A');
  if (text === '') await input.press('Backspace');
  else await input.pressSequentially(String(text));
}

export async function setBoolean(page, id, value) {
  await page.locator(`dealer-calculator input[type=radio][data-metric="${id}"][value="${value ? 'true' : 'false'}"]`).check();
}

/** The totals the page shows: {unit: number} from data attributes, plus the projection. */
export async function shownTotals(page) {
  return page.evaluate(() => {
    const root = document.querySelector('dealer-calculator').shadowRoot;
    const totals = {};
    for (const el of root.querySelectorAll('.hero-main [data-unit]')) totals[el.dataset.unit] = Number(el.dataset.value);
    const projection = {};
    for (const el of root.querySelectorAll('.hero-proj [data-unit]')) projection[el.dataset.unit] = Number(el.dataset.value);
    return { totals, projection, text: root.querySelector('.hero-total')?.textContent };
  });
}

export function sampleFigures() {
  return JSON.parse(readFileSync(join(SAMPLE, 'figures.json'), 'utf8'));
}

export function sampleProgram() {
  return JSON.parse(readFileSync(join(SAMPLE, 'program.json'), 'utf8'));
}

/** The native CLI's result for figures (null when the CLI is not built). */
export function cliEvaluate(figures) {
  if (!existsSync(CLI)) return null;
  const dir = mkdtempSync(join(tmpdir(), 'dealer-cli-'));
  const file = join(dir, 'figures.json');
  writeFileSync(file, JSON.stringify(figures));
  try {
    return JSON.parse(execFileSync(CLI, ['evaluate', '--program', join(SAMPLE, 'program.json'), '--figures', file, '--compact'], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Text of a part of the element's shadow root, one line per text node. (Not innerText:
 * cards off screen use content-visibility: auto, and innerText skips what is not laid out.)
 */
export async function shadowText(page, selector = '.app') {
  return page.evaluate((sel) => {
    const root = document.querySelector('dealer-calculator').shadowRoot.querySelector(sel);
    if (!root) return '';
    const out = [];
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let line = '';
    const blocks = /^(P|LI|H1|H2|H3|H4|DIV|SECTION|ARTICLE|UL|OL|TR|TD|TH|SUMMARY|LEGEND|LABEL|OPTION|BUTTON|SPAN)$/;
    let last = null;
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const parent = n.parentElement;
      if (parent && (parent.closest('style,script') || parent.closest('[hidden]'))) continue;
      if (last && parent !== last && blocks.test(parent.tagName) && !last.contains(parent) && !parent.contains(last)) {
        out.push(line);
        line = '';
      }
      line += n.textContent;
      last = parent;
    }
    out.push(line);
    return out.map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean).join('\n');
  }, selector);
}

/** Uploads a file through the figures picker. */
export async function upload(page, name, buffer, mimeType = 'application/octet-stream') {
  const before = await page.evaluate(() => document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('.notice').length);
  await page.locator('dealer-calculator input[type=file][accept*=".csv"]').setInputFiles({ name, mimeType, buffer });
  void before;
}

export async function noticeText(page) {
  return page.evaluate(() => [...document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('.notice')].map((n) => n.innerText).join('\n---\n'));
}
