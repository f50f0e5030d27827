/**
 * `apogee consume TOPIC --group G`: prints messages as they arrive, until
 * --count messages, SIGINT or SIGTERM (exit 0), or --wait without enough
 * messages (exit 1).
 */
import { Command, Option } from 'commander';
import { jsonOption, namesrvOption, parseDurationMs, parsePositiveInteger, timeoutOption } from '../options.ts';
import type { ConsumerFlags } from '../clients.ts';

export interface ConsumeFlags extends ConsumerFlags {
  count?: number;
  wait?: number;
  body: 'text' | 'base64' | 'hex';
}

export function consumeCommand(): Command {
  return new Command('consume')
    .summary('print messages of a topic as they arrive')
    .description(
      'Joins consumer group --group on TOPIC and prints each message as it arrives (one line each; --json for one JSON object per line). ' +
        'Stops after --count messages or on Ctrl-C / SIGTERM (exit 0); with --wait, gives up after that long without --count messages (exit 1). ' +
        'Each printed message is acknowledged, so the group moves past it.',
    )
    .argument('<topic>', 'topic to consume')
    .requiredOption('--group <group>', 'consumer group')
    .addOption(new Option('--tags <expression>', 'only messages with these tags: TagA || TagB (default: all)'))
    .addOption(new Option('--from <where>', 'where a new group starts: first (oldest message) or last (new messages only)').choices(['first', 'last']).default('last'))
    .addOption(new Option('--count <n>', 'stop after this many messages').argParser(parsePositiveInteger))
    .addOption(new Option('--wait <duration>', 'give up after this long (30s, 5m) if --count messages have not arrived').argParser(parseDurationMs))
    .addOption(new Option('--body <format>', 'how to print bodies').choices(['text', 'base64', 'hex']).default('text'))
    .addOption(namesrvOption())
    .addOption(timeoutOption())
    .addOption(jsonOption())
    .addHelpText('after', '\nExample:\n  apogee consume orders --group billing --from first --count 10')
    .action(async (topic: string, flags: ConsumeFlags) => {
      const { runConsume } = await import('./consume-run.ts');
      await runConsume(topic, flags);
    });
}
