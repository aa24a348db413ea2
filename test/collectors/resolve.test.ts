import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planCollectors, resolveCollectors, resolveIntervalMs } from '../../src/collectors/resolve.ts';
import { redactText, redactUrl } from '../../src/redact.ts';
import { ConfigError } from '../../src/errors.ts';

const lab = {
  databaseUrl: 'postgres://perfgate:labpw@127.0.0.1:5433/perfgate',
  redisUrl: 'redis://127.0.0.1:6380',
  pgbouncerAdminUrl: 'postgres://perfgate:labpw@127.0.0.1:6433/pgbouncer',
  metricsUrl: 'http://127.0.0.1:8080/metrics',
};

test('URLs come from the options first, then the environment, then the lab', () => {
  const plans = planCollectors(
    { prometheus: { url: 'http://127.0.0.1:9/metrics' }, postgres: {}, redis: {}, pgbouncer: {} },
    { DATABASE_URL: 'postgres://u:envpw@127.0.0.1:1/db' },
    lab,
  );
  assert.deepEqual(
    plans.map((p) => [p.name, p.from, p.where]),
    [
      ['prometheus', 'options', 'http://127.0.0.1:9/metrics'],
      ['postgres', 'env', 'postgres://u:***@127.0.0.1:1/db'],
      ['pgbouncer', 'lab', 'postgres://perfgate:***@127.0.0.1:6433/pgbouncer'],
      ['redis', 'lab', 'redis://127.0.0.1:6380'],
    ],
  );
});

test('an enabled collector with no URL anywhere is a ConfigError naming every field at once', () => {
  assert.throws(
    () => planCollectors({ postgres: {}, redis: {}, prometheus: { metrics: { nope: 'x', db_pool_max: 'bad name' } }, interval: 'soon' }, {}),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.issues.map((i) => i.path).sort(), [
        'collectors.interval',
        'collectors.postgres.url',
        'collectors.prometheus.metrics.db_pool_max',
        'collectors.prometheus.metrics.nope',
        'collectors.prometheus.url',
        'collectors.redis.url',
      ]);
      assert.match(err.message, /DATABASE_URL/);
      return true;
    },
  );
});

test('a URL of the wrong kind is refused, and its password never appears in the error', () => {
  assert.throws(
    () => planCollectors({ redis: {} }, { REDIS_URL: 'http://user:hunter22@127.0.0.1/' }),
    (err: unknown) => err instanceof ConfigError && /collectors\.redis\.url/.test(err.message) && !err.message.includes('hunter22') && /REDIS_URL/.test(err.message),
  );
});

test('no collectors option means no collectors; host enables host and generator', async () => {
  assert.deepEqual(await resolveCollectors(undefined, {}), []);
  const cs = await resolveCollectors({ host: {} }, {});
  assert.deepEqual(cs.map((c) => c.name), ['host', 'generator']);
  for (const c of cs) await c.close();
});

test('the interval defaults to one second and accepts k6 durations', () => {
  assert.equal(resolveIntervalMs(undefined), 1000);
  assert.equal(resolveIntervalMs({ interval: '250ms' }), 250);
  assert.throws(() => planCollectors({ interval: '0' }, {}), /collectors\.interval: must be more than 0/);
});

test('redaction removes passwords and secret parameters from URLs and free text', () => {
  const cases: Array<[string, string]> = [
    ['postgres://app:s3cret@db:5432/x', 'postgres://app:***@db:5432/x'],
    ['redis://:p%40ss@127.0.0.1:6379/0', 'redis://:***@127.0.0.1:6379/0'],
    ['http://127.0.0.1/metrics?token=abc&x=1', 'http://127.0.0.1/metrics?token=***&x=1'],
    ['http://127.0.0.1/metrics', 'http://127.0.0.1/metrics'],
  ];
  for (const [input, expected] of cases) assert.equal(redactUrl(input), expected);
  assert.equal(redactText('failed: postgres://a:b1234@h/db password=zzz'), 'failed: postgres://a:***@h/db password=***');
  assert.equal(redactText('auth failed for secretvalue', ['secretvalue']), 'auth failed for ***');
});

test('the default Prometheus URL is the run target\'s /metrics, so it follows --target; options and METRICS_URL still win', () => {
  const where = (env: NodeJS.ProcessEnv, targetUrl?: string, url?: string) =>
    planCollectors({ prometheus: url ? { url } : {} }, env, lab, targetUrl).map((p) => [p.from, p.url])[0];
  assert.deepEqual(where({}, 'http://127.0.0.1:9191/api'), ['target', 'http://127.0.0.1:9191/metrics']);
  assert.deepEqual(where({}, 'https://u:pw@localhost:8443'), ['target', 'https://localhost:8443/metrics']);
  assert.deepEqual(where({}), ['lab', lab.metricsUrl]);
  assert.deepEqual(where({ METRICS_URL: 'http://127.0.0.1:7/m' }, 'http://127.0.0.1:9191'), ['env', 'http://127.0.0.1:7/m']);
  assert.deepEqual(where({}, 'http://127.0.0.1:9191', 'http://127.0.0.1:5/x'), ['options', 'http://127.0.0.1:5/x']);
});

test('the Prometheus bearer token is METRICS_TOKEN, else the lab\'s on the lab target\'s origin only; never in `where`', () => {
  const withToken = { ...lab, metricsToken: 'lab-metrics-token-1' };
  const plan = (env: NodeJS.ProcessEnv, targetUrl?: string) => planCollectors({ prometheus: {} }, env, withToken, targetUrl)[0]!;
  assert.equal(plan({}).bearerToken, 'lab-metrics-token-1');
  assert.equal(plan({}, 'http://127.0.0.1:8080/api').bearerToken, 'lab-metrics-token-1', 'the lab target, by --lab');
  assert.equal(plan({}, 'http://127.0.0.1:9191').bearerToken, undefined, 'another target never gets the lab\'s token');
  assert.equal(plan({ METRICS_TOKEN: 'env-token-2' }, 'http://127.0.0.1:9191').bearerToken, 'env-token-2');
  assert.doesNotMatch(JSON.stringify([plan({}).where, plan({}).from]), /lab-metrics-token/);
});
