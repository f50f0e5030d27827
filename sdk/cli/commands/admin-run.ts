/** Runs `apogee group …`, `apogee lag`, `apogee message …`, `apogee offset reset` and `apogee broker-status`. */
import type { MessageExt } from '../../native/message.ts';
import { DLQ_GROUP_TOPIC_PREFIX, RETRY_GROUP_TOPIC_PREFIX } from '../../protocol/topic-names.ts';
import { openAdmin, type CliAdmin } from '../admin-client.ts';
import { CliError } from '../exit-codes.ts';
import type { ClientFlags } from '../options.ts';
import { printFields, printJson, printLine, printTable } from '../output.ts';
import type { GroupFlags, MessageFlags, OffsetFlags } from './admin.ts';

async function withAdmin<T>(flags: ClientFlags, work: (admin: CliAdmin) => Promise<T>): Promise<T> {
  const admin = await openAdmin(flags);
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}

export function runGroup(verb: 'create' | 'delete' | 'list' | 'describe', group: string | undefined, flags: GroupFlags): Promise<void> {
  return withAdmin(flags, async (admin) => {
    if (verb === 'list') {
      const groups = await admin.fetchAllSubscriptionGroups();
      if (flags.json) printJson({ groups });
      else printTable(groups, [{ header: 'GROUP', value: (row) => row.group }, { header: 'RETRY MAX', value: (row) => row.retryMaxTimes, align: 'right' }, { header: 'BROADCAST', value: (row) => row.broadcast }, { header: 'CONSUME', value: (row) => row.consumeEnable }]);
      return;
    }
    const name = group!;
    if (verb === 'create') {
      const settings = { group: name, retryMaxTimes: flags.retryMax ?? 16, broadcast: flags.broadcast ?? false, consumeEnable: flags.consumeEnable ?? true };
      const brokers = await admin.createSubscriptionGroup(settings, flags.cluster);
      if (flags.json) printJson({ ...settings, brokers });
      else printLine(`created group ${name} on ${brokers.length} broker${brokers.length === 1 ? '' : 's'}`);
    } else if (verb === 'delete') {
      await admin.deleteSubscriptionGroup(name, flags.cluster);
      if (flags.json) printJson({ group: name, deleted: true });
      else printLine(`deleted group ${name}`);
    } else {
      const [groups, connections, queues] = await Promise.all([admin.fetchAllSubscriptionGroups(), admin.examineConsumerConnections(name), admin.examineConsumeStats(name)]);
      const settings = groups.find((candidate) => candidate.group === name);
      // A group the brokers hold no settings for may still have offsets or members (auto-created groups off).
      if (!settings && connections.length === 0 && queues.length === 0) throw new CliError(`group ${name} does not exist`);
      if (flags.json) {
        printJson({ group: name, settings: settings ?? null, connections, queues, lag: totalLag(queues) });
        return;
      }
      printLine(`group ${name}: ${connections.length} consumer${connections.length === 1 ? '' : 's'} connected, total lag ${totalLag(queues)}`);
      if (settings) printFields({ retryMaxTimes: settings.retryMaxTimes, broadcast: settings.broadcast, consumeEnable: settings.consumeEnable });
      printTable(connections, [{ header: 'CLIENT', value: (row) => row.clientId }, { header: 'ADDRESS', value: (row) => row.clientAddr }, { header: 'LANGUAGE', value: (row) => row.language }], '(no consumers connected)');
      printLagTable(queues);
    }
  });
}

export function runLag(group: string, flags: GroupFlags): Promise<void> {
  return withAdmin(flags, async (admin) => {
    const queues = await admin.examineConsumeStats(group, flags.topic);
    if (flags.json) printJson({ group, lag: totalLag(queues), queues });
    else {
      printLagTable(queues);
      printLine(`total lag ${totalLag(queues)}`);
    }
  });
}

export function runBrokerStatus(flags: ClientFlags): Promise<void> {
  return withAdmin(flags, async (admin) => {
    const stats = await admin.brokerRuntimeStats();
    if (stats.size === 0) throw new CliError('no master broker is registered with the NameServer');
    const byName = <T>(entries: Iterable<[string, T]>): [string, T][] => [...entries].sort(([a], [b]) => a.localeCompare(b));
    const brokers = byName(stats).map(([brokerName, table]) => ({ brokerName, fields: Object.fromEntries(byName(Object.entries(table))) }));
    if (flags.json) {
      printJson({ brokers: brokers.map(({ brokerName, fields }) => ({ brokerName, ...fields })) });
      return;
    }
    brokers.forEach(({ brokerName, fields }, index) => {
      if (index > 0) printLine();
      printLine(brokerName);
      printFields(fields);
    });
  });
}

export function runMessageGet(id: string, flags: MessageFlags): Promise<void> {
  return withAdmin(flags, async (admin) => {
    const message = await admin.viewMessage(id, flags.topic);
    if (!message) throw new CliError(`no message with id ${id}${flags.topic ? ` in topic ${flags.topic}` : ' (a unique msgId is found only with --topic)'}`);
    printMessage(message, flags);
  });
}

