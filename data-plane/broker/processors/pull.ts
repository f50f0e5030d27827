/**
 * Pull family: PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361, 5.x).
 * Mirrors RocketMQ's PullMessageProcessor and DefaultPullMessageResultHandler.
 *
 * Checks (group, topic, queue, subscription) come first, then the store reads
 * up to `maxMsgNums` records through the subscription's filter, and the
 * store's status maps to a response code in one table (wire §9.2). A SUCCESS
 * body is the stored records back to back, copied once and never re-encoded.
 * A pull that finds nothing and may be suspended is held by long polling and
 * answered later; the commit-offset flag applies on the first processing only.
 */
import { createResponse, type RemotingCommand } from '../../../sdk/protocol/command.ts';
import type { HeaderOf } from '../../../sdk/protocol/fields.ts';
import { PullSysFlag, hasPullFlag, isReadable } from '../../../sdk/protocol/flags.ts';
import { decodePullMessageRequestHeader, type PullMessageRequestHeader } from '../../../sdk/protocol/requests/pull.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import type { Connection } from '../../../sdk/remoting/connection.ts';
import type { RequestProcessor } from '../../../sdk/remoting/server.ts';
import type { GetMessageResult, MessageFilter } from '../../store/message-store.ts';
import { GetMessageStatus } from '../../store/status.ts';
import type { BrokerContext } from '../broker-context.ts';
import type { HeldPull } from '../long-polling.ts';
import { buildSubscriptionData, type SubscriptionData } from '../message-filter.ts';

type PullHeader = HeaderOf<typeof PullMessageRequestHeader>;

/** The master's broker id: we never suggest pulling from a slave. */
const MASTER_ID = '0';

/** Held pulls remember their broker through this field, so one shared re-run function serves them all. */
interface HeldBrokerPull extends HeldPull {
  readonly broker: BrokerContext;
  readonly header: PullHeader;
}

export function pullMessageProcessor(broker: BrokerContext): RequestProcessor {
  return (request, connection) => {
    const decoded = decodePullMessageRequestHeader(request.extFields);
    if (!decoded.ok) return createResponse(request, ResponseCode.SYSTEM_ERROR, `PULL_MESSAGE: ${decoded.reason}`);
    return processPull(broker, request, connection, decoded.header, true);
  };
}

function rerunHeldPull(held: HeldPull): void {
  const { broker, request, connection, header } = held as HeldBrokerPull;
  const response = processPull(broker, request, connection, header, false);
  if (response) connection.send(response);
}

/** One pull; undefined when it was held (answered later by `rerunHeldPull`). */
function processPull(broker: BrokerContext, request: RemotingCommand, connection: Connection, header: PullHeader, brokerAllowSuspend: boolean): RemotingCommand | undefined {
  const settings = broker.settings;
  if (!isReadable(settings.brokerPermission)) return createResponse(request, ResponseCode.NO_PERMISSION, `the broker[${settings.brokerIP}] pulling message is forbidden`);
  const group = header.consumerGroup;
  const groupConfig = broker.subscriptionGroups.findOrCreate(group);
  if (!groupConfig) return createResponse(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group [${group}] does not exist`);
  if (!groupConfig.consumeEnable) return createResponse(request, ResponseCode.NO_PERMISSION, `subscription group no permission, ${group}`);
  const topic = header.topic;
  const topicConfig = broker.topicConfigs.get(topic);
  if (!topicConfig) return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist, apply first please!`);
  if (!isReadable(topicConfig.perm)) return createResponse(request, ResponseCode.NO_PERMISSION, `the topic[${topic}] pulling message is forbidden`);
  const queueId = header.queueId;
  if (queueId < 0 || queueId >= topicConfig.readQueueNums) {
    return createResponse(request, ResponseCode.SYSTEM_ERROR, `queueId[${queueId}] is illegal, topic:[${topic}] topicConfig.readQueueNums:[${topicConfig.readQueueNums}] consumer:[${connection.remoteAddress}]`);
  }
  const subscription = subscriptionOf(broker, header);
  if (!subscription.ok) return createResponse(request, subscription.code, subscription.remark);
  const built = broker.filters.filterOf(subscription.data, group);
  if (!built.ok) return createResponse(request, built.code, built.remark);

  const maxMsgNums = Math.min(Math.max(header.maxMsgNums, 1), settings.pullMessagesMax);
  const maxBytes = header.maxMsgBytes !== undefined && header.maxMsgBytes > 0 ? Math.min(header.maxMsgBytes, settings.pullBytesMax) : settings.pullBytesMax;
  const result = broker.store.getMessage(topic, queueId, header.queueOffset, maxMsgNums, maxBytes, built.filter);
  const code = pullResponseCode(result.status, header.queueOffset);

  if (brokerAllowSuspend && hasPullFlag(header.sysFlag, PullSysFlag.FLAG_COMMIT_OFFSET) && settings.brokerRole !== 'SLAVE') {
    broker.consumerOffsets.commitOffset(group, topic, queueId, header.commitOffset);
  }
  if (code === ResponseCode.SUCCESS) broker.stats.messagesGot += result.records.length;
  else if (code === ResponseCode.PULL_NOT_FOUND && brokerAllowSuspend && hasPullFlag(header.sysFlag, PullSysFlag.FLAG_SUSPEND)) {
    // Most pulls of a live queue are held: their not-found answer is made only if holding is refused.
    return hold(broker, request, connection, header, built.filter, () => pullResponse(request, code, result));
  }
  return pullResponse(request, code, result);
}

