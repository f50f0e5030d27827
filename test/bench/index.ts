// `npm run bench -- <name> [flags]` lands here (via bin/run-bench.mjs) and
// runs test/bench/<name>.ts, a module exporting `run(argv): Promise<number>`
// and optionally `description: string`.
import { access, readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface BenchModule {
  run?: (argv: string[]) => Promise<number>;
  description?: string;
}

const benchDirectory = fileURLToPath(new URL('./', import.meta.url));
const benchNamePattern = /^[a-z0-9-]+$/;
/** Files of this folder that are harness parts, not benchmarks. */
const notBenchmarks = new Set(['index', 'child', 'settle', 'stats', 'workloads']);

/**
 * Runs one benchmark and returns its exit code.
 *
 * @example
 * await runBench(['compare', '--quick']); // runs test/bench/compare.ts
 */
export async function runBench(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(await listing());
    return name === undefined ? 2 : 0;
  }
  const module = benchNamePattern.test(name) && !notBenchmarks.has(name) ? await load(name) : undefined;
  if (module?.run === undefined) {
    console.error(`unknown benchmark: ${name}\n${await listing()}`);
    return 2;
  }
  return module.run(rest);
}

async function load(name: string): Promise<BenchModule | undefined> {
  const path = `${benchDirectory}${name}.ts`;
  try {
    await access(path);
  } catch {
    return undefined;
  }
  return (await import(pathToFileURL(path).href)) as BenchModule;
}

async function listing(): Promise<string> {
  const lines = ['usage: npm run bench -- <name> [flags]', '', 'benchmarks:'];
  const files = (await readdir(benchDirectory)).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts')).sort();
  for (const file of files) {
    const name = file.slice(0, -'.ts'.length);
    if (notBenchmarks.has(name) || !benchNamePattern.test(name)) continue;
    try {
      const module = await load(name);
      if (typeof module?.run === 'function') lines.push(`  ${name.padEnd(16)} ${module.description ?? ''}`.trimEnd());
    } catch (error) {
      lines.push(`  ${name.padEnd(16)} (does not load: ${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return lines.join('\n');
}
