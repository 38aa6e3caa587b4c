// The single-file page from file://: it works with no network, asks for nothing, logs
// no error, and typing the sample figures gives the native CLI's totals.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt, launch, open, OFFLINE_URL, typeFigure, setBoolean, settled, revision, shownTotals, sampleFigures, cliEvaluate, sampleProgram } from './helpers.mjs';

before(() => ensureBuilt());

test('offline file loads from file:// with zero network requests and no console errors', async () => {
  const b = await launch();
  try {
    const violations = [];
    await b.page.exposeFunction('reportViolation', (v) => violations.push(v));
    await b.page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(`${e.violatedDirective} ${e.blockedURI}`)));
    await open(b.page, OFFLINE_URL);
    // Use it a little: type, switch language, open a chart, so lazy paths run too.
    await typeFigure(b.page, 'content_posts', '12');
    await b.page.locator('dealer-calculator select.lang-select').selectOption('en');
    await settled(b.page, await revision(b.page) - 1);
    await b.page.locator('dealer-calculator .comp[data-rule="volume_rebate"] details.chart-box summary').click();
    await b.page.waitForTimeout(300);
    const others = b.log.requests.filter((u) => u !== OFFLINE_URL);
    assert.deepEqual(others, [], `requests besides the document itself: ${others.join(', ')}`);
    assert.ok(b.log.requests.every((u) => u.startsWith('file:')), 'only the file itself was read');
    const bad = b.log.console.filter((m) => m.type === 'error' || m.type === 'warning');
    assert.deepEqual(bad, [], 'no console errors or warnings');
    assert.deepEqual(b.log.errors, [], 'no uncaught errors');
    assert.deepEqual(violations, [], 'no Content-Security-Policy violations');
    const csp = await b.page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]').content);
    assert.match(csp, /default-src 'none'/, 'the offline file forbids every fetch by policy');
  } finally {
    await b.close();
  }
});

test('typing the sample figures gives the same totals as the native CLI', async (t) => {
  const figures = sampleFigures();
  const expected = cliEvaluate(figures);
  if (!expected) return t.skip('build/native/dealer-calc is not built');
  const b = await launch();
  try {
    await open(b.page);
    const program = sampleProgram();
    await typeFigure(b.page, 'dealer_id', figures.dealer.id);
    await typeFigure(b.page, 'dealer_name', figures.dealer.name);
    await b.page.locator('dealer-calculator input[name="as_of"]').fill(figures.as_of);
    for (const m of program.metrics) {
      const v = figures.values[m.id];
      if (v === undefined) continue;
      if (m.type === 'boolean') await setBoolean(b.page, m.id, v);
      else await typeFigure(b.page, m.id, String(v));
    }
    await settled(b.page, 0);
    const shown = await shownTotals(b.page);
    assert.deepEqual(shown.totals, expected.totals, 'totals per unit');
    assert.deepEqual(shown.projection, expected.projection.totals, 'projected totals');
    assert.equal(shown.text, '¥12,798.30');
    const result = await b.page.evaluate(() => document.querySelector('dealer-calculator').result);
    assert.deepEqual(result.totals, expected.totals);
    assert.deepEqual(result.components.map((c) => [c.id, c.status, c.amount ?? null]), expected.components.map((c) => [c.id, c.status, c.amount ?? null]));
    assert.deepEqual(result.adjustments, expected.adjustments);
    // Every component card shows the core's status and amount.
    const cards = await b.page.evaluate(() => [...document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('.comp')].map((c) => [c.dataset.rule, c.dataset.status, c.dataset.amount === '' ? null : Number(c.dataset.amount)]));
    assert.deepEqual(cards, expected.components.map((c) => [c.id, c.status, c.amount ?? null]));
  } finally {
    await b.close();
  }
});
