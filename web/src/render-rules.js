// The programme in plain language, generated from the programme document: what each
// component pays, its tiers and conditions, the caps and the scorecards.

import { h } from './dom.js';
import { pickText } from './i18n.js';
import { conditionText, rateText, tierPayText } from './explain.js';

function ruleLines(rule, ctx) {
  const { t, fmt, locale } = ctx;
  const unit = rule.unit || fmt.currency;
  const lines = [];
  const labelOfRule = (id) => pickText(ctx.rules.get(id)?.label, locale) || id;
  if (rule.kind === 'rate') {
    const rate = rateText(rule.rate, rule.base, unit, ctx);
    const base = fmt.labelOf(rule.base);
    if (rule.per !== undefined) lines.push(t('rules.ratePer', { rate, per: fmt.value(rule.base, rule.per), base }));
    else if (fmt.typeOf(rule.base) === 'amount' && unit === fmt.currency) lines.push(t('rules.ratePercent', { rate, base }));
    else lines.push(t('rules.rateSimple', { rate, base }));
  } else if (rule.kind === 'tiered') {
    const key = rule.mode === 'fixed' ? 'rules.tieredFixed' : rule.mode === 'marginal' ? 'rules.tieredMarginal' : 'rules.tieredRetro';
    lines.push(t(key, { basis: fmt.labelOf(rule.basis), base: fmt.labelOf(rule.base || rule.basis) }));
  } else if (rule.kind === 'multiplier') {
    lines.push(t('rules.multiplier', { basis: fmt.labelOf(rule.basis), rules: (rule.applies_to || []).map(labelOfRule).join(t('list.and')) }));
  } else if (rule.kind === 'award') {
    if (rule.tiers) lines.push(t('rules.awardTiered', { basis: fmt.labelOf(rule.basis) }));
    else lines.push(t('rules.award', { award: pickText(rule.award?.label, locale) }));
  }
  return lines;
}

export function renderRules(ctx) {
  const { t, fmt, locale, source } = ctx;
  const cards = [];
  for (const rule of source.rules || []) {
    const unit = rule.unit || fmt.currency;
    const tiers = rule.tiers
      ? h(
          'ul',
          { class: 'rule-tiers' },
          rule.tiers.map((tier, i) =>
            h('li', null, t('rules.tierLine', {
              name: pickText(tier.name, locale) || `#${i + 1}`,
              basis: fmt.labelOf(rule.basis),
              from: fmt.value(rule.basis, tier.from),
              pay: tierPayText(rule, tier, ctx),
            })),
          ),
        )
      : null;
    const extras = [];
    if (rule.when !== undefined) extras.push(t('rules.when', { condition: conditionText(rule.when, ctx, false) }));
    if (typeof rule.cap === 'number') extras.push(t('rules.cap', { cap: fmt.amount(rule.cap, unit) }));
    if (unit !== fmt.currency && rule.kind !== 'award') extras.push(t('rules.payIn', { unit: fmt.unitLabel(unit) }));
    const help = pickText(rule.help, locale);
    cards.push(
      h(
        'li',
        { class: 'rule', dataset: { rule: rule.id } },
        h('h4', null, h('span', { class: `cat-dot cat-${rule.category || 'other'}`, 'aria-hidden': 'true' }), pickText(rule.label, locale) || rule.id,
          h('span', { class: 'muted' }, ` · ${t(`category.${rule.category || 'other'}`)}`)),
        help ? h('p', { class: 'rule-help' }, help) : null,
        ruleLines(rule, ctx).map((l) => h('p', null, l)),
        tiers,
        extras.length ? h('p', { class: 'rule-extra' }, extras.join(t('list.sep'))) : null,
      ),
    );
  }
  const caps = (source.caps || []).map((cap) => {
    let text;
    if (cap.rules) text = t('rules.capRules', { rules: cap.rules.map((r) => pickText(ctx.rules.get(r)?.label, locale) || r).join(t('list.and')), max: fmt.amount(cap.max, cap.unit || ctx.rules.get(cap.rules[0])?.unit || fmt.currency) });
    else if (cap.category) text = t('rules.capCategory', { category: t(`category.${cap.category}`), max: fmt.amount(cap.max, cap.unit || fmt.currency) });
    else text = t('rules.capUnit', { unit: fmt.unitLabel(cap.unit), max: fmt.amount(cap.max, cap.unit) });
    const help = pickText(cap.help, locale);
    return h('li', { dataset: { cap: cap.id } }, h('strong', null, pickText(cap.label, locale) || cap.id), t('punct.colon'), text, help && help !== text ? h('span', { class: 'muted' }, ` ${help}`) : null);
  });
  const scores = (source.scores || []).map((sc) =>
    h(
      'li',
      { dataset: { score: sc.id } },
      h('strong', null, pickText(sc.label, locale) || sc.id),
      h(
        'ul',
        null,
        (sc.items || []).map((it) =>
          h('li', null, t(it.curve === 'step' ? 'rules.scoreItem' : 'rules.scoreItemLinear', { value: fmt.labelOf(it.value), target: fmt.value(it.value, it.target), points: fmt.number(it.points) })),
        ),
      ),
    ),
  );
  return h(
    'div',
    { class: 'rules-body' },
    h('ul', { class: 'rule-list' }, cards),
    caps.length ? [h('h3', null, t('rules.capsTitle')), h('ul', { class: 'cap-list' }, caps)] : null,
    scores.length ? [h('h3', null, t('rules.scoresTitle')), h('ul', { class: 'score-rules' }, scores)] : null,
  );
}
