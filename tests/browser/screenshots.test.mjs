// Screenshots for docs/screenshots (desktop 1280 px and phone 375 px, zh-CN and en),
// with the sample figures filled in, and of the network view; and the layout never
// scrolls sideways on a phone.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, launch, open, settled, ROOT } from './helpers.mjs';

const OUT = join(ROOT, 'docs', 'screenshots');
before(() => {
  ensureBuilt();
  mkdirSync(OUT, { recursive: true });
});

const shots = [
  { name: 'desktop', viewport: { width: 1280, height: 900 }, scale: 1 },
  { name: 'phone', viewport: { width: 375, height: 812 }, scale: 2 },
];

for (const locale of ['zh-CN', 'en']) {
  for (const s of shots) {
    test(`screenshot ${s.name} ${locale}`, async () => {
      const b = await launch({ locale, viewport: s.viewport, deviceScaleFactor: s.scale });
      try {
        await open(b.page);
        await b.page.locator('dealer-calculator button[data-action=example]').click();
        await settled(b.page, 0);
        // Close the "example filled in" notice: the screenshot shows the result.
        await b.page.locator('dealer-calculator .notice-close').first().click();
        await b.page.evaluate(() => document.fonts.ready);
        const width = await b.page.evaluate(() => document.scrollingElement.scrollWidth);
        assert.ok(width <= s.viewport.width, `no sideways scrolling (${width} > ${s.viewport.width})`);
        await b.page.screenshot({ path: join(OUT, `${s.name}-${locale}.png`) });
        if (s.name === 'desktop') {
          await b.page.locator('dealer-calculator').evaluate((el) => el.setAttribute('expanded', ''));
          await b.page.screenshot({ path: join(OUT, `${s.name}-${locale}-full.png`), fullPage: true });
        }
        else {
          // The phone's second screen: next best actions and the form.
          await b.page.evaluate(() => window.scrollTo(0, 760));
          await b.page.screenshot({ path: join(OUT, `${s.name}-${locale}-2.png`) });
        }
      } finally {
        await b.close();
      }
    });
  }
}

// The network view (docs/screenshots/network-*.png): 3,000 generated dealers with Chinese
// store names, opened from the offline file; the first screen and the table.
const CITIES = ['杭州', '上海', '成都', '武汉', '西安', '南京', '郑州', '佛山', '青岛', '苏州', '义乌', '重庆', '长沙', '厦门', '合肥', '昆明'];
const PLACES = ['西湖', '徐家汇', '春熙路', '光谷', '小寨', '新街口', '二七广场', '顺德', '市南', '观前街', '稠州北路', '解放碑', '五一广场', '中山路', '天鹅湖', '南屏街'];
const KINDS = ['数码专营店', '数码旗舰店', '智能生活馆', '数码广场店', '电器城数码专区', '数码体验店', '家电体验店', '数码生活店'];

function networkFile() {
  const dir = mkdtempSync(join(tmpdir(), 'dealer-shots-'));
  const raw = join(dir, 'raw.csv');
  execFileSync(process.execPath, [join(ROOT, 'bench', 'gen-dealers.mjs'), '3000', raw, join(ROOT, 'programs', 'sample', 'program.json')], { cwd: ROOT, stdio: 'ignore' });
  const lines = readFileSync(raw, 'utf8').trim().split('\n');
  const out = [lines[0]];
  lines.slice(1).forEach((l, i) => {
    const name = `${CITIES[i % CITIES.length]}${PLACES[(i * 7) % PLACES.length]}${KINDS[(i * 3) % KINDS.length]}`;
    out.push(l.replace(/^([^,]*),[^,]*,/, `$1,${name},`));
  });
  const file = join(dir, '2027上半年-全网经销商数据.csv');
  writeFileSync(file, `${out.join('\n')}\n`);
  return { file, dir };
}

for (const locale of ['zh-CN', 'en']) {
  for (const s of shots) {
    test(`screenshot network ${s.name} ${locale}`, async () => {
      const { file, dir } = networkFile();
      const b = await launch({ locale, viewport: s.viewport, deviceScaleFactor: s.scale });
      try {
        await open(b.page);
        await b.page.locator('dealer-calculator input[type=file][accept*=".csv"]').setInputFiles(file);
        await b.page.waitForFunction(() => {
          const el = document.querySelector('dealer-calculator');
          const net = el.shadowRoot.querySelector('.network');
          return el.dataset.network === 'done' && net.dataset.painted === net.dataset.view;
        }, null, { timeout: 60000 });
        await b.page.locator('dealer-calculator .notice-close').first().click();
        await b.page.evaluate(() => document.fonts.ready);
        const width = await b.page.evaluate(() => document.scrollingElement.scrollWidth);
        assert.ok(width <= s.viewport.width, `no sideways scrolling (${width} > ${s.viewport.width})`);
        await b.page.screenshot({ path: join(OUT, `network-${s.name}-${locale}.png`) });
        // The table, sorted by the currency total (largest first).
        await b.page.locator('dealer-calculator .net-headrow button[data-sort="total:CNY"]').click();
        await b.page.waitForFunction(() => {
          const net = document.querySelector('dealer-calculator').shadowRoot.querySelector('.network');
          return net.dataset.view === '2' && net.dataset.painted === '2';
        });
        await b.page.locator('dealer-calculator .net-table-box').evaluate((el) => el.scrollIntoView({ block: 'start' }));
        await b.page.screenshot({ path: join(OUT, `network-${s.name}-${locale}-table.png`) });
      } finally {
        await b.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}
