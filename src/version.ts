// perfgate's own version, read once from package.json.

import { readFileSync } from 'node:fs';

/** The version in package.json. */
export const PERFGATE_VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;
