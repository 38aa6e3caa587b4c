// The static site (dist/web) served by scripts/serve.mjs, ?program=URL, and loading
// another programme by picker or drag and drop, with its validation errors located.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../scripts/serve.mjs';
import { ensureBuilt, launch, open, settled, revision, WEB_ROOT, sampleProgram, sampleFigures, noticeText, shownTotals } from './helpers.mjs';

let server;
let root;
before(async () => {
  ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'dealer-site-'));
  cpSync(WEB_ROOT, root, { recursive: true });
  const other = sampleProgram();
  other.id = 'other-2027';
  other.name = { 'zh-CN': '另一个方案', en: 'Another programme' };
  writeFileSync(join(root, 'other.json'), JSON.stringify(other));
  server = await startServer({ root, port: 0 });
});
after(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

function brokenProgram() {
  const p = sampleProgram();
  p.rules[1].id = p.rules[0].id; // duplicate id
  p.rules[11].tiers[1].from = 0.01; // tiers not ascending
  p.metrics[0].category = 'marketing'; // unknown category
  return JSON.stringify(p);
}

test('the static site serves hashed assets with the right types and works', async () => {
  const b = await launch();
  try {
    const types = {};
    b.page.on('response', (r) => (types[new URL(r.url()).pathname] = r.headers()['content-type']));
    await open(b.page, server.url);
    const paths = Object.keys(types);
    const js = paths.find((p) => /\/assets\/app-[0-9A-Z]{8}\.js$/.test(p));
    const mjs = paths.find((p) => /\/assets\/dealer-calc-[0-9a-f]{10}\.mjs$/.test(p));
    const css = paths.find((p) => /\/assets\/page-[0-9a-f]{10}\.css$/.test(p));
    assert.ok(js && mjs && css, paths.join(' '));
    assert.match(types[js], /^text\/javascript/);
    assert.match(types[mjs], /^text\/javascript/);
    assert.match(types[css], /^text\/css/);
    assert.match(types['/programs/sample/program.json'], /^application\/json/);
    assert.match(types['/'], /^text\/html/);
    const res = await fetch(new URL(js, server.url));
    assert.match(res.headers.get('cache-control'), /immutable/);
    assert.equal((await fetch(new URL('/../../etc/passwd', server.url))).status, 404);
    await b.page.locator('dealer-calculator button[data-action=example]').click();
    await settled(b.page, 0);
    assert.equal((await shownTotals(b.page)).text, '¥12,798.30');
    assert.deepEqual(b.log.console.filter((m) => m.type === 'error'), []);
    assert.deepEqual(b.log.errors, []);
  } finally {
    await b.close();
  }
});

test('?program=URL loads a brand\'s programme over http', async () => {
  const b = await launch();
  try {
    await open(b.page, `${server.url}?program=other.json`);
    assert.equal(await b.page.locator('dealer-calculator h1').innerText(), '另一个方案');
    assert.equal(await b.page.evaluate(() => document.querySelector('dealer-calculator').program.id), 'other-2027');
    // A URL that does not answer: a message, and the page stays usable.
    await b.page.goto(`${server.url}?program=missing.json`);
    await b.page.waitForFunction(() => /missing\.json/.test(document.querySelector('dealer-calculator').shadowRoot.querySelector('.notice-error')?.innerText || ''));
    assert.match(await noticeText(b.page), /无法读取方案 missing\.json：HTTP 404/);
  } finally {
    await b.close();
  }
});

test('another programme by file picker: errors with JSON Pointers, then a good one', async () => {
  const b = await launch();
  try {
    await open(b.page, server.url);
    await b.page.locator('dealer-calculator button[data-action=example]').click();
    await settled(b.page, 0);
    const picker = b.page.locator('dealer-calculator input[type=file][accept=".json,application/json"]');
    await picker.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(brokenProgram()) });
    await b.page.waitForFunction(() => /broken\.json/.test(document.querySelector('dealer-calculator').shadowRoot.querySelector('.notice-error')?.innerText || ''));
    const text = await noticeText(b.page);
    assert.match(text, /方案文件 broken\.json 有问题，未载入，当前方案保持不变/);
    assert.match(text, /位置 \/rules\/1\/id：id 重复/);
    assert.match(text, /位置 \/rules\/11\/tiers\/1\/from：档位的起点必须严格递增/);
    assert.match(text, /位置 \/metrics\/0\/category：未知类别/);
    // The current programme and the typed figures are untouched.
    assert.equal(await b.page.evaluate(() => document.querySelector('dealer-calculator').program.id), 'sample-digital-2027h1');
    assert.equal(await b.page.locator('dealer-calculator input[name="content_posts"]').inputValue(), '22');
    // In English the same errors read in English.
    await b.page.locator('dealer-calculator select.lang-select').selectOption('en');
    await settled(b.page, 0);
    assert.match(await noticeText(b.page), /at \/rules\/1\/id: Duplicate id/);
    // Not JSON at all: line and column.
    await picker.setInputFiles({ name: 'nope.json', mimeType: 'application/json', buffer: Buffer.from('{\n  "format": oops\n}') });
    await b.page.waitForFunction(() => /nope\.json/.test(document.querySelector('dealer-calculator').shadowRoot.querySelector('.notice-error')?.innerText || ''));
    assert.match(await noticeText(b.page), /line 2, character \d+: Not a valid JSON file/);
    // A good programme replaces the form.
    const other = sampleProgram();
    other.id = 'picked-2027';
    other.name = { 'zh-CN': '选择的方案', en: 'Picked programme' };
    other.metrics = other.metrics.filter((m) => m.id !== 'promo_code_scans');
    other.rules = other.rules.filter((r) => r.id !== 'promo_scan_bonus');
    const rev = await revision(b.page);
    await picker.setInputFiles({ name: 'picked.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(other)) });
    await settled(b.page, rev);
    assert.equal(await b.page.locator('dealer-calculator h1').innerText(), 'Picked programme');
    assert.equal(await b.page.locator('dealer-calculator input[name="promo_code_scans"]').count(), 0);
    assert.match(await noticeText(b.page), /Programme loaded: Picked programme \(2027\.1\)/);
  } finally {
    await b.close();
  }
});

test('drag and drop: a figures file and a programme file', async () => {
  const b = await launch();
  try {
    await open(b.page, server.url);
    const drop = async (name, text) => {
      const handle = await b.page.evaluateHandle(({ name, text }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], name, { type: 'application/json' }));
        return dt;
      }, { name, text });
      const target = b.page.locator('dealer-calculator .app');
      await target.dispatchEvent('dragenter', { dataTransfer: handle });
      await target.dispatchEvent('dragover', { dataTransfer: handle });
      await target.dispatchEvent('drop', { dataTransfer: handle });
    };
    let rev = await revision(b.page);
    await drop('figures.json', JSON.stringify(sampleFigures()));
    await settled(b.page, rev);
    assert.equal((await shownTotals(b.page)).text, '¥12,798.30');
    const other = sampleProgram();
    other.id = 'dropped-2027';
    other.name = { 'zh-CN': '拖入的方案', en: 'Dropped programme' };
    rev = await revision(b.page);
    await drop('dropped.json', JSON.stringify(other));
    await settled(b.page, rev);
    assert.equal(await b.page.locator('dealer-calculator h1').innerText(), '拖入的方案');
  } finally {
    await b.close();
  }
});
