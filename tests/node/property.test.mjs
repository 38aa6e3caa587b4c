// Property test: the native CLI (`dealer-calc evaluate --compact`) and the WASM build
// (`loadProgram` + `evaluateJson(…, {pretty: false})`) agree byte for byte on randomized
// PROGRAMMES with randomized figures (deterministic, seeded): currencies and extra units,
// periods, every metric type with bounds and defaults, derived values (JsonLogic over
// earlier values, with and without precision), scorecards (linear and step), rate rules
// (per, negative rates, caps, units), tiered rules (retro with another base, marginal,
// fixed), multipliers, plain and tiered awards, `when` conditions (and the rest of
// JsonLogic: string coercions, reduce/merge, some, in, missing, ?:), caps by rules,
// category and unit; figures at and next to every threshold, missing, null, spelled
// differently (1e0, 1.0, -0). A share of programmes and figures is deliberately invalid
// (one mutation each: duplicate id, unknown reference, tiers out of order, a typo'd
// field, too many decimals, a number too large, truncated JSON, …) and must give the
// same error object, byte for byte. About 30 s for 10,000 cases on 2 cores.
//
//   DEALERCALC_PROP_CASES=N (default 10000)   DEALERCALC_PROP_SEED=S (default 20270101)
//   DEALERCALC_PROP_JOBS=J (default 2: batches of 25 cases in flight, each one native shell)
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dealerCalc, nativeCli, pool, prng, requireFile, run } from "./helpers.mjs";

const CASES = Number(process.env.DEALERCALC_PROP_CASES || 10000);
const SEED = Number(process.env.DEALERCALC_PROP_SEED || 20270101);
const JOBS = Number(process.env.DEALERCALC_PROP_JOBS || 2);

// ---- randomness -------------------------------------------------------------------------

function tools(random) {
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(random() * list.length)];
  const chance = (p) => random() < p;
  const shuffle = (list) => {
    const a = [...list];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  return { random, int, pick, chance, shuffle };
}

// ---- exact decimals as JSON number literals ------------------------------------------------

/** A JSON number written exactly as given (never through a binary double). */
class Num {
  constructor(text) {
    this.text = text;
  }
}

/** BigInt scaled by 10^places → decimal text ("-12.5", "0.000001", "3"). */
function scaledText(k, places) {
  const neg = k < 0n;
  const digits = (neg ? -k : k).toString().padStart(places + 1, "0");
  let text = places ? `${digits.slice(0, -places)}.${digits.slice(-places)}` : digits;
  if (places) text = text.replace(/0+$/, "").replace(/\.$/, "");
  return (neg && /[1-9]/.test(text) ? "-" : "") + text;
}

/** Decimal text → BigInt scaled by 10^places (the text has at most `places` decimals). */
function toScaled(text, places) {
  const neg = text.startsWith("-");
  const [i, f = ""] = text.replace(/^[-+]/, "").split(".");
  const k = BigInt(i + f.padEnd(places, "0").slice(0, places));
  return neg ? -k : k;
}

function randomBig(t, lo, hi) {
  if (hi <= lo) return lo;
  const span = hi - lo + 1n;
  const r = (BigInt(Math.floor(t.random() * 2 ** 32)) << 32n) | BigInt(Math.floor(t.random() * 2 ** 32));
  return lo + (r % span);
}

/**
 * A random decimal in [lo, hi] (texts) with at most `places` decimals: often round, often
 * at or next to an edge, otherwise log-uniform across the magnitudes of the range.
 */
function decimal(t, lo, hi, places) {
  const L = toScaled(lo, places);
  const H = toScaled(hi, places);
  const r = t.random();
  let k;
  if (r < 0.06) k = L;
  else if (r < 0.1) k = H;
  else if (r < 0.3) {
    // round numbers: 1, 2, 5 × 10^e
    const e = t.int(0, Math.max(0, (H > 0n ? H : -L).toString().length - 1));
    k = BigInt(t.pick([1, 2, 5])) * 10n ** BigInt(e);
    if (L < 0n && t.chance(0.3)) k = -k;
  } else {
    // log-uniform magnitude within the range
    const top = (H > -L ? H : -L).toString().length;
    const digits = t.int(1, Math.max(1, top));
    k = randomBig(t, 0n, 10n ** BigInt(digits) - 1n);
    if (L < 0n && (H <= 0n || t.chance(0.4))) k = -k;
  }
  if (k < L) k = L;
  if (k > H) k = H;
  return scaledText(k, places);
}

