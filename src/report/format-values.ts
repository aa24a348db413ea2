// Value formatting for the report's text: clock times from the run start, latencies, percentages, counts.

/** ms since the run start as mm:ss (h:mm:ss from one hour on). */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** A latency in ms with sensible precision: 0.42 ms, 12.3 ms, 340 ms, 1.25 s. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return 'n/a';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** A ratio (0..1) as a percentage: 0.1%, 12%, 100%; near 100% with the digits that keep it off 100 (97.4%, 99.9%, 99.95%). */
export function fmtPct(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return 'n/a';
  const p = ratio * 100;
  if (p === 0) return '0%';
  if (Math.abs(p) < 0.1) return `${p.toFixed(3)}%`;
  if (Math.abs(p) < 10) return `${Number(p.toFixed(2))}%`;
  if (p >= 90 && p < 100) {
    let d = Math.max(1, Math.ceil(-Math.log10(100 - p)));
    while (d < 6 && Number(p.toFixed(d)) >= 100) d++;
    return `${Number(p.toFixed(d))}%`;
  }
  return `${Math.round(p)}%`;
}

/** A count with thousands separators. */
export function fmtCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'n/a';
  return Math.round(n).toLocaleString('en-US');
}

/** A rate per second with one decimal below 100. */
export function fmtRate(perS: number | null | undefined): string {
  if (perS === null || perS === undefined || !Number.isFinite(perS)) return 'n/a';
  return perS >= 100 ? `${Math.round(perS).toLocaleString('en-US')}/s` : `${perS.toFixed(1)}/s`;
}

/**
 * A value in a metric's unit (ms, ratio, count, bytes, per_s, cores). The short style is for people (1.25 s, 12%);
 * `precise` keeps three to four significant digits in the unit as measured (1250 ms, 12.35%), for verdict reasons,
 * JUnit, Markdown and the terminal, and says "no data" for null. The one value formatter of the project.
 */
export function fmtUnit(value: number | null | undefined, unit: string, precise = false): string {
  if (precise && (value === null || value === undefined)) return 'no data';
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  const num = String(Number(abs >= 100 ? value.toFixed(0) : abs >= 1 ? value.toFixed(2) : value.toPrecision(3)));
  switch (unit) {
    case 'ms': return precise ? `${num} ms` : fmtMs(value);
    case 'ratio': return precise ? `${Number((value * 100).toPrecision(4))}%` : fmtPct(value);
    case 'per_s': return precise ? `${num}/s` : fmtRate(value);
    case 'bytes': return precise ? `${num} B` : value >= 1 << 20 ? `${(value / (1 << 20)).toFixed(1)} MiB` : `${fmtCount(value)} B`;
    case 'cores': return `${precise ? num : value.toFixed(2)} cores`;
    default: return precise ? num : Number.isInteger(value) ? fmtCount(value) : String(Number(value.toPrecision(4)));
  }
}

/** fmtUnit in its precise style: the value as verdict reasons, JUnit, Markdown and the terminal print it. */
export function formatValue(value: number | null, unit: string): string {
  return fmtUnit(value, unit, true);
}

/** One executor's load: its executor and peaks, as run.json records them. */
interface LoadFigures {
  executor: string;
  peakVUs?: number;
  peakRatePerS?: number;
}

/**
 * The load in words, one way everywhere (report, summary.md): "up to 50 VUs (ramping-vus)", or for the open model
 * "up to 20 iterations/s (constant-arrival-rate, at most 40 VUs)": the rate is the load, the VUs only its ceiling. A
 * run of a `scenarios` map names each: "browse: up to 50 VUs (constant-vus); writes from 00:05: up to 20 iterations/s (...)".
 */
export function describeLoad(l: (LoadFigures & { scenarios?: (LoadFigures & { name: string; startMs: number })[] }) | undefined): string {
  if (!l) return 'unknown load';
  if (l.scenarios?.length) return l.scenarios.map((s) => `${s.name}${s.startMs > 0 ? ` from ${clock(s.startMs)}` : ''}: ${describeOne(s)}`).join('; ');
  return describeOne(l);
}

function describeOne(l: LoadFigures): string {
  const rate = l.peakRatePerS === undefined ? '' : fmtRate(l.peakRatePerS).replace('/s', ' iterations/s');
  if (rate) return `up to ${rate} (${l.executor}${l.peakVUs !== undefined ? `, at most ${fmtCount(l.peakVUs)} VUs` : ''})`;
  if (l.peakVUs !== undefined) return `up to ${fmtCount(l.peakVUs)} VUs (${l.executor})`;
  return l.executor;
}