function hold(
  broker: BrokerContext,
  request: RemotingCommand,
  connection: Connection,
  header: PullHeader,
  filter: MessageFilter | undefined,
  notFound: () => RemotingCommand,
): RemotingCommand | undefined {
  const settings = broker.settings;
  const holdMs = settings.longPollingEnable ? header.suspendTimeoutMillis : settings.shortPollingTimeMs;
  if (holdMs <= 0) return notFound();
  const held: HeldBrokerPull = {
    topic: header.topic,
    queueId: header.queueId,
    offset: header.queueOffset,
    filter,
    deadline: Date.now() + holdMs,
    request,
    connection,
    rerun: rerunHeldPull,
    broker,
    header,
  };
  if (broker.longPolling.hold(held)) return undefined;
  return createResponse(request, ResponseCode.SYSTEM_BUSY, `[OVERLOAD] ${broker.longPolling.size} pulls are held, heldPullsMax ${settings.heldPullsMax}; try again later`);
}

type SubscriptionLookup = { ok: true; data: SubscriptionData } | { ok: false; code: number; remark: string };

/** The header's subscription with FLAG_SUBSCRIPTION, else the one the group's last heartbeat registered. */
function subscriptionOf(broker: BrokerContext, header: PullHeader): SubscriptionLookup {
  if (hasPullFlag(header.sysFlag, PullSysFlag.FLAG_SUBSCRIPTION)) {
    return { ok: true, data: buildSubscriptionData(header.topic, header.subscription, header.expressionType, header.subVersion) };
  }
  const group = broker.consumers.get(header.consumerGroup);
  if (!group) {
    return { ok: false, code: ResponseCode.SUBSCRIPTION_NOT_EXIST, remark: `the consumer's group info not exist: ${header.consumerGroup}` };
  }
  const data = group.subscriptions.get(header.topic);
  if (!data) {
    return { ok: false, code: ResponseCode.SUBSCRIPTION_NOT_EXIST, remark: `the consumer's subscription not exist: ${header.consumerGroup} on ${header.topic}` };
  }
  if (data.subVersion < header.subVersion) {
    return { ok: false, code: ResponseCode.SUBSCRIPTION_NOT_LATEST, remark: `the consumer's subscription not latest: ${data.subVersion} < ${header.subVersion}` };
  }
  return { ok: true, data };
}

/** Store status → response code (wire §9.2). */
function pullResponseCode(status: GetMessageStatus, requestOffset: number): number {
  let code: number;
  switch (status) {
    case GetMessageStatus.FOUND:
      code = ResponseCode.SUCCESS;
      break;
    case GetMessageStatus.NO_MATCHED_MESSAGE:
    case GetMessageStatus.MESSAGE_WAS_REMOVING:
      code = ResponseCode.PULL_RETRY_IMMEDIATELY;
      break;
    case GetMessageStatus.NO_MATCHED_LOGIC_QUEUE:
    case GetMessageStatus.NO_MESSAGE_IN_QUEUE:
      code = requestOffset !== 0 ? ResponseCode.PULL_OFFSET_MOVED : ResponseCode.PULL_NOT_FOUND;
      break;
    case GetMessageStatus.OFFSET_FOUND_NULL:
    case GetMessageStatus.OFFSET_OVERFLOW_ONE:
      code = ResponseCode.PULL_NOT_FOUND;
      break;
    case GetMessageStatus.OFFSET_OVERFLOW_BADLY:
    case GetMessageStatus.OFFSET_TOO_SMALL:
      code = ResponseCode.PULL_OFFSET_MOVED;
      break;
    default:
      code = ResponseCode.SYSTEM_ERROR;
  }
  return code;
}

/** The answer with the header every pull answer carries, and the records when found. */
function pullResponse(request: RemotingCommand, code: number, result: GetMessageResult): RemotingCommand {
  const extFields: Record<string, string> = {
    suggestWhichBrokerId: MASTER_ID,
    nextBeginOffset: String(result.nextBeginOffset),
    minOffset: String(result.minOffset),
    maxOffset: String(result.maxOffset),
  };
  const body = code === ResponseCode.SUCCESS ? concatRecords(result) : undefined;
  return createResponse(request, code, result.status, extFields, body);
}

function concatRecords(result: GetMessageResult): Uint8Array {
  if (result.body) return result.body;
  const records = result.records;
  if (records.length === 1) return records[0]!;
  const body = new Uint8Array(result.bufferTotalSize);
  let at = 0;
  for (const record of records) {
    body.set(record, at);
    at += record.length;
  }
  return body;
}
