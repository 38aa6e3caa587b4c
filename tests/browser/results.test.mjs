// What the result shows: a locked rule and what unlocks it, next best actions that are
// exactly the result's drivers sorted by gain, the tier chart, the one-page print
// statement, and no serious or critical accessibility violation (axe-core).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ensureBuilt, launch, open, settled, typeFigure, shadowText } from './helpers.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let b;
before(async () => {
  ensureBuilt();
  b = await launch({ locale: 'zh-CN' });
  await open(b.page);
  await b.page.evaluate(() => localStorage.clear());
  await open(b.page);
  await b.page.locator('dealer-calculator button[data-action=example]').click();
  await settled(b.page, 0);
});
after(async () => b && (await b.close()));

const result = () => b.page.evaluate(() => document.querySelector('dealer-calculator').result);

test('a locked rule shows its status and what unlocks it', async () => {
  const card = b.page.locator('dealer-calculator .comp[data-rule="live_commission"]');
  assert.equal(await card.getAttribute('data-status'), 'locked');
  const text = await card.textContent();
  assert.match(text, /未解锁/);
  assert.match(text, /解锁条件：认证导购人数 ≥ 2（当前 认证导购人数 1）/);
  assert.match(text, /认证导购人数 再增加 1（到 2） → 多得 ¥1,901.25 \+ 200 积分/);
  // A locked award that no single figure unlocks says so.
  const benchCard = b.page.locator('dealer-calculator .comp[data-rule="benchmark_dealer"]');
  const bench = await benchCard.textContent();
  assert.match(bench, /解锁条件：数字化评分 ≥ 90 且 零售额同比增长 ≥ 0.1/);
  assert.match(bench, /单靠一项数据无法解锁/);
  // Unlock it: two certified staff → earned.
  await typeFigure(b.page, 'certified_staff', '2');
  await settled(b.page, 0);
  assert.equal(await card.getAttribute('data-status'), 'earned');
  assert.match(await card.textContent(), /已获得/);
  await typeFigure(b.page, 'certified_staff', '1');
  await settled(b.page, 0);
});

test('next best actions are the result\'s drivers, sorted by gain, in plain words', async () => {
  const r = await result();
  const drivers = new Map();
  for (const c of r.components) for (const d of [...(c.next?.drivers || []), ...(c.unlock || [])]) drivers.set(`${d.metric}|${d.increase}|${d.to}`, d);
  const items = await b.page.evaluate(() =>
    [...document.querySelector('dealer-calculator').shadowRoot.querySelectorAll('.action-list .action')].map((li) => ({
      key: `${li.dataset.metric}|${li.dataset.increase}|${li.dataset.to}`,
      gain: JSON.parse(li.dataset.gain),
      text: [...li.children].map((c) => c.textContent).filter((x) => x !== '→').join(' ').replace(/\s+/g, ' ').trim(),
    })),
  );
  assert.deepEqual(items.map((i) => i.key).sort(), [...drivers.keys()].sort(), 'one line per distinct driver, none missing');
  const money = items.map((i) => i.gain.CNY);
  assert.deepEqual(money, [...money].sort((x, y) => y - x), 'sorted by gain');
  assert.match(items[0].text, /^本期零售额 再增加 ¥349.16（到 ¥648,585.96） 多得 ¥2,725.52 「零售增长返利」达到「增长10%」$/);
  assert.ok(items.some((i) => /^原创内容发布数 再增加 4（到 26） 多得 ¥332.85/.test(i.text)));
  assert.ok(items.some((i) => /CRM录入及时率 再提高 1.5 个百分点（到 95%） 多得 ¥800.00/.test(i.text)));
});

test('tier ladder, progress to the next tier, scorecard and cap adjustments', async () => {
  const growth = b.page.locator('dealer-calculator .comp[data-rule="growth_rebate"]');
  assert.match(await growth.textContent(), /当前 0.0994，还差 0.0006 达到「增长10%」/);
  assert.equal(await growth.locator('[role=progressbar]').getAttribute('aria-valuenow'), '99');
  assert.equal(await growth.locator('.rung.current .rung-name').textContent(), '增长5%');
  const score = await shadowText(b.page, '.scores-panel');
  assert.match(score, /73\.82 \/ 100 分/);
  assert.match(score, /差 6.75 分/);
  // Push content over its cap (¥3,000 + ¥1,200 > ¥4,000): an adjustment line appears.
  await typeFigure(b.page, 'content_reads', '900000');
  await typeFigure(b.page, 'content_posts', '30');
  await settled(b.page, 0);
  const adj = await shadowText(b.page, '.adj-box');
  assert.match(adj, /内容奖励上限\s*-¥200.00/);
  assert.match(adj, /¥4,200.00 超过上限 ¥4,000.00，扣减 -¥200.00/);
  await typeFigure(b.page, 'content_reads', '186420');
  await typeFigure(b.page, 'content_posts', '22');
  await settled(b.page, 0);
});

test('a chart for a tiered rule marks tiers, the dealer and the next tier', async () => {
  await b.page.locator('dealer-calculator .comp[data-rule="volume_rebate"] details.chart-box summary').click();
  const svg = b.page.locator('dealer-calculator .comp[data-rule="volume_rebate"] svg.chart');
  await svg.waitFor();
  assert.equal(await svg.getAttribute('role'), 'img');
  assert.equal(await svg.locator('.tier-line').count(), 4);
  assert.equal(await svg.locator('.tier-line.next').count(), 1);
  assert.equal(await svg.locator('.you-dot').count(), 1);
  assert.match(await svg.locator('title').textContent(), /提货阶梯返利/);
});

test('print gives a one-page statement', async () => {
  await b.page.emulateMedia({ media: 'print' });
  await b.page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  const visible = await b.page.evaluate(() => {
    const root = document.querySelector('dealer-calculator').shadowRoot;
    return { statement: getComputedStyle(root.querySelector('.statement')).display, layout: getComputedStyle(root.querySelector('.layout')).display };
  });
  assert.deepEqual(visible, { statement: 'block', layout: 'none' });
  const text = await shadowText(b.page, '.statement');
  assert.match(text, /奖励对账单/);
  assert.match(text, /合计（CNY）\s*¥12,798.30/);
  const pdf = await b.page.pdf({ format: 'A4', printBackground: true });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.equal(pages, 1, 'the statement fits one A4 page');
  await b.page.emulateMedia({ media: 'screen' });
});

test('axe-core finds no serious or critical violation (zh-CN and en, desktop and phone)', async () => {
  const run = async () => {
    await b.page.evaluate(AXE);
    return b.page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
    });
  };
  // With an inline error, an open chart and the rules view, so they are checked too.
  await typeFigure(b.page, 'leads', 'abc');
  await b.page.locator('dealer-calculator .rules-details > summary').click();
  assert.deepEqual(await run(), []);
  await b.page.locator('dealer-calculator select.lang-select').selectOption('en');
  await settled(b.page, 0);
  await b.page.setViewportSize({ width: 375, height: 812 });
  assert.deepEqual(await run(), []);
  await b.page.setViewportSize({ width: 1280, height: 900 });
});
