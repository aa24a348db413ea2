// The prerequisite checks behind `perfgate doctor`: binaries with versions, Node, Chromium, the open-file limit.

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ALL_BINARIES, binaryVersion, findBinary, installCommands, type BinaryName, type BinarySearch } from './binaries.ts';
import { NEEDED_OPEN_FILES, openFileLimit } from './open-files.ts';
import { serviceUser } from './service-user.ts';

/** One check: OK, MISSING (required, fails doctor), or WARN (optional or degraded). */
export interface DoctorCheck {
  name: string;
  status: 'ok' | 'missing' | 'warn';
  /** Path, version or value found. */
  detail: string;
  /** How to fix it, when not ok. */
  fix?: string[];
  required: boolean;
}

/** Binaries a lab cannot start without (pgbouncer is needed by --pgbouncer and the connection-storm drill; pgbackrest, optional, by the recovery drills). */
const REQUIRED: ReadonlySet<BinaryName> = new Set(['postgres', 'initdb', 'redis-server', 'pgbouncer']);
/** What an optional binary is for, in its "not found" line. */
const OPTIONAL_USE: Partial<Record<BinaryName, string>> = {
  prometheus: 'only `lab up --prometheus` and the alert rules\' tests need it',
  promtool: 'only the alert rules\' tests need it',
};

/** Open files wanted by PgBouncer's max_client_conn (10,500), plus headroom. */
export const WANTED_OPEN_FILES = NEEDED_OPEN_FILES;

/** Finds Chromium for the report tests (PATH, the usual names). */
export function findChromium(pathEnv = process.env.PATH ?? ''): string | null {
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
  const dirs = pathEnv.split(delimiter).filter(Boolean);
  for (const dir of [...dirs, '/usr/bin', '/Applications/Chromium.app/Contents/MacOS']) {
    for (const name of [...names, 'Chromium']) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // keep looking
      }
    }
  }
  return null;
}

/** The open-file limit against what the connection-storm drill needs, and whether the lab can raise it itself. */
function openFilesCheck(): DoctorCheck {
  const limit = openFileLimit();
  const enough = limit.soft !== null && limit.soft >= WANTED_OPEN_FILES;
  const raisable = limit.hard !== null && limit.hard >= WANTED_OPEN_FILES;
  const fix = raisable
    ? `the lab raises it to ${WANTED_OPEN_FILES}+ itself (hard limit allows it)`
    : `10,000 PgBouncer clients need ${WANTED_OPEN_FILES}: run \`ulimit -n ${WANTED_OPEN_FILES}\` as root, or raise the hard limit`;
  return { name: 'open files', status: enough ? 'ok' : 'warn', detail: `soft ${limit.soft ?? '?'}, hard ${limit.hard ?? '?'}`, fix: enough ? undefined : [fix], required: false };
}

/** Runs every check (reads the file system and runs `--version`; never throws). */
export function runDoctor(search: BinarySearch = {}): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  for (const name of ALL_BINARIES) {
    const path = findBinary(name, search);
    const required = REQUIRED.has(name);
    if (path) {
      checks.push({ name, status: 'ok', detail: `${binaryVersion(path) ?? 'version unknown'} (${path})`, required });
    } else {
      const cmd = installCommands(name);
      checks.push({ name, status: required ? 'missing' : 'warn', detail: OPTIONAL_USE[name] ? `not found (${OPTIONAL_USE[name]})` : 'not found', fix: [`Debian/Ubuntu: ${cmd.apt}`, `macOS: ${cmd.brew}`], required });
    }
  }
  const major = Number(process.versions.node.split('.')[0]);
  checks.push({
    name: 'node',
    status: major >= 20 ? 'ok' : 'missing',
    detail: `v${process.versions.node}`,
    fix: major >= 20 ? undefined : ['Node.js 20 or later is required: https://nodejs.org'],
    required: true,
  });
  const chromium = findChromium();
  checks.push({
    name: 'chromium',
    status: chromium ? 'ok' : 'warn',
    detail: chromium ?? 'not found (only the report tests need it)',
    fix: chromium ? undefined : ['Debian/Ubuntu: apt-get install chromium', 'macOS: brew install --cask chromium'],
    required: false,
  });
  checks.push(openFilesCheck());
  const user = (() => {
    try {
      return serviceUser();
    } catch {
      return null;
    }
  })();
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    checks.push({
      name: 'root',
      status: user ? 'ok' : 'warn',
      detail: user ? `PostgreSQL and PgBouncer will run as "${user.name}" (uid ${user.uid})` : 'no unprivileged user for PostgreSQL',
      required: false,
    });
  }
  return checks;
}

/** Formats the checks for a terminal (pure). */
export function formatDoctor(checks: DoctorCheck[]): string {
  const label = { ok: 'OK     ', missing: 'MISSING', warn: 'WARN   ' } as const;
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${label[c.status]} ${c.name.padEnd(13)} ${c.detail}`);
    for (const fix of c.fix ?? []) lines.push(`${' '.repeat(22)}${fix}`);
  }
  const missing = checks.filter((c) => c.status === 'missing');
  lines.push('');
  lines.push(
    missing.length
      ? `${missing.length} required prerequisite${missing.length > 1 ? 's are' : ' is'} missing: ${missing.map((c) => c.name).join(', ')}`
      : 'everything perfgate needs is installed',
  );
  return `${lines.join('\n')}\n`;
}
