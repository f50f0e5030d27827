/**
 * `npm run bench -- profile-summary <file.cpuprofile> [--top 25]`
 *
 * Prints where a V8 CPU profile (from `node --cpu-prof`) spent its time: self
 * time per function, with its file and line, heaviest first. A flame graph
 * tells the same story; this fits in a terminal and a closing note.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export const description = 'summarise a node --cpu-prof profile: self time per function';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  if (positionals.length === 0) {
    console.error('usage: npm run bench -- profile-summary <file.cpuprofile> [--top N]');
    return 2;
  }
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const selfSamples = new Map<string, number>();
    for (const id of profile.samples) {
      const frame = byId.get(id)!.callFrame;
      const where = frame.url ? `${frame.url.replace(/^.*\/work\/main\//, '').replace(/^file:\/\//, '')}:${frame.lineNumber + 1}` : '';
      const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
      selfSamples.set(key, (selfSamples.get(key) ?? 0) + 1);
    }
    const total = profile.samples.length;
    console.log(`${file}: ${total} samples`);
    const rows = [...selfSamples].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
    for (const [key, count] of rows) console.log(`${((count / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
  return 0;
}
