// Builds the report's contents in memory from a run's records: the page and every chart's SVG. No file I/O.

import type { IntervalRecord } from '../results/format.ts';
import { buildModel, type ReportInput, type ReportModel } from './model.ts';
import { buildCharts, type ChartId } from './specs/index.ts';
import { renderSvg } from './render-svg.ts';
import { renderReportHtml, scopeSvgIds, type RenderedChart } from './html.ts';
import { compareBandSpec, renderCompareSection } from './compare-section.ts';
import type { CompareJson } from '../compare/types.ts';
import { redactDeep, redactText } from '../redact.ts';

/** The report of one run, ready to be written. */
export interface BuiltReport {
  model: ReportModel;
  html: string;
  /** Rendered charts by id; charts left out for missing data are absent. */
  charts: Array<{ id: ChartId; svg: string }>;
  /** Charts left out, with the note the page shows. */
  omitted: Array<{ id: ChartId; note: string }>;
}

/** A request record with its strings redacted (name, method, phase, journey, scenario); other records as they are. */
export function redactRecord(r: IntervalRecord): IntervalRecord {
  if (r.type !== 'req') return r;
  return { ...r, name: redactText(r.name), method: redactText(r.method), phase: r.phase && redactText(r.phase), ...(r.journey !== undefined ? { journey: redactText(r.journey) } : {}), ...(r.scenario !== undefined ? { scenario: redactText(r.scenario) } : {}) };
}

/** Redacts every string a report could show: run.json, samples, verdict, and request names. */
export function redactRunData<T extends ReportInput>(data: T): T {
  return {
    ...data,
    run: redactDeep(data.run),
    samples: data.samples.map((s) => (s.labels || s.error ? redactDeep(s) : s)),
    // perfgate's own records: their field names (a threshold's `key`) are structure, not secrets; every string is still redacted
    verdict: data.verdict && redactDeep(data.verdict, { byKey: 'none' }),
    summary: data.summary && redactDeep(data.summary, { byKey: 'none' }),
    profile: data.profile && redactDeep(data.profile, { byKey: 'none' }),
    prometheus: data.prometheus && redactDeep(data.prometheus, { byKey: 'none' }),
    // a client series given already was built from redacted records (see writeReport)
    ...(data.intervals ? { intervals: data.intervals.map(redactRecord) } : {}),
  };
}

/** Builds report.html and the chart SVGs of a run. */
export async function buildReport(data: ReportInput & { compare?: CompareJson }): Promise<BuiltReport> {
  // records -> redact -> model -> Vega-Lite specs -> SVG (vega headless) -> page (+ the compare.json and profile sections)
  const model = buildModel(redactRunData(data));
  const entries = buildCharts(model);
  const rendered: RenderedChart[] = [];
  for (const entry of entries) {
    rendered.push(entry.spec ? { entry, svg: redactText(await renderSvg(entry.spec)) } : { entry });
  }
  const compare = data.compare && redactDeep(data.compare, { byKey: 'none' });
  const compareSpec = compare && compareBandSpec(compare);
  const compareHtml = compare && renderCompareSection(compare, compareSpec && scopeSvgIds(redactText(await renderSvg(compareSpec)), 'chart-compare'));
  return {
    model,
    html: renderReportHtml(model, rendered, compareHtml),
    charts: rendered.filter((r) => r.svg !== undefined).map((r) => ({ id: r.entry.id, svg: r.svg! })),
    omitted: rendered.filter((r) => r.svg === undefined).map((r) => ({ id: r.entry.id, note: r.entry.note ?? '' })),
  };
}
