// Validates every programme and figures document in the repository against the JSON
// Schemas in docs/schema/ (draft 2020-12, ajv), and checks a few documents the schema
// must refuse. Run: node --test tests/schema/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readJson = (p) => JSON.parse(readFileSync(join(root, p), 'utf8'));

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true });
addFormats(ajv);
const programSchema = readJson('docs/schema/program.schema.json');
const figuresSchema = readJson('docs/schema/figures.schema.json');
const validateProgram = ajv.compile(programSchema);
const validateFigures = ajv.compile(figuresSchema);

const explain = (v) => ajv.errorsText(v.errors, { separator: '\n' });
const clone = (x) => structuredClone(x);

function assertValid(validate, doc, what) {
  assert.ok(validate(doc), `${what} should match the schema:\n${explain(validate)}`);
}
function assertInvalid(validate, doc, what) {
  assert.equal(validate(doc), false, `${what} should not match the schema`);
}

const sampleProgram = readJson('programs/sample/program.json');
const sampleFigures = readJson('programs/sample/figures.json');

test('sample programme and figures match their schemas', () => {
  assertValid(validateProgram, sampleProgram, 'programs/sample/program.json');
  assertValid(validateFigures, sampleFigures, 'programs/sample/figures.json');
});

test('the samples point $schema at docs/schema', () => {
  for (const [file, schemaFile] of [['programs/sample/program.json', 'docs/schema/program.schema.json'],
                                    ['programs/sample/figures.json', 'docs/schema/figures.schema.json']]) {
    const doc = readJson(file);
    assert.equal(resolve(root, dirname(file), doc.$schema), join(root, schemaFile), `${file} $schema`);
  }
});

const casesDir = 'tests/conformance/cases';
const cases = readdirSync(join(root, casesDir)).filter((f) => f.endsWith('.json')).sort();

test('there are conformance cases to check', () => {
  assert.ok(cases.length >= 12, `found ${cases.length} cases`);
});

for (const file of cases) {
  const c = readJson(join(casesDir, file));
  if (c.expect) {
    test(`conformance ${file}: programme and figures match`, () => {
      assertValid(validateProgram, c.program, `${file} program`);
      assertValid(validateFigures, c.figures, `${file} figures`);
    });
  } else if (c.expect_error && /program|format/.test(c.expect_error.code ?? JSON.stringify(c.expect_error))) {
    // Refused by the core; the schema is allowed to accept it only when the core's reason
    // lies beyond the schema (references, units, ...). A wrong format must fail here too.
    test(`conformance ${file}: refused programme`, () => {
      const code = c.expect_error.code ?? '';
      if (code === 'unsupported_format') {
        assertInvalid(validateProgram, c.program, `${file} program`);
        assert.ok(validateProgram.errors.some((e) => e.instancePath === '/format'), explain(validateProgram));
      } else {
        assert.equal(code, 'invalid_program');
      }
      assertValid(validateFigures, c.figures, `${file} figures`);
    });
  } else if (c.expect_error) {
    // Refused figures: the programme itself is valid.
    test(`conformance ${file}: programme of refused figures matches`, () => {
      assertValid(validateProgram, c.program, `${file} program`);
    });
  }
}

test('case 12 fails the schema on its format', () => {
  const c = readJson(join(casesDir, '12_unsupported_format.json'));
  assertInvalid(validateProgram, c.program, 'case 12');
  assert.deepEqual(validateProgram.errors.map((e) => e.instancePath), ['/format']);
});

test('extension fields are allowed anywhere in a programme', () => {
  const p = clone(sampleProgram);
  p['x-owner'] = 'brand team';
  p.notes = 'reviewed';
  p.metrics[0].comment = 'from the content hub';
  p.metrics[0]['$comment'] = 'schema comment';
  p.rules[0]['x-ticket'] = 'INC-12';
  assertValid(validateProgram, p, 'programme with extension fields');
});

