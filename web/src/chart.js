// An inline SVG chart for a tiered rule (and a multiplier): the reward against its
// basis, with the tier steps, the dealer's position and the next tier marked.
// The curve is drawn from the programme's tiers; the dealer's point and amount are the
// core's numbers.

import { s, uid } from './dom.js';
import { pickText } from './i18n.js';
import { nextTier } from './explain.js';

const W = 560;
const H = 230;
const M = { top: 18, right: 18, bottom: 40, left: 64 };

/** y(x) for the rule, holding every other value at the dealer's current one. */
export function rewardFunction(rule, c) {
  const tiers = rule.tiers || [];
  const tr = c.trace || {};
  const cap = typeof rule.cap === 'number' ? rule.cap : Infinity;
  const tierAt = (x) => {
    let idx = -1;
    for (let i = 0; i < tiers.length; i++) if (tiers[i].from <= x) idx = i;
    return idx;
  };
  let f;
  if (rule.kind === 'multiplier') {
    const sum = (tr.targets || []).reduce((a, x) => a + x.amount, 0);
    f = (x) => {
      const i = tierAt(x);
      return i < 0 ? 0 : sum * (tiers[i].factor - 1);
    };
  } else if (rule.mode === 'fixed') {
    f = (x) => {
      const i = tierAt(x);
      return i < 0 ? 0 : tiers[i].amount;
    };
  } else if (rule.mode === 'marginal') {
    f = (x) => {
      let y = 0;
      for (let i = 0; i < tiers.length; i++) {
        const top = i + 1 < tiers.length ? tiers[i + 1].from : Infinity;
        y += tiers[i].rate * Math.max(0, Math.min(x, top) - tiers[i].from);
      }
      return y;
    };
  } else {
    const separateBase = rule.base && rule.base !== rule.basis;
    const baseValue = separateBase ? tr.base?.amount ?? 0 : null;
    f = (x) => {
      const i = tierAt(x);
      return i < 0 ? 0 : tiers[i].rate * (separateBase ? baseValue : x);
    };
  }
  return (x) => Math.min(cap, f(x));
}

