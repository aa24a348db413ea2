// k6 script of the perfgate scenario "db-network" (profile full), written by perfgate export k6.
// Run it with `k6 run --out json=results.json.gz`, then `perfgate import k6 results.json.gz --scenario <scenario>`.
// Not carried over to k6:
//   - setup.refreshEvery (10m): k6 runs setup() once, so tokens that expire during the run are not refreshed
//   - threshold http_req_duration{phase:blackhole}: k6 has no phase tag, so perfgate judges it after the import
//   - threshold http_req_duration{phase:blackhole-settle}: k6 has no phase tag, so perfgate judges it after the import
//   - threshold http_req_failed{phase:before}: k6 has no phase tag, so perfgate judges it after the import
//   - threshold http_req_failed{phase:after-latency}: k6 has no phase tag, so perfgate judges it after the import
//   - threshold http_req_failed{phase:after-blackhole}: k6 has no phase tag, so perfgate judges it after the import
//   - threshold http_req_failed{phase:after-reset}: k6 has no phase tag, so perfgate judges it after the import
//   - threshold db_connections_leaked: a server-side metric, judged by perfgate after the import
//   - faults: injected by the perfgate lab only; none is injected in k6

import http from 'k6/http';
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { SharedArray } from 'k6/data';

export const options = {
  "scenarios": {
    "db-network": {
      "executor": "ramping-vus",
      "startVUs": 0,
      "stages": [
        {
          "duration": "15s",
          "target": 40
        },
        {
          "duration": "15s",
          "target": 40
        },
        {
          "duration": "15s",
          "target": 40
        },
        {
          "duration": "10s",
          "target": 40
        },
        {
          "duration": "10s",
          "target": 40
        },
        {
          "duration": "18s",
          "target": 40
        },
        {
          "duration": "10s",
          "target": 40
        },
        {
          "duration": "10s",
          "target": 40
        },
        {
          "duration": "10s",
          "target": 40
        },
        {
          "duration": "10s",
          "target": 40
        }
      ],
      "gracefulRampDown": "5s"
    }
  },
  "thresholds": {}
};

const BASE_URL = __ENV.BASE_URL || "http://127.0.0.1:8080";
const JOURNEYS = [
  {
    "name": "browse",
    "weight": 5,
    "steps": [
      {
        "name": "list-companies",
        "method": "GET",
        "path": "/api/v1/companies?limit=20&sector={{sector}}",
        "headers": {
          "authorization": "Bearer {{token}}"
        },
        "think": [
          1,
          3
        ],
        "check": {
          "status": 200
        }
      },
      {
        "name": "company",
        "method": "GET",
        "path": "/api/v1/companies/{{ticker}}",
        "headers": {
          "authorization": "Bearer {{token}}"
        },
        "think": [
          1,
          3
        ],
        "check": {
          "status": 200
        }
      },
      {
        "name": "company-metrics",
        "method": "GET",
        "path": "/api/v1/companies/{{ticker}}/metrics?period=quarterly",
        "headers": {
          "authorization": "Bearer {{token}}"
        },
        "think": [
          1,
          3
        ],
        "check": {
          "status": 200
        }
      }
    ]
  },
  {
    "name": "research",
    "weight": 3,
    "steps": [
      {
        "name": "company",
        "method": "GET",
        "path": "/api/v1/companies/{{ticker}}",
        "headers": {
          "authorization": "Bearer {{token}}"
        },
        "think": [
          1,
          3
        ],
        "check": {
          "status": 200
        }
      },
      {
        "name": "filings",
        "method": "GET",
        "path": "/api/v1/companies/{{ticker}}/filings?limit=10",
        "headers": {
          "authorization": "Bearer {{token}}"
        },
        "think": [
          1,
          3
        ],
        "check": {
          "status": 200
        }
      },
      {
        "name": "leaderboard",
        "method": "GET",
        "path": "/api/v1/metrics/leaderboard?metric=revenue&limit=10",
        "headers": {
          "authorization": "Bearer {{token}}"
        },
        "think": [
          1,
          3
        ],
        "check": {
          "status": 200
        }
      }
    ]
  },
  {
    "name": "quotes",
    "weight": 2,
    "steps": [
      {
        "name": "quote",
        "method": "GET",
        "path": "/api/v1/market/{{ticker}}/quote",
        "headers": {
          "authorization": "Bearer {{token}}"
        },
        "think": [
          1,
          3
        ],
        "expect": [
          200,
          503
        ]
      }
    ]
  },
  {
    "name": "write-report",
    "weight": 0.2,
    "steps": [
      {
        "name": "create-report",
        "method": "POST",
        "path": "/api/v1/reports",
        "headers": {
          "authorization": "Bearer {{token}}"
        },
        "body": {
          "ticker": "{{ticker}}",
          "title": "Quarterly review",
          "rating": "hold",
          "summary": "Steady margins; watch the leverage."
        },
        "think": [
          1,
          3
        ],
        "expect": [
          201
        ]
      }
    ]
  }
];
const SETUP = [
  {
    "name": "auth-token",
    "method": "POST",
    "path": "/api/v1/auth/token",
    "body": {
      "clientId": "perfgate-load",
      "clientSecret": "perfgate-load-secret"
    },
    "capture": {
      "token": "$.access_token"
    },
    "expect": [
      200
    ]
  }
];

