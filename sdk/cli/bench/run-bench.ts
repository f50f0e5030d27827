/**
 * Runs `apogee bench produce|consume|e2e`. Sends run as --inflight loops that
 * each await one send at a time, spread over the producers; a loop reuses one
 * message object, so the only per-send allocations are the SDK's own. Latency
 * goes into a fixed-size histogram.
 */
import type { Message, MessageExt } from '../../native/message.ts';
import { openConsumer, openProducer, type CliConsumer, type CliProducer } from '../clients.ts';
import { describeError } from '../describe-error.ts';
import { CliError, UsageError } from '../exit-codes.ts';
import { printJson, printLine } from '../output.ts';
import { onShutdownSignal, type ShutdownSignal } from '../signals.ts';
import { benchDurationDefaultMs, type BenchFlags, type BenchKind } from './bench-flags.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import { startProgress } from './progress.ts';
import { formatSummary, summarize } from './summary.ts';

/** Failures in a row, with nothing sent, after which a run stops: the cluster is not there. */
const consecutiveFailuresMax = 1000;
/** How long e2e waits for the consumer's first message before giving up. */
const e2eWarmupTimeoutMs = 30_000;
/** How long e2e waits after the last send for the messages still on their way. */
const e2eDrainTimeoutMs = 10_000;
/** Property that marks the messages of one e2e run, so older messages in the topic are not counted. */
const runProperty = 'apogeeBenchRun';

interface Counts {
  messages: number;
  errors: number;
  firstError?: string;
}

export async function runBench(kind: BenchKind, flags: BenchFlags): Promise<void> {
  if (kind === 'e2e' && flags.rate === undefined) throw new UsageError('bench e2e needs --rate');
  const shutdown = onShutdownSignal();
  const latency = new LatencyHistogram();
  const counts: Counts = { messages: 0, errors: 0 };
  const progress = startProgress(`bench ${kind}`, () => counts, flags.progress === true || process.stderr.isTTY === true);
  let elapsedMs: number;
  try {
    const run = kind === 'produce' ? benchProduce : kind === 'consume' ? benchConsume : benchEndToEnd;
    elapsedMs = await run(flags, counts, latency, shutdown);
  } finally {
    progress.stop();
    shutdown.dispose();
  }
  const summary = summarize(kind, flags, counts, elapsedMs, latency);
  if (flags.json) printJson(summary);
  else printLine(formatSummary(summary));
  if (counts.errors > 0) throw new CliError(`${counts.errors} operation${counts.errors === 1 ? '' : 's'} failed${counts.firstError ? ` (first: ${counts.firstError})` : ''}`);
}

/** The end condition shared by the runs: --count, else --duration (default 10 s), or a signal. */
function limits(flags: BenchFlags, shutdown: ShutdownSignal): { done(issued: number): boolean; deadline: number } {
  const deadline = flags.count === undefined ? performance.now() + (flags.duration ?? benchDurationDefaultMs) : Number.POSITIVE_INFINITY;
  return {
    deadline,
    done: (issued) => shutdown.requested || (flags.count !== undefined ? issued >= flags.count : performance.now() >= deadline),
  };
}

async function openProducers(flags: BenchFlags): Promise<CliProducer[]> {
  const producers: CliProducer[] = [];
  try {
    for (let index = 0; index < flags.producers; index++) {
      producers.push(await openProducer({ ...flags, group: 'apogee-bench-producer' }, { instanceName: `bench-${process.pid}-${index}` }));
    }
  } catch (error) {
    await Promise.allSettled(producers.map((producer) => producer.close()));
    throw error;
  }
  return producers;
}

function benchMessages(flags: BenchFlags, properties?: Record<string, string>): Message[] {
  const body = new Uint8Array(flags.size).fill(0x61);
  return Array.from({ length: flags.batch }, () => ({ topic: flags.topic, body, ...(properties ? { properties } : {}) }));
}

async function benchProduce(flags: BenchFlags, counts: Counts, latency: LatencyHistogram, shutdown: ShutdownSignal): Promise<number> {
  const producers = await openProducers(flags);
  const messages = benchMessages(flags);
  const end = limits(flags, shutdown);
  let issued = 0;
  let failuresInRow = 0;
  const loop = async (producer: CliProducer) => {
    while (!end.done(issued) && failuresInRow < consecutiveFailuresMax) {
      const size = Math.min(flags.batch, flags.count === undefined ? flags.batch : flags.count - issued);
      issued += size;
      const started = performance.now();
      try {
        if (size === 1) await producer.producer.send(messages[0]!);
        else await producer.producer.sendBatch(size === messages.length ? messages : messages.slice(0, size));
        latency.record(performance.now() - started);
        counts.messages += size;
        failuresInRow = 0;
      } catch (error) {
        counts.errors += size;
        failuresInRow += 1;
        counts.firstError ??= describeError(error);
      }
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: flags.inflight }, (_, index) => loop(producers[index % producers.length]!)));
  } finally {
    await Promise.allSettled(producers.map((producer) => producer.close()));
  }
  return performance.now() - started;
}

