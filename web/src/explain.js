// Plain-language text built from the programme and the core's result: JsonLogic
// conditions ("社群活跃率 ≥ 30%"), each component's trace as a sentence, and the
// wording of a tier's pay. The numbers all come from the core; this only words them.

import { pickText } from './i18n.js';

const CMP = { '>=': '≥', '>': '>', '<=': '≤', '<': '<', '==': '=', '===': '=', '!=': '≠', '!==': '≠' };

/** ctx: {t, fmt, values} — values: every value by id (figures, derived, scores). */
export function conditionText(logic, ctx, withCurrent = true) {
  const { t, fmt } = ctx;
  const seen = new Set();
  const varName = (x) => (x && typeof x === 'object' && !Array.isArray(x) && 'var' in x ? (Array.isArray(x.var) ? x.var[0] : x.var) : null);

  const operand = (x, typeHint) => {
    const v = varName(x);
    if (typeof v === 'string') {
      seen.add(v);
      return fmt.labelOf(v);
    }
    if (typeof x === 'number') return typeHint ? fmt.value(typeHint, x) : fmt.number(x);
    if (typeof x === 'boolean') return x ? t('form.yes') : t('form.no');
    if (typeof x === 'string') return `“${x}”`;
    return null;
  };

  const walk = (node) => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      if (typeof node === 'boolean') return node ? t('form.yes') : t('form.no');
      return null;
    }
    const keys = Object.keys(node);
    if (keys.length !== 1) return null;
    const op = keys[0];
    let args = node[op];
    if (!Array.isArray(args)) args = [args];
    if (op === 'var') {
      const name = operand(node);
      return name ? t('cond.truthy', { x: name }) : null;
    }
    if (op === 'and' || op === 'or') {
      const parts = args.map(walk);
      if (parts.some((p) => p === null)) return null;
      return parts.join(` ${t(`cond.${op}`)} `);
    }
    if (op === '!' || op === '!!') {
      const inner = args[0];
      const name = varName(inner);
      if (typeof name === 'string') {
        seen.add(name);
        return t(op === '!' ? 'cond.falsy' : 'cond.truthy', { x: fmt.labelOf(name) });
      }
      const w = walk(inner);
      return w === null ? null : op === '!' ? t('cond.not', { x: w }) : w;
    }
    if (op in CMP) {
      if ((op === '<' || op === '<=') && args.length === 3) {
        const mid = varName(args[1]);
        const x = operand(args[1]);
        const lo = operand(args[0], mid);
        const hi = operand(args[2], mid);
        if (x === null || lo === null || hi === null) return null;
        return `${lo} ${CMP[op]} ${x} ${CMP[op]} ${hi}`;
      }
      if (args.length !== 2) return null;
      const a = varName(args[0]);
      const b = varName(args[1]);
      const left = operand(args[0], b);
      const right = operand(args[1], a);
      if (left === null || right === null) return null;
      return `${left} ${CMP[op]} ${right}`;
    }
    return null;
  };

  let text = walk(logic);
  if (text === null) return t('cond.complex');
  if (withCurrent && ctx.values) {
    const now = [...seen]
      .filter((id) => ctx.values[id] !== undefined)
      .map((id) => `${fmt.labelOf(id)} ${fmt.value(id, ctx.values[id])}`);
    if (now.length) text += t('cond.currentWrap', { x: t('cond.current', { value: now.join(t('list.sep')) }) });
  }
  return text;
}

/** A rate in words: 1% of an amount, ¥5 per post, 20 points per course. */
export function rateText(rate, baseId, unit, ctx) {
  const { fmt } = ctx;
  const moneyBase = fmt.typeOf(baseId) === 'amount';
  const currencyUnit = !unit || unit === fmt.currency;
  if (moneyBase && currencyUnit) return fmt.fraction(rate);
  return fmt.amount(rate, unit || fmt.currency, { whole: true });
}

/** What one tier pays, in words. */
export function tierPayText(rule, tier, ctx) {
  const { t, fmt, locale } = ctx;
  const unit = rule.unit || fmt.currency;
  if (rule.kind === 'multiplier') return t('tier.factor', { factor: fmt.number(tier.factor, 4) });
  if (rule.kind === 'award') return pickText(tier.award?.label, locale);
  if (rule.mode === 'fixed') return fmt.amount(tier.amount, unit, { whole: true });
  return rateText(tier.rate, rule.base || rule.basis, unit, ctx);
}

function capNote(c, ctx) {
  const { t, fmt } = ctx;
  const tr = c.trace || {};
  if (tr.capped) return t('explain.capped', { cap: fmt.amount(tr.cap, c.unit) });
  return null;
}