/** @param {string} text @param {string} file @param {string | null} column @returns {unknown[]} */
function readRows(text, file, column) {
  if (file.endsWith('.json')) {
    /** @type {Array<Record<string, unknown>>} */
    const rows = JSON.parse(text);
    return column === null ? rows : rows.map((r) => r[column]);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const head = lines[0].split(',').map((h) => h.trim());
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    /** @type {Record<string, string>} */
    const row = {};
    head.forEach((h, i) => { row[h] = (cells[i] || '').trim(); });
    return column === null ? row : row[column];
  });
}

/** @param {unknown[]} rows @param {string | { zipf: number }} pick */
function feeder(rows, pick) {
  const s = pick === 'zipf' ? 1 : typeof pick === 'object' ? pick.zipf : 0;
  /** @type {number[]} */
  const cumulative = [];
  let total = 0;
  if (s > 0) for (let k = 1; k <= rows.length; k++) cumulative.push((total += 1 / Math.pow(k, s)));
  return {
    /** @returns {unknown} */
    next() {
      const n = rows.length;
      if (pick === 'sequential') return rows[exec.scenario.iterationInTest % n];
      if (pick === 'unique') return rows[(exec.vu.idInTest - 1) % n];
      if (s === 0) return rows[Math.floor(Math.random() * n)];
      const x = Math.random() * total;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] > x) hi = mid; else lo = mid + 1;
      }
      return rows[lo];
    },
  };
}

/** @param {Record<string, unknown>} vars @param {string} name @returns {unknown} */
function lookup(vars, name) {
  if (name.startsWith('env.')) return __ENV[name.slice(4)];
  /** @type {unknown} */
  let v = vars;
  for (const part of name.split('.')) v = v !== null && typeof v === 'object' ? /** @type {Record<string, unknown>} */ (v)[part] : undefined;
  return v;
}

/** @param {string} text @param {Record<string, unknown>} vars @param {boolean} encode @returns {string} */
function render(text, vars, encode) {
  return text.replace(/\{\{([^{}]*)\}\}/g, (_, name) => {
    const v = lookup(vars, String(name).trim());
    const s = v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
    return encode ? encodeURIComponent(s) : s;
  });
}

/** @param {unknown} body @param {Record<string, unknown>} vars @returns {unknown} */
function renderBody(body, vars) {
  if (typeof body === 'string') return render(body, vars, false);
  if (Array.isArray(body)) return body.map((b) => renderBody(b, vars));
  if (body !== null && typeof body === 'object') {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const [k, v] of Object.entries(body)) out[k] = renderBody(v, vars);
    return out;
  }
  return body;
}

