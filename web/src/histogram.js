// Inline SVG histogram of the dealers' payouts (the network view): round bins from the
// worker (network-job.js histogram()), labelled axes, a title and description for screen
// readers, and the same numbers as a table behind a disclosure.

import { h, s, uid } from './dom.js';

const W = 520;
const H = 250;
const M = { top: 16, right: 14, bottom: 54, left: 66 };

function compactMoney(v, fmt) {
  return new Intl.NumberFormat(fmt.locale, { style: 'currency', currency: fmt.currency, currencyDisplay: 'narrowSymbol', notation: 'compact', maximumFractionDigits: 1 }).format(v);
}

/** "¥10,000 – ¥20,000" or "≥ ¥80,000". */
export function binLabel(bin, fmt, t) {
  const from = fmt.money(bin.from, { whole: true });
  return bin.to === null ? t('network.hist.binOver', { from }) : t('network.hist.bin', { from, to: fmt.money(bin.to, { whole: true }) });
}

/** {figure} for a histogram {step, bins} of the currency totals. */
export function renderHistogram(hist, ctx, { dealers, median }) {
  const { t, fmt } = ctx;
  const bins = hist?.bins || [];
  if (!bins.length) return null;
  const top = Math.max(...bins.map((b) => b.count), 1);
  const rough = top / 4;
  const pow = 10 ** Math.floor(Math.log10(Math.max(rough, 1)));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * pow).find((v) => v >= rough) || rough);
  const yMax = Math.ceil(top / step) * step;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const bw = plotW / bins.length;
  const px = (i) => M.left + i * bw;
  const py = (v) => M.top + plotH - (v / yMax) * plotH;
  const count = (n) => fmt.number(n, 0);

  const busiest = bins.reduce((a, b) => (b.count > a.count ? b : a), bins[0]);
  const titleId = uid('hist-title');
  const descId = uid('hist-desc');
  const svg = s(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, class: 'hist', role: 'img', 'aria-labelledby': `${titleId} ${descId}`, preserveAspectRatio: 'xMidYMid meet' },
    s('title', { id: titleId }, t('network.hist.title')),
    s('desc', { id: descId }, t('network.hist.desc', { dealers: count(dealers), median: fmt.money(median), bin: binLabel(busiest, fmt, t), count: count(busiest.count) })),
  );
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    svg.appendChild(s('line', { x1: M.left, y1: py(v), x2: W - M.right, y2: py(v), class: v ? 'grid' : 'axis' }));
    svg.appendChild(s('text', { x: M.left - 6, y: py(v) + 4, class: 'tick', 'text-anchor': 'end' }, count(v)));
  }
  svg.appendChild(s('line', { x1: M.left, y1: M.top, x2: M.left, y2: py(0), class: 'axis' }));
  const every = bins.length > 7 ? 2 : 1;
  bins.forEach((b, i) => {
    const height = py(0) - py(b.count);
    const rect = s('rect', { x: px(i) + 1.5, y: py(b.count), width: Math.max(1, bw - 3), height: Math.max(b.count ? 1 : 0, height), class: `hbar${b.to === null ? ' tail' : ''}` });
    rect.appendChild(s('title', null, `${binLabel(b, fmt, t)}${t('punct.colon')}${t('network.hist.count', { count: count(b.count) })}`));
    svg.appendChild(rect);
    if (i % every === 0) svg.appendChild(s('text', { x: px(i), y: py(0) + 16, class: 'tick', 'text-anchor': i ? 'middle' : 'start' }, compactMoney(b.from, fmt)));
  });
  const last = bins[bins.length - 1];
  if (last.to !== null && bins.length % every === 0) svg.appendChild(s('text', { x: px(bins.length), y: py(0) + 16, class: 'tick', 'text-anchor': 'end' }, compactMoney(last.to, fmt)));
  if (last.to === null) svg.appendChild(s('text', { x: W - M.right, y: py(0) + 16, class: 'tick', 'text-anchor': 'end' }, '≥'));
  svg.appendChild(s('text', { x: M.left + plotW / 2, y: H - 12, class: 'axis-label', 'text-anchor': 'middle' }, t('network.hist.x', { currency: fmt.currency })));
  svg.appendChild(s('text', { x: 13, y: M.top + plotH / 2, class: 'axis-label', 'text-anchor': 'middle', transform: `rotate(-90 13 ${M.top + plotH / 2})` }, t('network.hist.y')));

  const table = h(
    'table',
    { class: 'hist-table' },
    h('caption', { class: 'sr-only' }, t('network.hist.title')),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('network.hist.colRange')), h('th', { scope: 'col' }, t('network.hist.colCount')))),
    h('tbody', null, bins.map((b) => h('tr', null, h('th', { scope: 'row' }, binLabel(b, fmt, t)), h('td', null, count(b.count))))),
  );
  return h(
    'figure',
    { class: 'net-hist' },
    h('figcaption', null, h('h3', null, t('network.hist.title')), h('p', { class: 'panel-sub' }, t('network.hist.sub'))),
    svg,
    h('details', { class: 'hist-details' }, h('summary', null, t('network.hist.asTable')), table),
  );
}
