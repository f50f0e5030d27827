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

/** Queues a new topic gets when --queues is not given (RocketMQ's defaultTopicQueueNums). */
export const defaultTopicQueues = 8;

export function topicCommand(): Command {
  const topic = new Command('topic').summary('create, update, delete, list and describe topics').description('Topic administration through the NameServer in --namesrv.');
  topic.addCommand(
    withClientOptions(new Command('create').argument('<topic>', 'topic name').description('Creates a topic on every broker of the cluster; an existing topic keeps its messages and takes the new settings.'))
      .addOption(new Option('--queues <n>', 'read and write queues per broker').default(defaultTopicQueues).argParser(parsePositiveInteger))
      .action(topicAction('create')),
  );
  topic.addCommand(
    withClientOptions(new Command('update').argument('<topic>', 'topic name').description('Changes an existing topic; settings not given keep their current values.'))
      .addOption(new Option('--queues <n>', 'read and write queues per broker').argParser(parsePositiveInteger))
      .action(topicAction('update')),
  );
  topic.addCommand(withClientOptions(new Command('delete').argument('<topic>', 'topic name').description('Deletes a topic from every broker and the NameServer.')).action(topicAction('delete')));
  topic.addCommand(withClientOptions(new Command('list').description('Lists the topics the NameServer knows.')).action(topicAction('list')));
  topic.addCommand(withClientOptions(new Command('describe').argument('<topic>', 'topic name').description('Shows where a topic lives: brokers, queues, permissions and offsets.')).action(topicAction('describe')));
  return topic;
}

function withClientOptions(command: Command): Command {
  const settings = ['create', 'update'].includes(command.name());
  if (settings) {
    command
      .addOption(new Option('--read-queues <n>', 'read queues per broker (overrides --queues)').argParser(parsePositiveInteger))
      .addOption(new Option('--write-queues <n>', 'write queues per broker (overrides --queues)').argParser(parsePositiveInteger))
      .addOption(new Option('--perm <perm>', 'who may use the topic: rw (read and write), r, w, none').choices(['rw', 'r', 'w', 'none']))
      .addOption(new Option('--order', 'mark the topic as ordered'))
      .addOption(new Option('--cluster <name>', 'cluster to create the topic in (default: every cluster)'));
  }
  return command.addOption(namesrvOption()).addOption(timeoutOption()).addOption(jsonOption());
}

type TopicVerb = 'create' | 'update' | 'delete' | 'list' | 'describe';

function topicAction(verb: TopicVerb) {
  return async (...args: unknown[]) => {
    const { runTopic } = await import('./topic-run.ts');
    const flags = (verb === 'list' ? args[0] : args[1]) as TopicFlags;
    const name = verb === 'list' ? undefined : (args[0] as string);
    await runTopic(verb, name, flags);
  };
}