/** @param {unknown} value @param {string} path @returns {unknown} */
function jsonPath(value, path) {
  /** @type {unknown} */
  let v = value;
  for (const part of path.replace(/^\$\.?/, '').replace(/\[(\d+)\]/g, '.$1').split('.').filter((p) => p !== '')) {
    v = v !== null && typeof v === 'object' ? /** @type {Record<string, unknown>} */ (v)[part] : undefined;
  }
  return v;
}

/**
 * One step: the request with its name tag, its checks, its captures into vars, its think time.
 * @param {any} step @param {Record<string, unknown>} vars
 */
function runStep(step, vars) {
  /** @type {Record<string, string>} */
  const headers = {};
  for (const [k, v] of Object.entries(step.headers || {})) headers[k] = render(String(v), vars, false);
  let body = step.body === undefined ? null : renderBody(step.body, vars);
  if (body !== null && typeof body !== 'string') {
    body = JSON.stringify(body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  /** @type {import('k6/http').RefinedParams<'text'>} */
  const params = { headers, tags: { name: step.name } };
  if (step.expect) params.responseCallback = http.expectedStatuses(...step.expect);
  if (step.timeout) params.timeout = step.timeout;
  if (step.redirects !== undefined) params.redirects = step.redirects;
  const res = http.request(step.method, BASE_URL + render(step.path, vars, true), /** @type {string | null} */ (body), params);
  if (step.check) {
    const c = step.check;
    /** @type {Record<string, (r: import('k6/http').RefinedResponse<'text'>) => boolean>} */
    const checks = {};
    if (c.status !== undefined) {
      const want = Array.isArray(c.status) ? c.status : [c.status];
      checks[step.name + ' status ' + want.join('|')] = (r) => want.includes(r.status);
    }
    if (c.bodyIncludes !== undefined) checks[step.name + ' body includes'] = (r) => String(r.body).includes(c.bodyIncludes);
    if (c.jsonPath !== undefined) checks[step.name + ' has ' + c.jsonPath] = (r) => { try { return jsonPath(r.json(), c.jsonPath) !== undefined; } catch (e) { return false; } };
    check(res, checks, { name: step.name });
  }
  if (step.capture) {
    /** @type {unknown} */
    let parsed;
    try { parsed = res.json(); } catch (e) { parsed = undefined; }
    for (const [name, path] of Object.entries(step.capture)) vars[name] = jsonPath(parsed, String(path));
  }
  if (step.think) sleep(step.think[0] + Math.random() * (step.think[1] - step.think[0]));
}

const FEEDERS = {
  "ticker": feeder(new SharedArray("ticker", () => readRows(open("fixtures/tickers.csv"), "fixtures/tickers.csv", "ticker")), "zipf"),
  "sector": feeder(new SharedArray("sector", () => readRows(open("fixtures/sectors.csv"), "fixtures/sectors.csv", "sector")), "random"),
};

export function setup() {
  /** @type {Record<string, unknown>} */
  const vars = { __VU: 0 };
  for (const step of SETUP) runStep(step, vars);
  return vars;
}

/** @param {Record<string, unknown>} data */
export default function (data) {
  /** @type {Record<string, unknown>} */
  const vars = Object.assign({}, data, { __VU: exec.vu.idInTest, __ITER: exec.vu.iterationInScenario });
  for (const [name, f] of Object.entries(FEEDERS)) vars[name] = f.next();
  let x = Math.random() * JOURNEYS.reduce((a, j) => a + j.weight, 0);
  let journey = JOURNEYS[JOURNEYS.length - 1];
  for (const j of JOURNEYS) {
    if (x < j.weight) { journey = j; break; }
    x -= j.weight;
  }
  for (const step of journey.steps) runStep(step, vars);
}

