// A compact statement that only the print stylesheet shows: one page with the
// programme, the dealer, every line, the caps, the totals and the projection.

import { h } from './dom.js';
import { pickText } from './i18n.js';

export function renderStatement(result, state, ctx) {
  const { t, fmt, locale, info } = ctx;
  const currency = result.currency || info.currency;
  const statusOf = (c) => t(c.status === 'earned' ? 'status.earned' : c.status === 'locked' ? 'status.locked' : 'status.none');
  const rows = (result.components || []).map((c) =>
    h(
      'tr',
      null,
      h('td', null, pickText(c.label || ctx.rules.get(c.id)?.label, locale) || c.id),
      h('td', null, t(`category.${c.category}`)),
      h('td', null, statusOf(c)),
      h('td', { class: 'num' }, c.kind === 'award' ? (c.status === 'earned' ? pickText(c.award?.label, locale) : '—') : fmt.amount(c.amount ?? 0, c.unit || currency)),
    ),
  );
  for (const a of result.adjustments || []) {
    rows.push(
      h('tr', { class: 'adj' },
        h('td', null, pickText(a.label || ctx.caps.get(a.cap)?.label, locale) || a.cap),
        h('td', null, t('caps.title')),
        h('td', null, ''),
        h('td', { class: 'num' }, fmt.amount(a.amount, a.unit, { sign: true })),
      ),
    );
  }
  const totalRows = Object.entries(result.totals || {}).map(([u, v]) =>
    h('tr', { class: 'total' }, h('th', { colspan: '3', scope: 'row' }, `${t('export.total')}${t('paren', { x: fmt.unitLabel(u) })}`), h('td', { class: 'num' }, fmt.amount(v, u))),
  );
  const proj = result.projection
    ? Object.entries(result.projection.totals || {}).map(([u, v]) =>
        h('tr', { class: 'proj' }, h('th', { colspan: '3', scope: 'row' }, `${t('export.projected')}${t('paren', { x: fmt.unitLabel(u) })}`), h('td', { class: 'num' }, fmt.amount(v, u))),
      )
    : [];
  const dealer = [state.dealer?.id, state.dealer?.name].filter(Boolean).join(' ');
  const meta = [
    `${t('export.program')}${t('punct.colon')}${pickText(info.name, locale)}${t('paren', { x: info.version })}`,
    info.period ? t('meta.period', { start: fmt.date(info.period.start), end: fmt.date(info.period.end) }) : null,
    dealer ? `${t('export.dealer')}${t('punct.colon')}${dealer}` : null,
    result.as_of ? `${t('export.asOf')}${t('punct.colon')}${fmt.date(result.as_of)}` : null,
  ].filter(Boolean);
  const scores = Object.entries(result.scores || {}).map(([id, sc]) =>
    `${pickText(ctx.scores.get(id)?.label, locale) || id}${t('punct.colon')}${t('scores.total', { total: fmt.number(sc.total, 2), max: fmt.number(sc.max ?? 100, 2) })}`,
  );
  const awards = (result.awards || []).map((a) => pickText(a.label, locale));
  return h(
    'div',
    { class: 'statement-body' },
    h('h2', null, t('statement.title')),
    h('p', { class: 'st-meta' }, meta.join(' · ')),
    h(
      'table',
      null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('statement.item')), h('th', { scope: 'col' }, t('export.section')), h('th', { scope: 'col' }, t('statement.status')), h('th', { scope: 'col', class: 'num' }, t('statement.amount')))),
      h('tbody', null, rows),
      h('tfoot', null, totalRows, proj),
    ),
    scores.length ? h('p', null, scores.join(' · ')) : null,
    awards.length ? h('p', null, `${t('awards.title')}${t('punct.colon')}${awards.join(t('list.and'))}`) : null,
    h('p', { class: 'st-foot' }, t('statement.generated', { date: fmt.date(new Date().toISOString().slice(0, 10)) })),
  );
}
