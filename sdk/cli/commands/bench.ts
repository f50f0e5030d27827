/**
 * `apogee bench produce|consume|e2e`: load generators against a running
 * cluster. A live progress line goes to stderr (on a terminal or with
 * --progress); the summary goes to stdout, as one JSON object with --json.
 */
import { Command, Option } from 'commander';
import { jsonOption, namesrvOption, parseDurationMs, parsePositiveInteger, parsePositiveNumber, timeoutOption } from '../options.ts';
import type { BenchFlags, BenchKind } from '../bench/bench-flags.ts';

export function benchCommand(): Command {
  const bench = new Command('bench')
    .summary('measure throughput and latency against a running cluster')
    .description(
      'Load generators. Each runs for --count messages or --duration, prints a progress line on stderr while running ' +
        '(on a terminal, or with --progress) and a summary: messages/s, MB/s (10^6 bytes), latency p50/p99/p99.9/max and errors. ' +
        'With --json the summary is one JSON object with messages, errors, seconds, msgsPerSec, mbPerSec, p50Ms, p99Ms, p999Ms, maxMs. Exits 1 if any operation failed.',
    );
  bench.addCommand(
    benchOptions(new Command('produce').description('Sends --size byte messages with --inflight sends outstanding across --producers producers; latency is each send\'s round trip.')),
  );
  bench.addCommand(
    benchOptions(new Command('consume').description('Consumes --topic from its first message with a fresh group across --consumers consumers; latency is receive time minus born time.')),
  );
  bench.addCommand(
    benchOptions(
      new Command('e2e').description('Sends at a fixed --rate while a consumer receives concurrently; latency is receive time minus born time (end to end).'),
    ).addOption(new Option('--rate <n>', 'messages per second offered').default(1000).argParser(parsePositiveNumber)),
  );
  for (const command of bench.commands) {
    const kind = command.name() as BenchKind;
    command.action(async (flags: BenchFlags) => {
      const { runBench } = await import('../bench/run-bench.ts');
      await runBench(kind, flags);
    });
  }
  return bench;
}

function benchOptions(command: Command): Command {
  return command
    .addOption(new Option('--topic <topic>', 'topic to use (created by the broker on first send when auto-creation is on)').default('BenchmarkTopic'))
    .addOption(new Option('--size <bytes>', 'message body size').default(128).argParser(parsePositiveInteger))
    .addOption(new Option('--count <n>', 'stop after this many messages').argParser(parsePositiveInteger).conflicts('duration'))
    .addOption(new Option('--duration <duration>', 'stop after this long (30s, 5m; default 10s unless --count)').argParser(parseDurationMs))
    .addOption(new Option('--inflight <n>', 'sends outstanding at once, across all producers').default(1000).argParser(parsePositiveInteger))
    .addOption(new Option('--producers <n>', 'producer instances (each with its own connections)').default(1).argParser(parsePositiveInteger))
    .addOption(new Option('--consumers <n>', 'consumer instances').default(1).argParser(parsePositiveInteger))
    .addOption(new Option('--batch <n>', 'messages per send request (1 = single sends)').default(1).argParser(parsePositiveInteger))
    .addOption(new Option('--flush-mode <mode>', "the broker's flush mode, recorded in the summary (informational; the broker decides)").choices(['ASYNC_FLUSH', 'SYNC_FLUSH']))
    .addOption(new Option('--group <group>', 'consumer group (default: a fresh one per run)'))
    .addOption(new Option('--progress', 'print the progress line even when stderr is not a terminal'))
    .addOption(namesrvOption())
    .addOption(timeoutOption())
    .addOption(jsonOption());
}
