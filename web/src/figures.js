// From what the dealer typed (kept as raw text, never discarded) to a figures document.
// Numbers travel to the core as JSON number literals copied from the text, so the core
// sees exactly the decimals that were typed (no binary floating point on the way).

export const FIGURES_FORMAT = 'dealer-incentive-figures/1';

const FULLWIDTH = /[\uFF10-\uFF19\uFF0E\uFF0D\uFF0B\uFF0C\uFF05]/g;
const FW_MAP = { '\uFF0E': '.', '\uFF0D': '-', '\uFF0B': '+', '\uFF0C': ',', '\uFF05': '%' };

function toAscii(text) {
  return text.replace(FULLWIDTH, (c) => FW_MAP[c] || String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48));
}

function trimAll(text) {
  return text.replace(/^[\s\u00A0\u3000\uFEFF]+|[\s\u00A0\u3000\uFEFF]+$/g, '');
}

/**
 * Reads a number as typed: "1,234.50", "¥1234.5", "４２", "93.5%", " 12 ".
 * Returns {empty: true}, {literal: "1234.5"} (a canonical JSON number), or {reason: "not_a_number"}.
 */
export function parseNumberText(raw, type, currencySymbols = ['¥', '￥']) {
  let text = trimAll(toAscii(String(raw ?? '')));
  if (text === '') return { empty: true };
  if (type === 'percent' && text.endsWith('%')) text = trimAll(text.slice(0, -1));
  let sign = '';
  if (text[0] === '-' || text[0] === '+') {
    sign = text[0] === '-' ? '-' : '';
    text = trimAll(text.slice(1));
  }
  if (type === 'amount') {
    for (const sym of [...currencySymbols, 'CNY', 'RMB']) {
      if (text.startsWith(sym)) {
        text = trimAll(text.slice(sym.length));
        break;
      }
    }
    if (text.endsWith('元')) text = trimAll(text.slice(0, -1));
  }
  // Thousands separators only where they group digits by three: 1,234,567.8
  if (text.includes(',')) {
    if (!/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(text)) return { reason: 'not_a_number' };
    text = text.replace(/,/g, '');
  }
  if (!/^(\d+\.?\d*|\.\d+)$/.test(text)) return { reason: 'not_a_number' };
  let [int, frac = ''] = text.split('.');
  int = int.replace(/^0+(?=\d)/, '') || '0';
  frac = frac.replace(/0+$/, '');
  const literal = frac ? `${int}.${frac}` : int;
  return { literal: literal === '0' ? '0' : sign + literal };
}

export function isIsoDate(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/**
 * Builds the figures JSON text from the form state.
 * state: {raw: {id: text}, dealer: {id, name}, asOf}
 * Returns {json, values: {id: literal|boolean}, localErrors: {id: {reason, args}}, count}
 */
export function buildFigures(metrics, state, currencySymbols) {
  const values = {};
  const localErrors = {};
  const parts = [];
  for (const m of metrics) {
    const raw = state.raw[m.id];
    if (raw === undefined || raw === null || raw === '') continue;
    if (m.type === 'boolean') {
      if (raw === 'true' || raw === 'false') {
        values[m.id] = raw === 'true';
        parts.push(`${JSON.stringify(m.id)}:${raw}`);
      }
      continue;
    }
    const r = parseNumberText(raw, m.type, currencySymbols);
    if (r.empty) continue;
    if (r.reason) {
      localErrors[m.id] = { reason: r.reason, args: { value: String(raw) } };
      continue;
    }
    values[m.id] = r.literal;
    parts.push(`${JSON.stringify(m.id)}:${r.literal}`);
  }
  let head = `{"format":"${FIGURES_FORMAT}"`;
  const dealer = {};
  if (state.dealer?.id) dealer.id = String(state.dealer.id);
  if (state.dealer?.name) dealer.name = String(state.dealer.name);
  if (Object.keys(dealer).length) head += `,"dealer":${JSON.stringify(dealer)}`;
  if (state.asOf && isIsoDate(state.asOf)) head += `,"as_of":${JSON.stringify(state.asOf)}`;
  const json = `${head},"values":{${parts.join(',')}}}`;
  return { json, values, localErrors, count: parts.length };
}

/** A value from the core (number/boolean) → the text the form shows. */
export function valueToRaw(metric, v) {
  if (v === null || v === undefined) return '';
  if (metric.type === 'boolean') return v === true ? 'true' : v === false ? 'false' : '';
  if (typeof v === 'number') {
    // Shortest round-trip text; the core's numbers have at most 6 decimals.
    const s = String(v);
    if (!/e/i.test(s)) return s;
    return v.toFixed(Math.min(metric.decimals ?? 6, 20)).replace(/\.?0+$/, '');
  }
  return String(v);
}

/** Today's date as YYYY-MM-DD in local time. */
export function todayIso(now = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}
