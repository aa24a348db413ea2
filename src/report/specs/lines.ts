// A time panel of one or more lines with its SLO rules and breach points: the building block of the time charts.

import type { VerdictEntry } from '../../results/format.ts';
import type { Band } from '../series.ts';
import { fmtUnit } from '../format-values.ts';
import { COLORS, bandLayers, breachLayer, breaches, limitLabel, phaseRuleLayers, ruleLayers, scopeLabel, timeX, valueAxis, windowsOf, zeroRule, type LayerChild } from './common.ts';

/** One point of a line. */
export interface LineRow {
  tMs: number;
  series: string;
  value: number;
}

/** What a line panel draws. */
export interface LinePanel {
  rows: LineRow[];
  /** Thresholds drawn as rules; `seriesFor` names the line each one is checked against (none: no breach points). */
  thresholds: VerdictEntry[];
  seriesFor?: (t: VerdictEntry) => string | undefined;
  /** Thresholds scoped to a phase (and maybe an endpoint): segments over their phase's band, labelled with their result. */
  phased?: VerdictEntry[];
  yTitle: string;
  /** 'ratio' shows 0..1 as percent; 'number' as is. */
  kind: 'ratio' | 'number';
  unitLabel?: string;
  /** Fixed colours per series, in order; otherwise the palette. */
  colors?: string[];
  mark?: 'line' | 'area';
  bands: Band[];
  withBands?: boolean;
  xTitle?: string | null;
}

/** The layers of one line panel: bands, lines, SLO rules, breach points. */
export function linePanelLayers(p: LinePanel): LayerChild[] {
  const seriesNames = [...new Set(p.rows.map((r) => r.series))];
  const percent = p.kind === 'ratio';
  const limits = p.thresholds.filter((t) => Number.isFinite(t.limit)).map((t) => t.limit);
  const { scale, axis } = valueAxis([...p.rows.map((r) => r.value), ...limits], p.kind);
  const y = { field: 'value', type: 'quantitative', title: p.yTitle, scale, axis } as const;
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    sort: seriesNames,
    scale: { domain: seriesNames, range: p.colors ?? [...COLORS.series].slice(0, Math.max(1, seriesNames.length)) },
    legend: seriesNames.length > 1 ? {} : null,
  } as const;
  const lines: LayerChild =
    p.mark === 'area'
      ? { data: { values: p.rows }, mark: { type: 'area', opacity: 0.85, interpolate: 'step-after' }, encoding: { x: timeX(p.xTitle), y: { ...y, stack: 'zero' }, color } }
      : { data: { values: p.rows }, mark: { type: 'line', strokeWidth: 1.6, interpolate: 'linear' }, encoding: { x: timeX(p.xTitle), y, color } };
  const rules = p.thresholds
    .filter((t) => Number.isFinite(t.limit))
    .map((t) => ({ value: t.limit, label: percent ? limitLabel(t, 100, '%') : limitLabel(t, 1, p.unitLabel ?? t.unit), pass: t.pass }));
  const breachPoints: Array<{ tMs: number; value: number }> = [];
  for (const t of p.thresholds) {
    const series = p.seriesFor?.(t);
    if (series === undefined) continue;
    for (const r of p.rows) if (r.series === series && breaches(t, r.value)) breachPoints.push({ tMs: r.tMs, value: r.value });
  }
  const phased = p.phased ?? [];
  for (const t of phased.filter((x) => x.tags.name === undefined)) {
    // a phase-only threshold judges the drawn series inside its stretches; one scoped to an endpoint does not
    const series = p.seriesFor?.(t);
    const inside = (tMs: number): boolean => windowsOf(t, p.bands).some((w) => tMs >= w.startMs && tMs < w.endMs);
    if (series !== undefined) for (const r of p.rows) if (r.series === series && inside(r.tMs) && breaches(t, r.value)) breachPoints.push({ tMs: r.tMs, value: r.value });
  }
  const phaseLabel = (t: VerdictEntry): string => {
    const limit = percent ? limitLabel(t, 100, '%') : limitLabel(t, 1, p.unitLabel ?? t.unit);
    return `${scopeLabel(t)}: ${limit}, was ${fmtUnit(t.observed, t.unit)} ${t.pass ? '✔' : '✘'}`;
  };
  return [...(p.withBands === false ? [] : bandLayers(p.bands)), zeroRule(), lines, ...ruleLayers(rules), ...phaseRuleLayers(phased, p.bands, phaseLabel), ...breachLayer(breachPoints)];
}

/** Whether any row of the panel breaks one of its thresholds (used by tests and the narrative). */
export function panelBreaches(p: LinePanel): number {
  let n = 0;
  for (const t of p.thresholds) {
    const series = p.seriesFor?.(t);
    if (series !== undefined) for (const r of p.rows) if (r.series === series && breaches(t, r.value)) n++;
  }
  return n;
}
