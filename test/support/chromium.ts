// Opens local pages in headless Chromium (playwright-core, the system's chromium) and reports what went wrong on them.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** The Chromium binary of this machine, or undefined. */
export function findChromium(): string | undefined {
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const p = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (p) return p;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

/** What a page did that it should not: console errors, uncaught errors, failed requests; and its title and text. */
export interface PageCheck {
  consoleErrors: string[];
  failedRequests: string[];
  title: string;
  text: string;
}

/** Launches headless Chromium; open(path) loads a file and waits for it to settle. */
export async function launchChromium(executablePath: string): Promise<{ open(path: string): Promise<PageCheck>; close(): Promise<void> }> {
  const browser: Browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
  return {
    async open(path) {
      const page = await browser.newPage();
      const check: PageCheck = { consoleErrors: [], failedRequests: [], title: '', text: '' };
      page.on('console', (m) => m.type() === 'error' && check.consoleErrors.push(m.text()));
      page.on('pageerror', (e) => check.consoleErrors.push(String(e)));
      page.on('requestfailed', (r) => check.failedRequests.push(r.url()));
      try {
        await page.goto(pathToFileURL(path).href, { waitUntil: 'load', timeout: 90_000 });
        await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => undefined);
        check.title = await page.title();
        check.text = (await page.evaluate('document.body.innerText')) as string;
      } finally {
        await page.close();
      }
      return check;
    },
    close: () => browser.close(),
  };
}
