// Screenshots for docs/screenshots (desktop 1280 px and phone 375 px, zh-CN and en),
// with the sample figures filled in; and the layout never scrolls sideways on a phone.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
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
