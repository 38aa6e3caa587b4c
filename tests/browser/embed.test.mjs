// Embedding in brand portals (docs/embedding.md): the custom element and the iframe
// (postMessage protocol), both served with the strict Content-Security-Policy header.
// Three origins: the calculator (C), the portal (P), and a stranger (X) whose messages
// must be ignored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, STRICT_CSP } from '../../scripts/serve.mjs';
import { ensureBuilt, launch, typeFigure, WEB_ROOT, SAMPLE } from './helpers.mjs';

let calcSrv;
let portalSrv;
let otherSrv;
let C;
let P;
let X;
let strangerRoot;
before(async () => {
  ensureBuilt();
  calcSrv = await startServer({ root: WEB_ROOT, port: 0, csp: 'strict' });
  C = new URL(calcSrv.url).origin;
  // The portal frames the calculator's origin: the strict policy plus frame-src for it.
  portalSrv = await startServer({ root: WEB_ROOT, port: 0, csp: 'strict', cspExtra: `frame-src 'self' ${C}` });
  P = new URL(portalSrv.url).origin;
  // X: a stranger's site (a real server: Chromium does not load a cross-origin frame into a page fulfilled by a route).
  strangerRoot = mkdtempSync(join(tmpdir(), 'dealer-stranger-'));
  mkdirSync(join(strangerRoot, 'programs', 'sample'), { recursive: true });
  copyFileSync(join(SAMPLE, 'program.json'), join(strangerRoot, 'programs', 'sample', 'program.json'));
  copyFileSync(join(WEB_ROOT, 'favicon.svg'), join(strangerRoot, 'favicon.ico'));
  otherSrv = await startServer({ root: strangerRoot, port: 0, csp: 'strict', cspExtra: `frame-src 'self' ${C}` });
  X = new URL(otherSrv.url).origin;
});
after(async () => {
  await calcSrv?.close();
  await portalSrv?.close();
  await otherSrv?.close();
  if (strangerRoot) rmSync(strangerRoot, { recursive: true, force: true });
});

