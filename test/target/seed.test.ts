import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng } from '../../src/target/seed/prng.ts';
import {
  SEED_SHAPES,
  copyLine,
  generateCompanies,
  generateFilings,
  generateMetrics,
  hash32,
} from '../../src/target/seed/generate.ts';
import { tickers } from '../../src/target/tools.ts';

test('the PRNG yields the same sequence for the same seed and a different one for another seed', () => {
  const a = createPrng(42);
  const b = createPrng(42);
  const c = createPrng(43);
  const seqA = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(seqA, Array.from({ length: 5 }, () => b.next()));
  assert.notDeepEqual(seqA, Array.from({ length: 5 }, () => c.next()));
  for (const x of seqA) assert.ok(x >= 0 && x < 1);
});

test('the PRNG int() stays within its inclusive bounds', () => {
  const rng = createPrng(7);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const n = rng.int(3, 6);
    assert.ok(n >= 3 && n <= 6, `got ${n}`);
    seen.add(n);
  }
  assert.deepEqual([...seen].sort(), [3, 4, 5, 6]);
});

for (const size of ['small', 'default'] as const) {
  test(`the ${size} seed has the promised number of companies with unique 3-4 letter tickers`, () => {
    const companies = generateCompanies(size);
    assert.equal(companies.length, SEED_SHAPES[size].companies);
    const set = new Set(companies.map((c) => c.ticker));
    assert.equal(set.size, companies.length);
    for (const c of companies) assert.match(c.ticker, /^[A-Z]{3,4}$/);
    assert.deepEqual(companies.map((c) => c.id), companies.map((_, i) => i + 1));
  });
}

test('the default seed has at least 2,000 companies and ten years of quarterly metrics each', () => {
  const shape = SEED_SHAPES.default;
  assert.ok(shape.companies >= 2000);
  assert.ok(shape.lastYear - shape.firstYear + 1 >= 10);
});

test('generation is deterministic: the same size gives identical companies, metrics and filings', () => {
  const a = generateCompanies('small');
  const b = generateCompanies('small');
  assert.deepEqual(a, b);
  assert.deepEqual([...generateMetrics('small', a.slice(0, 5))], [...generateMetrics('small', b.slice(0, 5))]);
  assert.deepEqual([...generateFilings('small', a.slice(0, 5))], [...generateFilings('small', b.slice(0, 5))]);
  assert.deepEqual(tickers('small'), a.map((c) => c.ticker));
});

test('every company gets exactly four quarters per seeded year, with quarter-end dates', () => {
  const companies = generateCompanies('small').slice(0, 3);
  const rows = [...generateMetrics('small', companies)];
  const years = SEED_SHAPES.small.lastYear - SEED_SHAPES.small.firstYear + 1;
  assert.equal(rows.length, companies.length * years * 4);
  for (const r of rows) {
    assert.match(r.periodEnd, /^\d{4}-(03-31|06-30|09-30|12-31)$/);
    assert.ok(r.revenue >= 1);
  }
});

test('each company files one 10-K per year and three 10-Qs', () => {
  const [company] = generateCompanies('small');
  const filings = [...generateFilings('small', [company!])];
  const years = SEED_SHAPES.small.lastYear - SEED_SHAPES.small.firstYear + 1;
  assert.equal(filings.filter((f) => f.formType === '10-K').length, years);
  assert.equal(filings.filter((f) => f.formType === '10-Q').length, years * 3);
});

const copyCases: Array<[string, Array<string | number | null>, string]> = [
  ['plain values are tab separated', ['a', 1, 2.5], 'a\t1\t2.5\n'],
  ['null becomes \\N', ['a', null], 'a\t\\N\n'],
  ['a tab is escaped', ['a\tb'], 'a\\tb\n'],
  ['a newline is escaped', ['a\nb'], 'a\\nb\n'],
  ['a backslash is doubled', ['a\\b'], 'a\\\\b\n'],
  ['a carriage return is escaped', ['a\rb'], 'a\\rb\n'],
];
for (const [name, input, expected] of copyCases) {
  test(`copyLine: ${name}`, () => assert.equal(copyLine(input), expected));
}

test('hash32 is stable and spreads similar strings apart', () => {
  assert.equal(hash32('abc'), hash32('abc'));
  assert.notEqual(hash32('metrics:AAA'), hash32('metrics:AAB'));
});
