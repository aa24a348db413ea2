// The scenario model: k6's load vocabulary (typed with @types/k6) plus declarative journeys, data, thresholds,
// collectors and faults (see DESIGN.md "Scenario model"). A JSON scenario has exactly the same shape.

import type {
  ConstantVUsScenario,
  RampingVUsScenario,
  ConstantArrivalRateScenario,
  RampingArrivalRateScenario,
  SharedIterationsScenario,
  PerVUIterationsScenario,
  Stage as K6Stage,
  Threshold,
} from 'k6/options';
import type { PinnedPg } from '../engine/host-guard.ts';
import type { AlertOverrides } from '../slo/alert-rules.ts';

/** A k6 stage with an optional name, which becomes the `phase` tag. */
export interface Stage extends K6Stage {
  name?: string;
}

type K6Base = 'exec' | 'env' | 'options' | 'startTime';

/** constant-vus: a fixed number of VUs loop journeys for a duration (closed model). */
export type ConstantVUsLoad = Omit<ConstantVUsScenario, K6Base>;
/** ramping-vus: VUs follow the stages (closed model). */
export type RampingVUsLoad = Omit<RampingVUsScenario, K6Base | 'stages'> & { stages: Stage[] };
/** constant-arrival-rate: iterations start at a fixed rate (open model). */
export type ConstantArrivalRateLoad = Omit<ConstantArrivalRateScenario, K6Base>;
/** ramping-arrival-rate: the arrival rate follows the stages (open model). */
export type RampingArrivalRateLoad = Omit<RampingArrivalRateScenario, K6Base | 'stages'> & { stages: Stage[] };

/** shared-iterations: `iterations` in all, shared by `vus` VUs, within `maxDuration` (closed model). */
export type SharedIterationsLoad = Omit<SharedIterationsScenario, K6Base>;
/** per-vu-iterations: each of `vus` VUs runs exactly `iterations` iterations, within `maxDuration` (closed model). */
export type PerVuIterationsLoad = Omit<PerVUIterationsScenario, K6Base>;

/** The load options of a scenario, in k6's vocabulary. */
export type LoadOptions =
  | ConstantVUsLoad
  | RampingVUsLoad
  | ConstantArrivalRateLoad
  | RampingArrivalRateLoad
  | SharedIterationsLoad
  | PerVuIterationsLoad;

/** The iteration-count loads: the load ends when its iterations are done, or at maxDuration. */
export type IterationsLoad = SharedIterationsLoad | PerVuIterationsLoad;

/** The closed-model loads that run for a time: a number of VUs loop (constant-vus, ramping-vus). */
export type ClosedModelLoad = ConstantVUsLoad | RampingVUsLoad;
/** The open-model loads: iterations start on a schedule (constant-arrival-rate, ramping-arrival-rate). */
export type OpenModelLoad = ConstantArrivalRateLoad | RampingArrivalRateLoad;

/** Executor names perfgate supports. */
export type ExecutorName = LoadOptions['executor'];

/**
 * Which journeys a scenario of a `scenarios` map runs, like k6's `exec`: one journey's name, a list of names (their
 * own weights), or names with the weights this scenario gives them. Absent: every journey, at its own weight.
 */
export type JourneySelection = string | string[] | Record<string, number>;

/** One scenario of a `scenarios` map (k6's `options.scenarios` entry): its executor, when it starts, its journeys. */
export type ScenarioEntry = LoadOptions & {
  /** When it starts, from the start of the load: '5m' (default 0). */
  startTime?: string;
  exec?: JourneySelection;
};

/** HTTP methods a step may use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** Numeric bounds; every one given must hold. */
export interface NumberBounds {
  lt?: number;
  gt?: number;
  lte?: number;
  gte?: number;
}

/**
 * A jsonPath check that compares (src/scenario/json-check.ts): the value at `path` must exist and pass every
 * comparison given. `lt`/`gt`/`lte`/`gte` need a number, `matches` a string, `length` a string or a list.
 */
export interface JsonCheck extends NumberBounds {
  /** JSON path into the body: `$.items[0].id`. */
  path: string;
  /** The `check` tag (`checks{check:NAME}`); the check block's name when absent. */
  name?: string;
  /** Deep equality with a JSON value. */
  equals?: unknown;
  /** Deep equality with one of these values. */
  in?: unknown[];
  /** A regular expression (JavaScript syntax) the string must match. */
  matches?: string;
  /** The length of a string or list: a number (equality) or bounds. */
  length?: number | (NumberBounds & { equals?: number });
}

