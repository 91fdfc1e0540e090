#!/usr/bin/env node
// Entry point of the `kpr` command. The sources are TypeScript: after `npm ci` (its "prepare"
// script runs bin/build.mjs) they are served already transpiled from .kpr-build/, so the
// command starts without compiling anything; without a build (a clone before npm ci, or
// KPR_NO_BUILD=1) tsx compiles them as they load.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const built = new URL('../.kpr-build/manifest.json', import.meta.url);
if (existsSync(built) && !process.env.KPR_NO_BUILD) register('./loader.mjs', import.meta.url);
else (await import('tsx/esm/api')).register();
const { main } = await import('./kpr.ts');
process.exitCode = await main(process.argv);