const add = (a, b, places) => scaledText(toScaled(a, places) + toScaled(b, places), places);
const cmp = (a, b, places) => {
  const x = toScaled(a, places);
  const y = toScaled(b, places);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** JSON text of a value whose numbers may be Num (written verbatim). */
function toJson(v) {
  if (v instanceof Num) return v.text;
  if (Array.isArray(v)) return `[${v.map(toJson).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

// ---- programmes -----------------------------------------------------------------------------

const CATEGORIES = ["content", "community", "promotion", "tools", "training", "sales", "data", "other"];
const TYPES = ["count", "amount", "number", "percent", "boolean"];
const CURRENCIES = [["CNY", 2], ["CNY", 2], ["USD", 2], ["EUR", 2], ["JPY", 0], ["KRW", 0], ["KWD", 3]];
const DAY = 86400000;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

function label(t, n) {
  return t.pick([`Item ${n}`, { "zh-CN": `项目${n}`, en: `Item ${n}` }, `“引号” ${n}`, `Ürümqi 🚗 ${n}`]);
}

function generateProgram(t, index) {
  let seq = 0;
  const id = (prefix) => `${prefix}_${seq++}`;
  const [currency, precision] = t.pick(CURRENCIES);
  const p = { format: "dealer-incentive-program/1", id: `prop-${index}`, version: `${t.int(2026, 2028)}.${t.int(1, 9)}`, name: label(t, index) };
  let moneyPlaces = precision;
  if (t.chance(0.7)) p.currency = currency;
  else moneyPlaces = 2; // the default currency, CNY
  if (t.chance(0.1)) {
    moneyPlaces = t.int(0, 4);
    p.currency_precision = moneyPlaces;
  }
  if (t.chance(0.05)) {
    p.currency = "XTS"; // no ISO minor unit known: currency_precision is required
    moneyPlaces = t.int(0, 3);
    p.currency_precision = moneyPlaces;
  }
  const money = p.currency || "CNY";
  const units = [{ id: money, places: moneyPlaces }];
  if (t.chance(0.45)) {
    p.units = [];
    for (let i = t.int(1, 2); i > 0; i--) {
      const u = { id: id(t.pick(["points", "credits", "vouchers"])), label: label(t, seq), precision: t.int(0, 3) };
      if (t.chance(0.2)) delete u.precision;
      p.units.push(u);
      units.push({ id: u.id, places: u.precision ?? 0 });
    }
  }
  if (t.chance(0.65)) {
    const start = Date.UTC(2027, 0, 1) + t.int(-400, 400) * DAY;
    const days = t.pick([0, 1, 29, 30, 89, 180, 181, 364, 365, t.int(2, 730)]);
    p.period = { start: isoDay(start), end: isoDay(start + days * DAY) };
  }

  // Metrics
  const values = []; // {id, kind, numeric, type, min, max, places}
  const metrics = [];
  for (let i = t.int(1, 7); i > 0; i--) {
    const type = t.pick(TYPES);
    const m = { id: id(t.pick(["posts", "reads", "sales", "rate", "hours", "signed", "staff"])), label: label(t, seq), type };
    if (t.chance(0.8)) m.category = t.pick(CATEGORIES);
    const places = type === "count" ? 0 : type === "amount" ? moneyPlaces : 6;
    const info = { id: m.id, kind: "metric", numeric: type !== "boolean", type, places };
    if (type === "boolean") {
      if (t.chance(0.5)) m.default = t.chance(0.5);
    } else {
      let lo = type === "count" || type === "amount" ? "0" : null;
      let hi = null;
      if (t.chance(0.7)) {
        hi = type === "percent" ? t.pick(["100", "100", "200", "1000"]) : decimal(t, "1", t.pick(["100", "10000", "100000000", "999999999999"]), t.chance(0.8) ? 0 : places);
        m.max = new Num(hi);
      }
      if (type === "number" || type === "percent") {
        if (t.chance(0.5)) {
          lo = t.chance(0.7) ? "0" : decimal(t, "-1000", "0", places);
          m.min = new Num(lo);
        }
      } else if (t.chance(0.3)) {
        lo = t.chance(0.5) ? "0" : t.pick(["1", "5"]);
        if (hi !== null && cmp(lo, hi, places) > 0) lo = "0";
        m.min = new Num(lo);
      }
      if (lo === null) lo = "-999999999999";
      if (hi === null) hi = "999999999999";
      info.min = lo;
      info.max = hi;
      if (t.chance(0.35)) m.default = new Num(decimal(t, lo, cmp(hi, "1000000", places) > 0 ? (cmp(lo, "1000000", places) > 0 ? lo : "1000000") : hi, places));
    }
    if (t.chance(0.5)) m.cumulative = t.chance(0.6);
    if (t.chance(0.2)) m.help = label(t, seq);
    metrics.push(m);
    values.push(info);
  }
  p.metrics = metrics;

  const numeric = () => values.filter((v) => v.numeric);
  const constant = (v) => {
    // A constant near the value's range (tiers, conditions).
    if (v && v.min !== undefined && v.max !== undefined) {
      const hi = cmp(v.max, "100000000", v.places) > 0 ? "100000000" : v.max;
      const lo = cmp(v.min, "0", v.places) < 0 && t.chance(0.7) ? "0" : v.min;
      return decimal(t, cmp(lo, hi, v.places) > 0 ? hi : lo, hi, Math.min(v.places, 6));
    }
    return decimal(t, "-10", "1000", t.pick([0, 0, 2, 4, 6]));
  };

  // JsonLogic: numeric expressions and conditions over the values defined so far.
  const numExpr = (depth) => {
    const pool = numeric();
    if (depth <= 0 || t.chance(0.3)) {
      if (pool.length && t.chance(0.8)) return { var: t.pick(pool).id };
      return new Num(decimal(t, "-100", "1000", t.pick([0, 1, 2, 6])));
    }
    if (t.chance(0.12)) return exoticExpr(depth);
    const op = t.pick(["+", "-", "*", "/", "/", "min", "max", "if", "%", "+", "*"]);
    if (op === "if") return { if: [condition(depth - 1), numExpr(depth - 1), numExpr(depth - 1)] };
    if (op === "/") {
      const d = numExpr(depth - 1);
      // Mostly guarded (as brands write them); sometimes not: division by zero is an error.
      return t.chance(0.75) ? { if: [{ "!=": [d, 0] }, { "/": [numExpr(depth - 1), d] }, 0] } : { "/": [numExpr(depth - 1), d] };
    }
    if (op === "%") return { "%": [numExpr(depth - 1), t.chance(0.8) ? new Num(String(t.int(1, 12))) : numExpr(depth - 1)] };
    const n = op === "-" ? t.int(1, 2) : t.int(2, 3);
    return { [op]: Array.from({ length: n }, () => numExpr(depth - 1)) };
  };
  // The rest of JsonLogic, as brands might write it: coercions from strings, arrays,
  // iteration, several branches (some of it is refused or fails: both builds must agree).
  const exoticExpr = (depth) => {
    const x = () => numExpr(depth - 1);
    const v = () => (numeric().length ? { var: t.pick(numeric()).id } : new Num("1"));
    switch (t.int(0, 11)) {
      case 0: return { "?:": [condition(depth - 1), x(), x()] };
      case 1: return { if: [condition(depth - 1), x(), condition(depth - 1), x(), x()] };
      case 2: return { "+": [{ cat: [String(t.int(0, 99)), ".", String(t.int(0, 999))] }, x()] };
      case 3: return { "*": [x(), t.pick(["2.5", "1e2", " 3 ", "0x10", "", "abc", "1,5"])] };
      case 4: return { reduce: [{ merge: [v(), [x(), new Num(String(t.int(0, 9)))]] }, { "+": [{ var: "current" }, { var: "accumulator" }] }, 0] };
      case 5: return { max: [x()] };
      case 6: return { "+": [{ substr: [t.pick(["12345.678", "-42", "9e3"]), t.int(-3, 2), t.int(1, 4)] }] };
      case 7: return { "-": [{ "/": [x(), new Num(t.pick(["3", "7", "9", "0.3", "-6"]))] }] };
      case 8: return { log: x() };
      case 9: return { "+": [x(), true] };
      case 10: return { "%": [x(), new Num(t.pick(["-3", "0.7", "2.5"]))] };
      default: return { "*": [x(), new Num(t.pick(["1e-6", "1E2", "2.500", "-0", "0.000001", "100.0"]))] };
    }
  };
  const exoticCondition = (depth) => {
    const v = () => (numeric().length ? { var: t.pick(numeric()).id } : new Num("1"));
    switch (t.int(0, 6)) {
      case 0: return { in: [v(), [new Num("1"), new Num("2"), new Num("3")]] };
      case 1: return { "!!": [v()] };
      case 2: return { [t.pick(["===", "!=="])]: [v(), new Num(String(t.int(0, 5)))] };
      case 3: return { "!": { missing: [values.length ? t.pick(values).id : "x"] } };
      case 4: return { some: [[new Num("1"), v()], { ">": [{ var: "" }, new Num(String(t.int(0, 50)))] }] };
      case 5: return { "==": [v(), String(t.int(0, 5))] };
      default: return { in: [t.pick(["a", "1"]), { cat: ["x", v()] }] };
    }
  };
  const condition = (depth) => {
    const bools = values.filter((v) => !v.numeric);
    if (t.chance(0.08)) return exoticCondition(depth);
    const r = t.random();
    if (bools.length && r < 0.2) return t.chance(0.7) ? { var: t.pick(bools).id } : { "!": { var: t.pick(bools).id } };
    if (depth > 0 && r < 0.4) return { [t.pick(["and", "or"])]: [condition(depth - 1), condition(depth - 1)] };
    const pool = numeric();
    if (!pool.length) return t.chance(0.5);
    const v = t.pick(pool);
    const op = t.pick([">=", ">", "<", "<=", "==", "!=", "between"]);
    if (op === "between") {
      const a = constant(v);
      const b = constant(v);
      const [lo, hi] = cmp(a, b, 6) <= 0 ? [a, b] : [b, a];
      return { [t.pick(["<=", "<"])]: [new Num(lo), { var: v.id }, new Num(hi)] };
    }
    return { [op]: [depth > 0 && t.chance(0.2) ? numExpr(1) : { var: v.id }, new Num(constant(v))] };
  };

  // Derived values
  if (t.chance(0.6)) {
    p.derived = [];
    for (let i = t.int(1, 3); i > 0; i--) {
      const boolean = t.chance(0.15);
      const d = { id: id(t.pick(["growth", "ratio", "share", "ok"])), expr: boolean ? condition(2) : numExpr(t.int(1, 3)) };
      if (t.chance(0.7)) d.label = label(t, seq);
      if (!boolean && t.chance(0.6)) d.precision = t.int(0, 6);
      if (!boolean && t.chance(0.4)) d.type = t.pick(["count", "amount", "number", "percent"]);
      p.derived.push(d);
      // Bounds unknown: constants against it come from a generic range.
      values.push({ id: d.id, kind: "derived", numeric: !boolean, places: 6 });
    }
  }

  // Scores
  if (t.chance(0.4)) {
    p.scores = [];
    for (let i = t.int(1, 2); i > 0; i--) {
      const items = [];
      let total = 0n;
      for (let k = t.int(1, 4); k > 0; k--) {
        // A yes/no metric cannot be an item (not_numeric, although docs/format.md says it scores 1 or 0): rarely.
        const v = numeric().length && !t.chance(0.03) ? t.pick(numeric()) : t.pick(values);
        const points = decimal(t, "0", "50", t.pick([0, 0, 2]));
        total += toScaled(points, 2);
        const item = { value: v.id, target: new Num(v.numeric ? decimal(t, "0.01", "1000", 2) : "1"), points: new Num(points) };
        if (t.chance(0.6)) item.curve = t.pick(["linear", "step"]);
        items.push(item);
      }
      const s = { id: id("score"), label: label(t, seq), items };
      if (t.chance(0.6)) s.max = new Num(scaledText(total + (t.chance(0.5) ? 0n : BigInt(t.int(0, 5000))), 2));
      p.scores.push(s);
      values.push({ id: s.id, kind: "score", numeric: true, min: "0", max: scaledText(total, 2), places: 2 });
    }
  }

  // Rules
  const rules = [];
  const targeted = new Set();
  const unitOf = new Map();
  const capConstant = (unit) => decimal(t, "0", t.pick(["100", "5000", "1000000"]), units.find((u) => u.id === unit).places);
  for (let i = t.int(1, 8); i > 0; i--) {
    let kind = t.pick(["rate", "rate", "rate", "tiered", "tiered", "tiered", "multiplier", "award", "award"]);
    const eligible = rules.filter((r) => (r.kind === "rate" || r.kind === "tiered") && !targeted.has(r.id));
    if (kind === "multiplier" && !eligible.length) kind = "rate";
    const pool = numeric();
    if ((kind === "rate" || kind === "tiered" || kind === "multiplier") && !pool.length) kind = "award";
    const r = { id: id(kind), kind };
    if (t.chance(0.8)) r.label = label(t, seq);
    if (t.chance(0.8)) r.category = t.pick(CATEGORIES);
    if (t.chance(0.3)) r.when = condition(t.int(0, 2));
    let unit = money;
    if (kind === "rate" || kind === "tiered") {
      if (units.length > 1 && t.chance(0.35)) {
        unit = t.pick(units.slice(1)).id;
        r.unit = unit;
      } else if (t.chance(0.1)) r.unit = money;
      if (t.chance(0.25)) r.cap = new Num(capConstant(unit));
    }
    if (kind === "rate") {
      r.base = t.pick(pool).id;
      r.rate = new Num(t.pick([decimal(t, "-5", "100", t.pick([0, 2, 4, 6])), decimal(t, "0", "0.1", 6), t.pick(["0.01", "0.02", "5", "40", "0.004"])]));
      if (t.chance(0.3)) r.per = new Num(t.pick(["10", "100", "1000", decimal(t, "0.5", "500", 2)]));
    } else if (kind === "tiered" || kind === "multiplier" || (kind === "award" && pool.length && t.chance(0.5))) {
      const basis = t.pick(pool);
      r.basis = basis.id;
      const mode = kind === "tiered" ? t.pick(["retro", "marginal", "fixed"]) : null;
      if (mode) r.mode = mode;
      if (mode === "retro" && t.chance(0.4)) r.base = t.pick(pool).id;
      if (mode === "marginal" && t.chance(0.2)) r.base = basis.id;
      const froms = [...new Set(Array.from({ length: t.int(1, 5) }, () => constant(basis)))].sort((a, b) => cmp(a, b, 6));
      r.tiers = froms.map((from, k) => {
        const tier = { from: new Num(from) };
        if (t.chance(0.6)) tier.name = label(t, k);
        if (kind === "multiplier") tier.factor = new Num(decimal(t, "0", "3", t.pick([1, 2, 4])));
        else if (kind === "award") tier.award = { label: label(t, k) };
        else if (mode === "fixed") tier.amount = new Num(decimal(t, "0", "20000", units.find((u) => u.id === unit).places));
        else tier.rate = new Num(t.pick([decimal(t, "0", "0.05", 4), decimal(t, "0", "50", 2)]));
        return tier;
      });
      if (kind === "multiplier") {
        const first = t.pick(eligible);
        const same = eligible.filter((x) => x !== first && unitOf.get(x.id) === unitOf.get(first.id));
        r.applies_to = [first.id, ...t.shuffle(same).slice(0, t.int(0, 1)).map((x) => x.id)];
        for (const x of r.applies_to) targeted.add(x);
        unit = unitOf.get(first.id);
        if (t.chance(0.2)) r.cap = new Num(capConstant(unit));
      }
    } else {
      r.kind = "award";
      if (!r.when && t.chance(0.7)) r.when = condition(1);
      r.award = { label: label(t, seq) };
    }
    unitOf.set(r.id, unit);
    rules.push(r);
  }
  p.rules = rules;

  // Caps: one by rules or category, then maybe one over a whole unit (they nest).
  const payable = rules.filter((r) => r.kind === "rate" || r.kind === "tiered");
  if (payable.length && t.chance(0.4)) {
    p.caps = [];
    if (t.chance(0.6)) {
      const unit = unitOf.get(t.pick(payable).id);
      const same = payable.filter((r) => unitOf.get(r.id) === unit);
      p.caps.push({ id: id("cap"), label: label(t, seq), rules: t.shuffle(same).slice(0, t.int(1, same.length)).map((r) => r.id), max: new Num(capConstant(unit)) });
    } else {
      const r = t.pick(payable);
      p.caps.push({ id: id("cap"), category: r.category || "other", unit: unitOf.get(r.id), max: new Num(capConstant(unitOf.get(r.id))) });
    }
    if (t.chance(0.4)) {
      const unit = unitOf.get(t.pick(payable).id);
      p.caps.push({ id: id("cap"), unit, max: new Num(capConstant(unit)) });
    }
  }
  return { program: p, values: values.filter((v) => v.kind === "metric"), metrics, interesting: interestingNumbers(p) };
}

// Every constant the rules compare against: tier thresholds and `when` limits.
function interestingNumbers(p) {
  const found = new Set();
  const walk = (v) => {
    if (v instanceof Num) found.add(v.text);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  for (const r of p.rules) {
    for (const tier of r.tiers || []) walk(tier.from);
    walk(r.when);
  }
  return [...found];
}

// ---- deliberate mistakes ----------------------------------------------------------------------

const PROGRAM_MUTATIONS = [
  ["duplicate id", (p) => (p.rules[0].id = p.metrics[0].id)],
  ["unknown reference", (p) => {
    const r = p.rules.find((x) => x.base || x.basis);
    if (r) r[r.base ? "base" : "basis"] = "nope";
    else p.rules[0].when = { var: "nope" };
  }],
  ["tiers not ascending", (p) => {
    const r = p.rules.find((x) => x.tiers);
    if (r) r.tiers.push({ ...r.tiers[0] });
    else p.rules[0].tiers = [];
  }],
  ["marginal base", (p) => {
    const r = p.rules.find((x) => x.mode);
    if (r) Object.assign(r, { mode: "marginal", base: p.metrics.find((m) => m.type !== "boolean" && m.id !== r.basis)?.id || "other_base" });
    else p.rules[0].mode = "marginal";
  }],
  ["unknown field", (p) => (p.rules[p.rules.length - 1].ceiling = new Num("100"))],
  ["bad id", (p) => (p.metrics[0].id = "Bad-Id")],
  ["wrong type", (p) => (p.metrics[0].type = "money")],
  ["too many decimals", (p) => {
    const r = p.rules.find((x) => x.rate);
    if (r) r.rate = new Num("0.1234567");
    else p.metrics[0].max = new Num("10.1234567");
  }],
  ["negative cap", (p) => (p.rules[0].cap = new Num("-1"))],
  ["text too long", (p) => (p.name = "长".repeat(700))],
  ["unknown operator", (p) => (p.rules[0].when = { regex: ["a", "b"] })],
  ["too deep", (p) => {
    let e = { var: p.metrics[0].id };
    for (let i = 0; i < 70; i++) e = { "!": e };
    p.rules[0].when = e;
  }],
  ["min above max", (p) => Object.assign(p.metrics[0], p.metrics[0].type === "boolean" ? { min: new Num("1") } : { min: new Num("5"), max: new Num("1") })],
  ["bad currency", (p) => (p.currency = "yuan")],
  ["unknown currency", (p) => {
    p.currency = "QQQ";
    delete p.currency_precision;
  }],
  ["period reversed", (p) => (p.period = { start: "2027-06-30", end: "2027-01-01" })],
  ["bad date", (p) => (p.period = { start: "2027-02-30", end: "2027-12-31" })],
  ["missing field", (p) => delete p.rules[0].kind],
  ["not an array", (p) => (p.metrics = {})],
  ["boolean base", (p) => {
    p.metrics.push({ id: "flag_x", label: "flag", type: "boolean" });
    p.rules.push({ id: "uses_flag", kind: "rate", base: "flag_x", rate: new Num("1") });
  }],
  ["unknown format", (p) => (p.format = "dealer-incentive-program/2")],
  ["unknown unit", (p) => (p.rules[0].unit = "stars")],
  ["overlapping caps", (p) => {
    const pay = p.rules.filter((r) => r.kind === "rate" || r.kind === "tiered");
    p.caps = [{ id: "cap_a", rules: pay.map((r) => r.id), max: new Num("10") }, { id: "cap_b", category: "sales", max: new Num("5") }];
    p.rules.push({ id: "extra_sales", kind: "rate", category: "sales", base: p.metrics.find((m) => m.type !== "boolean")?.id || "x", rate: new Num("1") });
  }],
  ["defined later", (p) => (p.derived = [{ id: "early", expr: { "+": [{ var: "late" }, 1] } }, { id: "late", expr: 1 }])],
  ["empty rules", (p) => (p.rules = [])],
];

// Text-level mistakes: the JSON itself.
const TEXT_MUTATIONS = [
  ["truncated", (t, text) => text.slice(0, t.int(1, text.length - 1))],
  ["number too large", (t, text) => text.replace(/"rules":\[/, '"x-huge":1e15,"rules":[')],
  ["trailing comma", (t, text) => text.replace(/\}$/, ",}")],
  ["not an object", () => "[1,2,3]"],
  ["empty", () => ""],
  ["nesting too deep", (t, text) => text.replace(/"rules":\[/, `"x-deep":${"[".repeat(70)}${"]".repeat(70)},"rules":[`)],
  ["byte order mark", (t, text) => `\uFEFF${text}`],
  ["invalid utf-8 escape", (t, text) => text.replace(/"name":/, '"x-bad":"\\ud800","name":')],
];

// ---- figures ----------------------------------------------------------------------------------

function generateFigures(t, gen, index, program) {
  const values = [];
  let broken = t.chance(0.05) ? t.int(0, gen.values.length - 1) : -1;
  for (const [i, v] of gen.values.entries()) {
    const r = t.random();
    if (r < 0.07) continue; // missing: the default, or 0 with a warning
    if (r < 0.09) {
      values.push(`${JSON.stringify(v.id)}:null`);
      continue;
    }
    let text;
    if (v.type === "boolean") text = t.chance(0.6) ? "true" : "false";
    else {
      const near = gen.interesting.filter((x) => /^-?\d+(\.\d+)?$/.test(x));
      if (near.length && t.chance(0.3)) {
        const step = v.places ? `0.${"0".repeat(v.places - 1)}1` : "1";
        let x = t.pick(near);
        const [, frac = ""] = x.split(".");
        if (frac.length > v.places) x = x.slice(0, x.length - (frac.length - v.places)).replace(/\.$/, "");
        text = t.pick([x, x, add(x, step, v.places), add(x, `-${step}`, v.places)]);
        if (cmp(text, v.min, v.places) < 0) text = v.min;
        if (cmp(text, v.max, v.places) > 0) text = v.max;
      } else {
        const hi = cmp(v.max, "10000000", v.places) > 0 && t.chance(0.9) ? "10000000" : v.max;
        const lo = cmp(v.min, "0", v.places) < 0 && t.chance(0.8) ? "0" : v.min;
        text = decimal(t, cmp(lo, hi, v.places) > 0 ? hi : lo, hi, t.chance(0.7) ? v.places : 0);
      }
      // Other spellings of the same number.
      if (t.chance(0.05)) text = t.pick([`${text}e0`, text.includes(".") ? `${text}0` : `${text}.0`, text === "0" ? "-0" : text]);
    }
    if (i === broken) {
      const kinds = v.type === "boolean" ? ["1", '"yes"', "[true]"] : ["1.1234567", '"12"', "true", "1e300", "1e13", `${v.max}1`, "-1"];
      if (v.type === "count") kinds.push("2.5");
      text = t.pick(kinds);
      broken = -2;
    }
    values.push(`${JSON.stringify(v.id)}:${text}`);
  }
  if (t.chance(0.03)) values.push('"not_a_metric":1');
  const doc = [];
  if (t.chance(0.8)) doc.push('"format":"dealer-incentive-figures/1"');
  if (t.chance(0.7)) doc.push(`"dealer":${JSON.stringify({ id: `D-${index}`, name: t.pick(["杭州西湖数码专营店", "Dealer, \"quoted\"", "Ürümqi 🚗"]) })}`);
  const period = program.period;
  const start = Date.parse(period?.start);
  const span = Math.round((Date.parse(period?.end) - start) / DAY);
  if (Number.isFinite(span) && span >= 0 && t.chance(0.8)) {
    const day = t.chance(0.85) ? t.int(0, span) : t.pick([-1, -30, span + 1, span + 100]);
    doc.push(`"as_of":"${isoDay(start + day * DAY)}"`);
  } else if (t.chance(0.1)) doc.push(`"as_of":"${isoDay(Date.UTC(2027, 0, 1) + t.int(-100, 500) * DAY)}"`);
  const r = t.random();
  if (r < 0.01) doc.push('"as_of":"2027-02-29"');
  else if (r < 0.02) doc.push('"extra":1');
  else if (r < 0.025) return `{"values":[1]}`;
  else if (r < 0.03) return `{"values":{`;
  doc.push(`"values":{${values.join(",")}}`);
  return `{${doc.join(",")}}`;
}

// ---- the test ----------------------------------------------------------------------------------

const OPTION_SETS = [
  { args: [], options: {} },
  { args: [], options: {} },
  { args: ["--no-next"], options: { next: false } },
  { args: ["--no-next", "--no-trace"], options: { next: false, trace: false } },
];

/** One case: programme text, figures text, options; `mutation` names a deliberate mistake. */
function generateCase(random, index) {
  const t = tools(random);
  const gen = generateProgram(t, index);
  const program = gen.program;
  let mutation = null;
  const r = t.random();
  if (r < 0.1) {
    const [name, mutate] = t.pick(PROGRAM_MUTATIONS);
    mutate(program);
    mutation = name;
  }
  let programText = toJson(program);
  if (r >= 0.1 && r < 0.13) {
    const [name, mutate] = t.pick(TEXT_MUTATIONS);
    programText = mutate(t, programText);
    mutation = name;
  }
  const figuresText = generateFigures(t, gen, index, program);
  return { index, programText, figuresText, mutation, variant: OPTION_SETS[index % OPTION_SETS.length] };
}

/**
 * Runs the native CLI on a batch of cases in ONE shell (spawning from Node costs more
 * than the evaluation itself): each case's stdout, then \x1e and its exit code (JSON
 * output never holds a raw control character). Resolves to [{code, stdout}].
 */
async function nativeBatch(cases) {
  const script = cases
    .map((c) => `"$0" evaluate --program '${c.programFile}' --figures '${c.figuresFile}' --compact ${c.variant.args.join(" ")}; printf '\\036%d\\n' $?`)
    .join("\n");
  const { stdout } = await run("sh", ["-c", script, nativeCli]);
  const out = [];
  let rest = stdout;
  for (let k = 0; k < cases.length; k++) {
    const at = rest.indexOf("\x1e");
    const nl = rest.indexOf("\n", at);
    if (at < 0 || nl < 0) throw new Error(`the native batch stopped after ${k} of ${cases.length} cases`);
    out.push({ stdout: rest.slice(0, at), code: Number(rest.slice(at + 1, nl)) });
    rest = rest.slice(nl + 1);
  }
  return out;
}

const BATCH = 25;

test(`native CLI and WASM agree byte for byte on ${CASES} random programmes with random figures (seed ${SEED})`, async (t) => {
  requireFile(nativeCli, "build it with cmake --preset native && cmake --build --preset native");
  const { dc, DealerCalcError } = await dealerCalc();
  const raw = dc._raw;
  const random = prng(SEED);
  const dir = mkdtempSync(join(tmpdir(), "dealercalc-prop-"));
  const stats = { results: 0, programErrors: 0, figureErrors: 0, codes: {}, mutations: 0, wasmMs: 0 };
  const failures = [];
  const started = performance.now();

  // The error object as the WASM build wrote it (the bytes before api.js parses them).
  // The Embind layer is given the texts as UTF-8 round trips them (what api.js passes on,
  // and what the native CLI reads from the files).
  const utf8 = (text) => Buffer.from(text, "utf8").toString("utf8");
  function rawError(programText, figuresText, variant) {
    const h = new raw.Program();
    try {
      const loaded = h.load(utf8(programText));
      if (loaded) return loaded.slice(1);
      const o = { next: true, projection: true, trace: true, ...variant.options };
      return h.evaluate(utf8(figuresText), o.next, o.projection, o.trace, false).slice(1);
    } finally {
      h.delete();
    }
  }

  function wasmCase(c) {
    const t0 = performance.now();
    let program = null;
    try {
      program = dc.loadProgram(c.programText);
      return { text: program.evaluateJson(c.figuresText, { ...c.variant.options, pretty: false }) };
    } catch (e) {
      if (!(e instanceof DealerCalcError)) throw e;
      return { error: e, stage: program ? "figures" : "program" };
    } finally {
      program?.dispose();
      stats.wasmMs += performance.now() - t0;
    }
  }

  function compare(c, n, w) {
    if (c.mutation) stats.mutations++;
    if (w.error) {
      const error = w.error;
      if (w.stage === "program") stats.programErrors++;
      else stats.figureErrors++;
      stats.codes[error.code] = (stats.codes[error.code] || 0) + 1;
      const expected = { code: error.code, message: error.message };
      if (error.line !== undefined) Object.assign(expected, { line: error.line, column: error.column });
      expected.details = error.details;
      let nativeError;
      try {
        nativeError = JSON.parse(n.stdout).error;
      } catch {
        nativeError = n.stdout;
      }
      const bytes = rawError(c.programText, c.figuresText, c.variant);
      try {
        assert.equal(n.code, 2, "exit code 2");
        assert.deepStrictEqual(nativeError, expected);
        assert.equal(n.stdout, `${bytes}\n`, "the same bytes");
      } catch {
        return `error objects differ (${c.mutation || "no mutation"}): native exit ${n.code} ${n.stdout.slice(0, 300)} | wasm ${bytes.slice(0, 300)}`;
      }
      return null;
    }
    stats.results++;
    const wasm = w.text;
    if (n.code === 0 && n.stdout === `${wasm}\n`) return null;
    let at = 0;
    while (at < wasm.length && wasm[at] === n.stdout[at]) at++;
    return `exit ${n.code}; first difference at offset ${at}: native …${n.stdout.slice(Math.max(0, at - 100), at + 100)}… wasm …${wasm.slice(Math.max(0, at - 100), at + 100)}…`;
  }

  try {
    // A job is a batch of cases: generated synchronously when the job starts (jobs start
    // in order: deterministic), written out, run natively in one shell while the WASM
    // build evaluates them here, then compared.
    const jobs = [];
    for (let first = 0; first < CASES; first += BATCH) {
      jobs.push(async () => {
        const cases = [];
        for (let i = first; i < Math.min(CASES, first + BATCH); i++) {
          const c = generateCase(random, i);
          c.programFile = join(dir, `program-${i}.json`);
          c.figuresFile = join(dir, `figures-${i}.json`);
          writeFileSync(c.programFile, c.programText);
          writeFileSync(c.figuresFile, c.figuresText);
          cases.push(c);
        }
        const native = nativeBatch(cases);
        const wasm = cases.map(wasmCase);
        const natives = await native;
        cases.forEach((c, k) => {
          const why = compare(c, natives[k], wasm[k]);
          if (why) failures.push({ c, why });
          else {
            rmSync(c.programFile, { force: true });
            rmSync(c.figuresFile, { force: true });
          }
        });
      });
    }
    await pool(jobs, JOBS);
  } finally {
    if (!failures.length) rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(
    `${CASES} programmes in ${seconds.toFixed(1)} s: ${stats.results} results, ${stats.programErrors} programme errors, ${stats.figureErrors} figures/evaluation errors ` +
      `(${Object.entries(stats.codes).map(([k, v]) => `${k} ${v}`).join(", ")}); ${stats.mutations} deliberate mistakes; WASM ${(stats.wasmMs / CASES).toFixed(2)} ms/case`,
  );
  assert.equal(
    failures.length,
    0,
    `${failures.length} of ${CASES} differ (files kept in ${dir}); first: case ${failures[0]?.c.index} (${failures[0]?.c.variant.args.join(" ")}): ${failures[0]?.why}`,
  );
  // The generator must reach what it is meant to: mostly valid programmes, and every kind of error.
  if (CASES >= 1000) {
    assert.ok(stats.results > CASES * 0.6, `most programmes evaluate (${stats.results})`);
    assert.ok(stats.programErrors > CASES * 0.05 && stats.figureErrors > CASES * 0.02, "invalid programmes and figures are part of the mix");
    for (const code of ["parse_error", "unsupported_format", "invalid_program", "invalid_figures", "derived_error"]) assert.ok(stats.codes[code] > 0, `some ${code}`);
  }
});
