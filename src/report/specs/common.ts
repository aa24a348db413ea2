// Shared pieces of the report's Vega-Lite specs: colours, the mm:ss time axis, phase and fault bands, SLO limit
// rules and the lookup of a metric's thresholds in verdict.json.

import type { TopLevelSpec } from 'vega-lite';
import type { VerdictEntry, VerdictJson } from '../../results/format.ts';
import type { Band } from '../series.ts';

/** One layer of a layered spec, as TopLevelSpec allows it. */
export type LayerChild = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];
/** One panel of a vconcat spec. */
export type ConcatChild = Extract<TopLevelSpec, { vconcat: unknown }>['vconcat'][number];

/** The report's palette. */
export const COLORS = {
  pass: '#1a7f37',
  fail: '#cf222e',
  warn: '#9a6700',
  phase: '#eaeef2',
  fault: '#ffd8b5',
  series: ['#0969da', '#8250df', '#bf3989', '#1b7c83', '#953800', '#57606a', '#4d2d00', '#0550ae', '#6639ba', '#116329'],
} as const;

/** The system font stack used in charts and page. */
export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** Width of a full-width chart in pixels. */
export const CHART_WIDTH = 760;

/** Vega-Lite config shared by every chart: fonts, quiet axes, no view border. */
export const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', gridColor: '#eaeef2', domainColor: '#8c959f', tickColor: '#8c959f' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'top', labelLimit: 400 },
  title: { fontSize: 14, anchor: 'start', fontWeight: 600 },
} as const;

/** The x channel of every time chart: ms since the run start shown as mm:ss (UTC, so no time zone shift). */
export function timeX(title: string | null = 'time since start (mm:ss)'): { field: string; type: 'temporal'; scale: { type: 'utc' }; axis: { format: string; labelExpr: string; title: string | null; labelOverlap: boolean; tickMinStep: number }; } {
  // labels are whole seconds, so ticks are never closer than one second (no "00:00 00:00 00:01" on a short run)
  return { field: 'tMs', type: 'temporal', scale: { type: 'utc' }, axis: { format: '%M:%S', labelExpr: TIME_LABEL, title, labelOverlap: true, tickMinStep: 1000 } };
}

/**
 * The y scale and axis of a value panel, from the data's range and unit: percent with the decimals its tick step
 * needs (0.1%, not "0% 1% 1%"), whole-number ticks for counts, and a domain from zero that is never empty (an all-zero
 * series sits on its zero line, not at mid-height with a "0.000000" tick).
 */
export function valueAxis(values: readonly number[], kind: 'ratio' | 'number'): { scale: { domainMin: number; domainMax?: number }; axis: { format?: string; tickMinStep?: number } } {
  const finite = values.filter((v) => Number.isFinite(v));
  const max = Math.max(0, ...finite);
  const min = Math.min(0, ...finite);
  const counts = kind === 'number' && finite.every((v) => Number.isInteger(v));
  const span = max - min;
  const scale = span > 0 ? { domainMin: min } : { domainMin: 0, domainMax: kind === 'ratio' ? 0.01 : 1 };
  const axis: { format?: string; tickMinStep?: number } = {};
  if (kind === 'ratio') {
    const step = (span > 0 ? span : 0.01) / 5;
    const decimals = Math.min(4, Math.max(0, Math.ceil(-Math.log10(step * 100))));
    axis.format = `.${decimals}%`;
  } else if (counts) {
    axis.tickMinStep = 1;
    axis.format = ',d';
  }
  return { scale, axis };
}

/** A thin line at zero, the baseline every value panel reads from. */
export function zeroRule(): LayerChild {
  return { data: { values: [{ value: 0 }] }, mark: { type: 'rule', color: '#8c959f', strokeWidth: 1 }, encoding: { y: { field: 'value', type: 'quantitative' } } };
}

/** Axis label of a time since the run start: mm:ss, with hours in front from one hour on. */
const TIME_LABEL = "(datum.value >= 3600000 ? floor(datum.value / 3600000) + ':' : '') + utcFormat(datum.value, '%M:%S')";

