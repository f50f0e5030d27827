import { register } from 'tsx/esm/api';
register();
const { run } = await import('/work/main/test/bench/store.ts');
process.exitCode = await run(process.argv.slice(2));
