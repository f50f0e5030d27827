#!/usr/bin/env node
// `npm run bench -- <name> [flags]` runs test/bench/<name>.ts.
import { register } from 'tsx/esm/api';

register();
const { runBench } = await import('../test/bench/index.ts');
process.exitCode = await runBench(process.argv.slice(2));
