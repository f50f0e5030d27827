/**
 * `apogee topic create|update|delete|list|describe`: topic administration
 * through the NameServer in --namesrv and the brokers it routes to.
 */
import { Command, Option } from 'commander';
import { jsonOption, namesrvOption, parsePositiveInteger, timeoutOption, type ClientFlags } from '../options.ts';

export interface TopicFlags extends ClientFlags {
  queues?: number;
  readQueues?: number;
  writeQueues?: number;
  perm?: 'rw' | 'r' | 'w' | 'none';
  order?: boolean;
  cluster?: string;
}

export type TopicVerb = 'create' | 'update' | 'delete' | 'list' | 'describe';

/** Queues a new topic gets per broker when --queues is not given (RocketMQ's defaultTopicQueueNums). */
export const defaultTopicQueues = 8;

export function topicCommand(): Command {
  const topic = new Command('topic').summary('create, update, delete, list and describe topics').description('Topic administration through the NameServer in --namesrv.');
  const create = new Command('create')
    .argument('<topic>', 'topic name')
    .description('Creates a topic on every broker of the cluster; creating an existing topic changes its settings and keeps its messages.')
    .addOption(new Option('--queues <n>', 'read and write queues per broker').default(defaultTopicQueues).argParser(parsePositiveInteger));
  const update = new Command('update')
    .argument('<topic>', 'topic name')
    .description('Changes an existing topic; settings not given keep their current values.')
    .addOption(new Option('--queues <n>', 'read and write queues per broker').argParser(parsePositiveInteger));
  for (const command of [create, update]) addSettingsOptions(command);
  const remove = new Command('delete').argument('<topic>', 'topic name').description('Deletes a topic from every broker and from the NameServer.');
  const list = new Command('list').description('Lists the topics the NameServer knows.');
  const describe = new Command('describe').argument('<topic>', 'topic name').description('Shows where a topic lives: brokers, queues, permissions and offsets.');
  for (const [verb, command] of [['create', create], ['update', update], ['delete', remove], ['list', list], ['describe', describe]] as const) {
    topic.addCommand(addClientOptions(command).action(topicAction(verb)));
  }
  return topic;
}

function addSettingsOptions(command: Command): void {
  command
    .addOption(new Option('--read-queues <n>', 'read queues per broker (overrides --queues)').argParser(parsePositiveInteger))
    .addOption(new Option('--write-queues <n>', 'write queues per broker (overrides --queues)').argParser(parsePositiveInteger))
    .addOption(new Option('--perm <perm>', 'what clients may do: rw (read and write), r, w, none').choices(['rw', 'r', 'w', 'none']))
    .addOption(new Option('--order', 'mark the topic as ordered'))
    .addOption(new Option('--cluster <name>', 'only the brokers of this cluster (default: every broker)'));
}

export function addClientOptions(command: Command): Command {
  return command.addOption(namesrvOption()).addOption(timeoutOption()).addOption(jsonOption());
}

function topicAction(verb: TopicVerb) {
  return async (...args: unknown[]) => {
    const { runTopic } = await import('./topic-run.ts');
    const name = verb === 'list' ? undefined : (args[0] as string);
    const flags = (verb === 'list' ? args[0] : args[1]) as TopicFlags;
    await runTopic(verb, name, flags);
  };
}
