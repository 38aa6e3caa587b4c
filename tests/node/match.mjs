// The conformance matcher of tests/conformance/README.md, over JSON parsed exactly:
// numbers stay their decimal text (JsonNumber), so "differ by less than 1e-9" is decided
// on the decimals themselves, not on binary doubles (which cannot tell 1e12 from
// 1e12 + 1e-6).

export class JsonNumber {
  constructor(text) {
    this.text = text;
  }
  toString() {
    return this.text;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** JSON.parse, with every number as a JsonNumber and objects without a prototype. */
export function parseExact(text) {
  let i = 0;
  const fail = (what) => {
    throw new SyntaxError(`parseExact: ${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj = Object.create(null);
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a key");
        const key = string();
        ws();
        if (text[i++] !== ":") fail("expected ':'");
        obj[key] = value();
        ws();
        const d = text[i++];
        if (d === "}") return obj;
        if (d !== ",") fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        const d = text[i++];
        if (d === "]") return arr;
        if (d !== ",") fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) fail("unexpected character");
    i += m[0].length;
    return new JsonNumber(m[0]);
  };
  const string = () => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) fail("unterminated string");
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const v = value();
  ws();
  if (i !== text.length) fail("trailing characters");
  return v;
}

/** Compact JSON text of a parseExact value (numbers written as they were read). */
export function stringifyExact(v) {
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) return "[" + v.map(stringifyExact).join(",") + "]";
  if (isObject(v)) return "{" + Object.keys(v).map((k) => JSON.stringify(k) + ":" + stringifyExact(v[k])).join(",") + "}";
  return JSON.stringify(v);
}

export const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof JsonNumber);

// A decimal as a BigInt count of 10^-scale.
function scaled(text, scale) {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) throw new Error(`not a number: ${text}`);
  const frac = m[3] || "";
  const exponent = Number(m[4] || 0) - frac.length + scale;
  let digits = BigInt(m[2] + frac);
  if (exponent >= 0) digits *= 10n ** BigInt(exponent);
  else digits /= 10n ** BigInt(-exponent); // only when scale is too small (not used below)
  return m[1] ? -digits : digits;
}

function places(text) {
  const m = /^-?\d+(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  return Math.max(0, (m[1] || "").length - Number(m[2] || 0));
}

/** |a - b| < 1e-9, exactly. */
export function numbersMatch(a, b) {
  const scale = Math.max(9, places(a), places(b));
  let diff = scaled(a, scale) - scaled(b, scale);
  if (diff < 0n) diff = -diff;
  return diff < 10n ** BigInt(scale - 9);
}

const show = (v) => {
  const s = stringifyExact(v);
  return s.length > 300 ? s.slice(0, 300) + "…" : s;
};

/**
 * Whether `actual` matches `expected` (both parseExact values). Returns null when it
 * does, else the reason, starting with the JSON Pointer where they differ.
 */
export function mismatch(expected, actual, path = "") {
  if (expected instanceof JsonNumber) {
    if (!(actual instanceof JsonNumber)) return `${path}: expected a number, got ${show(actual)}`;
    return numbersMatch(expected.text, actual.text) ? null : `${path}: expected ${expected.text}, got ${actual.text}`;
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return `${path}: expected an object, got ${show(actual)}`;
    for (const key of Object.keys(expected)) {
      const sub = `${path}/${key}`;
      if (!Object.prototype.hasOwnProperty.call(actual, key)) return `${sub}: missing in the result`;
      const want = expected[key];
      const got = actual[key];
      if (key === "components" && isObject(want) && Array.isArray(got)) {
        for (const id of Object.keys(want)) {
          const component = got.find((c) => isObject(c) && c.id === id);
          if (!component) return `${sub}/${id}: no component with that id`;
          const why = mismatch(want[id], component, `${sub}/${id}`);
          if (why) return why;
        }
        continue;
      }
      const why = mismatch(want, got, sub);
      if (why) return why;
    }
    return null;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${show(actual)}`;
    if (expected.length !== actual.length)
      return `${path}: expected ${expected.length} elements, got ${actual.length}: ${show(actual)}`;
    // Each expected element matches a different actual element (order does not matter):
    // a small bipartite matching by backtracking.
    const used = new Array(actual.length).fill(false);
    const assign = (i) => {
      if (i === expected.length) return true;
      for (let j = 0; j < actual.length; j++) {
        if (!used[j] && mismatch(expected[i], actual[j], path) === null) {
          used[j] = true;
          if (assign(i + 1)) return true;
          used[j] = false;
        }
      }
      return false;
    };
    return assign(0) ? null : `${path}: elements do not match: expected ${show(expected)}, got ${show(actual)}`;
  }
  return expected === actual ? null : `${path}: expected ${show(expected)}, got ${show(actual)}`;
}

/** True when `text` (a result document) matches `expected`. */
export const matches = (expected, actual) => mismatch(expected, actual) === null;
