// Writes a run directory (format 1): run.json and summary.json atomically (temporary name, then rename),
// intervals.ndjson and samples.ndjson streamed by appending (flat memory), and `reports/latest`.

import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, symlinkSync, lstatSync, writeFileSync, writeSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { RunDirError } from '../errors.ts';
import { writeJsonAtomic } from './atomic-write.ts';
import { RUN_FILES, type IntervalRecord, type RunJson, type SampleRecord } from './format.ts';

/** Where a run directory goes. */
export interface RunDirOptions {
  /** The reports folder (default `reports` under cwd); the run gets `<YYYYMMDD-HHMMSS>-<scenario>` inside it. */
  reportsDir?: string;
  /** An explicit run directory (--out); `latest` is not updated then. */
  out?: string;
  scenario: string;
  startedAt?: Date;
}

/** `YYYYMMDD-HHMMSS` in UTC. */
export function runStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** A scenario name made safe for a folder name. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'run';
}

/** The file that marks a folder of runs perfgate owns: a reports folder, or the parent folder an --out created. */
export const RUNS_FOLDER_MARKER = '.perfgate-runs';

/** True when perfgate owns `dir` as a folder of runs, so it may write the folder's index.html. */
export function isRunsFolder(dir: string): boolean {
  return existsSync(join(dir, RUNS_FOLDER_MARKER));
}

/** Marks `dir` as a folder of runs perfgate owns. */
function markRunsFolder(dir: string): void {
  const marker = join(dir, RUNS_FOLDER_MARKER);
  if (!existsSync(marker)) writeFileSync(marker, 'A folder of perfgate runs: perfgate rebuilds its index.html.\n');
}

/** Streams one run's files. Call `flush()` every interval and `close()` at the end. */
export class RunDirWriter {
  private intervalsFd: number;
  private samplesFd: number;
  private intervalBuf: string[] = [];
  private sampleBuf: string[] = [];
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly latestIn: string | undefined,
  ) {
    this.intervalsFd = openSync(join(dir, RUN_FILES.intervals), 'a');
    this.samplesFd = openSync(join(dir, RUN_FILES.samples), 'a');
  }

  /** Creates the run directory (a fresh one: `-2`, `-3`... when the name is taken). */
  static create(opts: RunDirOptions): RunDirWriter {
    try {
      if (opts.out) {
        const dir = resolve(opts.out);
        // The first folder mkdir created: when it is above the run directory, the run's parent is perfgate's too.
        const created = mkdirSync(dir, { recursive: true });
        if (created !== undefined && created !== dir) markRunsFolder(dirname(dir));
        return new RunDirWriter(dir, undefined);
      }
      const reports = resolve(opts.reportsDir ?? 'reports');
      mkdirSync(reports, { recursive: true });
      markRunsFolder(reports);
      const base = `${runStamp(opts.startedAt ?? new Date())}-${safeName(opts.scenario)}`;
      let dir = join(reports, base);
      for (let i = 2; existsSync(dir); i++) dir = join(reports, `${base}-${i}`);
      mkdirSync(dir);
      return new RunDirWriter(dir, reports);
    } catch (err) {
      throw new RunDirError(`cannot create the run directory: ${(err as Error).message}`);
    }
  }

  /** Writes run.json atomically. */
  writeRun(run: RunJson): void {
    writeJsonAtomic(join(this.dir, RUN_FILES.run), run);
  }

  /** Writes any whole JSON file of the run directory atomically (summary.json, verdict.json). */
  writeJson(name: string, value: unknown): void {
    writeJsonAtomic(join(this.dir, name), value);
  }

  /** Queues interval records (written at the next flush). */
  appendIntervals(records: readonly IntervalRecord[]): void {
    for (const r of records) this.intervalBuf.push(JSON.stringify(r));
  }

  /** Queues one collector sample (written at the next flush). */
  appendSample(record: SampleRecord): void {
    this.sampleBuf.push(JSON.stringify(record));
  }

  /** Appends what is queued to the NDJSON files. */
  flush(): void {
    if (this.closed) return;
    if (this.intervalBuf.length) {
      writeSync(this.intervalsFd, `${this.intervalBuf.join('\n')}\n`);
      this.intervalBuf = [];
    }
    if (this.sampleBuf.length) {
      writeSync(this.samplesFd, `${this.sampleBuf.join('\n')}\n`);
      this.sampleBuf = [];
    }
  }

  /** Flushes and closes the streams, and points `latest` at this run. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.intervalsFd);
    closeSync(this.samplesFd);
    if (this.latestIn) updateLatest(this.latestIn, basename(this.dir));
  }
}

/** Points `<reportsDir>/latest` at the run: a relative symlink, or a file holding the name where symlinks fail. */
export function updateLatest(reportsDir: string, runName: string): void {
  const link = join(reportsDir, 'latest');
  try {
    if (existsSync(link) || isLink(link)) {
      if (lstatSync(link).isDirectory()) rmSync(link, { recursive: true });
      else unlinkSync(link);
    }
    const tmp = `${link}.tmp-${process.pid}`;
    try {
      symlinkSync(runName, tmp);
      renameSync(tmp, link);
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        /* not created */
      }
      writeFileSync(link, `${runName}\n`);
    }
  } catch {
    /* latest is a convenience; never fail a run over it */
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
