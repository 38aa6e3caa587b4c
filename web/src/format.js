// Number, money, percentage and date formatting with Intl, for one locale and one
// programme. Formatters are cached: creating Intl objects is the slow part.

import { pickText } from './i18n.js';

const cache = new Map();
function nf(locale, opts) {
  const key = locale + JSON.stringify(opts);
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, opts);
    cache.set(key, f);
  }
  return f;
}

/** Formatters bound to a locale and a programme (its currency, units, metric types). */
export function makeFormat(locale, info, t) {
  const currency = info?.currency || 'CNY';
  const units = new Map((info?.units || []).map((u) => [u.id, u]));
  const currencyUnit = [...units.values()].find((u) => u.currency);
  const moneyDigits = currencyUnit ? currencyUnit.precision : 2;
  const metrics = new Map((info?.metrics || []).map((m) => [m.id, m]));
  const derived = new Map(((info?.source?.derived) || []).map((d) => [d.id, d]));
  const scores = new Map(((info?.source?.scores) || []).map((s) => [s.id, s]));

  const money = (n, opts = {}) =>
    nf(locale, {
      style: 'currency',
      currency,
      currencyDisplay: 'narrowSymbol',
      minimumFractionDigits: opts.whole && Number.isInteger(n) ? 0 : moneyDigits,
      maximumFractionDigits: moneyDigits,
      signDisplay: opts.sign ? 'exceptZero' : 'auto',
    }).format(n);

  const symbol = (() => {
    try {
      const part = nf(locale, { style: 'currency', currency, currencyDisplay: 'narrowSymbol' })
        .formatToParts(0)
        .find((p) => p.type === 'currency');
      return part ? part.value : currency;
    } catch {
      return currency;
    }
  })();

  const number = (n, max = 6, opts = {}) =>
    nf(locale, { maximumFractionDigits: max, minimumFractionDigits: opts.min || 0, roundingMode: opts.roundingMode || 'halfExpand' }).format(n);

  /** 85 → "85%" (spec: a percent figure of 85 means 85 %). */
  const percentValue = (v, max = 4, opts = {}) =>
    nf(locale, { style: 'percent', maximumFractionDigits: max, roundingMode: opts.roundingMode || 'halfExpand' }).format(v / 100);

  /** 0.004 → "0.4%" (a rate as a fraction). */
  const fraction = (v, max = 4) => nf(locale, { style: 'percent', maximumFractionDigits: max }).format(v);

  const unitLabel = (unitId) => {
    if (!unitId || unitId === currency) return currency;
    const u = units.get(unitId);
    return u ? pickText(u.label, locale) || u.id : unitId;
  };

  /** An amount in a reward unit: money for the currency, "480 积分" for others. */
  const amount = (n, unitId, opts = {}) => {
    if (!unitId || unitId === currency || units.get(unitId)?.currency) return money(n, opts);
    const u = units.get(unitId);
    const digits = u ? u.precision : 0;
    const txt = nf(locale, { maximumFractionDigits: digits, signDisplay: opts.sign ? 'exceptZero' : 'auto' }).format(n);
    return `${txt} ${unitLabel(unitId)}`;
  };

  /** {"CNY": 1901.25, "points": 200} → "¥1,901.25 + 200 积分" (zeros left out unless all are 0). */
  const amounts = (obj, opts = {}) => {
    const entries = Object.entries(obj || {});
    const nonZero = entries.filter(([, v]) => v !== 0);
    const list = nonZero.length ? nonZero : entries.slice(0, 1);
    return list.map(([u, v]) => amount(v, u, opts)).join(' + ');
  };

  /** The type of a value by id: a metric's type, a derived value's type, "score". */
  const typeOf = (id) => metrics.get(id)?.type || derived.get(id)?.type || (scores.has(id) ? 'score' : 'number');

  const labelOf = (id) => {
    const m = metrics.get(id) || derived.get(id) || scores.get(id);
    return m ? pickText(m.label, locale) || id : id;
  };

  /** A value shown in its own type: money, percent, whole number, yes/no. */
  const value = (id, v, opts = {}) => {
    if (typeof v === 'boolean') return v ? t('form.yes') : t('form.no');
    if (typeof v !== 'number' || !Number.isFinite(v)) return String(v ?? '');
    const type = typeOf(id);
    switch (type) {
      case 'amount':
        return opts.roundingMode ? nf(locale, { style: 'currency', currency, currencyDisplay: 'narrowSymbol', maximumFractionDigits: moneyDigits, minimumFractionDigits: 0, roundingMode: opts.roundingMode }).format(v) : money(v, { whole: true });
      case 'percent':
        return percentValue(v, opts.max ?? 4, opts);
      case 'count':
        return number(v, 0);
      case 'score':
        return number(v, 2, opts);
      default:
        return number(v, opts.max ?? 6, opts);
    }
  };

  /** A plain amount of a value's kind without the currency symbol (used for gaps, increases). */
  const delta = (id, v, opts = {}) => {
    const type = typeOf(id);
    if (type === 'percent') return number(v, opts.max ?? 2, opts);
    return value(id, v, opts);
  };

  /** A difference to a target: "0.56 个百分点" for percentages, else the value's own format. */
  const gap = (id, v, opts = {}) => (typeOf(id) === 'percent' ? t('unit.pp', { x: number(v, opts.max ?? 2, opts) }) : delta(id, v, opts));

  const dateFmt = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
  const date = (iso) => {
    if (!iso || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso || '';
    const d = new Date(`${iso}T00:00:00Z`);
    return Number.isNaN(d.getTime()) ? iso : dateFmt.format(d);
  };

  return { locale, currency, symbol, moneyDigits, money, number, percentValue, fraction, amount, amounts, unitLabel, value, delta, gap, typeOf, labelOf, date, metrics, derived, scores, units };
}
