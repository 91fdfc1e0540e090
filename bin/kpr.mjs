#!/usr/bin/env node
// Entry point of the `kpr` command. The sources are TypeScript run through tsx, so the
// command works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('./kpr.ts');
process.exitCode = await main(process.argv);