test('programme negatives are refused', () => {
  const bad = [];
  let p;
  p = clone(sampleProgram); p.rules[0].ceiling = 100; bad.push(['unknown rule field (a typo for cap)', p]);
  p = clone(sampleProgram); p.surprise = true; bad.push(['unknown top-level field', p]);
  p = clone(sampleProgram); p.metrics[0].id = 'Content-Posts'; bad.push(['bad id', p]);
  p = clone(sampleProgram); p.metrics[0].type = 'integer'; bad.push(['unknown metric type', p]);
  p = clone(sampleProgram); p.metrics[0].category = 'marketing'; bad.push(['unknown category', p]);
  p = clone(sampleProgram); p.rules[0].kind = 'bonus'; bad.push(['unknown rule kind', p]);
  p = clone(sampleProgram); delete p.name; bad.push(['missing name', p]);
  p = clone(sampleProgram); p.name = { en: 5 }; bad.push(['localized text with a number', p]);
  p = clone(sampleProgram); p.currency = 'rmb'; bad.push(['currency shape', p]);
  p = clone(sampleProgram); p.period.start = '2027-13-01'; bad.push(['period date', p]);
  p = { format: 'dealer-incentive-program/1', id: 'p', version: '1', name: 'P',
        metrics: [{ id: 'ok', label: 'Ok', type: 'boolean', max: 1 }], rules: [] };
  bad.push(['boolean metric with max', p]);
  const base = { format: 'dealer-incentive-program/1', id: 'p', version: '1', name: 'P',
                 metrics: [{ id: 'x', label: 'X', type: 'count' }] };
  bad.push(['tiered rule without mode', { ...base, rules: [{ id: 'r', kind: 'tiered', basis: 'x', tiers: [{ from: 1, rate: 1 }] }] }]);
  bad.push(['fixed tier with rate', { ...base, rules: [{ id: 'r', kind: 'tiered', mode: 'fixed', basis: 'x', tiers: [{ from: 1, rate: 1 }] }] }]);
  bad.push(['rate rule with tiers', { ...base, rules: [{ id: 'r', kind: 'rate', base: 'x', rate: 1, tiers: [] }] }]);
  bad.push(['award rule with both award and tiers', { ...base, rules: [{ id: 'a', kind: 'award', award: { label: 'A' }, basis: 'x', tiers: [{ from: 1, award: { label: 'B' } }] }] }]);
  bad.push(['award rule with a cap', { ...base, rules: [{ id: 'a', kind: 'award', award: { label: 'A' }, cap: 5 }] }]);
  bad.push(['multiplier without applies_to', { ...base, rules: [{ id: 'm', kind: 'multiplier', basis: 'x', tiers: [{ from: 1, factor: 1.1 }] }] }]);
  bad.push(['negative factor', { ...base, rules: [{ id: 'm', kind: 'multiplier', basis: 'x', applies_to: ['r'], tiers: [{ from: 1, factor: -1 }] }] }]);
  bad.push(['cap with rules and category', { ...base, rules: [{ id: 'r', kind: 'rate', base: 'x', rate: 1 }], caps: [{ id: 'c', rules: ['r'], category: 'sales', max: 1 }] }]);
  bad.push(['constant too large', { ...base, rules: [{ id: 'r', kind: 'rate', base: 'x', rate: 1e12 }] }]);
  for (const [what, doc] of bad) assertInvalid(validateProgram, doc, what);
  // the base itself is fine, so the negatives fail for the reason given
  assertValid(validateProgram, { ...base, rules: [{ id: 'r', kind: 'rate', base: 'x', rate: 1 }] }, 'negative base');
});

test('figures negatives are refused', () => {
  const bad = [
    ['wrong format', { ...sampleFigures, format: 'dealer-incentive-figures/2' }],
    ['unknown top-level field', { ...sampleFigures, value: {} }],
    ['bad as_of', { ...sampleFigures, as_of: '2027-02-30' }],
    ['a string figure', { ...sampleFigures, values: { content_posts: '22' } }],
    ['dealer id not a string', { ...sampleFigures, dealer: { id: 42 } }],
  ];
  for (const [what, doc] of bad) assertInvalid(validateFigures, doc, what);
  assertValid(validateFigures, {}, 'empty figures (all defaults)');
  assertValid(validateFigures, { values: { content_posts: null }, as_of: null }, 'nulls');
});
