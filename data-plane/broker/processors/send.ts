/**
 * Send family: SEND_MESSAGE (10), SEND_MESSAGE_V2 (310), SEND_BATCH_MESSAGE (320).
 * Mirrors RocketMQ's SendMessageProcessor and AbstractSendMessageProcessor.msgCheck.
 *
 * Per message the hot path decodes the header by its schema, runs the checks
 * of wire §9.1 in RocketMQ's order (broker writable → topic name → topic not
 * forbidden → topic exists or is auto-created → queue id in range → sizes),
 * appends the CLUSTER property to the client's properties text without
 * decoding it, hands body and properties to the store and maps the store's
 * status to a response code in one table. The client's UNIQ_KEY travels
 * untouched and comes back as `transactionId`.
 */
import { createResponse, type RemotingCommand } from '../../../sdk/protocol/command.ts';
import { decodeBatchBody } from '../../../sdk/protocol/batch-body.ts';
import { decodeHeader } from '../../../sdk/protocol/fields.ts';
import { MessageSysFlag, isWriteable } from '../../../sdk/protocol/flags.ts';
import { MessageConst, NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR, findProperty } from '../../../sdk/protocol/message-properties.ts';
import { propertiesBytesLength, utf8Length } from '../../../sdk/protocol/message-record.ts';
import { decodeSendMessageHeaderV2, SendMessageRequestHeader, type SendMessageRequest } from '../../../sdk/protocol/requests/send.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { groupOfRetryOrDlqTopic, isNotAllowedSendTopic, isRetryTopic, validateTopicName } from '../../../sdk/protocol/topic-names.ts';
import type { Connection } from '../../../sdk/remoting/connection.ts';
import type { RequestProcessor } from '../../../sdk/remoting/server.ts';
import type { MessageToPut, PutBatchResult, PutResult } from '../../store/message-store.ts';
import { scanProperties } from '../../store/properties.ts';
import { PutMessageStatus } from '../../store/status.ts';
import type { BrokerContext } from '../broker-context.ts';
import type { TopicConfig } from '../managers/topic-config-manager.ts';
import type { SendContext } from '../send-rewriter.ts';

/**
 * The code for an invalid topic name or queue id. RocketMQ 5.x answers
 * INVALID_PARAMETER; 4.x clients do not know that code, and 4.9 brokers
 * answer SYSTEM_ERROR, which 4.x producers retry on another broker.
 */
const INVALID_PARAMETER_CODE = ResponseCode.SYSTEM_ERROR;

type Checked = { ok: true; topicConfig: TopicConfig; queueId: number } | { ok: false; response: RemotingCommand };

export function sendMessageProcessor(broker: BrokerContext): RequestProcessor {
  return (request, connection) => {
    const decoded = decodeHeader(SendMessageRequestHeader, request.extFields);
    if (!decoded.ok) return invalidHeader(request, 'SEND_MESSAGE', decoded.reason);
    return sendOne(broker, request, connection, decoded.header);
  };
}

export function sendMessageV2Processor(broker: BrokerContext): RequestProcessor {
  return (request, connection) => {
    const decoded = decodeSendMessageHeaderV2(request.extFields);
    if (!decoded.ok) return invalidHeader(request, 'SEND_MESSAGE_V2', decoded.reason);
    return sendOne(broker, request, connection, decoded.header);
  };
}

export function sendBatchMessageProcessor(broker: BrokerContext): RequestProcessor {
  return (request, connection) => {
    const decoded = decodeSendMessageHeaderV2(request.extFields);
    if (!decoded.ok) return invalidHeader(request, 'SEND_BATCH_MESSAGE', decoded.reason);
    return sendBatch(broker, request, connection, decoded.header);
  };
}

