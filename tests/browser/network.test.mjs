// The network view (issue 7): a file with many dealers' rows computed in a Web Worker,
// on both outputs (the offline file from file:// and the static site under the strict
// CSP header), checked against the native CLI's `dealer-calc batch`: totals across all
// dealers, the exported CSV byte for byte, sorted and filtered first rows, a dealer opened
// in the calculator, bad rows listed, 100,000 dealers with progress and cancel while the
// page keeps answering, a page without Workers, zh-CN and en, and axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import writeXlsxFile from 'write-excel-file/node';
import { startServer, STRICT_CSP } from '../../scripts/serve.mjs';
import { CLI, OFFLINE_URL, ROOT, SAMPLE, WEB_ROOT, ensureBuilt, launch, open, revision, settled, shadowText, shownTotals, typeFigure } from './helpers.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const PROGRAM = join(SAMPLE, 'program.json');
const NETWORK_CSV = join(SAMPLE, 'figures-network.csv');
const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

// The 100,000-dealer file, made once per run under build/ (bench/gen-dealers.mjs is deterministic).
const BIG_DIR = join(ROOT, 'build', 'browser-tests');
const BIG = join(BIG_DIR, 'dealers-100k.csv');

let tmp;
let server;
before(async () => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'dealer-network-'));
  mkdirSync(BIG_DIR, { recursive: true });
  const gen = join(ROOT, 'bench', 'gen-dealers.mjs');
  if (!existsSync(BIG) || statSync(BIG).mtimeMs < Math.max(statSync(gen).mtimeMs, statSync(PROGRAM).mtimeMs)) {
    execFileSync(process.execPath, [gen, '100000', BIG, PROGRAM], { cwd: ROOT, stdio: 'ignore' });
  }
  server = await startServer({ root: WEB_ROOT, port: 0, csp: 'strict' });
});
after(async () => {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const hasCli = existsSync(CLI);

/** The native CLI's batch over a file: its CSV output (bytes) and its totals (exact text, per unit). */
function nativeBatch(file) {
  const out = join(tmp, `native-${Math.random().toString(36).slice(2)}.csv`);
  const r = spawnSync(CLI, ['batch', '--program', PROGRAM, '--figures', file, '--out', out], { encoding: 'utf8' });
  const totals = {};
  for (const m of r.stderr.matchAll(/total (\S+) (-?[\d.]+)/g)) totals[m[1]] = m[2];
  return { csv: readFileSync(out), totals, stderr: r.stderr };
}

function writeTmp(name, data) {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}

/** A browser that records CSP violations. */
async function browser(opts) {
  const b = await launch(opts);
  await b.context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`), true);
  });
  return b;
}

async function noProblems(b) {
  assert.deepEqual(await b.page.evaluate(() => window.__violations), [], 'CSP violations');
  assert.deepEqual(b.log.console.filter((m) => m.type === 'error' || m.type === 'warning'), [], 'console errors');
  assert.deepEqual(b.log.errors, [], 'page errors');
}

const sel = (s) => `dealer-calculator ${s}`;
const net = (page) =>
  page.evaluate(() => {
    const el = document.querySelector('dealer-calculator');
    const s = el.shadowRoot.querySelector('.network');
    const stats = {};
    for (const v of s.querySelectorAll('.stat-value')) stats[v.dataset.unit ? `${v.dataset.stat}:${v.dataset.unit}` : v.dataset.stat] = v.dataset.value;
    return { network: el.dataset.network, state: s.dataset.state, mode: s.dataset.mode, count: Number(s.dataset.count), hidden: s.hidden, stats };
  });

/** The rows in the table's DOM, in order: {line, id, name, totals: {unit: text}, progress}. */
const tableRows = (page, n = 5) =>
  page.evaluate((n) => {
    const rows = [...document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('.net-body .net-row')];
    rows.sort((a, b) => Number(a.dataset.k) - Number(b.dataset.k));
    return rows.slice(0, n).map((r) => ({
      k: Number(r.dataset.k),
      line: Number(r.dataset.line),
      id: r.dataset.id,
      name: r.querySelector('.c-name').textContent,
      totals: Object.fromEntries([...r.querySelectorAll('.c-total')].map((c) => [c.dataset.unit, c.dataset.value])),
      progress: r.querySelector('.c-near')?.dataset.progress ?? null,
    }));
  }, n);

/** Runs an action that changes the table's order and waits until its rows are painted. */
async function afterView(page, action) {
  const view = () => page.evaluate(() => Number(document.querySelector('dealer-calculator').shadowRoot.querySelector('.network').dataset.view || 0));
  const before = await view();
  await action();
  await page.waitForFunction((b) => {
    const s = document.querySelector('dealer-calculator').shadowRoot.querySelector('.network');
    return Number(s.dataset.view) > b && s.dataset.painted === s.dataset.view;
  }, before);
}

/** Waits for the network view to finish (or fail); returns its state. */
async function finished(page, timeout = 120000) {
  await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('dealer-calculator').dataset.network), null, { timeout });
  await page.waitForFunction(() => {
    const s = document.querySelector('dealer-calculator').shadowRoot.querySelector('.network');
    return document.querySelector('dealer-calculator').dataset.network === 'error' || (s.dataset.view && s.dataset.painted === s.dataset.view);
  });
  return net(page);
}

/** Uploads a file; a small one offers the row picker and "view all", which is clicked. */
async function openNetwork(page, file, { small = true } = {}) {
  await page.locator(sel('input[type=file][accept*=".csv"]')).setInputFiles(file);
  if (small) {
    const view = page.locator(sel('.notice button[data-action=network]'));
    await view.waitFor();
    await view.click();
  }
  return finished(page);
}

async function freshPage(b, url = OFFLINE_URL) {
  await open(b.page, url);
  await b.page.evaluate(() => localStorage.clear());
  await open(b.page, url);
}

/** The export button's download: {name, bytes}. */
async function exported(page) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(sel('button[data-action=network-export]')).click()]);
  return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
}

function assertTotals(stats, native) {
  assert.ok(Object.keys(native.totals).length >= 2, native.stderr);
  for (const [unit, value] of Object.entries(native.totals)) assert.equal(stats[`total:${unit}`], value, `total ${unit}: the native CLI's, exactly`);
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

// ---- the offline file --------------------------------------------------------------------------

test('offline file (file://): several rows offer the row picker and the network view; totals, sort, filter, open, export', async () => {
  const b = await browser({ locale: 'zh-CN' });
  try {
    await freshPage(b);
    await b.page.locator(sel('input[type=file][accept*=".csv"]')).setInputFiles(NETWORK_CSV);
    // Both choices: the row picker (as before) and the whole network.
    await b.page.locator(sel('select.row-select')).waitFor();
    const viewAll = b.page.locator(sel('.notice button[data-action=network]'));
    assert.equal(await viewAll.textContent(), '查看全部 12 行（全网视图）');
    await viewAll.click();
    const s = await finished(b.page);
    assert.equal(s.mode, 'worker', 'computed in a Web Worker (a blob: URL of the file\'s own script)');
    assert.equal(s.state, 'done');
    assert.equal(s.count, 12);
    assert.equal(s.stats.dealers, '12');
    assert.equal(s.stats.errors, '0');
    if (hasCli) assertTotals(s.stats, nativeBatch(NETWORK_CSV));
    else assert.equal(s.stats['total:CNY'], '233753.65');
    const text = await shadowText(b.page, '.network');
    assert.match(text, /全网经销商一览/);
    assert.match(text, /全部经销商合计（CNY）\s*¥233,753.65/);
    assert.match(text, /中位数（CNY）\s*¥9,947.82/);
    // The histogram: an image with a text alternative and the same numbers as a table.
    const hist = await b.page.evaluate(() => {
      const root = document.querySelector('dealer-calculator').shadowRoot;
      const svg = root.querySelector('svg.hist');
      return {
        role: svg.getAttribute('role'),
        title: svg.querySelector('title').textContent,
        desc: svg.querySelector('desc').textContent,
        bars: [...svg.querySelectorAll('rect.hbar')].length,
        counts: [...root.querySelectorAll('.hist-table tbody td')].map((td) => Number(td.textContent)),
        axes: [...svg.querySelectorAll('.axis-label')].map((t) => t.textContent),
      };
    });
    assert.equal(hist.role, 'img');
    assert.equal(hist.title, '奖励分布');
    assert.match(hist.desc, /共 12 家经销商，奖励中位数 ¥9,947.82/);
    assert.equal(hist.bars, hist.counts.length);
    assert.equal(hist.counts.reduce((a, c) => a + c, 0), 12);
    assert.deepEqual(hist.axes, ['每家经销商的奖励合计（CNY）', '经销商数']);

    // The table in file order, then sorted by clicking a heading (keyboard too), then filtered.
    assert.deepEqual((await tableRows(b.page, 3)).map((r) => r.id), ['D-0042', 'D-0007', 'D-0118']);
    await afterView(b.page, () => b.page.locator(sel('.net-headrow button[data-sort="total:CNY"]')).click());
    assert.equal(await b.page.locator(sel('.net-headrow .c-total.u0')).getAttribute('aria-sort'), 'descending');
    assert.deepEqual((await tableRows(b.page, 3)).map((r) => [r.id, r.totals.CNY]), [['D-0007', '78036.16'], ['D-0901', '40213.12'], ['D-0118', '33330.32']]);
    await b.page.locator(sel('.net-headrow button[data-sort="total:CNY"]')).focus();
    await afterView(b.page, () => b.page.keyboard.press('Enter'));
    assert.equal(await b.page.locator(sel('.net-headrow .c-total.u0')).getAttribute('aria-sort'), 'ascending');
    assert.equal((await tableRows(b.page, 1))[0].id, 'D-0809');
    await afterView(b.page, () => b.page.locator(sel('.net-filter')).fill('西湖'));
    assert.deepEqual((await tableRows(b.page)).map((r) => r.id), ['D-0042']);
    assert.match(await shadowText(b.page, '.net-count'), /显示 1 家，共 12 家/);
    await afterView(b.page, () => b.page.locator(sel('.net-filter')).fill(''));
    await afterView(b.page, () => b.page.locator(sel('select.net-near')).selectOption('0.05'));
    const near = await tableRows(b.page, 12);
    assert.deepEqual(near.map((r) => r.id), ['D-0612', 'D-0311', 'D-0745', 'D-0042', 'D-0118'], 'ascending by total');
    assert.ok(near.every((r) => Number(r.progress) >= 0.95));
    await afterView(b.page, () => b.page.locator(sel('select.net-near')).selectOption('0'));

    // The export: the core's CSV of every row, UTF-8 with a BOM, named after the programme.
    const out = await exported(b.page);
    assert.equal(out.name, 'sample-digital-2027h1-2027.1-network.csv');
    assert.deepEqual(out.bytes.subarray(0, 3), BOM);
    if (hasCli) assert.ok(out.bytes.subarray(3).equals(nativeBatch(NETWORK_CSV).csv), 'the native CLI\'s CSV, byte for byte');

    // Open a dealer: the calculator shows that row, with the table's total.
    await afterView(b.page, () => b.page.locator(sel('.net-headrow button[data-sort="total:CNY"]')).click()); // descending again
    assert.equal((await tableRows(b.page, 1))[0].id, 'D-0007');
    const second = (await tableRows(b.page, 2))[1];
    const rev = await revision(b.page);
    await b.page.locator(sel(`.net-body .net-row[data-k="${second.k}"] .c-name`)).click();
    await settled(b.page, rev);
    assert.equal((await net(b.page)).hidden, true, 'the calculator is back');
    assert.equal(await b.page.locator(sel('input[name="dealer_id"]')).inputValue(), 'D-0901');
    assert.equal((await shownTotals(b.page)).totals.CNY, Number(second.totals.CNY));
    assert.match(await shadowText(b.page, '.notices'), /已从 figures-network\.csv 第 13 行（D-0901 重庆解放碑数码中心）载入/);
    // … and back to the network view as it was (sorted).
    await b.page.locator(sel('.notice button[data-action=network]')).click();
    assert.equal((await net(b.page)).hidden, false);
    assert.equal((await tableRows(b.page, 1))[0].id, 'D-0007');
    // Keyboard: the row buttons move with the arrow keys; Enter opens.
    await b.page.locator(sel('.net-body .net-row[data-k="0"] .net-open')).focus();
    await b.page.keyboard.press('ArrowDown');
    await b.page.keyboard.press('ArrowDown');
    const focused = await b.page.evaluate(() => document.querySelector('dealer-calculator').shadowRoot.activeElement?.closest('.net-row')?.dataset.id);
    assert.equal(focused, 'D-0118');
    const rev2 = await revision(b.page);
    await b.page.keyboard.press('Enter');
    await settled(b.page, rev2);
    assert.equal(await b.page.locator(sel('input[name="dealer_id"]')).inputValue(), 'D-0118');

    // Nothing left the file: no request but itself and the worker's blob: URL.
    assert.deepEqual(b.log.requests.filter((u) => !/^(file|blob|data):/.test(u)), []);
    await noProblems(b);
  } finally {
    await b.close();
  }
});

test('bad rows are listed with their row number and the rest is computed; text stays text; XLSX and JSON Lines too', async () => {
  const b = await browser({ locale: 'zh-CN' });
  try {
    await freshPage(b);
    const lines = readFileSync(NETWORK_CSV, 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const cell = (row, id, value) => {
      const cells = lines[row].split(',');
      cells[header.indexOf(id)] = value;
      lines[row] = cells.join(',');
    };
    cell(4, 'content_posts', 'abc'); // file line 5
    cell(8, 'community_active_rate', '120'); // file line 9
    cell(2, 'dealer_name', '"<img src=x onerror=window.__pwned=1>"');
    cell(3, 'dealer_name', '"=HYPERLINK(""http://x"",""y"")"');
    const file = writeTmp('bad-rows.csv', `${lines.join('\n')}\n`);
    const s = await openNetwork(b.page, file);
    assert.equal(s.stats.dealers, '10');
    assert.equal(s.stats.errors, '2');
    const problems = await b.page.evaluate(() => [...document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('.net-problem-list li')].map((li) => li.textContent));
    assert.deepEqual(problems, ['第 5 行 · 第 4 列 · 「content_posts」：“abc”不是数字', '第 9 行 · 第 7 列 · 「community_active_rate」：不能大于 100%']);
    assert.match(await shadowText(b.page, '.net-problems'), /2 行未能计算（其余行照常计算）/);
    const native = hasCli ? nativeBatch(file) : null;
    if (native) assertTotals(s.stats, native);
    // Payloads are text in the table; the export keeps the formula harmless (the core's escaping).
    const names = (await tableRows(b.page, 3)).map((r) => r.name);
    assert.deepEqual(names.slice(1, 3), ['<img src=x onerror=window.__pwned=1>', '=HYPERLINK("http://x","y")']);
    assert.equal(await b.page.evaluate(() => window.__pwned), undefined);
    const out = await exported(b.page);
    const csv = out.bytes.toString('utf8');
    assert.match(csv, /,"'=HYPERLINK\(""http:\/\/x"",""y""\)",/);
    assert.doesNotMatch(csv, /(^|,)"?=HYPERLINK/m);
    if (native) assert.ok(out.bytes.subarray(3).equals(native.csv));

    // An Excel file with several rows: the same view.
    const program = JSON.parse(readFileSync(PROGRAM, 'utf8'));
    const sample = readFileSync(NETWORK_CSV, 'utf8').trim().split('\n').map((l) => l.split(','));
    const xHeader = ['dealer_id', 'dealer_name', 'as_of', ...program.metrics.map((m) => m.label.en)];
    const xRows = sample.slice(1, 4).map((r) => r.map((v, i) => (i < 3 ? v : program.metrics.find((m) => m.id === sample[0][i]).type === 'boolean' ? v === 'true' : Number(v))));
    const xlsx = await writeXlsxFile([xHeader.map((value) => ({ value })), ...xRows.map((r) => r.map((value) => ({ value })))]).toBuffer();
    const xs = await openNetwork(b.page, { name: 'three.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: xlsx });
    assert.equal(xs.stats.dealers, '3');
    if (hasCli) assertTotals(xs.stats, nativeBatch(writeTmp('three.csv', `${sample.slice(0, 4).map((r) => r.join(',')).join('\n')}\n`)));

    // JSON Lines: one figures document per line.
    const docs = sample.slice(1, 6).map((r) => ({
      dealer: { id: r[0], name: r[1] },
      as_of: r[2],
      values: Object.fromEntries(sample[0].slice(3).map((id, i) => [id, program.metrics.find((m) => m.id === id).type === 'boolean' ? r[i + 3] === 'true' : Number(r[i + 3])])),
    }));
    const jsonl = writeTmp('five.jsonl', `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`);
    const js = await openNetwork(b.page, jsonl);
    assert.equal(js.stats.dealers, '5');
    if (hasCli) assertTotals(js.stats, nativeBatch(jsonl));
    await noProblems(b);
  } finally {
    await b.close();
  }
});

test('a large GB18030 file streams in the worker (read again as GB18030 once it is not UTF-8)', async () => {
  const b = await browser({ locale: 'zh-CN' });
  try {
    await freshPage(b);
    // 1.4 MB of ASCII rows first, so the first chunks are valid UTF-8; Chinese names after.
    const lines = readFileSync(NETWORK_CSV, 'utf8').trim().split('\n');
    const rows = [lines[0]];
    // (rows 1–8 of the sample: no quoted cells)
    for (let i = 0; i < 10000; i++) rows.push(lines[1 + (i % 8)].replace(/^D-\d+,[^,]+,/, `D-A${i},Store ${i},`));
    for (let i = 0; i < 200; i++) rows.push(lines[1 + (i % 8)].replace(/^D-\d+,/, `D-C${i},`));
    const text = `${rows.join('\r\n')}\r\n`;
    assert.ok(text.indexOf('D-C0') > 1024 * 1024, 'the first megabyte is ASCII');
    const utf8 = writeTmp('gb-as-utf8.csv', text);
    const gb = writeTmp('network-gb18030.csv', iconv.encode(text, 'gb18030'));
    const s = await openNetwork(b.page, gb, { small: false });
    assert.equal(s.stats.dealers, '10200');
    if (hasCli) assertTotals(s.stats, nativeBatch(utf8));
    assert.match(await shadowText(b.page, '.network .panel-sub'), /GB18030/);
    await afterView(b.page, () => b.page.locator(sel('.net-filter')).fill('西湖'));
    assert.equal((await net(b.page)).count, 25);
    const found = await tableRows(b.page, 1);
    assert.equal(found[0].name, '杭州西湖数码专营店');
    assert.match(await shadowText(b.page, '.notices'), /network-gb18030\.csv 有 1\.\d MB，已在全网视图中计算每一行/);

    // A big file whose header names no metric: refused as a whole, the calculator back.
    const junk = writeTmp('no-metrics.csv', `foo,bar\n${'1,2\n'.repeat(100000)}`);
    await b.page.locator(sel('input[type=file][accept*=".csv"]')).setInputFiles(junk);
    await b.page.waitForFunction(() => document.querySelector('dealer-calculator').dataset.network === 'error');
    assert.equal((await net(b.page)).hidden, true);
    assert.match(await shadowText(b.page, '.notices'), /no-metrics\.csv 未能载入，已填写的数据没有改动。[\s\S]*表头中没有任何方案数据列/);
  } finally {
    await b.close();
  }
});

// ---- the static site under the strict CSP header ----------------------------------------------

test('the static site under the strict CSP header: a module worker, the same totals and export', async () => {
  const b = await browser({ locale: 'en-US' });
  try {
    const res = await b.page.goto(server.url);
    assert.equal(res.headers()['content-security-policy'], STRICT_CSP);
    await settled(b.page);
    const s = await openNetwork(b.page, NETWORK_CSV);
    assert.equal(s.mode, 'worker');
    assert.equal(s.stats.dealers, '12');
    if (hasCli) assertTotals(s.stats, nativeBatch(NETWORK_CSV));
    assert.ok(b.log.requests.some((u) => /\/assets\/network-worker-[A-Z0-9]+\.js$/.test(u)), 'the module worker was loaded');
    const out = await exported(b.page);
    if (hasCli) assert.ok(out.bytes.subarray(3).equals(nativeBatch(NETWORK_CSV).csv));
    assert.match(await shadowText(b.page, '.network'), /All dealers[\s\S]*Total, all dealers \(CNY\)\s*¥233,753.65/);
    await noProblems(b);
  } finally {
    await b.close();
  }
});

test('the classic element script starts its worker from its own URL (strict CSP header)', async () => {
  const b = await browser({ locale: 'en-US' });
  try {
    const origin = new URL(server.url).origin;
    const headers = { 'content-security-policy': STRICT_CSP };
    const html = `<!doctype html><meta charset="utf-8"><title>classic</title>
<my-calc locale="en" program-src="/programs/sample/program.json"></my-calc>
<script src="/dealer-calculator.element.js"></script><script src="/classic.js"></script>`;
    await b.context.route(`${origin}/classic.html`, (r) => r.fulfill({ status: 200, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' }, body: html }));
    await b.context.route(`${origin}/classic.js`, (r) => r.fulfill({ status: 200, headers: { ...headers, 'content-type': 'text/javascript; charset=utf-8' }, body: "DealerCalculator.define('my-calc');" }));
    await b.page.goto(`${origin}/classic.html`);
    await b.page.waitForFunction(() => document.querySelector('my-calc')?.dataset.ready === 'true', null, { timeout: 20000 });
    await b.page.locator('my-calc input[type=file][accept*=".csv"]').setInputFiles(NETWORK_CSV);
    await b.page.locator('my-calc .notice button[data-action=network]').click();
    await b.page.waitForFunction(() => document.querySelector('my-calc').dataset.network === 'done', null, { timeout: 60000 });
    const got = await b.page.evaluate(() => {
      const s = document.querySelector('my-calc').shadowRoot.querySelector('.network');
      return { mode: s.dataset.mode, total: s.querySelector('.stat-value[data-stat=total][data-unit=CNY]').dataset.value };
    });
    assert.deepEqual(got, { mode: 'worker', total: '233753.65' });
    await noProblems(b);
  } finally {
    await b.close();
  }
});

test('where no Worker can be made, the same view computes on the page in slices', async () => {
  const b = await browser({ locale: 'zh-CN' });
  try {
    await b.context.addInitScript(() => {
      delete window.Worker;
    });
    await freshPage(b);
    const s = await openNetwork(b.page, NETWORK_CSV);
    assert.equal(s.mode, 'page');
    assert.equal(s.stats.dealers, '12');
    if (hasCli) assertTotals(s.stats, nativeBatch(NETWORK_CSV));
    await afterView(b.page, () => b.page.locator(sel('.net-headrow button[data-sort="name"]')).click());
    assert.equal(await b.page.locator(sel('.net-headrow .c-name')).getAttribute('aria-sort'), 'ascending');
    const names = (await tableRows(b.page, 12)).map((r) => r.name);
    assert.deepEqual(names, [...names].sort(new Intl.Collator('zh-CN', { numeric: true, sensitivity: 'base' }).compare));
    await noProblems(b);
  } finally {
    await b.close();
  }
});

// ---- 100,000 dealers ------------------------------------------------------------------------------

test('100,000 dealers: progress while the page keeps answering, cancel keeps the figures, then the whole run', async () => {
  const b = await browser({ locale: 'zh-CN' });
  try {
    await freshPage(b);
    await typeFigure(b.page, 'content_posts', '7');
    await settled(b.page, 0);
    const before = await shownTotals(b.page);

    // Run 1: watch it progress with animation frames and typing still going on, then cancel.
    await b.page.locator(sel('input[type=file][accept*=".csv"]')).setInputFiles(BIG);
    await b.page.waitForFunction(() => document.querySelector('dealer-calculator').dataset.network === 'running');
    const seen = new Set();
    let frames = 0;
    while (seen.size < 3) {
      // One animation frame and one keystroke into the page, answered while the worker computes.
      const p = await b.page.evaluate(
        () =>
          new Promise((resolve) =>
            requestAnimationFrame(() => {
              const el = document.querySelector('dealer-calculator');
              resolve({ state: el.dataset.network, rows: Number(el.shadowRoot.querySelector('.network').dataset.rows || 0), bar: el.shadowRoot.querySelector('.net-progress [role=progressbar]')?.getAttribute('aria-valuenow') });
            }),
          ),
      );
      assert.equal(p.state, 'running', 'still running (the file is big enough to watch)');
      frames += 1;
      if (p.rows > 0) seen.add(p.rows);
    }
    assert.ok(frames >= 3);
    const progress = await shadowText(b.page, '.net-progress');
    assert.match(progress, /已读取 [\d.]+ MB \/ 14\.\d MB（\d+%），已算 [\d,]+ 家经销商/);
    assert.ok(Number(await b.page.locator(sel('.net-progress [role=progressbar]')).getAttribute('aria-valuenow')) > 0);
    await b.page.locator(sel('button[data-action=network-cancel]')).click();
    await b.page.waitForFunction(() => document.querySelector('dealer-calculator').dataset.network === 'cancelled');
    assert.equal((await net(b.page)).hidden, true);
    assert.equal(await b.page.locator(sel('input[name="content_posts"]')).inputValue(), '7', 'typed figures kept');
    assert.deepEqual(await shownTotals(b.page), before, 'single-dealer view untouched');
    assert.match(await shadowText(b.page, '.notices'), /已取消计算 dealers-100k\.csv，已填写的数据没有改动/);

    // Run 2: to the end.
    const t0 = Date.now();
    await b.page.locator(sel('input[type=file][accept*=".csv"]')).setInputFiles(BIG);
    const s = await finished(b.page);
    const ms = Date.now() - t0;
    const computed = await b.page.evaluate(() => performance.getEntriesByName('dealer-network').pop()?.duration);
    console.log(`100,000 rows: ${Math.round(computed)} ms in the worker to the table (${Math.round(100000 / (computed / 1000))} rows/s); ${ms} ms from the upload`);
    assert.equal(s.mode, 'worker');
    assert.equal(s.stats.dealers, '100000');
    assert.equal(s.count, 100000);
    assert.ok(await b.page.evaluate(() => document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('.net-body .net-row').length < 100), 'only the rows in view are in the DOM');
    const native = hasCli ? nativeBatch(BIG) : null;
    if (native) assertTotals(s.stats, native);

    // Sorted and filtered first rows, against the native CLI's output.
    if (native) {
      const rows = native.csv.toString('utf8').trim().split('\r\n').slice(1).map((l) => l.split(','));
      const byTotal = [...rows].sort((a, b) => Number(b[3]) - Number(a[3]) || Number(a[0]) - Number(b[0]));
      await afterView(b.page, () => b.page.locator(sel('.net-headrow button[data-sort="total:CNY"]')).click());
      assert.deepEqual((await tableRows(b.page, 5)).map((r) => [r.line, r.id, r.totals.CNY]), byTotal.slice(0, 5).map((r) => [Number(r[0]), r[1], r[3]]));
      const match = byTotal.filter((r) => r[2].toLowerCase().includes('dealer 4242'));
      await afterView(b.page, () => b.page.locator(sel('.net-filter')).fill('Dealer 4242'));
      assert.equal((await net(b.page)).count, match.length);
      assert.deepEqual((await tableRows(b.page, 20)).map((r) => r.id), match.map((r) => r[1]));
      // The export is the native CLI's output, byte for byte (after the BOM).
      const out = await exported(b.page);
      assert.deepEqual(out.bytes.subarray(0, 3), BOM);
      assert.ok(out.bytes.subarray(3).equals(native.csv), 'export = native CLI CSV');
      // The first filtered dealer opens with the table's total.
      const first = (await tableRows(b.page, 1))[0];
      const rev = await revision(b.page);
      await b.page.locator(sel('.net-body .net-row[data-k="0"] .net-open')).click();
      await settled(b.page, rev);
      assert.equal((await shownTotals(b.page)).totals.CNY, Number(first.totals.CNY));
      await b.page.locator(sel('.notice button[data-action=network]')).click();
    }

    // Scrolling far down renders the rows there (and only those).
    await afterView(b.page, () => b.page.locator(sel('.net-filter')).fill(''));
    assert.equal((await net(b.page)).count, 100000);
    await b.page.evaluate(() => {
      const s = document.querySelector('dealer-calculator').shadowRoot.querySelector('.net-scroll');
      s.scrollTop = s.scrollHeight;
    });
    await b.page.waitForFunction(() => [...document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('.net-body .net-row')].some((r) => r.dataset.k === '99999'));

    // English: the network view's own text has no Chinese left (the dealers' names are English here).
    const rev = await revision(b.page);
    await b.page.locator(sel('select.lang-select')).selectOption('en');
    await settled(b.page, rev);
    const en = await shadowText(b.page, '.network');
    assert.match(en, /All dealers[\s\S]*Total, all dealers \(CNY\)[\s\S]*Median \(CNY\)[\s\S]*Payouts[\s\S]*Nearest next tier/);
    assert.deepEqual(en.split('\n').filter((l) => CJK.test(l)), [], 'untranslated text in English');
    const svg = await b.page.evaluate(() => [...document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('svg.hist text, svg.hist title, svg.hist desc')].map((t) => t.textContent).join('\n'));
    assert.doesNotMatch(svg, CJK);
    await noProblems(b);
  } finally {
    await b.close();
  }
});

// ---- accessibility ------------------------------------------------------------------------------

test('axe-core finds no serious or critical violation in the network view (zh-CN and en, desktop and phone)', async () => {
  const b = await browser({ locale: 'zh-CN' });
  try {
    await freshPage(b);
    const lines = readFileSync(NETWORK_CSV, 'utf8').trim().split('\n');
    lines[3] = lines[3].replace(',47.8,', ',abc,');
    await openNetwork(b.page, writeTmp('axe.csv', `${lines.join('\n')}\n`));
    await b.page.locator(sel('.hist-details > summary')).click();
    const run = async () => {
      await b.page.evaluate(AXE);
      return b.page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
      });
    };
    assert.deepEqual(await run(), []);
    const rev = await revision(b.page);
    await b.page.locator(sel('select.lang-select')).selectOption('en');
    await settled(b.page, rev);
    await b.page.setViewportSize({ width: 375, height: 812 });
    await b.page.waitForFunction(() => document.querySelector('dealer-calculator').shadowRoot.querySelector('.net-scroll.narrow .net-body .net-row'));
    assert.ok(await b.page.evaluate(() => document.scrollingElement.scrollWidth <= 375), 'no sideways scrolling on a phone');
    assert.deepEqual(await run(), []);
  } finally {
    await b.close();
  }
});
