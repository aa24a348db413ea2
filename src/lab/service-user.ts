// PostgreSQL and PgBouncer refuse to run as root. When perfgate runs as root, they run as an unprivileged user:
// `postgres` (created by Debian's package) or `perfgate-lab` (created here when no such user exists).

import { execFileSync } from 'node:child_process';
import { chownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../errors.ts';

/** The user a service runs as: uid, gid and name. */
export interface ServiceUser {
  name: string;
  uid: number;
  gid: number;
}

const FALLBACK_USER = 'perfgate-lab';
let cached: ServiceUser | null | undefined;

/** The uid and gid of a user name, or null when the user does not exist. */
export function lookupUser(name: string): ServiceUser | null {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : null;
  } catch {
    return null;
  }
}

/**
 * The user PostgreSQL and PgBouncer must run as: null when perfgate is not root (they run as the caller),
 * otherwise `postgres`, or `perfgate-lab` (created with useradd on first use).
 */
export function serviceUser(): ServiceUser | null {
  if (cached !== undefined) return cached;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return (cached = null);
  const existing = lookupUser('postgres') ?? lookupUser(FALLBACK_USER);
  if (existing) return (cached = existing);
  try {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', FALLBACK_USER], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (err) {
    throw new LabError(
      `running as root: PostgreSQL needs an unprivileged user, and creating "${FALLBACK_USER}" failed: ` +
        `${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const created = lookupUser(FALLBACK_USER);
  if (!created) throw new LabError(`running as root: created user "${FALLBACK_USER}" but cannot look it up`);
  return (cached = created);
}

/** Gives a folder tree to the service user (no-op when there is none). */
export function chownTree(path: string, user: ServiceUser | null): void {
  if (!user) return;
  chownSync(path, user.uid, user.gid);
  if (!lstatSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) {
    const child = join(path, entry);
    if (lstatSync(child).isDirectory()) chownTree(child, user);
    else chownSync(child, user.uid, user.gid);
  }
}

/** spawn() options that run a child as the service user (empty when not root). */
export function asUser(user: ServiceUser | null): { uid?: number; gid?: number } {
  return user ? { uid: user.uid, gid: user.gid } : {};
}
