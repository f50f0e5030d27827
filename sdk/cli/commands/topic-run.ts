/**
 * Runs `apogee topic …` through the SDK's Admin. Written against the Admin
 * of sdk/native/admin.ts: createTopic, deleteTopic, fetchAllTopicList,
 * examineTopicRouteInfo and examineTopicStats.
 */
import { PermName } from '../../protocol/flags.ts';
import { openAdmin } from '../admin-client.ts';
import { UsageError } from '../exit-codes.ts';
import { printJson, printLine, printTable } from '../output.ts';
import type { TopicFlags, TopicVerb } from './topic.ts';

const permBits = { rw: PermName.PERM_READ | PermName.PERM_WRITE, r: PermName.PERM_READ, w: PermName.PERM_WRITE, none: 0 } as const;

export async function runTopic(verb: TopicVerb, topic: string | undefined, flags: TopicFlags): Promise<void> {
  const admin = await openAdmin(flags);
  try {
    if (verb === 'list') {
      const topics = [...(await admin.fetchAllTopicList())].sort();
      if (flags.json) printJson({ topics });
      else printTable(topics.map((name) => ({ name })), [{ header: 'TOPIC', value: (row) => row.name }]);
      return;
    }
    const name = topic!;
    if (verb === 'delete') {
      await admin.deleteTopic(name, flags.cluster);
      if (flags.json) printJson({ topic: name, deleted: true });
      else printLine(`deleted topic ${name}`);
      return;
    }
    if (verb === 'describe') {
      const [config, stats] = await Promise.all([admin.examineTopicConfig(name), admin.examineTopicStats(name)]);
      const settings = config ? { readQueueNums: config.readQueueNums, writeQueueNums: config.writeQueueNums, perm: config.perm } : {};
      if (flags.json) printJson({ topic: name, ...settings, queues: stats });
      else {
        if (config) printLine(`topic ${name}: ${config.readQueueNums} read / ${config.writeQueueNums} write queues per broker, perm ${permText(config.perm)}`);
        printTable(stats, [
          { header: 'BROKER', value: (row) => row.brokerName },
          { header: 'QUEUE', value: (row) => row.queueId, align: 'right' },
          { header: 'MIN OFFSET', value: (row) => row.minOffset, align: 'right' },
          { header: 'MAX OFFSET', value: (row) => row.maxOffset, align: 'right' },
        ]);
      }
      return;
    }
    const current = verb === 'update' ? await admin.examineTopicConfig(name) : undefined;
    const queues = flags.queues ?? current?.writeQueueNums ?? flags.readQueues ?? flags.writeQueues;
    if (queues === undefined && flags.readQueues === undefined && flags.writeQueues === undefined && verb === 'create') throw new UsageError('give --queues');
    const config = {
      topic: name,
      readQueueNums: flags.readQueues ?? flags.queues ?? current?.readQueueNums ?? queues!,
      writeQueueNums: flags.writeQueues ?? flags.queues ?? current?.writeQueueNums ?? queues!,
      perm: flags.perm !== undefined ? permBits[flags.perm] : (current?.perm ?? permBits.rw),
      order: flags.order ?? current?.order ?? false,
    };
    const brokers = await admin.createTopic(config, flags.cluster);
    if (flags.json) printJson({ ...config, brokers });
    else printLine(`${verb === 'create' ? 'created' : 'updated'} topic ${name}: ${config.readQueueNums} read / ${config.writeQueueNums} write queues on ${brokers.length} broker${brokers.length === 1 ? '' : 's'}`);
  } finally {
    await admin.close();
  }
}

/** The --perm spelling of PermName bits: the key of `permBits` with the same read and write bits. */
function permText(perm: number): string {
  const bits = perm & (PermName.PERM_READ | PermName.PERM_WRITE);
  return Object.entries(permBits).find(([, value]) => value === bits)![0];
}
