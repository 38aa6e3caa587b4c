// zh-CN and en: chosen from the browser's languages, switchable, remembered, and every
// string the page shows comes in the chosen language.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt, launch, open, settled, revision, shadowText, typeFigure } from './helpers.mjs';
import { MESSAGES } from '../../web/src/i18n.js';

before(() => ensureBuilt());

const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
// A message key shown instead of its text ("actions.showAll"): a missing translation.
const KEY = new RegExp(`\\b(${[...new Set(Object.keys(MESSAGES.en).map((k) => k.split('.')[0]))].join('|')})\\.[a-zA-Z_]+\\b`);

test('both languages have the same messages', () => {
  const zh = Object.keys(MESSAGES['zh-CN']).sort();
  const en = Object.keys(MESSAGES.en).sort();
  assert.deepEqual(zh, en);
  for (const [k, v] of Object.entries(MESSAGES.en)) {
    // reason.not_boolean lists what a CSV cell may say, 是/否 included.
    if (typeof v === 'string' && k !== 'reason.not_boolean') assert.doesNotMatch(v, CJK, `en message ${k} has Chinese text`);
  }
});

test('the language comes from the browser and can be switched', async () => {
  const en = await launch({ locale: 'en-US' });
  try {
    await open(en.page);
    assert.equal(await en.page.evaluate(() => document.documentElement.lang), 'en');
    assert.match(await shadowText(en.page, '.top'), /Dealer incentive calculator/);
  } finally {
    await en.close();
  }

  const b = await launch({ locale: 'zh-CN' });
  try {
    await open(b.page);
    await b.page.locator('dealer-calculator button[data-action=example]').click();
    await typeFigure(b.page, 'leads', '1.5'); // an inline message, translated too
    await settled(b.page, 0);
    assert.equal(await b.page.evaluate(() => document.documentElement.lang), 'zh-CN');
    const zhText = await shadowText(b.page);
    assert.match(zhText, /下一步怎么做最划算/);
    assert.match(zhText, /只能填整数/);
    assert.doesNotMatch(zhText, KEY, 'a message key is shown instead of its text');

    let rev = await revision(b.page);
    await b.page.locator('dealer-calculator select.lang-select').selectOption('en');
    await settled(b.page, rev);
    assert.equal(await b.page.locator('dealer-calculator').getAttribute('locale'), 'en');
    assert.equal(await b.page.evaluate(() => document.documentElement.lang), 'en');
    assert.match(await b.page.title(), /^2027 H1 Dealer Digital Incentive Programme · Dealer incentive calculator$/);
    // Open the rules view and a chart so their text is checked too.
    await b.page.locator('dealer-calculator .rules-details > summary').click();
    await b.page.locator('dealer-calculator .comp[data-rule="growth_rebate"] details.chart-box summary').click();
    const enText = await shadowText(b.page);
    assert.match(enText, /Next best actions/);
    assert.match(enText, /Whole numbers only/);
    assert.doesNotMatch(enText, KEY, 'a message key is shown instead of its text');
    // Nothing Chinese left but the dealer's own name and the language's own name.
    const leftover = enText.replace(/杭州西湖数码专营店/g, '').replace(/中文/g, '');
    const lines = leftover.split('\n').filter((l) => CJK.test(l));
    assert.deepEqual(lines, [], 'untranslated text in English');
    const svgText = await b.page.evaluate(() => [...document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('svg text, svg title, svg desc')].map((t) => t.textContent).join('\n'));
    assert.doesNotMatch(svgText, CJK);

    // The choice is remembered.
    await typeFigure(b.page, 'leads', '15');
    await settled(b.page, 0);
    await b.page.waitForTimeout(300);
    await open(b.page);
    assert.equal(await b.page.evaluate(() => document.documentElement.lang), 'en');
    rev = await revision(b.page);
    await b.page.locator('dealer-calculator select.lang-select').selectOption('zh-CN');
    await settled(b.page, rev);
    assert.match(await shadowText(b.page), /奖励明细/);
  } finally {
    await b.close();
  }
});