/** A browser that records CSP violations (every frame) and console errors. */
async function browser() {
  const b = await launch({ locale: 'en-US' });
  await b.context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`), true);
  });
  return b;
}

/** Serves a test page (and its script) at `origin` with the strict CSP header, no inline code. */
async function routePage(b, origin, path, html, scripts = {}) {
  const headers = { 'content-security-policy': `${STRICT_CSP}; frame-src 'self' ${C}` };
  await b.context.route(`${origin}${path}`, (route) => route.fulfill({ status: 200, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' }, body: html }));
  for (const [p, js] of Object.entries(scripts)) {
    await b.context.route(`${origin}${p}`, (route) => route.fulfill({ status: 200, headers: { ...headers, 'content-type': 'text/javascript; charset=utf-8' }, body: js }));
  }
}

async function noProblems(b) {
  const violations = [];
  for (const f of b.page.frames()) violations.push(...(await f.evaluate(() => window.__violations || []).catch(() => [])));
  assert.deepEqual(violations, [], 'CSP violations');
  assert.deepEqual(b.log.console.filter((m) => m.type === 'error' || /Content.Security.Policy|Refused/i.test(m.text)), [], 'console errors');
  assert.deepEqual(b.log.errors, [], 'page errors');
}

const ready = (page, sel) =>
  page.waitForFunction((s) => {
    const el = document.querySelector(s);
    return el && el.dataset.ready === 'true' && !el.dataset.busy;
  }, sel, { timeout: 20000 });

const heroTotal = (page, sel) => page.evaluate((s) => document.querySelector(s).shadowRoot.querySelector('.hero-main [data-unit]')?.dataset.value ?? null, sel);

test('the static site and embed.html run under the strict CSP header with no violation', async () => {
  const b = await browser();
  try {
    const res = await b.page.goto(calcSrv.url);
    assert.equal(res.headers()['content-security-policy'], STRICT_CSP);
    await ready(b.page, 'dealer-calculator');
    await b.page.locator('dealer-calculator button[data-action=example]').click();
    await b.page.waitForFunction(() => document.querySelector('dealer-calculator').shadowRoot.querySelector('.hero-main [data-unit]')?.dataset.value === '12798.3');
    // Bars are sized through CSSOM (allowed); nothing else may set inline styles.
    await b.page.goto(`${calcSrv.url}embed.html?program=programs/sample/program.json`);
    await ready(b.page, 'dealer-calculator');
    await noProblems(b);
  } finally {
    await b.close();
  }
});

test('the mock portal: element with readonly DMS figures and themed, iframe driven by postMessage', async () => {
  const b = await browser();
  try {
    await b.page.goto(`${portalSrv.url}examples/portal.html?calc=${encodeURIComponent(calcSrv.url)}`);
    const sel = '#calc-element';
    await ready(b.page, sel);
    // 1 · element: readonly metrics carry the DMS values, not editable; still evaluated.
    const fields = await b.page.evaluate((s) => {
      const root = document.querySelector(s).shadowRoot;
      const f = (n) => root.querySelector(`input[name="${n}"]`);
      return {
        sales: [f('sales_amount').value, f('sales_amount').readOnly],
        posts: [f('content_posts').value, f('content_posts').readOnly],
        dealer: [f('dealer_id').value, f('dealer_id').readOnly],
        total: document.getElementById('element-total').value,
      };
    }, sel);
    assert.deepEqual(fields.sales, ['648236.8', true]);
    assert.deepEqual(fields.posts, ['', false]);
    assert.deepEqual(fields.dealer, ['D-0042', true]);
    assert.match(fields.total, /^CNY \d/);
    const before = await heroTotal(b.page, sel);
    await b.page.locator(`${sel} input[name="sales_amount"]`).pressSequentially('9', { timeout: 2000 }).catch(() => {});
    assert.equal(await b.page.locator(`${sel} input[name="sales_amount"]`).inputValue(), '648236.8', 'readonly: typing does nothing');
    await b.page.locator(`${sel} input[name="content_posts"]`).fill('22');
    await b.page.waitForFunction(([s, v]) => document.querySelector(s).shadowRoot.querySelector('.hero-main [data-unit]')?.dataset.value !== v, [sel, before]);

    // Theming: custom properties and ::part take effect.
    const theme = await b.page.evaluate((s) => {
      const root = document.querySelector(s).shadowRoot;
      const cs = (el) => getComputedStyle(el);
      return {
        primary: cs(root.querySelector('.btn.primary')).backgroundColor,
        radius: cs(root.querySelector('.panel')).borderTopLeftRadius,
        font: cs(root.querySelector('.app')).fontFamily,
        surface: cs(root.querySelector('.panel')).backgroundColor,
        text: cs(root.querySelector('.title')).color,
        part: cs(root.querySelector('[part~="total"]')).outlineColor,
      };
    }, sel);
    assert.equal(theme.primary, 'rgb(122, 0, 25)');
    assert.equal(theme.radius, '4px');
    assert.match(theme.font, /^Georgia/);
    assert.equal(theme.surface, 'rgb(255, 253, 248)');
    assert.equal(theme.text, 'rgb(42, 31, 20)');
    assert.equal(theme.part, 'rgb(122, 0, 25)');

    // 2 · iframe from the other origin: ready → load-program + set-figures → result; auto-height.
    await b.page.waitForFunction(() => /^CNY \d/.test(document.getElementById('frame-total').value), null, { timeout: 20000 });
    await b.page.waitForFunction(() => parseInt(document.getElementById('calc-frame').style.height, 10) > 600, null, { timeout: 10000 });
    const frame = b.page.frames().find((f) => f.url().startsWith(`${C}/embed.html`));
    assert.ok(frame, 'the calculator frame');
    const inFrame = await frame.evaluate(() => {
      const el = document.querySelector('dealer-calculator');
      return { id: el.program?.id, sales: el.shadowRoot.querySelector('input[name="sales_amount"]').value };
    });
    assert.deepEqual(inFrame, { id: 'sample-digital-2027h1', sales: '648236.8' });

    // Wrong version and unknown types are ignored; version 1 is applied and answered.
    const postedValue = () => frame.evaluate(() => document.querySelector('dealer-calculator').shadowRoot.querySelector('input[name="content_posts"]').value);
    await b.page.evaluate((c) => {
      window.__seen = [];
      window.addEventListener('message', (ev) => ev.origin === c && window.__seen.push(ev.data.type));
      const w = document.getElementById('calc-frame').contentWindow;
      w.postMessage({ type: 'dealer-calc:set-figures', version: 2, figures: { values: { content_posts: 77 } } }, c);
      w.postMessage({ type: 'dealer-calc:set-figures', figures: { values: { content_posts: 78 } } }, c);
      w.postMessage({ type: 'dealer-calc:unknown', version: 1, figures: { values: { content_posts: 79 } } }, c);
      w.postMessage('dealer-calc:set-figures', c);
    }, C);
    await b.page.waitForTimeout(400);
    assert.equal(await postedValue(), '');
    await b.page.evaluate((c) => {
      document.getElementById('calc-frame').contentWindow.postMessage({ type: 'dealer-calc:set-figures', version: 1, figures: { values: { content_posts: 26 } } }, c);
    }, C);
    await b.page.waitForFunction(() => window.__seen.includes('dealer-calc:result'));
    assert.equal(await postedValue(), '26');
    await noProblems(b);
  } finally {
    await b.close();
  }
});

test('messages from an origin not on the allow-list are ignored, and nothing is posted to it', async () => {
  const b = await browser();
  try {
    // X frames the calculator, whose allow-list names only P.
    const html = `<!doctype html><meta charset="utf-8"><title>x</title>
<iframe id="f" src="${C}/embed.html?origins=${encodeURIComponent(P)}"></iframe>
<script type="module" src="/stranger.js"></script>`;
    const js = `window.__got = [];
window.addEventListener('message', (ev) => window.__got.push(ev.origin + ' ' + JSON.stringify(ev.data).slice(0, 80)));
const f = document.getElementById('f');
const program = await (await fetch('/programs/sample/program.json')).json();
const go = () => {
  f.contentWindow.postMessage({ type: 'dealer-calc:load-program', version: 1, program }, '${C}');
  f.contentWindow.postMessage({ type: 'dealer-calc:set-figures', version: 1, figures: { values: { content_posts: 5 } } }, '${C}');
  window.__sent = (window.__sent || 0) + 1;
};
// Keep trying for a while: whenever the frame listens, it must not obey.
let n = 0;
const timer = setInterval(() => (++n > 10 ? clearInterval(timer) : go()), 200);
`;
    writeFileSync(join(strangerRoot, 'stranger.html'), html);
    writeFileSync(join(strangerRoot, 'stranger.js'), js);
    await b.page.goto(`${X}/stranger.html`);
    await b.page.waitForFunction(() => window.__sent >= 10, null, { timeout: 20000 });
    const frame = b.page.frames().find((f) => f.url().startsWith(`${C}/embed.html`));
    await frame.waitForFunction(() => customElements.get('dealer-calculator') && document.querySelector('dealer-calculator')._calc, null, { timeout: 20000 });
    await b.page.waitForTimeout(600);
    assert.equal(await frame.evaluate(() => document.querySelector('dealer-calculator').program), null, 'programme not loaded');
    assert.deepEqual(await b.page.evaluate(() => window.__got), [], 'nothing posted to X');
    await noProblems(b);
  } finally {
    await b.close();
  }
});

test('a site that frames embed.html with its own ?origins= gets none of the figures a dealer saved', async () => {
  const b = await browser();
  try {
    // The dealer uses the calculator's own site: a figure is saved on the device (origin C).
    await b.page.goto(`${C}/index.html`);
    await ready(b.page, 'dealer-calculator');
    await typeFigure(b.page, 'content_posts', '987');
    await b.page.waitForFunction(() => Object.keys(localStorage).some((k) => localStorage.getItem(k).includes('987')), null, { timeout: 5000 });
    const savedBefore = await b.page.evaluate(() => JSON.stringify(localStorage));
    // X frames the calculator naming itself in ?origins= (the operator set no list).
    const html = `<!doctype html><meta charset="utf-8"><title>x</title>
<iframe id="f" src="${C}/embed.html?origins=${encodeURIComponent(X)}"></iframe>
<script type="module" src="/frame-self.js"></script>`;
    const js = `window.__results = [];
const f = document.getElementById('f');
const program = await (await fetch('/programs/sample/program.json')).json();
window.addEventListener('message', (ev) => {
  if (ev.origin !== '${C}') return;
  if (ev.data.type === 'dealer-calc:ready') f.contentWindow.postMessage({ type: 'dealer-calc:load-program', version: 1, program }, '${C}');
  if (ev.data.type === 'dealer-calc:result') window.__results.push(ev.data.result);
});`;
    writeFileSync(join(strangerRoot, 'frame-self.html'), html);
    writeFileSync(join(strangerRoot, 'frame-self.js'), js);
    await b.page.goto(`${X}/frame-self.html`);
    await b.page.waitForFunction(() => window.__results.length > 0, null, { timeout: 20000 });
    const results = await b.page.evaluate(() => window.__results);
    // The frame obeys X (it asked to be allowed) but starts from empty figures ...
    assert.ok(results.every((r) => !JSON.stringify(r).includes('987')), 'the saved figure reached the framing site');
    assert.equal(results.at(-1).program.id, 'sample-digital-2027h1');
    // ... and writes nothing to the dealer's storage either.
    const frame = b.page.frames().find((f) => f.url().startsWith(`${C}/embed.html`));
    assert.equal(await frame.evaluate(() => document.querySelector('dealer-calculator').noAutosave), true);
    assert.equal(await frame.evaluate(() => JSON.stringify(localStorage)), savedBefore);
  } finally {
    await b.close();
  }
});

const TWO_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>two</title>
<link rel="stylesheet" href="/two.css"></head><body>
<dealer-calculator id="a" locale="en" program-src="/programs/sample/program.json" dealer-id="D-1"></dealer-calculator>
<dealer-calculator id="b" locale="en" program-src="/programs/sample/program.json" dealer-id="D-2" readonly-metrics="leads"></dealer-calculator>
<script type="module" src="/two.js"></script></body></html>`;
const TWO_JS = `import { define } from '/dealer-calculator.element.mjs';
define();
window.__events = { a: [], b: [] };
for (const id of ['a', 'b']) {
  const el = document.getElementById(id);
  el.addEventListener('dealer-result', (ev) => window.__events[id].push(['result', ev.detail.totals?.CNY, ev.complete]));
  el.addEventListener('figures-changed', (ev) => window.__events[id].push(['figures', ev.detail?.values?.content_posts ?? null]));
  el.addEventListener('dealer-error', (ev) => window.__events[id].push(['error', ev.detail.code]));
}
document.getElementById('b').figures = { values: { leads: 236 } };`;

test('two calculators on one page are independent; attributes, properties, methods and events', async () => {
  const b = await browser();
  try {
    await routePage(b, C, '/two.html', TWO_HTML, { '/two.js': TWO_JS });
    await b.context.route(`${C}/two.css`, (r) => r.fulfill({ status: 200, headers: { 'content-type': 'text/css' }, body: 'dealer-calculator{display:block}' }));
    await b.page.goto(`${C}/two.html`);
    await ready(b.page, '#a');
    await ready(b.page, '#b');
    const val = (id, name) => b.page.evaluate(([i, n]) => document.getElementById(i).shadowRoot.querySelector(`input[name="${n}"]`).value, [id, name]);
    // The figures property (set before the programme loaded) reached only b; leads read-only there.
    assert.equal(await val('b', 'leads'), '236');
    assert.equal(await val('a', 'leads'), '');
    assert.equal(await b.page.evaluate(() => document.getElementById('b').shadowRoot.querySelector('input[name="leads"]').readOnly), true);
    assert.equal(await b.page.evaluate(() => document.getElementById('a').shadowRoot.querySelector('input[name="leads"]').readOnly), false);

    // Typing in a changes a only; its events carry its own result.
    const totalB = await heroTotal(b.page, '#b');
    await b.page.locator('#a input[name="content_posts"]').fill('22');
    await b.page.waitForFunction(() => window.__events.a.some((e) => e[0] === 'result' && e[2] === true && e[1] > 0));
    const events = await b.page.evaluate(() => window.__events);
    assert.ok(events.a.some((e) => e[0] === 'figures' && e[1] === 22));
    assert.ok(!events.b.some((e) => e[0] === 'figures' && e[1] === 22));
    const lastA = events.a.filter((e) => e[0] === 'result').at(-1);
    assert.equal(String(lastA[1]), await heroTotal(b.page, '#a'));
    assert.equal(await heroTotal(b.page, '#b'), totalB);
    assert.equal(await val('b', 'content_posts'), '');

    // Autosave: one key per programme id + version + dealer id.
    await b.page.waitForTimeout(400);
    const keys = await b.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('dealer-calc:figures:')).sort());
    assert.deepEqual(keys, ['dealer-calc:figures:sample-digital-2027h1@2027.1#D-1', 'dealer-calc:figures:sample-digital-2027h1@2027.1#D-2']);

    // Properties mirror attributes; changing them re-renders that element only.
    const revB = await b.page.evaluate(() => document.getElementById('b').dataset.revision);
    await b.page.evaluate(() => {
      const a = document.getElementById('a');
      a.locale = 'zh-CN';
      a.readonlyMetrics = ['content_posts', 'leads'];
      a.dealerName = 'Store A';
    });
    assert.equal(await b.page.evaluate(() => document.getElementById('a').getAttribute('readonly-metrics')), 'content_posts,leads');
    assert.equal(await b.page.evaluate(() => document.getElementById('a').shadowRoot.querySelector('input[name="content_posts"]').readOnly), true);
    assert.equal(await b.page.evaluate(() => document.getElementById('a').shadowRoot.querySelector('.app').lang), 'zh-CN');
    assert.equal(await b.page.evaluate(() => document.getElementById('b').shadowRoot.querySelector('.app').lang), 'en');
    assert.equal(await val('a', 'dealer_name'), 'Store A');
    assert.equal(await b.page.evaluate(() => document.getElementById('b').dataset.revision), revB);

    // dealer-id switches to that dealer's own saved figures.
    await b.page.evaluate(() => (document.getElementById('a').dealerId = 'D-9'));
    assert.equal(await val('a', 'content_posts'), '');
    await b.page.evaluate(() => (document.getElementById('a').dealerId = 'D-1'));
    assert.equal(await val('a', 'content_posts'), '22');

    // evaluate() returns the full result; reset() keeps what the portal supplied.
    const r = await b.page.evaluate(() => {
      const el = document.getElementById('b');
      el.figures = { values: { content_posts: 10, leads: 300 } };
      const res = el.evaluate();
      const drivers = res.components.some((c) => c.next !== undefined);
      el.reset();
      const root = el.shadowRoot;
      return { total: res.totals.CNY, drivers, program: el.program.id, posts: root.querySelector('input[name="content_posts"]').value, leads: root.querySelector('input[name="leads"]').value, figures: el.figures.values };
    });
    assert.ok(r.total > 0);
    assert.equal(r.program, 'sample-digital-2027h1');
    assert.equal(r.posts, '');
    assert.equal(r.leads, '300');
    assert.equal(r.figures.leads, 300);
    // A bad figure: dealer-error with {code, details}.
    await b.page.locator('#b input[name="content_posts"]').fill('4x');
    await b.page.waitForFunction(() => window.__events.b.some((e) => e[0] === 'error' && e[1] === 'invalid_figures'));
    assert.equal(await b.page.evaluate(() => document.getElementById('b').evaluate()), null);
    await noProblems(b);
  } finally {
    await b.close();
  }
});

test('the classic script exposes DealerCalculator.define(tag) and works under the CSP', async () => {
  const b = await browser();
  try {
    const html = `<!doctype html><meta charset="utf-8"><title>classic</title>
<my-calc locale="en" program-src="/programs/sample/program.json"></my-calc>
<script src="/dealer-calculator.element.js"></script><script src="/classic.js"></script>`;
    await routePage(b, C, '/classic.html', html, { '/classic.js': "DealerCalculator.define('my-calc');" });
    await b.page.goto(`${C}/classic.html`);
    await ready(b.page, 'my-calc');
    assert.equal(await b.page.evaluate(() => typeof DealerCalculator.DealerCalculatorElement), 'function');
    assert.equal(await b.page.evaluate(() => document.querySelector('my-calc').program.id), 'sample-digital-2027h1');
    await noProblems(b);
  } finally {
    await b.close();
  }
});
