// Finds the system binaries the lab needs (PATH, then the usual Debian and Homebrew locations) and their versions.

import { accessSync, constants, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { PrerequisiteError } from '../errors.ts';

/** The binaries the lab can use. */
export type BinaryName = 'postgres' | 'initdb' | 'pg_ctl' | 'redis-server' | 'pgbouncer' | 'prometheus' | 'promtool' | 'pgbackrest';

/** Binaries `lab up` always needs (pgbouncer only with --pgbouncer). */
export const REQUIRED_BINARIES: readonly BinaryName[] = ['postgres', 'initdb', 'redis-server'];

/** Every binary doctor checks. */
export const ALL_BINARIES: readonly BinaryName[] = ['postgres', 'initdb', 'pg_ctl', 'redis-server', 'pgbouncer', 'prometheus', 'promtool', 'pgbackrest'];

/** Binaries the recovery drills need besides the lab's (`lab.recovery`). */
export const RECOVERY_BINARIES: readonly BinaryName[] = ['pgbackrest'];

/** The package that provides each binary (Debian apt, macOS Homebrew). */
const PACKAGES: Record<BinaryName, { apt: string; brew: string }> = {
  postgres: { apt: 'postgresql', brew: 'postgresql' },
  initdb: { apt: 'postgresql', brew: 'postgresql' },
  pg_ctl: { apt: 'postgresql', brew: 'postgresql' },
  'redis-server': { apt: 'redis-server', brew: 'redis' },
  pgbouncer: { apt: 'pgbouncer', brew: 'pgbouncer' },
  prometheus: { apt: 'prometheus', brew: 'prometheus' },
  promtool: { apt: 'prometheus', brew: 'prometheus' },
  pgbackrest: { apt: 'pgbackrest', brew: 'pgbackrest' },
};

/** Where to look. `dirs` replaces the whole search (PATH and the usual locations) when given. */
export interface BinarySearch {
  /** Only these folders (also from the PERFGATE_BIN_DIRS environment variable, path-delimiter separated). */
  dirs?: string[];
  /** The PATH to search (default process.env.PATH). */
  pathEnv?: string;
}

/** The install commands for a binary, one per platform. */
export function installCommands(name: BinaryName): { apt: string; brew: string } {
  const pkg = PACKAGES[name];
  return { apt: `apt-get install ${pkg.apt}`, brew: `brew install ${pkg.brew}` };
}

/** The full install line for every lab dependency. */
export const INSTALL_ALL = {
  apt: 'apt-get install postgresql redis-server pgbouncer',
  brew: 'brew install postgresql redis pgbouncer',
} as const;

/** Sorts version-like folder names ("9.6", "15", "16") from highest to lowest. */
export function sortVersionsDesc(versions: string[]): string[] {
  const key = (v: string): number[] => v.split('.').map((x) => Number.parseInt(x, 10) || 0);
  return [...versions].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
      const d = (kb[i] ?? 0) - (ka[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
}

/** The folders searched for a binary, in order. */
export function searchDirs(name: BinaryName, search: BinarySearch = {}): string[] {
  const override = search.dirs ?? envDirs();
  if (override) return override;
  const path = (search.pathEnv ?? process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const usual: string[] = [];
  if (['postgres', 'initdb', 'pg_ctl'].includes(name)) {
    for (const root of ['/usr/lib/postgresql', '/usr/local/opt', '/opt/homebrew/opt']) {
      usual.push(...pgVersionDirs(root));
    }
  }
  usual.push('/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/bin', '/usr/bin');
  return [...path, ...usual];
}

/** PERFGATE_BIN_DIRS as a list, or undefined when unset. */
function envDirs(): string[] | undefined {
  const raw = process.env.PERFGATE_BIN_DIRS;
  return raw === undefined ? undefined : raw.split(delimiter).filter(Boolean);
}

/** Versioned PostgreSQL bin folders under a root, highest version first. */
function pgVersionDirs(root: string): string[] {
  try {
    const entries = readdirSync(root);
    if (root === '/usr/lib/postgresql') return sortVersionsDesc(entries).map((v) => join(root, v, 'bin'));
    const pg = entries.filter((e) => /^postgresql(@\d+)?$/.test(e));
    const versions = sortVersionsDesc(pg.map((e) => e.split('@')[1] ?? '0'));
    return versions.map((v) => join(root, v === '0' ? 'postgresql' : `postgresql@${v}`, 'bin'));
  } catch {
    return [];
  }
}

/** The path of a binary, or null when it is not found. */
export function findBinary(name: BinaryName, search: BinarySearch = {}): string | null {
  for (const dir of searchDirs(name, search)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

/** The path of a binary; a PrerequisiteError with the install commands when it is missing. */
export function requireBinary(name: BinaryName, search: BinarySearch = {}): string {
  const found = findBinary(name, search);
  if (found) return found;
  const cmd = installCommands(name);
  throw new PrerequisiteError(
    `${name} not found (searched PATH and the usual locations). Install it:\n` +
      `  Debian/Ubuntu: ${cmd.apt}\n  macOS: ${cmd.brew}\n` +
      `  (everything the lab needs: ${INSTALL_ALL.apt}  |  ${INSTALL_ALL.brew}); run \`perfgate doctor\` to check`,
  );
}

/** The first line of `<binary> --version`, or null when it cannot be run. */
export function binaryVersion(path: string): string | null {
  try {
    const out = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n')[0]?.trim() || null;
  } catch {
    return null;
  }
}

/** A folder's sibling binary (pg_config next to postgres), when present. */
export function siblingBinary(binary: string, name: string): string | null {
  const candidate = join(binary, '..', name);
  try {
    accessSync(candidate, constants.X_OK);
    return candidate;
  } catch {
    return null;
  }
}
