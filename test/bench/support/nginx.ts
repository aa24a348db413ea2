// A private nginx for benchmarks: one worker, `return 200` of a small JSON, on a free loopback port, config and
// logs in a temporary folder, optionally pinned to a CPU and logging each request's arrival time ($msec).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running nginx. */
export interface Nginx {
  url: string;
  /** Arrival times in ms (epoch, ms resolution) from the access log; only when started with log: true. */
  arrivals(): number[];
  stop(): Promise<void>;
}

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Starts nginx (pinned with taskset to `cpu` when given). */
export async function startNginx(opts: { cpu?: number; log?: boolean } = {}): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-nginx-'));
  const port = await freePort();
  const log = join(dir, 'access.log');
  writeFileSync(join(dir, 'nginx.conf'), `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
worker_rlimit_nofile 20000;
events { worker_connections 16000; }
http {
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  ${opts.log ? `log_format t '$msec'; access_log ${log} t buffer=64k flush=1s;` : 'access_log off;'}
  keepalive_requests 10000000; keepalive_timeout 120s;
  server {
    listen 127.0.0.1:${port} backlog=8192;
    location / { default_type application/json; return 200 '{"ok":true,"service":"nginx"}'; }
  }
}
`);
  const nice = process.env.BENCH_NICE ?? '-10';
  const pin = opts.cpu === undefined ? [] : ['taskset', '-c', String(opts.cpu)];
  const cmd = [...(nice === '0' ? [] : ['nice', '-n', nice]), ...pin, 'nginx'];
  const child: ChildProcess = spawn(cmd[0]!, [...cmd.slice(1), '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const r = await fetch(url);
      await r.text();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not start: ${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    arrivals: () =>
      existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => Math.round(Number(l) * 1000)) : [],
    stop: async () => {
      child.kill('SIGQUIT');
      await new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          r();
        }, 5000);
        child.on('exit', () => {
          clearTimeout(t);
          r();
        });
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
