// Safety: perfgate only loads loopback targets unless the host is explicitly allowed (--allow-host or
// target.allowHosts). Checked after DNS resolution, so a name that resolves elsewhere is refused too. The same rule
// covers `sql` connection URLs (every host pg would use, read with pg's own parser) and the collectors' URLs, and
// each hands on the address it checked, so a second DNS answer cannot move the connection elsewhere.

import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { parse as parsePg, toClientConfig, type ConnectionOptions } from 'pg-connection-string';
import type { ClientConfig } from 'pg';
import { HostNotAllowedError } from '../errors.ts';
import { redactUrl } from '../redact.ts';

/** A target host resolved and cleared for load. */
export interface ResolvedTarget {
  /** `http:` or `https:`. */
  protocol: 'http:' | 'https:';
  /** `protocol//host[:port]` as written in the URL, lower-cased: what redirects are compared with. */
  origin: string;
  /** Host name as written in the URL (used for the Host header, and for TLS server name indication). */
  hostname: string;
  /** The address the engine connects to. */
  address: string;
  port: number;
  /** host:port for the Host header. */
  hostHeader: string;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback in any spelling (`::ffff:127.0.0.1`, `::ffff:7f00:1`). */
export function isLoopbackAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '');
  const family = isIP(a);
  return family !== 0 && LOOPBACK.check(a, family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether `hostname` is named in the allow-list (case-insensitive; `*.example.com` matches subdomains). */
export function isAllowedHost(hostname: string, allowHosts: readonly string[]): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return allowHosts.some((raw) => {
    const a = raw.toLowerCase().replace(/^\[|\]$/g, '');
    return a === h || (a.startsWith('*.') && h.endsWith(a.slice(1)));
  });
}

/** Resolves the target URL's host and refuses it unless every address is loopback or the host is allowed; `what` names the field in errors. */
export async function guardTarget(baseUrl: string, allowHosts: readonly string[] = [], what?: string): Promise<ResolvedTarget> {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new HostNotAllowedError(`${what ?? 'target.baseUrl'}: "${redactUrl(baseUrl)}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HostNotAllowedError(`${what ?? 'target.baseUrl'}: only http:// and https:// targets are supported (got ${url.protocol})`);
  }
  const protocol = url.protocol;
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : protocol === 'https:' ? 443 : 80;
  const address = await guardHostname(hostname, allowHosts, what);
  return { protocol, origin: `${protocol}//${url.host}`.toLowerCase(), hostname, address, port, hostHeader: url.host };
}

/** Resolves a host name and refuses it unless every address is loopback or the host is allowed; returns the address to use. */
export async function guardHostname(hostname: string, allowHosts: readonly string[] = [], what = 'target host'): Promise<string> {
  const allowed = isAllowedHost(hostname, allowHosts);
  let addresses: string[];
  if (isIP(hostname)) addresses = [hostname];
  else {
    try {
      addresses = (await lookup(hostname, { all: true })).map((a) => a.address);
    } catch (err) {
      throw new HostNotAllowedError(`${what} "${hostname}" could not be resolved (${(err as Error).message})`);
    }
  }
  if (!allowed) {
    const outside = addresses.filter((a) => !isLoopbackAddress(a));
    if (outside.length > 0 || addresses.length === 0) {
      throw new HostNotAllowedError(
        `${what} "${hostname}" resolves to ${outside.join(', ') || 'nothing'}, which is not loopback; ` +
          `perfgate only loads loopback targets unless you name the host with --allow-host ${hostname} or target.allowHosts`,
      );
    }
  }
  return addresses.find((a) => isIP(a) === 4) ?? addresses[0]!;
}

/** Checks a redirect location against the same rule (used when a redirect would be followed). */
export async function guardRedirect(location: string, base: string, allowHosts: readonly string[]): Promise<ResolvedTarget> {
  return guardTarget(new URL(location, base).toString(), allowHosts);
}

/** A PostgreSQL connection URL cleared by the guard: every host pg would use, pinned to the address that was checked. */
export interface PinnedPg {
  /** The connection URL as written (for its user, password, database and options). */
  url: string;
  /** pg's `host`: the checked addresses (or allowed Unix socket folders), comma-separated as pg reads them. */
  host: string;
  /** The host name as written, for TLS server name indication when it was a name. */
  servername?: string;
}