/**
 * Checks on a response; each assertion counts once in `checks`, and a failed one (with `fail: true`) fails the
 * request. Each is tagged `check` with its name: a jsonPath check's own `name`, else the block's `name`, else the step's.
 */
export interface StepCheck {
  /** The `check` tag of this block's assertions (`checks{check:NAME}`); the step's name when absent. */
  name?: string;
  /** Expected status, or a list of them. */
  status?: number | number[];
  /** Substring the body must contain. */
  bodyIncludes?: string;
  /** JSON path (`$.a.b[0]`) that must exist in a JSON body, a check that compares, or a list of them. */
  jsonPath?: string | JsonCheck | Array<string | JsonCheck>;
  /** A failed check also fails the request: `http_req_failed`, error class `check_failed` (default false, as in k6). */
  fail?: boolean;
}

/** One HTTP request of a journey. Strings may use `{{var}}` templating (captures, data, setup, env.X). */
export interface HttpStep {
  /** The `name` tag; metrics are kept per step name. */
  name: string;
  /** Step kind; `http` is the default. */
  type?: 'http';
  method?: HttpMethod;
  /** Path template, joined to target.baseUrl, e.g. `/api/v1/companies/{{ticker}}`. */
  path: string;
  headers?: Record<string, string>;
  /** JSON body (templated recursively) or a raw string. */
  body?: unknown;
  /** Think time after the step: '1s', '500ms', or a range '1s-3s'. */
  think?: string;
  check?: StepCheck;
  /** Variables to capture from a JSON response: name -> JSON path. */
  capture?: Record<string, string>;
  /** Statuses that count as success; 200-399 when absent. */
  expect?: number[];
  /** Request timeout, e.g. '10s' (the default). */
  timeout?: string;
  /** Redirects to follow for this step (overrides the scenario's maxRedirects). */
  redirects?: number;
  /**
   * Headers of this step that still follow a redirect to another origin (case-insensitive), e.g. `['x-trace']`. Every
   * other header the step sets is dropped on such a hop; Authorization, Cookie and Proxy-Authorization always are.
   */
  redirectHeaders?: string[];
}

/** One SQL statement through a named PostgreSQL connection (used by the connection-storm drill). */
export interface SqlStep {
  name: string;
  type: 'sql';
  /** Key of `connections` in the scenario. */
  connection: string;
  sql: string;
  params?: unknown[];
  think?: string;
  timeout?: string;
}

/** A journey step. */
export type Step = HttpStep | SqlStep;

/** A weighted sequence of steps; one journey needs no weight. */
export interface Journey {
  name: string;
  weight?: number;
  steps: Step[];
}

/** A data feeder: rows from a CSV or JSON file under fixtures/, exposed as `{{name}}` (or `{{name.column}}`). */
export interface DataFeeder {
  file: string;
  /** CSV column (or JSON field) to expose; the whole row when absent. */
  column?: string;
  /**
   * How rows are picked: `random` (uniform, the default), `sequential`, `unique` (row n for VU n), or skewed like
   * real key popularity: `zipf` (Zipf with exponent 1) or `{ zipf: s }`. Zipf ranks rows in file order (the first
   * row is the most popular): P(row k) is proportional to 1/k^s.
   */
  pick?: 'random' | 'sequential' | 'unique' | 'zipf' | { zipf: number };
}

/** Collector options; each key enables that collector. URLs fall back to the environment and the lab. */
export interface CollectorsOptions {
  prometheus?: { url?: string; metrics?: Record<string, string> };
  postgres?: { url?: string };
  pgbouncer?: { url?: string };
  redis?: { url?: string };
  host?: Record<string, never>;
  /** Sampling interval, e.g. '1s' (the default). */
  interval?: string;
}

/** A fault injected through the lab at a scheduled moment (resilience drills). */
export interface FaultSpec {
  /** What to do: upstream-outage, upstream-latency, redis-stop, postgres-restart, worker-kill, ... */
  action: string;
  /** When, from the start of the load: '2m'. */
  at: string;
  /** How long the fault lasts, when it has a duration: '1m'. */
  duration?: string;
  params?: Record<string, unknown>;
}

