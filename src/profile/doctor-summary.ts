// Clinic doctor's diagnosis, read from its data folder with doctor's own analysis (the one its HTML shows), and its
// recommendation in plain words. The pure part (diagnosisFrom) turns doctor's analysis result into sentences.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DoctorDiagnosis } from './types.ts';

/** Doctor's analysis result (the parts read here). */
export interface DoctorAnalysis {
  issueCategory: string;
  issues: { delay: string; cpu: string; memory: Record<string, string>; handles: string; loopUtilization?: string };
}

const TITLES: Record<string, string> = {
  none: 'No issue detected: the process looked healthy under this load',
  gc: 'A garbage-collection issue: the process may spend too much time managing memory',
  'event-loop': 'An event-loop issue: long synchronous work may be blocking the process',
  io: 'An I/O issue: the process may be waiting on asynchronous operations (a database, the network, files)',
  data: 'Not enough data: doctor could not judge this run (run it longer)',
  unknown: 'An unknown issue: doctor saw a problem it could not classify',
};

const CHECK_NAMES: Array<[string, (i: DoctorAnalysis['issues']) => string | undefined]> = [
  ['CPU usage', (i) => i.cpu],
  ['event-loop delay', (i) => i.delay],
  ['event-loop utilization', (i) => i.loopUtilization],
  ['active handles', (i) => i.handles],
  ['memory', (i) => (Object.values(i.memory).includes('data') ? 'data' : Object.values(i.memory).includes('performance') ? 'performance' : 'none')],
];

/** Markdown list lines of doctor's recommendation as plain sentences (bullets, code spans and tags removed). */
export function plainLines(markdown: string): string[] {
  return markdown
    .split(/\r?\n/)
    .map((l) => l.replace(/^\s*[-*]\s+/, '').replace(/<[^>]*>/g, '').replace(/`/g, '').trim())
    .filter(Boolean);
}

/** The diagnosis from doctor's analysis and its recommendation text. */
export function diagnosisFrom(analysis: DoctorAnalysis, recommendation: string): DoctorDiagnosis {
  const category = analysis.issueCategory;
  return {
    category,
    title: TITLES[category] ?? `Doctor's category: ${category}`,
    recommendation: plainLines(recommendation),
    checks: CHECK_NAMES.map(([name, get]) => ({ name, result: get(analysis.issues) })).filter((c): c is { name: string; result: string } => typeof c.result === 'string'),
  };
}

/** Runs doctor's analysis on a data folder (`<pid>.clinic-doctor`) and returns the diagnosis. */
export async function readDoctorDiagnosis(dataDir: string): Promise<DoctorDiagnosis> {
  const doctorRequire = createRequire(createRequire(import.meta.url).resolve('@clinic/doctor/package.json'));
  const { createReadStream } = await import('node:fs');
  const Analysis = doctorRequire('./analysis/index.js');
  const SystemInfoDecoder = doctorRequire('./format/system-info-decoder.js');
  const TraceEventDecoder = doctorRequire('./format/trace-event-decoder.js');
  const ProcessStatDecoder = doctorRequire('./format/process-stat-decoder.js');
  const getLoggingPaths = doctorRequire('@clinic/clinic-common').getLoggingPaths('doctor');
  const paths = getLoggingPaths({ path: dataDir }) as Record<string, string>;
  const systemInfo = createReadStream(paths['/systeminfo']!).pipe(new SystemInfoDecoder());
  const traceEvent = createReadStream(paths['/traceevent']!).pipe(new TraceEventDecoder(systemInfo));
  const processStat = createReadStream(paths['/processstat']!).pipe(new ProcessStatDecoder());
  const analysis = await new Promise<DoctorAnalysis>((resolve, reject) => {
    const stream = new Analysis(systemInfo, traceEvent, processStat);
    stream.once('data', resolve);
    stream.once('error', reject);
    for (const s of [systemInfo, traceEvent, processStat]) s.once('error', reject);
  });
  const mdFile = join(dirname(doctorRequire.resolve('./recommendations/index.js')), `${analysis.issueCategory}-summary.md`);
  const recommendation = await readFile(mdFile, 'utf8').catch(() => '');
  return diagnosisFrom(analysis, recommendation);
}
