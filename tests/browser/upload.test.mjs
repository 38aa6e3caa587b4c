// Uploads: CSV (UTF-8, UTF-8 with BOM, GB18030), Excel .xlsx, figures JSON; a file with
// several rows lets the dealer pick one; a bad file names file, row, column and reason
// and leaves what was typed alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import writeXlsxFile from 'write-excel-file/node';
import { ensureBuilt, launch, open, SAMPLE, typeFigure, settled, revision, shownTotals, sampleFigures, sampleProgram, cliEvaluate, upload, noticeText } from './helpers.mjs';

let b;
before(async () => {
  ensureBuilt();
  b = await launch({ locale: 'zh-CN' });
});
after(async () => b && (await b.close()));

const figures = sampleFigures();
const program = sampleProgram();
const expected = cliEvaluate(figures);

async function fresh() {
  await open(b.page);
  await b.page.evaluate(() => localStorage.clear());
  await open(b.page);
}

async function uploadAndSettle(name, buffer, mime) {
  const rev = await revision(b.page);
  await upload(b.page, name, buffer, mime);
  await settled(b.page, rev);
}

function csvFromSample({ labels = false, lang = 'zh-CN' } = {}) {
  const metrics = program.metrics;
  const header = ['dealer_id', 'dealer_name', 'as_of', ...metrics.map((m) => (labels ? m.label[lang] : m.id))];
  const row = [figures.dealer.id, figures.dealer.name, figures.as_of, ...metrics.map((m) => (figures.values[m.id] === undefined ? '' : String(figures.values[m.id])))];
  const q = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return `${header.map(q).join(',')}\r\n${row.map(q).join(',')}\r\n`;
}

async function assertSampleTotals() {
  const shown = await shownTotals(b.page);
  if (expected) {
    assert.deepEqual(shown.totals, expected.totals);
    assert.deepEqual(shown.projection, expected.projection.totals);
  } else {
    assert.equal(shown.text, '¥12,798.30');
  }
  const dealer = await b.page.locator('dealer-calculator input[name="dealer_name"]').inputValue();
  assert.equal(dealer, figures.dealer.name);
}

test('CSV in UTF-8 with metric ids as headers', async () => {
  await fresh();
  await uploadAndSettle('figures.csv', Buffer.from(csvFromSample(), 'utf8'), 'text/csv');
  await assertSampleTotals();
  assert.match(await noticeText(b.page), /已从 figures\.csv 载入 20 项数据/);
});

test('CSV in UTF-8 with a byte order mark and Chinese labels as headers', async () => {
  await fresh();
  await uploadAndSettle('标签.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csvFromSample({ labels: true }), 'utf8')]), 'text/csv');
  await assertSampleTotals();
});

test('CSV in GB18030 as Excel saves it on a Chinese system', async () => {
  await fresh();
  const bytes = iconv.encode(csvFromSample({ labels: true }), 'gb18030');
  assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), 'the test file really is not UTF-8');
  await uploadAndSettle('gbk.csv', bytes, 'text/csv');
  await assertSampleTotals();
});