/** The sentences that explain one component of a result, from its trace. */
export function explainComponent(c, rule, ctx) {
  const { t, fmt, locale } = ctx;
  const tr = c.trace || {};
  const unit = c.unit || fmt.currency;
  const lines = [];
  const val = (ref) => (ref ? fmt.value(ref.value, ref.amount) : '');
  const label = (ref) => (ref ? fmt.labelOf(ref.value) : '');

  if (c.status === 'locked') {
    const cond = rule?.when !== undefined ? conditionText(rule.when, ctx) : t('cond.complex');
    lines.push(t('explain.locked', { condition: cond }));
    return lines;
  }

  if (c.kind === 'rate') {
    if (!tr.base) return lines;
    const rate = rateText(tr.rate, tr.base.value, unit, ctx);
    if (tr.per !== undefined) {
      lines.push(
        t('explain.ratePer', {
          base: `${label(tr.base)} ${val(tr.base)}`,
          blocks: fmt.number(tr.blocks ?? 0, 0),
          per: fmt.value(tr.base.value, tr.per),
          rate,
          raw: fmt.amount(tr.raw, unit),
        }),
      );
    } else {
      lines.push(t('explain.rate', { base: `${label(tr.base)} ${val(tr.base)}`, rate, raw: fmt.amount(tr.raw, unit) }));
    }
    const cap = capNote(c, ctx);
    if (cap) lines.push(cap);
    return lines;
  }

  if (c.kind === 'tiered' || c.kind === 'multiplier' || (c.kind === 'award' && tr.basis)) {
    const tiers = rule?.tiers || [];
    const basisLabel = label(tr.basis);
    const basis = val(tr.basis);
    const idx = typeof tr.tier === 'number' ? tr.tier : -1;
    if (idx < 0) {
      const first = tiers[0];
      if (first) {
        lines.push(
          t('explain.belowFirst', {
            basisLabel,
            basis,
            tier: pickText(first.name, locale) || fmt.value(tr.basis?.value, first.from),
            from: fmt.value(tr.basis?.value, first.from),
          }),
        );
      }
      return lines;
    }
    const tier = tiers[idx] || {};
    const common = {
      basisLabel,
      basis,
      tier: pickText(tier.name, locale) || `#${idx + 1}`,
      from: fmt.value(tr.basis?.value, tier.from),
    };
    if (c.kind === 'award') {
      lines.push(t('explain.awardTier', { ...common, award: pickText(tier.award?.label || c.award?.label, locale) }));
      return lines;
    }
    if (c.kind === 'multiplier') {
      const targets = (tr.targets || []).map((x) => fmt.amount(x.amount, unit)).join(' + ');
      lines.push(
        t('explain.multiplier', {
          ...common,
          factor: fmt.number(tr.factor, 4),
          targets: targets || fmt.amount(0, unit),
          uplift: fmt.fraction(Math.round((tr.factor - 1) * 1e9) / 1e9, 4),
          raw: fmt.amount(c.amount ?? tr.raw, unit),
        }),
      );
    } else if (c.mode === 'fixed') {
      lines.push(t('explain.fixed', { ...common, amount: fmt.amount(tr.amount ?? tr.raw, unit) }));
    } else if (c.mode === 'retro') {
      const baseRef = tr.base || tr.basis;
      lines.push(
        t('explain.retro', {
          ...common,
          rate: rateText(tr.rate, baseRef.value, unit, ctx),
          baseLabel: label(baseRef),
          base: val(baseRef),
          raw: fmt.amount(c.uncapped ?? tr.raw, unit),
        }),
      );
    } else if (c.mode === 'marginal') {
      const id = tr.basis?.value;
      for (const b of tr.brackets || []) {
        lines.push(
          t('explain.marginalBracket', {
            from: fmt.value(id, b.from),
            to: fmt.value(id, b.to),
            volume: fmt.value(id, b.volume),
            rate: rateText(b.rate, id, unit, ctx),
            amount: fmt.amount(b.amount, unit),
          }),
        );
      }
      if ((tr.brackets || []).length > 1) lines.push(t('explain.marginalTotal', { raw: fmt.amount(c.uncapped ?? tr.raw, unit) }));
    }
    const cap = capNote(c, ctx);
    if (cap) lines.push(cap);
    return lines;
  }

  if (c.kind === 'award') {
    if (c.status === 'earned') lines.push(t('explain.award', { award: pickText(c.award?.label, locale) }));
    return lines;
  }
  return lines;
}

/** The next tier: the core's (full evaluation) or, before it is in, read from the tiers. */
export function nextTier(rule, c) {
  if (c.next) return c.next;
  const tiers = rule.tiers || [];
  const current = c.trace?.basis?.amount;
  if (typeof current !== 'number') return null;
  const i = (c.tier ? c.tier.index : -1) + 1;
  if (i >= tiers.length) return null;
  return { index: i, name: tiers[i].name, from: tiers[i].from, current, gap: Math.round((tiers[i].from - current) * 1e9) / 1e9 };
}