export function runMessageQuery(flags: MessageFlags): Promise<void> {
  return withAdmin(flags, async (admin) => {
    const messages = await admin.queryMessage(flags.topic!, flags.key!, flags.max, flags.begin ?? 0, flags.end ?? Date.now());
    if (flags.json) printJson({ messages: messages.map((message) => messageJson(message, flags)) });
    else
      printTable(messages, [
        { header: 'MSG ID', value: (row) => row.msgId },
        { header: 'QUEUE', value: (row) => `${row.brokerName}/${row.queueId}` },
        { header: 'OFFSET', value: (row) => row.queueOffset, align: 'right' },
        { header: 'STORED', value: (row) => new Date(row.storeTimestamp).toISOString() },
        { header: 'TAGS', value: (row) => row.properties.TAGS },
        { header: 'BODY', value: (row) => bodyText(row.body, flags.body).slice(0, 60) },
      ], `(no messages with key ${flags.key})`);
  });
}

export function runOffsetReset(group: string, flags: OffsetFlags): Promise<void> {
  return withAdmin(flags, async (admin) => {
    const topics = flags.topic !== undefined ? [flags.topic] : await consumedTopics(admin, group);
    if (topics.length === 0) throw new CliError(`group ${group} has no committed offsets; name the topic with --topic`);
    const queues: Array<{ topic: string; brokerName: string; queueId: number; offset: number }> = [];
    for (const topic of topics) for (const queue of await admin.resetOffsetByTimestamp(group, topic, flags.to)) queues.push({ topic, ...queue });
    if (flags.json) printJson({ group, ...(flags.topic !== undefined ? { topic: flags.topic } : {}), topics, timestamp: flags.to, queues });
    else {
      printLine(`reset group ${group} on ${topics.join(', ')} to ${new Date(flags.to).toISOString()}`);
      printTable(queues, [
        { header: 'TOPIC', value: (row) => row.topic },
        { header: 'BROKER', value: (row) => row.brokerName },
        { header: 'QUEUE', value: (row) => row.queueId, align: 'right' },
        { header: 'OFFSET', value: (row) => row.offset, align: 'right' },
      ]);
    }
  });
}

/** The topics a group has committed offsets on, without its retry and dead-letter topics. */
async function consumedTopics(admin: CliAdmin, group: string): Promise<string[]> {
  const topics = new Set((await admin.examineConsumeStats(group)).map((queue) => queue.topic));
  return [...topics].filter((topic) => !topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) && !topic.startsWith(DLQ_GROUP_TOPIC_PREFIX)).sort();
}

function totalLag(queues: readonly { lag: number }[]): number {
  return queues.reduce((sum, queue) => sum + queue.lag, 0);
}

function printLagTable(queues: Awaited<ReturnType<CliAdmin['examineConsumeStats']>>): void {
  printTable(queues, [
    { header: 'TOPIC', value: (row) => row.topic },
    { header: 'BROKER', value: (row) => row.brokerName },
    { header: 'QUEUE', value: (row) => row.queueId, align: 'right' },
    { header: 'BROKER OFFSET', value: (row) => row.brokerOffset, align: 'right' },
    { header: 'CONSUMER OFFSET', value: (row) => row.consumerOffset, align: 'right' },
    { header: 'LAG', value: (row) => row.lag, align: 'right' },
  ], '(the group has no offsets)');
}

const textDecoder = new TextDecoder();

function bodyText(body: Uint8Array, format: MessageFlags['body']): string {
  if (format === 'base64') return Buffer.from(body).toString('base64');
  if (format === 'hex') return Buffer.from(body).toString('hex');
  return textDecoder.decode(body);
}

function messageJson(message: MessageExt, flags: MessageFlags) {
  return {
    msgId: message.msgId,
    offsetMsgId: message.offsetMsgId,
    topic: message.topic,
    brokerName: message.brokerName,
    queueId: message.queueId,
    queueOffset: message.queueOffset,
    commitLogOffset: message.commitLogOffset,
    bornTimestamp: message.bornTimestamp,
    storeTimestamp: message.storeTimestamp,
    reconsumeTimes: message.reconsumeTimes,
    properties: message.properties,
    body: bodyText(message.body, flags.body),
    bodyEncoding: flags.body === 'text' ? 'utf8' : flags.body,
  };
}

function printMessage(message: MessageExt, flags: MessageFlags): void {
  if (flags.json) {
    printJson(messageJson(message, flags));
    return;
  }
  const json = messageJson(message, flags);
  printFields({
    msgId: json.msgId,
    offsetMsgId: json.offsetMsgId,
    topic: json.topic,
    queue: `${json.brokerName}/${json.queueId}`,
    queueOffset: json.queueOffset,
    born: new Date(json.bornTimestamp).toISOString(),
    stored: new Date(json.storeTimestamp).toISOString(),
    reconsumeTimes: json.reconsumeTimes,
    tags: message.properties.TAGS,
    keys: message.properties.KEYS,
  });
  printLine(`body: ${json.body}`);
}
