// The conformance matcher itself (tests/node/match.mjs): it must reject what it should.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseExact, stringifyExact, mismatch, numbersMatch, JsonNumber } from "./match.mjs";

const m = (expected, actual) => mismatch(parseExact(expected), parseExact(actual));

test("parseExact keeps numbers as written and round-trips", () => {
  const text = '{"a":0.30000000000000000001,"b":[1,-2.5e3,true,null,"x\\"yé"],"c":{}}';
  const v = parseExact(text);
  assert.ok(v.a instanceof JsonNumber);
  assert.equal(v.a.text, "0.30000000000000000001");
  assert.equal(stringifyExact(v), text);
  assert.equal(v.b[4], 'x"yé');
  assert.equal(stringifyExact(parseExact(' { "k" : [ ] } ')), '{"k":[]}');
  assert.equal(parseExact('"\\u00e9\\n"'), "é\n");
  assert.throws(() => parseExact("{"), SyntaxError);
  assert.throws(() => parseExact("[1,]"), SyntaxError);
  assert.throws(() => parseExact("1 2"), SyntaxError);
  assert.equal(parseExact('{"__proto__": 1}')["__proto__"].text, "1");
});

test("numbers match within 1e-9, exactly", () => {
  assert.ok(numbersMatch("1", "1.0000000009"));
  assert.ok(!numbersMatch("1", "1.000000001"));
  assert.ok(!numbersMatch("1", "1.000001"));
  assert.ok(numbersMatch("-2.5", "-25e-1"));
  assert.ok(numbersMatch("1200", "1.2e3"));
  // Doubles cannot tell these apart; the matcher must.
  assert.ok(!numbersMatch("1000000000000", "1000000000000.000001"));
  assert.ok(numbersMatch("0.1", "0.100000000000"));
});

test("objects: extra keys are fine, missing keys and different values are not", () => {
  assert.equal(m('{"a": 1}', '{"a": 1, "b": 2}'), null);
  assert.match(m('{"a": 1}', '{"a": 1.000001}'), /^\/a: expected 1, got 1.000001/);
  assert.match(m('{"a": 1}', '{"b": 1}'), /^\/a: missing/);
  assert.match(m('{"a": {"b": "x"}}', '{"a": {"b": "y"}}'), /^\/a\/b:/);
  assert.notEqual(m('{"a": 1}', '{"a": "1"}'), null);
  assert.notEqual(m('{"a": null}', '{"a": false}'), null);
  assert.notEqual(m('{"a": {}}', '{"a": []}'), null);
});

test("arrays: same length, each expected element matches a different one, any order", () => {
  assert.equal(m("[1, 2]", "[2, 1]"), null);
  assert.notEqual(m("[1, 2]", "[2, 2]"), null);
  assert.notEqual(m("[1]", "[1, 2]"), null);
  assert.notEqual(m("[1, 1]", "[1, 2]"), null);
  // Partial objects: a greedy assignment would take the wrong element first.
  assert.equal(m('[{"a": 1}, {"b": 2}]', '[{"a": 1, "b": 2}, {"a": 1, "b": 3}]'), null);
  assert.notEqual(m('[{"metric": "x"}]', '[{"metric": "x"}, {"metric": "y"}]'), null);
});

test("components are matched by id, also inside projection", () => {
  const result = '{"components": [{"id": "a", "amount": 10}, {"id": "b", "amount": 0}], "projection": {"components": [{"id": "a", "amount": 20}]}}';
  assert.equal(m('{"components": {"b": {"amount": 0}, "a": {"amount": 10}}}', result), null);
  assert.match(m('{"components": {"x": {"amount": 1}}}', result), /\/components\/x: no component/);
  assert.match(m('{"components": {"a": {"amount": 11}}}', result), /\/components\/a\/amount/);
  assert.equal(m('{"projection": {"components": {"a": {"amount": 20}}}}', result), null);
  assert.notEqual(m('{"projection": {"components": {"a": {"amount": 10}}}}', result), null);
  // Written as an array, components are an ordinary array.
  assert.notEqual(m('{"components": [{"id": "a"}]}', result), null);
});