/** The phase stretches shaded grey: every other phase name in order of first appearance, each with all its stretches. */
export function shadedPhases(bands: readonly Band[]): Band[] {
  const phases = bands.filter((b) => b.kind === 'phase').sort((a, b) => a.startMs - b.startMs);
  const names = [...new Set(phases.map((b) => b.name))];
  return phases.filter((b) => names.indexOf(b.name) % 2 === 1);
}

/** Background layers: phases shaded by name (each stretch of a name alike), a line at each phase start, faults in amber; each labelled. */
export function bandLayers(bands: Band[]): LayerChild[] {
  const out: LayerChild[] = [];
  const phases = bands.filter((b) => b.kind === 'phase').sort((a, b) => a.startMs - b.startMs);
  const shaded = shadedPhases(bands).map((b) => ({ tMs: b.startMs, endMs: b.endMs }));
  const faults = bands.filter((b) => b.kind === 'fault').map((b) => ({ name: b.name, tMs: b.startMs, endMs: b.endMs }));
  if (shaded.length > 0) out.push({ data: { values: shaded }, mark: { type: 'rect', opacity: 0.6, color: COLORS.phase }, encoding: { x: timeX(), x2: { field: 'endMs' } } });
  if (faults.length > 0) out.push({ data: { values: faults }, mark: { type: 'rect', opacity: 0.5, color: COLORS.fault }, encoding: { x: timeX(), x2: { field: 'endMs' } } });
  const starts = phases.filter((b) => b.startMs > 0).map((b) => ({ tMs: b.startMs }));
  if (starts.length > 0) out.push({ data: { values: starts }, mark: { type: 'rule', color: '#afb8c1', strokeWidth: 1 }, encoding: { x: timeX() } });
  if (phases.length > 0) {
    out.push({ data: { values: phases.map((b) => ({ name: b.name, tMs: b.startMs })) }, mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 2, fontSize: 10, color: '#57606a' }, encoding: { x: timeX(), y: { value: 0 }, text: { field: 'name', type: 'nominal' } } });
  }
  if (faults.length > 0) {
    out.push({ data: { values: faults }, mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 14, fontSize: 10, color: COLORS.warn }, encoding: { x: timeX(), y: { value: 0 }, text: { field: 'name', type: 'nominal' } } });
  }
  return out;
}

/** Normalises a threshold aggregation: `med` is `p(50)`, `p(95.0)` is `p(95)`. */
export function normalAggregation(agg: string): string {
  const a = agg.trim().toLowerCase();
  if (a === 'med') return 'p(50)';
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(a);
  return m ? `p(${Number(m[1])})` : a;
}

/** Thresholds on a metric; `tagged` keeps those with tags, `untagged` those without, `any` both. */
export function thresholdsFor(verdict: VerdictJson | undefined, metric: string, tags: 'untagged' | 'tagged' | 'any' = 'untagged'): VerdictEntry[] {
  return (verdict?.thresholds ?? []).filter((t) => {
    if (t.metric !== metric) return false;
    const tagged = Object.keys(t.tags ?? {}).length > 0;
    return tags === 'any' || (tags === 'tagged') === tagged;
  });
}

/** Thresholds on a metric scoped to a phase (`{phase:x}`, alone or with `name`): drawn over their phase's band. */
export function phaseThresholdsFor(verdict: VerdictJson | undefined, metric: string): VerdictEntry[] {
  return (verdict?.thresholds ?? []).filter((t) => t.metric === metric && t.tags?.phase !== undefined && Object.keys(t.tags).every((k) => k === 'phase' || k === 'name'));
}

/** The stretches a threshold judged: its window's spans, or its window, or (without one) the bands of its phase. */
export function windowsOf(t: VerdictEntry, bands: readonly Band[]): Array<{ startMs: number; endMs: number }> {
  if (t.window?.spans && t.window.spans.length > 0) return t.window.spans.map((s) => ({ startMs: s.fromMs, endMs: s.toMs }));
  if (t.window && t.window.toMs > t.window.fromMs) return [{ startMs: t.window.fromMs, endMs: t.window.toMs }];
  return bands.filter((b) => b.kind === 'phase' && b.name === t.tags.phase).map((b) => ({ startMs: b.startMs, endMs: b.endMs }));
}