test('Excel .xlsx, first sheet, English labels as headers', async () => {
  await fresh();
  const header = ['dealer_id', 'dealer_name', 'as_of', ...program.metrics.map((m) => m.label.en)];
  const row = [figures.dealer.id, figures.dealer.name, figures.as_of, ...program.metrics.map((m) => figures.values[m.id] ?? null)];
  const data = [header.map((value) => ({ value })), row.map((value) => (value === null ? null : { value }))];
  const buffer = await writeXlsxFile(data).toBuffer();
  await uploadAndSettle('figures.xlsx', buffer, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  await assertSampleTotals();
});

test('figures JSON', async () => {
  await fresh();
  await uploadAndSettle('figures.json', readFileSync(join(SAMPLE, 'figures.json')), 'application/json');
  await assertSampleTotals();
});

test('a file with several rows lets the dealer pick a row', async () => {
  await fresh();
  await upload(b.page, 'network.csv', readFileSync(join(SAMPLE, 'figures-network.csv')), 'text/csv');
  const select = b.page.locator('dealer-calculator select.row-select');
  await select.waitFor();
  const options = await select.locator('option').allTextContents();
  assert.equal(options.length, 12);
  assert.match(options[0], /第 2 行：D-0042 杭州西湖数码专营店/);
  const rev = await revision(b.page);
  await select.selectOption({ index: 1 });
  await b.page.locator('dealer-calculator .notice button.primary').click();
  await settled(b.page, rev);
  const dealerId = await b.page.locator('dealer-calculator input[name="dealer_id"]').inputValue();
  assert.equal(dealerId, 'D-0007');
  const csvRow = readFileSync(join(SAMPLE, 'figures-network.csv'), 'utf8').split('\n')[2].split(',');
  const header = readFileSync(join(SAMPLE, 'figures-network.csv'), 'utf8').split('\n')[0].split(',');
  const values = {};
  header.forEach((h, i) => {
    if (i < 3) return;
    const m = program.metrics.find((x) => x.id === h);
    values[h] = m.type === 'boolean' ? csvRow[i] === 'true' : Number(csvRow[i]);
  });
  const cli = cliEvaluate({ dealer: { id: csvRow[0], name: csvRow[1] }, as_of: csvRow[2], values });
  if (cli) assert.deepEqual((await shownTotals(b.page)).totals, cli.totals);
});

test('a bad upload names file, row, column and reason and keeps what was typed', async () => {
  await fresh();
  await typeFigure(b.page, 'content_posts', '7');
  await typeFigure(b.page, 'content_reads', '12,345');
  await settled(b.page, 0);
  const before = await shownTotals(b.page);
  const csv = 'dealer_id,content_posts,content_reads,community_active_rate\r\nD-1,12.5,abc,120\r\n';
  await upload(b.page, 'bad.csv', Buffer.from(csv), 'text/csv');
  const notice = b.page.locator('dealer-calculator .notice-error');
  await notice.waitFor();
  const text = await notice.innerText();
  assert.match(text, /bad\.csv 第 2 行有错误，未载入/);
  assert.match(text, /文件 bad\.csv · 第 2 行 · 第 2 列 · 「content_posts」：只能填整数/);
  assert.match(text, /第 3 列 · 「content_reads」：“abc”不是数字/);
  assert.match(text, /第 4 列 · 「community_active_rate」：不能大于 100/);
  assert.equal(await b.page.locator('dealer-calculator input[name="content_posts"]').inputValue(), '7');
  assert.equal(await b.page.locator('dealer-calculator input[name="content_reads"]').inputValue(), '12,345');
  assert.deepEqual(await shownTotals(b.page), before);

  // A broken file of another kind: not an xlsx at all, and malformed JSON.
  await upload(b.page, 'broken.xlsx', Buffer.from('not a zip'), 'application/octet-stream');
  await b.page.waitForFunction(() => /broken\.xlsx/.test(document.querySelector('dealer-calculator').shadowRoot.querySelector('.notice-error')?.innerText || ''));
  await upload(b.page, 'broken.json', Buffer.from('{"values": {"content_posts": 3,}}'), 'application/json');
  await b.page.waitForFunction(() => /broken\.json/.test(document.querySelector('dealer-calculator').shadowRoot.querySelector('.notice-error')?.innerText || ''));
  assert.match(await b.page.locator('dealer-calculator .notice-error').innerText(), /文件 broken\.json · 第 1 行第 \d+ 个字符：不是有效的 JSON 文件/);
  // Figures JSON with a wrong value: located by its JSON Pointer and the metric's label.
  await upload(b.page, 'wrong.json', Buffer.from('{"values": {"leads": -3}}'), 'application/json');
  await b.page.waitForFunction(() => /wrong\.json/.test(document.querySelector('dealer-calculator').shadowRoot.querySelector('.notice-error')?.innerText || ''));
  assert.match(await b.page.locator('dealer-calculator .notice-error').innerText(), /「有效线索数」 · 位置 \/values\/leads：不能小于 0/);
  assert.equal(await b.page.locator('dealer-calculator input[name="content_posts"]').inputValue(), '7');
  assert.deepEqual(await shownTotals(b.page), before);
});

test('templates and the result export', async () => {
  await fresh();
  await b.page.locator('dealer-calculator button[data-action=example]').click();
  await settled(b.page, 0);
  const grab = async (action) => {
    const [dl] = await Promise.all([b.page.waitForEvent('download'), b.page.locator(`dealer-calculator button[data-action=${action}]`).click()]);
    const path = await dl.path();
    return { name: dl.suggestedFilename(), bytes: readFileSync(path) };
  };
  const csv = await grab('templateCsv');
  assert.match(csv.name, /template\.csv$/);
  assert.match(csv.bytes.toString('utf8'), /^\uFEFFdealer_id,dealer_name,as_of,content_posts,/);
  const xlsx = await grab('templateXlsx');
  assert.match(xlsx.name, /template\.xlsx$/);
  assert.equal(xlsx.bytes.subarray(0, 2).toString(), 'PK');
  // The template reads back: upload it (header only) → "no rows".
  await upload(b.page, xlsx.name, xlsx.bytes, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  await b.page.waitForFunction(() => /只有表头/.test(document.querySelector('dealer-calculator').shadowRoot.querySelector('.notice-error')?.innerText || ''));
  // A dealer name that a spreadsheet would run as a formula is neutralised in the export.
  await typeFigure(b.page, 'dealer_name', '=HYPERLINK("http://x","y")');
  await settled(b.page, 0);
  const out = await grab('export');
  const text = out.bytes.toString('utf8');
  assert.match(text, /^\uFEFF/);
  assert.match(text, /合计,,,12798\.3,CNY,/);
  assert.match(text, /,"'=HYPERLINK\(""http:\/\/x"",""y""\)",/, 'formula cell escaped with a leading quote');
  assert.doesNotMatch(text, /(^|,)=HYPERLINK/m);
});
