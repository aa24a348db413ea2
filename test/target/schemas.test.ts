import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import {
  AJV_OPTIONS,
  companyMetricsQuery,
  createReportBody,
  describeIssue,
  fieldOf,
  filingsQuery,
  leaderboardQuery,
  listCompaniesQuery,
  tickerParams,
  tokenBody,
  type ValidationIssue,
} from '../../src/target/schemas.ts';

const ajv = new Ajv({ ...AJV_OPTIONS });

/** Validates a copy of input; returns the named field of the first error, or null when valid. */
function firstBadField(schema: object, input: Record<string, unknown>): string | null {
  const validate = ajv.compile(schema);
  if (validate(structuredClone(input))) return null;
  return fieldOf(validate.errors![0] as ValidationIssue);
}

const cases: Array<[string, object, Record<string, unknown>, string | null]> = [
  ['a plain company list query', listCompaniesQuery, { sector: 'Technology', limit: '20' }, null],
  ['a limit above 100', listCompaniesQuery, { limit: '500' }, 'limit'],
  ['a negative offset', listCompaniesQuery, { offset: '-1' }, 'offset'],
  ['a non-numeric limit', listCompaniesQuery, { limit: 'ten' }, 'limit'],
  ['an unknown list parameter', listCompaniesQuery, { colour: 'red' }, 'colour'],
  ['a cursor with odd characters', listCompaniesQuery, { cursor: 'a;b' }, 'cursor'],
  ['a ticker of letters', tickerParams, { ticker: 'ABCD' }, null],
  ['a ticker with digits', tickerParams, { ticker: 'AB1' }, 'ticker'],
  ['a ticker too long', tickerParams, { ticker: 'ABCDEF' }, 'ticker'],
  ['annual metrics with dates', companyMetricsQuery, { period: 'annual', from: '2023-01-01', to: '2024-12-31' }, null],
  ['an unknown period', companyMetricsQuery, { period: 'weekly' }, 'period'],
  ['a date in the wrong format', companyMetricsQuery, { from: '01/02/2023' }, 'from'],
  ['a 13th month', companyMetricsQuery, { to: '2023-13-01' }, 'to'],
  ['a filings type filter', filingsQuery, { type: '10-K' }, null],
  ['an unknown form type', filingsQuery, { type: 'S-1' }, 'type'],
  ['a leaderboard by ebitda', leaderboardQuery, { metric: 'ebitda', year: '2024' }, null],
  ['a leaderboard by an unknown metric', leaderboardQuery, { metric: 'vibes' }, 'metric'],
  ['a complete report', createReportBody, { ticker: 'ABC', title: 't', rating: 'buy', summary: 's' }, null],
  ['a report without summary', createReportBody, { ticker: 'ABC', title: 't', rating: 'buy' }, 'summary'],
  ['a report with a bad rating', createReportBody, { ticker: 'ABC', title: 't', rating: 'moon', summary: 's' }, 'rating'],
  ['a report with an extra field', createReportBody, { ticker: 'ABC', title: 't', rating: 'buy', summary: 's', admin: true }, 'admin'],
  ['a report with an empty title', createReportBody, { ticker: 'ABC', title: '', rating: 'buy', summary: 's' }, 'title'],
  ['client credentials', tokenBody, { clientId: 'demo-client', clientSecret: 'x' }, null],
  ['credentials without a secret', tokenBody, { clientId: 'demo-client' }, 'clientSecret'],
];
for (const [name, schema, input, field] of cases) {
  test(`validation: ${name} ${field ? `is refused naming "${field}"` : 'is accepted'}`, () => {
    assert.equal(firstBadField(schema, input), field);
  });
}

test('defaults fill in the list paging', () => {
  const validate = ajv.compile(listCompaniesQuery);
  const q: Record<string, unknown> = {};
  assert.ok(validate(q));
  assert.deepEqual(q, { limit: 20, offset: 0 });
});

const messageCases: Array<[ValidationIssue, string]> = [
  [{ instancePath: '/limit', keyword: 'maximum', message: 'must be <= 100', params: {} }, 'querystring field "limit" must be <= 100'],
  [{ instancePath: '', keyword: 'required', params: { missingProperty: 'title' } }, 'querystring field "title" is required'],
  [{ instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'x' } }, 'querystring field "x" is not allowed'],
  [{ instancePath: '/a/b', keyword: 'type', message: 'must be string', params: {} }, 'querystring field "a.b" must be string'],
];
for (const [issue, message] of messageCases) {
  test(`describeIssue says: ${message}`, () => assert.equal(describeIssue('querystring', issue), message));
}