/** A Unix socket (a folder path, as pg and libpq read a host starting with `/`). */
function isSocketPath(host: string): boolean {
  return host.startsWith('/');
}

/**
 * Checks a PostgreSQL URL as pg reads it (pg-connection-string: `?host=` wins over the URL's host; comma-separated
 * hosts): refuses an empty host, a Unix socket unless its folder is allowed, and any host that is not loopback or
 * allowed; returns the connection pinned to the checked addresses.
 */
export async function guardPgUrl(url: string, allowHosts: readonly string[], what: string): Promise<PinnedPg> {
  let parsed: ConnectionOptions;
  try {
    parsed = parsePg(url);
  } catch {
    throw new HostNotAllowedError(`${what}: "${redactUrl(url)}" is not a PostgreSQL connection URL`);
  }
  const hosts = (parsed.host ?? '').split(',').map((h) => h.trim());
  if (hosts.some((h) => h === '')) {
    throw new HostNotAllowedError(`${what}: "${redactUrl(url)}" names no host (pg would fall back to PGHOST or localhost); write the host in the URL`);
  }
  const pinned: string[] = [];
  for (const h of hosts) {
    if (!isSocketPath(h)) pinned.push(await guardHostname(h, allowHosts, what));
    else if (isAllowedHost(h, allowHosts)) pinned.push(h);
    else throw new HostNotAllowedError(`${what}: the Unix socket "${h}" is refused unless its folder is named with --allow-host ${h} or target.allowHosts`);
  }
  const named = hosts.find((h) => !isSocketPath(h) && !isIP(h));
  return { url, host: pinned.join(','), ...(named ? { servername: named } : {}) };
}

/** pg's client config for a pinned connection: the URL's settings, with the host replaced by the checked addresses. */
export function pgClientConfig(pinned: PinnedPg): ClientConfig {
  const config = toClientConfig(parsePg(pinned.url)) as ClientConfig;
  config.host = pinned.host;
  if (config.ssl && pinned.servername) config.ssl = { ...(config.ssl === true ? {} : config.ssl), servername: pinned.servername };
  return config;
}

/** A Redis URL cleared by the guard: the checked address ioredis connects to instead of the URL's host. */
export interface PinnedRedis {
  url: string;
  /** The checked address; absent for an allowed Unix socket (`?path=`), which ioredis then uses. */
  address?: string;
}

/**
 * Checks a Redis URL as ioredis reads it (its query parameters fill options the URL leaves out, so `?host=` counts and
 * `?path=` is a Unix socket): refuses an empty host and a socket unless allowed; returns the checked address.
 */
export async function guardRedisUrl(url: string, allowHosts: readonly string[], what: string): Promise<PinnedRedis> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new HostNotAllowedError(`${what}: "${redactUrl(url)}" is not a Redis URL`);
  }
  const socket = u.searchParams.get('path');
  if (socket !== null && !isAllowedHost(socket, allowHosts)) {
    throw new HostNotAllowedError(`${what}: the Unix socket "${socket}" is refused unless it is named with --allow-host ${socket}`);
  }
  if (socket !== null) return { url };
  const host = u.hostname.replace(/^\[|\]$/g, '') || (u.searchParams.get('host') ?? '');
  if (!host) throw new HostNotAllowedError(`${what}: "${redactUrl(url)}" names no host; write the host in the URL`);
  return { url, address: await guardHostname(host, allowHosts, what) };
}

/** The Redis URL with its host replaced by the checked address (and no `?host=`), for ioredis. */
export function pinnedRedisUrl(pinned: PinnedRedis): string {
  if (!pinned.address) return pinned.url;
  const u = new URL(pinned.url);
  u.hostname = isIP(pinned.address) === 6 ? `[${pinned.address}]` : pinned.address;
  u.searchParams.delete('host');
  return u.toString();
}

/** A DNS lookup that always answers the checked address (for clients that take a URL but connect through `lookup`). */
export function pinnedLookup(address: string): (host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => void {
  const family = isIP(address) === 6 ? 6 : 4;
  return (_host, options, cb) => (options?.all ? cb(null, [{ address, family }]) : cb(null, address, family));
}