/** What a scenario needs of the lab: target workers, PgBouncer in front of PostgreSQL, seed size, target settings. */
export interface LabRequirements {
  workers?: number;
  pgbouncer?: boolean;
  seed?: 'small' | 'default';
  /** Extra environment for the target (e.g. DB_POOL_MAX, RATE_LIMIT_FAIL_POLICY, BREAKER_ENABLED). */
  targetEnv?: Record<string, string>;
  /** Serve the target over HTTPS with a certificate from the lab's own CA, which the harness verifies against. */
  tls?: boolean;
  /** Run the lab's Prometheus on the target and the harness, with the scenario's rules; the report shows what fired in it. */
  prometheus?: boolean;
  /** PostgreSQL with data checksums and WAL archiving into a pgBackRest repository: the recovery drills (a lab of its own). */
  recovery?: boolean;
  /** A fault proxy on the target's path to the database: the db-network drill (a lab of its own). */
  dbProxy?: boolean;
}

/** How a profile scales the scenario: `time` multiplies durations, `load` multiplies VUs and rates. */
export interface ProfileScale {
  time?: number;
  load?: number;
}

/** What every journey step gets unless it sets its own (src/scenario/defaults.ts); setup steps are left as written. */
export interface ScenarioDefaults {
  /** Headers of every journey step, under the step's own (same name in any case: the step's wins). Templated. */
  headers?: Record<string, string>;
  /** A path before every journey step's path, after target.baseUrl's own path: `/api/v1`. */
  basePath?: string;
  /** The timeout of a journey step that sets none, e.g. '5s' (over the scenario's `timeout`). */
  timeout?: string;
}

/** A scenario as written by the user (`defineScenario` input, or a .json file). */
export interface ScenarioDefinition {
  name: string;
  description?: string;
  target: { baseUrl: string; allowHosts?: string[] };
  /** The one executor of the run (the short form); a run has `load` or `scenarios`, never both. */
  load?: LoadOptions;
  /** Several executors in one run, by name (k6's `scenarios` map); every metric carries the `scenario` tag. */
  scenarios?: Record<string, ScenarioEntry>;
  journeys: Journey[];
  /** Runs once before the load; its captures are every VU's variables. `refreshEvery` re-runs it during the load (expiring tokens). */
  setup?: { steps: Step[]; refreshEvery?: string };
  data?: Record<string, DataFeeder>;
  /** Named PostgreSQL connections for sql steps: name -> { url, poolSize? }. */
  connections?: Record<string, { url: string; poolSize?: number; /** Set by the host guard before the load; never read from a scenario file. */ pinned?: PinnedPg }>;
  thresholds?: Record<string, Threshold[]>;
  /** Ramps: the SLOs whose breaking point the run searches (the highest load at which all held; the first to break). */
  capacity?: Record<string, Threshold[]>;
  /** Alert rules: name -> a new rule, fields replacing a default rule's, or false to turn one off (src/slo/alert-rules.ts). */
  alerts?: AlertOverrides;
  /** Regression gate: per-metric minimum effects, e.g. `{ 'http_req_duration{name:company}': { 'p(95)': '5%' } }`. */
  compare?: Record<string, string | number | Record<string, string | number>>;
  collectors?: CollectorsOptions;
  faults?: FaultSpec[];
  /** What the scenario needs of the lab when run with --lab (drills: several target workers, PgBouncer). */
  lab?: LabRequirements;
  profiles?: Partial<Record<'ci' | 'smoke', ProfileScale>>;
  /** Headers, a base path and a timeout for every journey step (src/scenario/defaults.ts). */
  defaults?: ScenarioDefaults;
  /** Default request timeout of every step, setup included, e.g. '10s' (the default). */
  timeout?: string;
  /**
   * When the load generator counts as saturated (the run `invalid`, exit 103): its event-loop lag p99 (default '50ms')
   * and the share of iterations dropped (default 0.01). A drill whose gates a lag can only make fail (it lengthens what
   * the client measures) may allow more.
   */
  saturation?: { maxLoopLagP99?: string; maxDroppedShare?: number };
  /** A cookie jar per VU for the target, as in k6 (default true); false sends no cookie the target set. */
  cookies?: boolean;
  /** Keep each VU's cookies from one iteration to the next (k6's option; by default the jar is cleared per iteration). */
  noCookiesReset?: boolean;
  /** Redirects a request follows before its 3xx counts as the response (k6's option; default 10). */
  maxRedirects?: number;
  /** https: accept certificates that do not verify (self-signed test servers; k6's option). */
  insecureSkipTLSVerify?: boolean;
  /**
   * https: a CA certificate (PEM text) trusted beside Node's bundled roots. Not written in scenario files: `--lab`
   * over TLS sets the lab's CA, `--ca-file` the user's.
   */
  tlsCa?: string;
}
