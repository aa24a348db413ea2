#!/usr/bin/env node
// The perfgate command: loads the TypeScript CLI through tsx, so no build step is needed. Both of tsx's hooks are
// registered: the ESM one for perfgate's own source, the CommonJS one so a CommonJS scenario (a .cjs, or a .js in a
// CommonJS project) can require('perfgate').
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

register();
registerCjs();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
