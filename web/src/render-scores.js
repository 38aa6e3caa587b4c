// Scorecards: the total against the maximum, and every item with the points earned
// and the points still missing.

import { h } from './dom.js';
import { pickText } from './i18n.js';

export function renderScores(result, ctx) {
  const { t, fmt, locale } = ctx;
  const out = [];
  for (const [id, score] of Object.entries(result.scores || {})) {
    const def = ctx.scores.get(id) || {};
    const max = score.max ?? def.max ?? score.items.reduce((a, i) => a + i.available, 0);
    const ratio = max > 0 ? Math.min(1, score.total / max) : 0;
    const fill = h('div', { class: 'bar-fill' });
    fill.style.setProperty('width', `${(ratio * 100).toFixed(1)}%`);
    const totalText = t('scores.total', { total: fmt.number(score.total, 2), max: fmt.number(max, 2) });
    out.push(
      h(
        'div',
        { class: 'score', dataset: { score: id, total: score.total } },
        h(
          'div',
          { class: 'score-head' },
          h('h3', null, pickText(def.label, locale) || id),
          h('span', { class: 'score-total' }, totalText),
        ),
        h('div', { class: 'bar big', role: 'progressbar', 'aria-label': pickText(def.label, locale) || id, 'aria-valuemin': '0', 'aria-valuemax': String(max), 'aria-valuenow': String(score.total), 'aria-valuetext': totalText }, fill),
        h(
          'ul',
          { class: 'score-items' },
          score.items.map((item) => {
            const r = item.available > 0 ? Math.min(1, item.points / item.available) : 0;
            const f = h('div', { class: 'bar-fill' });
            f.style.setProperty('width', `${(r * 100).toFixed(1)}%`);
            const full = item.missing <= 0;
            return h(
              'li',
              { class: `score-item${full ? ' full' : ''}`, dataset: { value: item.value, points: item.points, missing: item.missing } },
              h('span', { class: 'si-label' }, fmt.labelOf(item.value)),
              h('span', { class: 'si-progress' }, t('scores.item', { current: fmt.value(item.value, item.current, { max: 2 }), target: fmt.value(item.value, item.target) }),
                h('span', { class: 'muted' }, ` · ${t(item.curve === 'step' ? 'scores.step' : 'scores.linear')}`)),
              h('div', { class: 'bar small', 'aria-hidden': 'true' }, f),
              h('span', { class: 'si-points' }, t('scores.points', { points: fmt.number(item.points, 2), available: fmt.number(item.available, 2) })),
              h('span', { class: `si-missing${full ? ' ok' : ''}` }, full ? t('scores.full') : t('scores.missing', { missing: fmt.number(item.missing, 2) })),
            );
          }),
        ),
      ),
    );
  }
  return out.length ? h('div', { class: 'scores' }, out) : null;
}
