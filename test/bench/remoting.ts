/**
 * `npm run bench -- remoting [--seconds 3] [--rounds 3] [--inflight 1000] [--json]`
 *
 * Codec: encode and decode operations per second for a SEND_MESSAGE_V2-shaped
 * request (1 KiB body) in both header serializations, and for a
 * PULL_MESSAGE-shaped response. Round trips: an echo server in a fresh child
 * process, one client connection keeping `--inflight` requests outstanding,
 * answered requests per second. Each figure is the median of the rounds.
 */
import { parseArgs } from 'node:util';
import { createRequest, createResponse, SerializeType, type RemotingCommand } from '../../sdk/protocol/command.ts';
import { FrameDecoder, encodeFrame, encodeFrameParts } from '../../sdk/protocol/frame.ts';
import { RemotingClient } from '../../sdk/remoting/client.ts';
import { silentLogger } from '../../sdk/util/log.ts';
import { spawnTs } from '../helpers/child.ts';

export const description = 'frame codec ops/s and request/response round trips/s over loopback';

const sendHeader = {
  a: 'producer-group',
  b: 'BenchTopic',
  c: 'TBW102',
  d: '4',
  e: '3',
  f: '0',
  g: '1764067200000',
  h: '0',
  i: 'UNIQ_KEY\u00017F0000011F9C18B4AAC2000000000000\u0002WAIT\u0001true\u0002',
  j: '0',
  k: 'false',
  m: 'false',
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function opsPerSecond(seconds: number, operation: () => void): number {
  const deadline = performance.now() + seconds * 1000;
  let operations = 0;
  while (performance.now() < deadline) {
    for (let index = 0; index < 1000; index++) operation();
    operations += 1000;
  }
  return operations / seconds;
}

function codecFigures(seconds: number): Record<string, number> {
  const body = new Uint8Array(1024).fill(7);
  const figures: Record<string, number> = {};
  for (const [name, serializeType] of [['json', SerializeType.JSON], ['binary', SerializeType.ROCKETMQ]] as const) {
    const request = createRequest(310, sendHeader, body, serializeType);
    const frame = encodeFrame(request);
    const decoder = new FrameDecoder();
    let sink: RemotingCommand | undefined;
    figures[`encode send request (${name})`] = opsPerSecond(seconds, () => void encodeFrameParts(request));
    figures[`decode send request (${name})`] = opsPerSecond(seconds, () => decoder.push(frame, (command) => (sink = command)));
    if (!sink) throw new Error('decoder produced nothing');
  }
  const pull = createResponse(createRequest(11), 0, undefined, {
    suggestWhichBrokerId: '0',
    nextBeginOffset: '1032',
    minOffset: '0',
    maxOffset: '2048',
  }, new Uint8Array(32 * 1100));
  figures['encode pull response (json, 32 records)'] = opsPerSecond(seconds, () => void encodeFrameParts(pull));
  return figures;
}

async function roundTrips(seconds: number, inflight: number): Promise<number> {
  const server = spawnTs('test/helpers/echo-server.ts');
  try {
    const [, port] = await server.waitForLine(/^listening (\d+)$/);
    const address = `127.0.0.1:${port}`;
    const client = new RemotingClient({ log: silentLogger, maxInFlightPerConnection: inflight });
    const body = new Uint8Array(128);
    let answered = 0;
    let running = true;
    const worker = async () => {
      while (running) {
        await client.invokeSync(address, createRequest(1001, sendHeader, body), 10_000);
        answered++;
      }
    };
    await client.invokeSync(address, createRequest(1001), 5000);
    const started = performance.now();
    const workers = Array.from({ length: inflight }, worker);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    running = false;
    const elapsed = (performance.now() - started) / 1000;
    const count = answered;
    await Promise.all(workers);
    await client.close();
    return count / elapsed;
  } finally {
    await server.stop();
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '3' },
      inflight: { type: 'string', default: '1000' },
      json: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const inflight = Number(values.inflight);
  const samples: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    const figures = { ...codecFigures(seconds), [`round trips/s (${inflight} in flight)`]: await roundTrips(seconds, inflight) };
    for (const [name, value] of Object.entries(figures)) (samples[name] ??= []).push(value);
  }
  const summary = Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [name, { median: median(values), min: Math.min(...values), max: Math.max(...values) }]),
  );
  if (values.json) {
    console.log(JSON.stringify({ benchmark: 'remoting', rounds, seconds, inflight, figures: summary }));
    return 0;
  }
  const width = Math.max(...Object.keys(summary).map((name) => name.length));
  console.log(`remoting benchmark: ${rounds} rounds of ${seconds}s, median (min–max)`);
  for (const [name, figure] of Object.entries(summary)) {
    const format = (value: number) => Math.round(value).toLocaleString('en-US');
    console.log(`${name.padEnd(width)}  ${format(figure.median).padStart(12)}  (${format(figure.min)}–${format(figure.max)})`);
  }
  return 0;
}