function sendOne(broker: BrokerContext, request: RemotingCommand, connection: Connection, header: SendMessageRequest): RemotingCommand | Promise<RemotingCommand> {
  const checked = msgCheck(broker, request, connection, header);
  if (!checked.ok) return checked.response;
  const body = request.body ?? EMPTY_BODY;
  const settings = broker.settings;
  if (body.length > settings.messageSizeMaxBytes) {
    return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, `the message body size ${body.length} is over messageSizeMaxBytes ${settings.messageSizeMaxBytes}`);
  }
  const properties = withClusterProperty(header.properties ?? '', broker.settings.clusterName);
  if (propertiesTooLong(properties, settings.propertiesSizeMaxBytes)) {
    return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, `the message properties are over propertiesSizeMaxBytes ${settings.propertiesSizeMaxBytes}`);
  }
  const message: MessageToPut = {
    topic: header.topic,
    queueId: checked.queueId,
    flag: header.flag,
    body,
    properties,
    // Scanned once here for the rewriters and the store alike.
    propertyRanges: scanProperties(properties),
    sysFlag: sysFlagFor(header.sysFlag, checked.topicConfig),
    bornTimestamp: header.bornTimestamp,
    bornHost: { address: connection.remoteHost, port: connection.remotePort },
    reconsumeTimes: header.reconsumeTimes ?? 0,
    preparedTransactionOffset: 0,
  };
  if (broker.sendRewriters.length > 0) {
    const refused = rewrite(broker, message, { header, connection, topicConfig: checked.topicConfig, batch: false });
    if (refused) return createResponse(request, refused.code, refused.remark);
  }
  const transactionId = findProperty(properties, MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
  return broker.store.putMessage(message).then((put) => {
    if (put.status === PutMessageStatus.PUT_OK) {
      broker.stats.messagesPut++;
      broker.stats.bytesPut += body.length;
    }
    return sendResponse(broker, request, put, put.offsetMsgId, checked.queueId, transactionId);
  });
}

function sendBatch(broker: BrokerContext, request: RemotingCommand, connection: Connection, header: SendMessageRequest): RemotingCommand | Promise<RemotingCommand> {
  const checked = msgCheck(broker, request, connection, header);
  if (!checked.ok) return checked.response;
  const settings = broker.settings;
  if (isRetryTopic(header.topic)) {
    return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, `batch request does not support retry group ${header.topic}`);
  }
  const body = request.body ?? EMPTY_BODY;
  if (body.length > settings.messageSizeMaxBytes) {
    return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, `the batch body size ${body.length} is over messageSizeMaxBytes ${settings.messageSizeMaxBytes}`);
  }
  const batchProperties = header.properties ?? '';
  const delay = findProperty(batchProperties, MessageConst.PROPERTY_DELAY_TIME_LEVEL);
  if (delay !== undefined && Number(delay) > 0) {
    return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, 'batch message does not support a delay level');
  }
  const decoded = decodeBatchBody(body);
  if (!decoded.ok) return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, `bad batch body at byte ${decoded.offset}: ${decoded.reason}`);
  const entries = decoded.messages;
  if (entries.length === 0) return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, 'the batch holds no message');
  if (entries.length > settings.batchMessagesMax) {
    return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, `the batch holds ${entries.length} messages, over batchMessagesMax ${settings.batchMessagesMax}`);
  }
  const sysFlag = sysFlagFor(header.sysFlag, checked.topicConfig);
  const bornHost = { address: connection.remoteHost, port: connection.remotePort };
  const context: SendContext = { header, connection, topicConfig: checked.topicConfig, batch: true };
  const messages: MessageToPut[] = new Array(entries.length);
  // Each record's properties are the batch's, the entry's own, then the cluster property. The entry's
  // bytes are stored as they came, between the batch's and the cluster's, each encoded once per batch.
  const prefix = batchProperties === '' ? EMPTY_BODY : textEncoder.encode(batchProperties);
  const propertiesBytesMax = settings.propertiesSizeMaxBytes;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    // Batch-level properties first, so each message's own (its UNIQ_KEY above all) win.
    const joined = batchProperties + entry.properties;
    const suffix = clusterSuffixFor(joined, settings.clusterName);
    const properties = joined + suffix.text;
    const propertiesBytes = { text: properties, prefix, source: body, start: entry.propertiesStart!, end: entry.propertiesStart! + entry.propertiesLength!, suffix: suffix.bytes };
    if (propertiesBytesLength(propertiesBytes) > propertiesBytesMax) {
      return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, `batch message ${i}: properties are over propertiesSizeMaxBytes ${propertiesBytesMax}`);
    }
    const message: MessageToPut = {
      topic: header.topic,
      queueId: checked.queueId,
      flag: entry.flag,
      body: entry.body,
      properties,
      propertiesBytes,
      // The cluster property holds none of the ranges: `joined` is read, flat as decoded, not the concatenation.
      propertyRanges: scanProperties(properties, joined),
      sysFlag,
      bornTimestamp: header.bornTimestamp,
      bornHost,
      reconsumeTimes: header.reconsumeTimes ?? 0,
      preparedTransactionOffset: 0,
    };
    if (broker.sendRewriters.length > 0) {
      const refused = rewrite(broker, message, context);
      if (refused) return createResponse(request, refused.code, refused.remark);
    }
    messages[i] = message;
  }
  const transactionId = findProperty(batchProperties, MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
  return broker.store.putMessages(messages).then((put: PutBatchResult) => {
    if (put.status === PutMessageStatus.PUT_OK) {
      broker.stats.messagesPut += put.messageCount;
      broker.stats.bytesPut += body.length;
    }
    return sendResponse(broker, request, put, put.offsetMsgIds.join(','), checked.queueId, transactionId);
  });
}

