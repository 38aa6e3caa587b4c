// One card per component: status (earned / below first tier / locked and what unlocks
// it), amount, the trace in words, the tier ladder with a progress bar, and a chart.

import { h, uid } from './dom.js';
import { pickText } from './i18n.js';
import { explainComponent, conditionText, tierPayText, nextTier } from './explain.js';
import { driverText, gainText } from './render-actions.js';
import { renderChart } from './chart.js';

function statusText(c, rule, t) {
  if (c.status === 'earned') return t('status.earned');
  if (c.status === 'locked') return t('status.locked');
  return rule.tiers ? t('status.noneTier') : t('status.none');
}

function ladder(rule, c, ctx) {
  const { t, fmt, locale } = ctx;
  const tiers = rule.tiers || [];
  if (!tiers.length) return null;
  const basisId = rule.basis;
  const reached = c.tier ? c.tier.index : -1;
  const next = nextTier(rule, c);
  const list = h('ol', { class: 'ladder', 'aria-label': t('component.tiers') });
  tiers.forEach((tier, i) => {
    const state = i === reached ? 'current' : i < reached ? 'passed' : next && next.index === i ? 'next' : 'ahead';
    list.appendChild(
      h(
        'li',
        { class: `rung ${state}`, 'aria-current': i === reached ? 'step' : null },
        h('span', { class: 'rung-name' }, pickText(tier.name, locale) || `#${i + 1}`),
        h('span', { class: 'rung-from' }, t('tier.from', { from: fmt.value(basisId, tier.from) })),
        h('span', { class: 'rung-pay' }, tierPayText(rule, tier, ctx)),
        i === reached ? h('span', { class: 'sr-only' }, ` (${t('component.tierReached')})`) : null,
        next && next.index === i ? h('span', { class: 'sr-only' }, ` (${t('component.tierNext')})`) : null,
      ),
    );
  });
  return list;
}

function progress(rule, c, ctx) {
  const { t, fmt, locale } = ctx;
  const n = nextTier(rule, c);
  if (!n) {
    if (c.tier && (rule.tiers || []).length) return h('p', { class: 'progress-note top' }, t('component.topTier'));
    return null;
  }
  const basisId = rule.basis;
  const lo = c.tier ? c.tier.from : Math.min(0, n.current);
  const span = n.from - lo;
  const ratio = span > 0 ? Math.max(0, Math.min(1, (n.current - lo) / span)) : 0;
  const tierName = pickText(n.name, locale) || fmt.value(basisId, n.from);
  const text = t('component.progressText', {
    current: fmt.value(basisId, n.current),
    gap: fmt.gap(basisId, n.gap, { max: 4 }),
    tier: tierName,
    from: fmt.value(basisId, n.from),
  });
  const labelId = uid('prog');
  const bar = h('div', { class: 'bar-fill' });
  bar.style.setProperty('width', `${(ratio * 100).toFixed(1)}%`);
  return h(
    'div',
    { class: 'progress' },
    h('p', { class: 'progress-note', id: labelId }, text),
    h(
      'div',
      {
        class: 'bar',
        role: 'progressbar',
        'aria-label': t('component.progressLabel', { tier: tierName }),
        'aria-valuemin': '0',
        'aria-valuemax': '100',
        'aria-valuenow': String(Math.round(ratio * 100)),
        'aria-valuetext': text,
      },
      bar,
    ),
  );
}

function unlockBox(rule, c, ctx) {
  const { t } = ctx;
  const drivers = c.unlock || [];
  const pending = c.unlock === undefined;
  const cond = rule?.when !== undefined ? conditionText(rule.when, ctx) : t('cond.complex');
  return h(
    'div',
    { class: 'unlock' },
    h('p', { class: 'unlock-title' }, t('component.unlockTitle')),
    h('p', { class: 'unlock-cond' }, t('component.unlockNeeds', { condition: cond })),
    pending
      ? h('p', { class: 'muted' }, t('component.unlockPending'))
      : drivers.length
      ? h(
          'ul',
          { class: 'unlock-list' },
          drivers.map((d) =>
            h('li', { dataset: { metric: d.metric } }, h('span', { class: 'action-do' }, driverText(d, ctx)), ' → ', h('strong', { class: 'action-gain' }, gainText(d.gain, ctx))),
          ),
        )
      : h('p', { class: 'muted' }, t('component.unlockNone')),
  );
}

