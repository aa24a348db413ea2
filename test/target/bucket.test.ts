import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxAllowed, retryAfterSeconds, takeTokens, type BucketState } from '../../src/target/rate-limit/bucket.ts';

const cases: Array<{ name: string; prev?: BucketState; nowUs: number; allowed: boolean; tokens: number; retryUs: number }> = [
  { name: 'a new bucket starts full and allows', nowUs: 1_000_000, allowed: true, tokens: 9, retryUs: 0 },
  { name: 'an empty bucket refuses and says when a token arrives', prev: { tokens: 0, updatedUs: 0 }, nowUs: 0, allowed: false, tokens: 0, retryUs: 500_000 },
  { name: 'half a second refills one token at 2/s', prev: { tokens: 0, updatedUs: 0 }, nowUs: 500_000, allowed: true, tokens: 0, retryUs: 0 },
  { name: 'refill never exceeds capacity', prev: { tokens: 5, updatedUs: 0 }, nowUs: 3_600_000_000, allowed: true, tokens: 9, retryUs: 0 },
  { name: 'a partial token is not enough', prev: { tokens: 0.5, updatedUs: 0 }, nowUs: 0, allowed: false, tokens: 0.5, retryUs: 250_000 },
  { name: 'a clock that goes backwards refills nothing', prev: { tokens: 0, updatedUs: 1_000_000 }, nowUs: 0, allowed: false, tokens: 0, retryUs: 500_000 },
];
for (const c of cases) {
  test(`takeTokens: ${c.name}`, () => {
    const d = takeTokens(c.prev, c.nowUs, 10, 2);
    assert.equal(d.allowed, c.allowed);
    assert.ok(Math.abs(d.state.tokens - c.tokens) < 1e-9, `tokens ${d.state.tokens}`);
    assert.equal(d.retryAfterUs, c.retryUs);
  });
}

test('a burst against one bucket is allowed at most capacity + rate x time', () => {
  let state: BucketState | undefined;
  let allowed = 0;
  // 1000 requests spread over 2 s against capacity 10, 5/s.
  for (let i = 0; i < 1000; i++) {
    const d = takeTokens(state, i * 2000, 10, 5);
    state = d.state;
    if (d.allowed) allowed++;
  }
  assert.ok(allowed <= maxAllowed(10, 5, 2), `allowed ${allowed}`);
  assert.ok(allowed >= 19, `allowed ${allowed}`);
});

const retryCases: Array<[number, number]> = [[0, 1], [1, 1], [999_999, 1], [1_000_001, 2], [2_500_000, 3]];
for (const [us, s] of retryCases) {
  test(`Retry-After for a ${us} µs wait is ${s} s`, () => assert.equal(retryAfterSeconds(us), s));
}