/** RocketMQ's msgCheck: the checks that decide whether and where a send may be stored. */
function msgCheck(broker: BrokerContext, request: RemotingCommand, connection: Connection, header: SendMessageRequest): Checked {
  const settings = broker.settings;
  if (!isWriteable(settings.brokerPermission) || settings.brokerRole === 'SLAVE') {
    return refuse(request, ResponseCode.NO_PERMISSION, `the broker[${settings.brokerIP}] sending message is forbidden`);
  }
  const topic = header.topic;
  const name = validateTopicName(topic);
  if (!name.ok) return refuse(request, INVALID_PARAMETER_CODE, `invalid topic ${JSON.stringify(topic.slice(0, 300))}: ${name.reason}`);
  if (topic.length > settings.topicLengthMax && !isRetryTopic(topic) && groupOfRetryOrDlqTopic(topic) === undefined) {
    return refuse(request, INVALID_PARAMETER_CODE, `invalid topic: ${topic.length} characters, longer than topicLengthMax ${settings.topicLengthMax}`);
  }
  if (isNotAllowedSendTopic(topic)) return refuse(request, ResponseCode.NO_PERMISSION, `Sending message to topic[${topic}] is forbidden.`);
  let topicConfig = broker.topicConfigs.get(topic);
  if (!topicConfig) {
    topicConfig = createOnSend(broker, header);
    if (!topicConfig) {
      return refuse(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist, apply first please! (producer ${connection.remoteAddress})`);
    }
  }
  if (!isWriteable(topicConfig.perm)) return refuse(request, ResponseCode.NO_PERMISSION, `the topic[${topic}] sending message is forbidden`);
  let queueId = header.queueId;
  if (queueId < 0) {
    queueId = Math.floor(Math.random() * topicConfig.writeQueueNums);
  } else if (queueId >= Math.max(topicConfig.readQueueNums, topicConfig.writeQueueNums)) {
    return refuse(
      request,
      INVALID_PARAMETER_CODE,
      `request queueId[${queueId}] is illegal, topic ${topic} has ${Math.max(topicConfig.readQueueNums, topicConfig.writeQueueNums)} queues; producer ${connection.remoteAddress}`,
    );
  }
  return { ok: true, topicConfig, queueId };
}

/** A failed check; a plain function, so the hot path creates no closure per send. */
function refuse(request: RemotingCommand, code: number, remark: string): Checked {
  return { ok: false, response: createResponse(request, code, remark) };
}

/** Auto-creation on send: retry topics from their group's config, others from the template topic. */
function createOnSend(broker: BrokerContext, header: SendMessageRequest): TopicConfig | undefined {
  const topic = header.topic;
  if (isRetryTopic(topic)) {
    const group = broker.subscriptionGroups.findOrCreate(groupOfRetryOrDlqTopic(topic)!);
    if (!group) return undefined;
    return broker.topicConfigs.createTopicIfAbsent(topic, group.retryQueueNums, 6);
  }
  return broker.topicConfigs.createTopicInSendMessageMethod(topic, header.defaultTopic, header.defaultTopicQueueNums, 0);
}

function rewrite(broker: BrokerContext, message: MessageToPut, context: SendContext): { code: number; remark: string } | undefined {
  for (const rewriter of broker.sendRewriters) {
    const refused = rewriter.rewrite(message, context);
    if (refused) return refused;
  }
  return undefined;
}

/** One table from store status to response code and remark (RocketMQ handlePutMessageResult). */
function sendResponse(
  broker: BrokerContext,
  request: RemotingCommand,
  put: PutResult | PutBatchResult,
  msgId: string,
  queueId: number,
  transactionId: string | undefined,
): RemotingCommand {
  let code: number;
  switch (put.status) {
    case PutMessageStatus.PUT_OK:
      code = ResponseCode.SUCCESS;
      break;
    case PutMessageStatus.FLUSH_DISK_TIMEOUT:
      code = ResponseCode.FLUSH_DISK_TIMEOUT;
      break;
    case PutMessageStatus.FLUSH_SLAVE_TIMEOUT:
      code = ResponseCode.FLUSH_SLAVE_TIMEOUT;
      break;
    case PutMessageStatus.SLAVE_NOT_AVAILABLE:
      code = ResponseCode.SLAVE_NOT_AVAILABLE;
      break;
    case PutMessageStatus.SERVICE_NOT_AVAILABLE:
      return createResponse(request, ResponseCode.SERVICE_NOT_AVAILABLE, `service not available now: ${put.reason ?? 'the store refused the message'}`);
    case PutMessageStatus.MESSAGE_ILLEGAL:
    case PutMessageStatus.PROPERTIES_SIZE_EXCEEDED:
      return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, `the message is illegal: ${put.reason ?? put.status}`);
    case PutMessageStatus.OS_PAGE_CACHE_BUSY:
      return createResponse(request, ResponseCode.SYSTEM_BUSY, '[PC_SYNCHRONIZED]broker busy, start flow control for a while');
    case PutMessageStatus.CREATE_MAPPED_FILE_FAILED:
      return createResponse(request, ResponseCode.SYSTEM_ERROR, 'create mapped file failed, server is busy or broken.');
    default:
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `the store failed: ${put.reason ?? put.status}`);
  }
  const extFields: Record<string, string> = {
    msgId,
    queueId: String(queueId),
    queueOffset: String(put.queueOffset),
    MSG_REGION: broker.settings.regionId,
    TRACE_ON: broker.settings.traceOn ? 'true' : 'false',
  };
  if (transactionId !== undefined) extFields.transactionId = transactionId;
  return createResponse(request, code, undefined, extFields);
}

const EMPTY_BODY = new Uint8Array(0);
const textEncoder = new TextEncoder();

interface ClusterProperty {
  readonly text: string;
  readonly bytes: Uint8Array;
}

/** The cluster property as a suffix: plain, and led by a separator for properties that lack their last one. */
interface ClusterSuffixes {
  readonly name: string;
  readonly plain: ClusterProperty;
  readonly separated: ClusterProperty;
}

/** The last cluster asked for: brokers of different clusters in one process only encode it again. */
let clusterSuffixes: ClusterSuffixes | undefined;

/** What follows `properties` to append `CLUSTER=<cluster>`: a separator first when they lack their last one. */
function clusterSuffixFor(properties: string, clusterName: string): ClusterProperty {
  if (clusterSuffixes?.name !== clusterName) {
    const text = MessageConst.PROPERTY_CLUSTER + NAME_VALUE_SEPARATOR + clusterName + PROPERTY_SEPARATOR;
    clusterSuffixes = {
      name: clusterName,
      plain: { text, bytes: textEncoder.encode(text) },
      separated: { text: PROPERTY_SEPARATOR + text, bytes: textEncoder.encode(PROPERTY_SEPARATOR + text) },
    };
  }
  return properties.length > 0 && properties.charCodeAt(properties.length - 1) !== 2 ? clusterSuffixes.separated : clusterSuffixes.plain;
}

/** The properties text with `CLUSTER=<cluster>` appended; a later duplicate wins when read, so ours does. */
function withClusterProperty(properties: string, clusterName: string): string {
  return properties + clusterSuffixFor(properties, clusterName).text;
}

/** UTF-8 length over the limit; skips the count when even 3 bytes per character fit. */
function propertiesTooLong(properties: string, maxBytes: number): boolean {
  if (properties.length * 3 <= maxBytes) return false;
  return properties.length > maxBytes || utf8Length(properties) > maxBytes;
}

function sysFlagFor(sysFlag: number, topicConfig: TopicConfig): number {
  return topicConfig.topicFilterType === 'MULTI_TAG' ? sysFlag | MessageSysFlag.MULTI_TAGS_FLAG : sysFlag;
}

function invalidHeader(request: RemotingCommand, name: string, reason: string): RemotingCommand {
  return createResponse(request, ResponseCode.SYSTEM_ERROR, `${name}: ${reason}`);
}