function chartBlock(rule, c, ctx, openCharts) {
  const { t } = ctx;
  if (!(c.kind === 'tiered' || c.kind === 'multiplier') || c.status === 'locked') return null;
  const details = h('details', { class: 'chart-box', open: openCharts.has(c.id) });
  const summary = h('summary', null, t('component.chart'));
  details.appendChild(summary);
  const fill = () => {
    if (details.dataset.filled) return;
    const chart = renderChart(rule, c, ctx);
    if (!chart) return;
    details.appendChild(chart.svg);
    if (chart.note) details.appendChild(h('p', { class: 'chart-note' }, chart.note));
    details.dataset.filled = '1';
  };
  // Charts are built when opened, so typing stays fast.
  details.addEventListener('toggle', () => {
    if (details.open) {
      openCharts.add(c.id);
      fill();
    } else openCharts.delete(c.id);
  });
  if (details.open) fill();
  return details;
}

export function renderComponent(c, ctx, openCharts) {
  const { t, fmt, locale } = ctx;
  const rule = ctx.rules.get(c.id) || {};
  const name = pickText(c.label || rule.label, locale) || c.id;
  const unit = c.unit || fmt.currency;
  const isAward = c.kind === 'award';
  const amount = isAward
    ? c.status === 'earned'
      ? pickText(c.award?.label || c.tier?.award?.label, locale)
      : '—'
    : fmt.amount(c.amount ?? 0, unit);
  const help = pickText(rule.help, locale);
  const lines = explainComponent(c, rule, ctx);
  const capped = c.uncapped !== undefined && c.amount !== undefined && c.uncapped !== c.amount && c.kind !== 'award';
  return h(
    'article',
    { class: `comp status-${c.status}${isAward ? ' award' : ''}`, dataset: { rule: c.id, status: c.status, amount: c.amount ?? '', unit } },
    h(
      'div',
      { class: 'comp-head' },
      h(
        'div',
        { class: 'comp-title' },
        h('h3', null, name),
        h('p', { class: 'comp-sub' }, h('span', { class: `cat-dot cat-${c.category}`, 'aria-hidden': 'true' }), t(`category.${c.category}`), help ? ` · ${help}` : ''),
      ),
      h(
        'div',
        { class: 'comp-right' },
        h('span', { class: `badge badge-${c.status}` }, statusText(c, rule, t)),
        h('span', { class: `comp-amount${isAward ? ' is-award' : ''}` }, amount),
      ),
    ),
    lines.length && c.status !== 'locked' ? h('ul', { class: 'explain' }, lines.map((l) => h('li', null, l))) : null,
    capped ? h('p', { class: 'capped' }, t('component.capped', { cap: fmt.amount(c.amount, unit), raw: fmt.amount(c.uncapped, unit) })) : null,
    c.status === 'locked' ? unlockBox(rule, c, ctx) : null,
    c.status !== 'locked' && rule.tiers ? progress(rule, c, ctx) : null,
    c.status !== 'locked' && rule.tiers ? ladder(rule, c, ctx) : null,
    chartBlock(rule, c, ctx, openCharts),
  );
}

export function renderComponents(result, ctx, openCharts) {
  return h('div', { class: 'comp-list' }, (result.components || []).map((c) => renderComponent(c, ctx, openCharts)));
}

export function renderAdjustments(result, ctx) {
  const { t, fmt, locale } = ctx;
  const adj = result.adjustments || [];
  if (!adj.length) return null;
  return h(
    'ul',
    { class: 'adjustments' },
    adj.map((a) =>
      h(
        'li',
        { dataset: { cap: a.cap, amount: a.amount } },
        h('span', { class: 'adj-name' }, pickText(a.label || ctx.caps.get(a.cap)?.label, locale) || a.cap),
        h('span', { class: 'adj-amount' }, fmt.amount(a.amount, a.unit, { sign: true })),
        h('span', { class: 'adj-detail' },
          t('caps.line', { covered: fmt.amount(a.covered, a.unit), max: fmt.amount(a.max, a.unit), amount: fmt.amount(a.amount, a.unit, { sign: true }) }),
          (a.rules || []).length ? ` · ${t('caps.covers', { rules: a.rules.map((r) => pickText(ctx.rules.get(r)?.label, locale) || r).join(t('list.and')) })}` : '',
        ),
      ),
    ),
  );
}

export function renderAwards(result, ctx) {
  const { t, locale } = ctx;
  const awards = result.awards || [];
  if (!awards.length) return h('p', { class: 'muted' }, t('awards.none'));
  return h(
    'ul',
    { class: 'awards' },
    awards.map((a) =>
      h('li', { dataset: { rule: a.rule } },
        h('span', { class: 'award-icon', 'aria-hidden': 'true' }, '★'),
        h('span', null, h('strong', null, pickText(a.label, locale)), h('span', { class: 'muted' }, ` · ${pickText(ctx.rules.get(a.rule)?.label, locale) || a.rule}`)),
      ),
    ),
  );
}
