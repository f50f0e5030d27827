/**
 * `apogee group create|delete|list|describe`, `apogee lag GROUP`,
 * `apogee offset reset`, `apogee message get|query` and `apogee
 * broker-status`: group, offset, message and broker administration through --namesrv.
 */
import { Command, Option } from 'commander';
import { parseNonNegativeInteger, parsePositiveInteger, parseTime, type ClientFlags } from '../options.ts';
import { addClientOptions } from './topic.ts';

export interface GroupFlags extends ClientFlags {
  retryMax?: number;
  broadcast?: boolean;
  consumeEnable?: boolean;
  cluster?: string;
  topic?: string;
}

export interface MessageFlags extends ClientFlags {
  topic?: string;
  key?: string;
  max: number;
  begin?: number;
  end?: number;
  body: 'text' | 'base64' | 'hex';
}

export interface OffsetFlags extends ClientFlags {
  topic?: string;
  to: number;
}

export function groupCommand(): Command {
  const group = new Command('group').summary('create, delete, list and describe consumer groups').description('Consumer group administration through the NameServer in --namesrv.');
  const create = new Command('create')
    .argument('<group>', 'consumer group name')
    .description('Creates (or updates) a subscription group on every broker.')
    .addOption(new Option('--retry-max <n>', 'deliveries before a message goes to the dead-letter queue (default 16)').argParser(parseNonNegativeInteger))
    .addOption(new Option('--broadcast', 'every consumer of the group gets every message'))
    .addOption(new Option('--no-consume-enable', 'create the group with consumption paused'))
    .addOption(new Option('--cluster <name>', 'only the brokers of this cluster (default: every broker)'));
  const remove = new Command('delete').argument('<group>', 'consumer group name').description('Deletes a subscription group and its offsets from every broker.');
  const list = new Command('list').description('Lists the subscription groups the brokers know.');
  const describe = new Command('describe').argument('<group>', 'consumer group name').description("Shows a group's settings, its connected consumers and its progress on each queue.");
  for (const [verb, command] of [['create', create], ['delete', remove], ['list', list], ['describe', describe]] as const) {
    group.addCommand(
      addClientOptions(command).action(async (...args: unknown[]) => {
        const { runGroup } = await import('./admin-run.ts');
        await runGroup(verb, verb === 'list' ? undefined : (args[0] as string), (verb === 'list' ? args[0] : args[1]) as GroupFlags);
      }),
    );
  }
  return group;
}

export function lagCommand(): Command {
  return addClientOptions(
    new Command('lag')
      .summary("show how far a consumer group is behind, per queue")
      .description('For each queue the group consumes: the broker offset, the group\'s committed offset and the difference (lag), with the total.')
      .argument('<group>', 'consumer group')
      .addOption(new Option('--topic <topic>', 'only this topic')),
  ).action(async (group: string, flags: GroupFlags) => {
    const { runLag } = await import('./admin-run.ts');
    await runLag(group, flags);
  });
}

export function messageCommand(): Command {
  const message = new Command('message').summary('look up stored messages by id or key').description('Looks up stored messages.');
  message.addCommand(
    addClientOptions(
      new Command('get')
        .argument('<id>', 'message id: the offsetMsgId of a send result, or its msgId (unique id) with --topic')
        .description('Shows one message, its properties and its body.')
        .addOption(new Option('--topic <topic>', 'topic of the message (needed to find a unique id)'))
        .addOption(bodyOption()),
    ).action(async (id: string, flags: MessageFlags) => {
      const { runMessageGet } = await import('./admin-run.ts');
      await runMessageGet(id, flags);
    }),
  );
  message.addCommand(
    addClientOptions(
      new Command('query')
        .description('Finds messages of a topic by key (the --keys given when they were sent).')
        .requiredOption('--topic <topic>', 'topic to search')
        .requiredOption('--key <key>', 'message key')
        .addOption(new Option('--max <n>', 'most messages to return').default(32).argParser(parsePositiveInteger))
        .addOption(new Option('--begin <time>', 'stored at or after (now, -1h, ISO date, epoch ms; default: earliest)').argParser((value) => parseTime(value)))
        .addOption(new Option('--end <time>', 'stored before (default: now)').argParser((value) => parseTime(value)))
        .addOption(bodyOption()),
    ).action(async (flags: MessageFlags) => {
      const { runMessageQuery } = await import('./admin-run.ts');
      await runMessageQuery(flags);
    }),
  );
  return message;
}

export function offsetCommand(): Command {
  const offset = new Command('offset').summary("move a consumer group's offsets").description("Changes a consumer group's committed offsets.");
  offset.addCommand(
    addClientOptions(
      new Command('reset')
        .argument('<group>', 'consumer group')
        .description(
          'Moves the group, on every queue of --topic (default: every topic the group has committed offsets on, retry topics aside), ' +
            'to the first message stored at or after --to. Running consumers of the group are told to follow.',
        )
        .addOption(new Option('--topic <topic>', 'topic whose offsets move'))
        .requiredOption('--to <time>', 'now, earliest, -10m, -2h, -1d, an ISO date (2024-05-01T12:00:00Z) or epoch ms', (value) => parseTime(value)),
    ).action(async (group: string, flags: OffsetFlags) => {
      const { runOffsetReset } = await import('./admin-run.ts');
      await runOffsetReset(group, flags);
    }),
  );
  return offset;
}

export function brokerStatusCommand(): Command {
  return addClientOptions(
    new Command('broker-status')
      .summary("show each master broker's runtime figures")
      .description(
        "Shows each master broker's runtime info (RocketMQ's mqadmin brokerStatus): version, uptime, messages put and got, " +
          'CommitLog offsets, and what writing the CommitLog into the OS has cost (commitLogWrite*).',
      ),
  ).action(async (flags: ClientFlags) => {
    const { runBrokerStatus } = await import('./admin-run.ts');
    await runBrokerStatus(flags);
  });
}

function bodyOption(): Option {
  return new Option('--body <format>', 'how to print bodies').choices(['text', 'base64', 'hex']).default('text');
}