/** The chart element, or null when the rule has no tiers to draw. */
export function renderChart(rule, c, ctx) {
  const { t, fmt, locale } = ctx;
  const tiers = rule.tiers || [];
  if (!tiers.length || !c.trace?.basis) return null;
  const basisId = c.trace.basis.value;
  const current = c.trace.basis.amount;
  const y = rewardFunction(rule, c);
  const next = nextTier(rule, c);
  const unit = c.unit || fmt.currency;

  const last = tiers[tiers.length - 1].from;
  const span = Math.max(Math.abs(last - Math.min(0, tiers[0].from)), Math.abs(last) * 0.1, 1e-9);
  let lo = Math.min(0, current, tiers[0].from);
  let hi = Math.max(last + span * 0.25, current + span * 0.08);
  if (next) hi = Math.max(hi, next.from + span * 0.1);
  if (hi <= lo) hi = lo + 1;

  // Sample evenly, plus both sides of every step so jumps are vertical.
  const xs = new Set();
  const N = 120;
  for (let i = 0; i <= N; i++) xs.add(lo + ((hi - lo) * i) / N);
  const eps = (hi - lo) * 1e-6;
  for (const tier of tiers) {
    if (tier.from > lo && tier.from < hi) {
      xs.add(tier.from - eps);
      xs.add(tier.from);
    }
  }
  const pts = [...xs].sort((a, b) => a - b).map((x) => [x, y(x)]);
  const top = Math.max(...pts.map((p) => p[1]), y(current), 1e-9);
  // Round tick values: 1, 2 or 5 × a power of ten.
  const rough = top / 3;
  const pow = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((v) => v >= rough) || rough;
  const ticks = [];
  for (let v = 0; v <= top * 1.0001 + step; v += step) {
    ticks.push(v);
    if (v >= top) break;
  }
  const yMax = Math.max(ticks[ticks.length - 1], top * 1.08);
  const px = (x) => M.left + ((x - lo) / (hi - lo)) * (W - M.left - M.right);
  const py = (v) => H - M.bottom - (v / yMax) * (H - M.top - M.bottom);
  const d = pts.map(([x, v], i) => `${i ? 'L' : 'M'}${px(x).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
  const area = `${d} L${px(hi).toFixed(1)},${py(0).toFixed(1)} L${px(lo).toFixed(1)},${py(0).toFixed(1)} Z`;

  const compactValue = (v) => {
    const type = fmt.typeOf(basisId);
    if (type === 'amount') {
      return new Intl.NumberFormat(locale, { style: 'currency', currency: fmt.currency, currencyDisplay: 'narrowSymbol', notation: 'compact', maximumFractionDigits: 1 }).format(v);
    }
    return fmt.value(basisId, v, { max: 3 });
  };
  const compactAmount = (v) =>
    unit === fmt.currency
      ? new Intl.NumberFormat(locale, { style: 'currency', currency: fmt.currency, currencyDisplay: 'narrowSymbol', notation: 'compact', maximumFractionDigits: v >= 10 ? 1 : 2 }).format(v)
      : new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(v);

  const titleId = uid('chart-title');
  const descId = uid('chart-desc');
  const ruleName = pickText(rule.label, locale) || rule.id;
  const basisName = fmt.labelOf(basisId);
  const amountText = rule.kind === 'multiplier' || rule.kind === 'tiered' ? fmt.amount(c.amount ?? 0, unit) : '';

  const svg = s(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-labelledby': `${titleId} ${descId}`, preserveAspectRatio: 'xMidYMid meet' },
    s('title', { id: titleId }, t('chart.title', { rule: ruleName, basis: basisName })),
    s('desc', { id: descId }, t('chart.desc', { basis: basisName, current: fmt.value(basisId, current), amount: amountText })),
  );
  // Axes and grid
  svg.appendChild(s('line', { x1: M.left, y1: py(0), x2: W - M.right, y2: py(0), class: 'axis' }));
  svg.appendChild(s('line', { x1: M.left, y1: M.top, x2: M.left, y2: py(0), class: 'axis' }));
  for (const v of ticks) {
    svg.appendChild(s('line', { x1: M.left, y1: py(v), x2: W - M.right, y2: py(v), class: 'grid' }));
    svg.appendChild(s('text', { x: M.left - 6, y: py(v) + 4, class: 'tick', 'text-anchor': 'end' }, compactAmount(v)));
  }
  // Tier steps
  tiers.forEach((tier, i) => {
    if (tier.from < lo || tier.from > hi) return;
    const x = px(tier.from);
    svg.appendChild(s('line', { x1: x, y1: M.top, x2: x, y2: py(0), class: `tier-line${next && next.index === i ? ' next' : ''}` }));
    svg.appendChild(s('text', { x, y: H - M.bottom + 15, class: 'tick', 'text-anchor': 'middle' }, compactValue(tier.from)));
    const name = pickText(tier.name, locale);
    if (name) svg.appendChild(s('text', { x: x + 4, y: M.top + 10 + (i % 2) * 13, class: 'tier-name' }, name));
  });
  svg.appendChild(s('path', { d: area, class: 'area' }));
  svg.appendChild(s('path', { d, class: 'curve' }));
  // Next tier
  if (next) {
    const x = px(next.from);
    svg.appendChild(s('circle', { cx: x, cy: py(y(next.from)), r: 4, class: 'next-dot' }));
    svg.appendChild(s('text', { x: x + 6, y: py(y(next.from)) - 6, class: 'next-label' }, t('chart.next')));
  }
  // You are here
  const cx = px(Math.min(Math.max(current, lo), hi));
  const cy = py(y(current));
  svg.appendChild(s('line', { x1: cx, y1: cy, x2: cx, y2: py(0), class: 'you-line' }));
  svg.appendChild(s('circle', { cx, cy, r: 6, class: 'you-dot' }));
  svg.appendChild(
    s('text', { x: cx > W - 150 ? cx - 8 : cx + 8, y: Math.max(cy - 8, M.top + 8), class: 'you-label', 'text-anchor': cx > W - 150 ? 'end' : 'start' },
      `${t('chart.you')} ${fmt.value(basisId, current, { max: 4 })}`),
  );
  svg.appendChild(s('text', { x: W - M.right, y: H - 6, class: 'axis-label', 'text-anchor': 'end' }, basisName));

  const note = rule.kind === 'tiered' && rule.mode === 'retro' && rule.base && rule.base !== rule.basis && c.trace.base
    ? t('chart.basedOn', { base: fmt.labelOf(c.trace.base.value), value: fmt.value(c.trace.base.value, c.trace.base.amount) })
    : null;
  return { svg, note };
}
