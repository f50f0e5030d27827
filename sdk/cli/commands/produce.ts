/**
 * `apogee produce TOPIC`: sends messages and prints where each was stored.
 * The body comes from --body, --file, or stdin (one message per line).
 */
import { Command, Option } from 'commander';
import { jsonOption, namesrvOption, parsePositiveInteger, timeoutOption, type ClientFlags } from '../options.ts';

export interface ProduceFlags extends ClientFlags {
  tags?: string;
  keys?: string;
  count?: number;
  body?: string;
  file?: string;
  property: string[];
  group: string;
  shardingKey?: string;
  delayLevel?: number;
}

export function produceCommand(): Command {
  return new Command('produce')
    .summary('send messages to a topic')
    .description(
      'Sends messages to TOPIC and prints each message id, queue and offset. The body is --body TEXT, the contents of --file, ' +
        'or else each line read from stdin is one message. Exits 1 if any send failed.',
    )
    .argument('<topic>', 'topic to send to')
    .addOption(new Option('--body <text>', 'message body (UTF-8)').conflicts('file'))
    .addOption(new Option('--file <path>', 'send the contents of a file as the body'))
    .addOption(new Option('--count <n>', 'send the --body or --file message this many times; with stdin, stop after this many lines').argParser(parsePositiveInteger))
    .addOption(new Option('--tags <tag>', 'message tag consumers can filter on'))
    .addOption(new Option('--keys <keys>', 'business keys, comma-separated (indexed for `apogee message query`)'))
    .addOption(new Option('--property <name=value>', 'user property (repeatable)').argParser(collect).default([]))
    .addOption(new Option('--sharding-key <key>', 'send every message with this key to the same queue (ordered)'))
    .addOption(new Option('--delay-level <level>', 'deliver later, at the broker delay level 1..18 (1s 5s 10s 30s 1m ...)').argParser(parsePositiveInteger))
    .addOption(new Option('--group <group>', 'producer group').default('apogee-cli-producer'))
    .addOption(namesrvOption())
    .addOption(timeoutOption())
    .addOption(jsonOption())
    .addHelpText('after', '\nExamples:\n  apogee produce orders --body \'{"id":1}\' --tags created --keys order-1\n  seq 1 100 | apogee produce numbers')
    .action(async (topic: string, flags: ProduceFlags) => {
      const { runProduce } = await import('./produce-run.ts');
      await runProduce(topic, flags);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
