// Safety: perfgate only loads loopback targets unless the host is explicitly allowed (--allow-host or
// target.allowHosts). Checked after DNS resolution, so a name that resolves elsewhere is refused too.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
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

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** Whether `hostname` is named in the allow-list (case-insensitive; `*.example.com` matches subdomains). */
export function isAllowedHost(hostname: string, allowHosts: readonly string[]): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return allowHosts.some((raw) => {
    const a = raw.toLowerCase().replace(/^\[|\]$/g, '');
    return a === h || (a.startsWith('*.') && h.endsWith(a.slice(1)));
  });
}

/** Resolves the target URL's host and refuses it unless every address is loopback or the host is allowed. */
export async function guardTarget(baseUrl: string, allowHosts: readonly string[] = []): Promise<ResolvedTarget> {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new HostNotAllowedError(`target.baseUrl: "${redactUrl(baseUrl)}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HostNotAllowedError(`target.baseUrl: only http:// and https:// targets are supported (got ${url.protocol})`);
  }
  const protocol = url.protocol;
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : protocol === 'https:' ? 443 : 80;
  const address = await guardHostname(hostname, allowHosts);
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