async function openConsumers(flags: BenchFlags, group: string, from: 'first' | 'last', onMessage: (message: MessageExt) => void): Promise<CliConsumer[]> {
  const consumers: CliConsumer[] = [];
  try {
    for (let index = 0; index < flags.consumers; index++) {
      consumers.push(await openConsumer(flags.topic, { ...flags, group, from }, onMessage, { instanceName: `bench-${process.pid}-${index}` }));
    }
  } catch (error) {
    await Promise.allSettled(consumers.map((consumer) => consumer.close()));
    throw error;
  }
  return consumers;
}

/** Resolves when `condition` holds, checked every `intervalMs`, or when `deadline` (performance.now) passes. */
async function until(condition: () => boolean, deadline: number, intervalMs = 20): Promise<boolean> {
  while (!condition()) {
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return true;
}

async function benchConsume(flags: BenchFlags, counts: Counts, latency: LatencyHistogram, shutdown: ShutdownSignal): Promise<number> {
  const group = flags.group ?? `apogee-bench-${process.pid}-${Date.now()}`;
  let firstAt = 0;
  let lastAt = 0;
  const consumers = await openConsumers(flags, group, 'first', (message) => {
    if (flags.count !== undefined && counts.messages >= flags.count) return;
    const now = performance.now();
    if (firstAt === 0) firstAt = now;
    lastAt = now;
    counts.messages += 1;
    latency.record(Date.now() - message.bornTimestamp);
  });
  const end = limits(flags, shutdown);
  try {
    await until(() => end.done(counts.messages), end.deadline);
  } finally {
    await Promise.allSettled(consumers.map((consumer) => consumer.close()));
  }
  // Throughput counts from the first message: joining the group and the first rebalance are not consumption.
  return firstAt === 0 ? 0 : Math.max(1, lastAt - firstAt);
}

async function benchEndToEnd(flags: BenchFlags, counts: Counts, latency: LatencyHistogram, shutdown: ShutdownSignal): Promise<number> {
  const runId = `${process.pid}-${Date.now()}`;
  const group = flags.group ?? `apogee-bench-e2e-${runId}`;
  let probesReceived = 0;
  let received = 0;
  const consumers = await openConsumers(flags, group, 'last', (message) => {
    if (message.properties[runProperty] !== runId) return;
    if (message.properties.apogeeBenchProbe !== undefined) {
      probesReceived += 1;
      return;
    }
    received += 1;
    counts.messages += 1;
    latency.record(Date.now() - message.bornTimestamp);
  });
  const producers = await openProducers(flags).catch(async (error: unknown) => {
    await Promise.allSettled(consumers.map((consumer) => consumer.close()));
    throw error;
  });
  try {
    await warmUp(producers[0]!, flags, runId, () => probesReceived > 0, shutdown);
    const [message] = benchMessages({ ...flags, batch: 1 }, { [runProperty]: runId });
    const started = performance.now();
    const sent = await sendAtRate(producers, message!, flags, counts, shutdown);
    await until(() => received >= sent || shutdown.requested, performance.now() + e2eDrainTimeoutMs);
    const lost = sent - received;
    if (lost > 0) {
      counts.errors += lost;
      counts.firstError ??= `${lost} sent message${lost === 1 ? '' : 's'} not received within ${e2eDrainTimeoutMs} ms`;
    }
    return performance.now() - started;
  } finally {
    await Promise.allSettled([...producers, ...consumers].map((client) => client.close()));
  }
}

/** Sends probes until the consumer receives one, so the measured run starts with queues assigned. */
async function warmUp(producer: CliProducer, flags: BenchFlags, runId: string, ready: () => boolean, shutdown: ShutdownSignal): Promise<void> {
  const deadline = performance.now() + e2eWarmupTimeoutMs;
  const probe: Message = { topic: flags.topic, body: 'probe', properties: { [runProperty]: runId, apogeeBenchProbe: '1' } };
  while (!ready() && !shutdown.requested) {
    if (performance.now() >= deadline) throw new CliError(`the consumer received nothing within ${e2eWarmupTimeoutMs} ms of joining group; is the topic readable?`);
    await producer.producer.send(probe);
    await until(() => ready() || shutdown.requested, Math.min(deadline, performance.now() + 200));
  }
}

/** Offers --rate messages per second (ticks every 5 ms), never more than --inflight outstanding. Returns how many were stored. */
async function sendAtRate(producers: CliProducer[], message: Message, flags: BenchFlags, counts: Counts, shutdown: ShutdownSignal): Promise<number> {
  const rate = flags.rate!;
  const end = limits(flags, shutdown);
  const started = performance.now();
  let offered = 0;
  let stored = 0;
  let outstanding = 0;
  let next = 0;
  while (!end.done(offered)) {
    const due = Math.floor(((performance.now() - started) * rate) / 1000) + 1;
    while (offered < due && outstanding < flags.inflight && !(flags.count !== undefined && offered >= flags.count)) {
      offered += 1;
      outstanding += 1;
      const producer = producers[next++ % producers.length]!;
      producer.producer.send(message).then(
        () => {
          outstanding -= 1;
          stored += 1;
        },
        (error: unknown) => {
          outstanding -= 1;
          counts.errors += 1;
          counts.firstError ??= describeError(error);
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await until(() => outstanding === 0, performance.now() + flags.timeout * 2);
  return stored;
}
