// Next best actions: every driver in the result (next tiers and unlocks), one line per
// distinct change of one figure, sorted by what it adds, in plain words:
// "原创内容发布数 再增加 4（到 26）→ 多得 ¥332.85".

import { h } from './dom.js';
import { pickText } from './i18n.js';

/** "Raise X by 4 (to 26)" for a driver. */
export function driverText(d, ctx) {
  const { t, fmt } = ctx;
  const m = fmt.metrics.get(d.metric);
  const label = fmt.labelOf(d.metric);
  if (m?.type === 'boolean' || typeof d.to === 'boolean') return t(d.to === false ? 'actions.setFalse' : 'actions.setTrue', { label });
  const type = m?.type || 'number';
  // Round up what is shown: the dealer must reach the tier, not fall just short of it.
  const opts = type === 'count' || type === 'amount' ? {} : { max: 2, roundingMode: 'ceil' };
  const increase = type === 'percent' ? fmt.number(d.increase, 2, { roundingMode: 'ceil' }) : fmt.delta(d.metric, d.increase, opts);
  const to = fmt.value(d.metric, d.to, opts);
  return t(`actions.increase.${['count', 'amount', 'percent'].includes(type) ? type : 'number'}`, { label, increase, to });
}

/** The total change a driver brings, in words ("多得 ¥1,901.25 + 200 积分"). */
export function gainText(gain, ctx, awardLabel) {
  const { t, fmt } = ctx;
  const nonZero = Object.entries(gain || {}).filter(([, v]) => v !== 0);
  if (nonZero.length) return t('actions.gain', { gain: fmt.amounts(Object.fromEntries(nonZero)) });
  if (awardLabel) return t('actions.gainAward', { award: awardLabel });
  return t('actions.noGain');
}

/** Every driver of a result, merged by (metric, increase) and sorted by gain. */
export function collectActions(result, info) {
  const currency = result.currency || info.currency;
  const order = new Map(info.metrics.map((m, i) => [m.id, i]));
  const byKey = new Map();
  for (const c of result.components || []) {
    const add = (d, why) => {
      const key = `${d.metric}|${d.increase ?? ''}|${d.to}`;
      let a = byKey.get(key);
      if (!a) {
        a = { driver: d, reasons: [] };
        byKey.set(key, a);
      }
      a.reasons.push({ component: c, why });
    };
    for (const d of c.next?.drivers || []) add(d, 'tier');
    for (const d of c.unlock || []) add(d, 'unlock');
  }
  const money = (a) => a.driver.gain?.[currency] ?? 0;
  const others = (a) => Object.entries(a.driver.gain || {}).reduce((s, [u, v]) => (u === currency ? s : s + v), 0);
  return [...byKey.values()].sort(
    (a, b) =>
      money(b) - money(a) ||
      others(b) - others(a) ||
      (order.get(a.driver.metric) ?? 0) - (order.get(b.driver.metric) ?? 0) ||
      (a.driver.increase ?? 0) - (b.driver.increase ?? 0),
  );
}

function reasonText(r, ctx) {
  const { t, locale, fmt } = ctx;
  const rule = pickText(r.component.label, locale) || r.component.id;
  if (r.why === 'unlock') return t('actions.whyUnlock', { rule });
  const n = r.component.next;
  const tier = pickText(n?.name, locale) || (n ? fmt.number(n.from) : '');
  return t('actions.whyTier', { rule, tier });
}

const SHOWN = 6;

export function renderActions(result, ctx, opts = {}) {
  const { t, locale } = ctx;
  const actions = collectActions(result, ctx.info);
  const list = h('ol', { class: 'action-list' });
  actions.forEach((a, index) => {
    const d = a.driver;
    const award = a.reasons
      .map((r) => {
        if (r.why !== 'tier' || r.component.kind !== 'award') return null;
        const n = r.component.next;
        const label = n?.award?.label || ctx.rules.get(r.component.id)?.tiers?.[n?.index]?.award?.label;
        return label ? pickText(label, locale) : null;
      })
      .find(Boolean);
    const gain = gainText(d.gain, ctx, award);
    const positive = Object.values(d.gain || {}).some((v) => v > 0);
    list.appendChild(
      h(
        'li',
        {
          class: `action${positive ? '' : ' no-gain'}`,
          hidden: !opts.expanded && index >= SHOWN,
          dataset: { metric: d.metric, increase: d.increase ?? '', to: String(d.to), gain: JSON.stringify(d.gain || {}) },
        },
        h('span', { class: 'action-do' }, driverText(d, ctx)),
        h('span', { class: 'action-arrow', 'aria-hidden': 'true' }, '→'),
        h('span', { class: 'action-gain' }, gain),
        h('span', { class: 'action-why' }, a.reasons.map((r) => reasonText(r, ctx)).join(t('list.sep'))),
      ),
    );
  });
  const rest = actions.length - SHOWN;
  const more =
    rest > 0 && !opts.expanded
      ? h('button', {
          type: 'button',
          class: 'btn small more-actions',
          onclick: (ev) => {
            for (const li of list.children) li.hidden = false;
            ev.currentTarget.remove();
            opts.onExpand?.();
          },
        }, t('actions.showAll', { count: rest }))
      : null;
  return h(
    'div',
    { class: 'actions-body' },
    actions.length ? list : h('p', { class: 'muted' }, t('actions.none')),
    more,
  );
}
