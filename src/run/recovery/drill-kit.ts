// What every recovery drill shares: its context (the lab's kit, the run clock, the sample stream), its timeline,
// the ledger's start, the lookup of which acknowledged writes survived, and the figures written as samples.

import type { SampleRecord } from '../../results/format.ts';
import type { RecoveryKit, SuperuserTarget } from '../../lab/recovery/kit.ts';
import { LabError } from '../../errors.ts';
import { ledgerToken, startWriteLedger, type WriteLedger } from './ledger.ts';
import { drillSamples, type DrillFigures, type TimelineStep } from './measure.ts';

/** What a drill runs with. */
export interface DrillContext {
  kit: RecoveryKit;
  targetUrl: string;
  clock: () => number;
  writeSample: (s: SampleRecord) => void;
  params: Record<string, unknown>;
  onLog?: (line: string) => void;
}

/** A drill's timeline, marked as it goes (run clock). */
export class Timeline {
  readonly steps: TimelineStep[] = [];
  constructor(private readonly clock: () => number, private readonly log?: (line: string) => void) {}
  /** Records a step now (or at atMs), and returns its time. */
  mark(step: string, detail?: string, atMs?: number): number {
    const tMs = atMs ?? this.clock();
    this.steps.push({ step, tMs, ...(detail ? { detail } : {}) });
    this.log?.(`recovery: ${step}${detail ? ` (${detail})` : ''} at ${(tMs / 1000).toFixed(1)} s`);
    return tMs;
  }
}

/** A number param, or its default. */
export function numParam(params: Record<string, unknown>, name: string, fallback: number): number {
  const v = params[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** Starts the ledger's writes on the first seeded ticker, as the lab's load client. */
export async function startLedger(ctx: DrillContext): Promise<WriteLedger> {
  const ticker = await ctx.kit.superuser(async (c) => (await c.query<{ ticker: string }>('SELECT ticker FROM companies ORDER BY id LIMIT 1')).rows[0]?.ticker);
  if (!ticker) throw new LabError('recovery drill: the lab has no seeded company to write reports on');
  const token = await ledgerToken(ctx.targetUrl, 'perfgate-load', 'perfgate-load-secret');
  return startWriteLedger({ targetUrl: ctx.targetUrl, clock: ctx.clock, signal: new AbortController().signal, ticker, token, pauseMs: numParam(ctx.params, 'ledgerPauseMs', 50), maxWrites: 50_000 });
}

/** The ids among `ids` that exist in the reports table (of the primary, or of another instance). */
export async function presentIds(kit: RecoveryKit, ids: readonly string[], target?: SuperuserTarget): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await kit.superuser((c) => c.query<{ id: string }>('SELECT id::text AS id FROM reports WHERE id = ANY($1::bigint[])', [ids]), target);
  return new Set(rows.rows.map((r) => r.id));
}

/** Waits until the server has left recovery (promoted), bounded by deadlineMs of the run clock. */
export async function waitPromoted(kit: RecoveryKit, clock: () => number, deadlineMs: number, target?: SuperuserTarget): Promise<boolean> {
  for (let i = 0; i < 100_000 && clock() < deadlineMs; i++) {
    const inRecovery = await kit.superuser(async (c) => (await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]?.r, target).catch(() => true);
    if (inRecovery === false) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Sets archive_timeout on the primary (ALTER SYSTEM, reload), so a quiet database still ships its WAL every s seconds. */
export async function setArchiveTimeout(kit: RecoveryKit, seconds: number): Promise<void> {
  await kit.superuser(async (c) => {
    await c.query(`ALTER SYSTEM SET archive_timeout = '${Math.max(1, Math.round(seconds))}s'`);
    await c.query('SELECT pg_reload_conf()');
  });
}

/** pg_amcheck of the perfgate database, heap and every index (amcheck installed when missing); throws on corruption. */
export async function amcheck(kit: RecoveryKit, target: SuperuserTarget): Promise<void> {
  await kit.pgTool('pg_amcheck', ['-h', target.socketDir, '-p', String(target.port), '-U', 'postgres', '--heapallindexed', '--install-missing', '-d', target.database ?? 'perfgate'], 300_000);
}

/** Writes the drill's figures and timeline as samples. */
export function writeFigures(ctx: DrillContext, figures: DrillFigures, timeline: Timeline): void {
  for (const s of drillSamples(figures, timeline.steps, ctx.clock())) ctx.writeSample(s);
}

/** Resolves after ms (a step of a drill's plan: "keep writing for 5 s after the backup"), or at once for 0. */
export function holdFor(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
