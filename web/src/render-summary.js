// The top of the result: the big total per unit, the projection at period end,
// the awards count and cap adjustments; plus the notes (warnings) block.

import { h } from './dom.js';
import { pickText } from './i18n.js';

function orderedTotals(totals, currency) {
  const entries = Object.entries(totals || {});
  return [...entries.filter(([u]) => u === currency), ...entries.filter(([u]) => u !== currency)];
}

export function renderSummary(result, ctx, opts = {}) {
  const { t, fmt, info } = ctx;
  const currency = result.currency || info.currency;
  const totals = orderedTotals(result.totals, currency);
  const [main, ...others] = totals.length ? totals : [[currency, 0]];
  const awards = (result.awards || []).length;
  const label = result.as_of ? t('summary.currentAsOf', { date: fmt.date(result.as_of) }) : t('summary.current');

  const mainBox = h(
    'div',
    { class: 'hero-main' },
    h('p', { class: 'hero-label' }, label),
    h('p', { class: 'hero-total', dataset: { unit: main[0], value: main[1] } }, fmt.amount(main[1], main[0])),
    h(
      'p',
      { class: 'hero-chips' },
      others.map(([u, v]) => h('span', { class: 'chip', dataset: { unit: u, value: v } }, `+ ${fmt.amount(v, u)}`)),
      awards ? h('span', { class: 'chip chip-award' }, `★ ${t('summary.awardsCount', { count: awards })}`) : null,
    ),
  );

  let projBox;
  const p = result.projection;
  if (p) {
    const ptotals = orderedTotals(p.totals, currency);
    const [pm, ...po] = ptotals.length ? ptotals : [[currency, 0]];
    projBox = h(
      'div',
      { class: 'hero-proj' },
      h('p', { class: 'hero-label' }, t('summary.projected', { end: fmt.date(p.end || info.period?.end) })),
      h('p', { class: 'proj-total', dataset: { unit: pm[0], value: pm[1] } }, fmt.amount(pm[1], pm[0])),
      po.length ? h('p', { class: 'proj-others' }, po.map(([u, v]) => h('span', { class: 'chip light', dataset: { unit: u, value: v } }, `+ ${fmt.amount(v, u)}`))) : null,
      h('p', { class: 'proj-note' }, t('summary.projectionFactor', { elapsed: p.elapsed_days, days: p.period_days, factor: fmt.number(p.factor, 4) })),
    );
  } else if (info.period) {
    const outside = (result.warnings || []).some((w) => w.code === 'as_of_outside_period');
    projBox = h(
      'div',
      { class: 'hero-proj empty' },
      h('p', { class: 'proj-note' }, outside ? t('summary.projectionOutside', { start: fmt.date(info.period.start), end: fmt.date(info.period.end) }) : t('summary.noProjection')),
    );
  }

  return h(
    'div',
    { class: `hero${opts.stale ? ' is-stale' : ''}` },
    mainBox,
    projBox,
    opts.stale ? h('p', { class: 'stale', role: 'status' }, t('summary.stale', { count: opts.stale })) : null,
  );
}

export function renderWarnings(result, ctx) {
  const { t, fmt, locale } = ctx;
  const items = [];
  const missing = (result.warnings || []).filter((w) => w.code === 'missing_metric');
  if (missing.length) {
    const list = missing
      .map((w) => {
        const m = fmt.metrics.get(w.metric);
        if (!m || m.default === undefined || m.default === null) return null;
        return t('warnings.missingDefault', { label: fmt.labelOf(w.metric), value: fmt.value(w.metric, m.default) });
      })
      .filter(Boolean);
    if (list.length) items.push(h('li', { dataset: { code: 'missing_metric' } }, t('warnings.missing', { list: list.join(t('list.and')) })));
  }
  const unknown = (result.warnings || []).filter((w) => w.code === 'unknown_metric');
  if (unknown.length) items.push(h('li', { dataset: { code: 'unknown_metric' } }, t('warnings.unknown', { list: unknown.map((w) => w.metric).join(t('list.and')) })));
  for (const w of result.warnings || []) {
    if (w.code === 'cliff') {
      const rule = ctx.rules.get(w.rule);
      const basis = rule?.basis;
      items.push(
        h('li', { class: 'cliff', dataset: { code: 'cliff', rule: w.rule } },
          t('warnings.cliff', {
            rule: pickText(rule?.label, locale) || w.rule,
            gap: basis ? fmt.gap(basis, w.gap, { max: 4 }) : fmt.number(w.gap),
            jump: fmt.amount(w.jump, w.unit),
          })),
      );
    } else if (w.code === 'projection_failed') {
      items.push(h('li', { dataset: { code: w.code } }, t('warnings.projectionFailed', { message: String(w.message || '') })));
    }
  }
  if (!items.length) return null;
  return h('ul', { class: 'notes' }, items);
}
