#!/usr/bin/env node
// The `apogee` command. Sources are TypeScript; tsx compiles them as they load.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../sdk/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