/** A threshold's scope in words for a label: "company, outage" ("" when it is unscoped). */
export function scopeLabel(t: VerdictEntry): string {
  return [t.tags?.name, t.tags?.phase].filter((x) => x !== undefined).join(', ');
}

/**
 * Phase-scoped SLO limits as segments over the stretches they judged, labelled with their scope, observed value and
 * result; red when failed; `label` words each one.
 */
export function phaseRuleLayers(thresholds: readonly VerdictEntry[], bands: readonly Band[], label: (t: VerdictEntry) => string): LayerChild[] {
  const out: LayerChild[] = [];
  for (const pass of [true, false]) {
    const values = thresholds.filter((t) => t.pass === pass && Number.isFinite(t.limit)).flatMap((t) => windowsOf(t, bands).map((w, i) => ({ tMs: w.startMs, endMs: w.endMs, value: t.limit, label: i === 0 ? label(t) : '', key: t.key })));
    if (values.length === 0) continue;
    const color = pass ? COLORS.pass : COLORS.fail;
    out.push(
      { data: { values }, mark: { type: 'rule', strokeWidth: pass ? 2 : 3, color }, encoding: { x: timeX(), x2: { field: 'endMs' }, y: { field: 'value', type: 'quantitative' } } },
      { data: { values }, mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 2, dy: -3, fontSize: 10, fontWeight: 600, color }, encoding: { x: timeX(), y: { field: 'value', type: 'quantitative' }, text: { field: 'label', type: 'nominal' } } },
    );
  }
  return out;
}

/** Whether a value breaks a threshold's limit. */
export function breaches(t: Pick<VerdictEntry, 'operator' | 'limit'>, value: number): boolean {
  switch (t.operator) {
    case '<': return !(value < t.limit);
    case '<=': return !(value <= t.limit);
    case '>': return !(value > t.limit);
    case '>=': return !(value >= t.limit);
    case '==': return value !== t.limit;
    case '!=': return value === t.limit;
    default: return false;
  }
}

/** Horizontal SLO rules with their labels, in the pass or fail colour of their threshold (fixed colours, no scale). */
export function ruleLayers(rules: Array<{ value: number; label: string; pass: boolean }>): LayerChild[] {
  const out: LayerChild[] = [];
  for (const pass of [true, false]) {
    const values = rules.filter((r) => r.pass === pass).map((r) => ({ value: r.value, label: r.label }));
    if (values.length === 0) continue;
    const color = pass ? COLORS.pass : COLORS.fail;
    out.push(
      { data: { values }, mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5, color }, encoding: { y: { field: 'value', type: 'quantitative' } } },
      { data: { values }, mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, fontSize: 10, color }, encoding: { x: { value: CHART_WIDTH - 2 }, y: { field: 'value', type: 'quantitative' }, text: { field: 'label', type: 'nominal' } } },
    );
  }
  return out;
}

/** Red points on the stretches of a series that break its limit. */
export function breachLayer(points: Array<{ tMs: number; value: number }>, yField = 'value'): LayerChild[] {
  if (points.length === 0) return [];
  return [
    {
      data: { values: points.map((p) => ({ tMs: p.tMs, [yField]: p.value })) },
      mark: { type: 'point', filled: true, size: 28, color: COLORS.fail },
      encoding: { x: timeX(), y: { field: yField, type: 'quantitative' } },
    },
  ];
}

/** Formats a threshold's limit for a label, e.g. `p95 < 200 ms`. */
export function limitLabel(t: VerdictEntry, scale = 1, unit = t.unit): string {
  const agg = normalAggregation(t.aggregation).replace(/^p\((.+)\)$/, 'p$1');
  const v = t.limit * scale;
  const shown = Number.isInteger(v) ? String(v) : v.toFixed(v < 1 ? 3 : 1);
  return `${agg} ${t.operator} ${shown}${unit === '%' ? '%' : unit ? ` ${unit}` : ''}`;
}

/** A layered time chart with the report's config. */
export function layered(title: string, height: number, layer: LayerChild[], extra: Record<string, unknown> = {}): TopLevelSpec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, width: CHART_WIDTH, height, config: CONFIG, layer, ...extra } as TopLevelSpec;
}
