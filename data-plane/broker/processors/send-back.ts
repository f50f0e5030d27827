/**
 * CONSUMER_SEND_MSG_BACK (36): a push consumer failed a message and hands it
 * back. Mirrors RocketMQ's AbstractSendMessageProcessor.consumerSendMsgBack.
 *
 * The broker re-reads the message by CommitLog offset and writes a copy to
 * `%RETRY%<group>` (a random one of the group's `retryQueueNums` queues)
 * with delay level `3 + reconsumeTimes` (or the header's level) and
 * `reconsumeTimes + 1`, keeping `RETRY_TOPIC` (the original topic) and
 * `ORIGIN_MESSAGE_ID` (the first message id). Once `reconsumeTimes` reaches
 * the header's `maxReconsumeTimes` (else the group's `retryMaxTimes`), or for
 * a negative level, the copy goes to `%DLQ%<group>` instead, undelayed.
 */
import { createResponse } from '../../../sdk/protocol/command.ts';
import { isWriteable, permReadWrite } from '../../../sdk/protocol/flags.ts';
import { createOffsetMessageId } from '../../../sdk/protocol/message-id.ts';
import { MessageConst, findProperty } from '../../../sdk/protocol/message-properties.ts';
import { CONSUMER_SEND_MSG_BACK } from '../../../sdk/protocol/requests/consumer.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { dlqTopic, retryTopic } from '../../../sdk/protocol/topic-names.ts';
import { withHeader, type RequestProcessor } from '../../../sdk/remoting/server.ts';
import { PutMessageStatus } from '../../store/status.ts';
import type { BrokerContext } from '../broker-context.ts';
import { copyRecord } from '../schedule/message-copy.ts';
import { rewriteForDelay } from '../schedule/rewrite.ts';
import type { AdvancedServices } from './advanced.ts';

const M = MessageConst;

/** RocketMQ's DLQ_NUMS_PER_GROUP: one dead-letter queue per group. */
const dlqQueueNums = 1;
/** Delay level of a first retry when the consumer lets the broker choose: 10 s in the default table. */
const firstRetryDelayLevel = 3;

export function consumerSendMsgBackProcessor(broker: BrokerContext, services: AdvancedServices): RequestProcessor {
  return withHeader(CONSUMER_SEND_MSG_BACK, async (header, request) => {
    const groupConfig = broker.subscriptionGroups.findOrCreate(header.group);
    if (!groupConfig) {
      return createResponse(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group ${header.group} does not exist`);
    }
    if (!isWriteable(broker.settings.brokerPermission)) {
      return createResponse(request, ResponseCode.NO_PERMISSION, `the broker[${broker.settings.brokerIP}] sending message is forbidden`);
    }
    // A group without retry queues drops failed messages, as RocketMQ does.
    if (groupConfig.retryQueueNums <= 0) return createResponse(request, ResponseCode.SUCCESS);
    const looked = broker.store.lookMessageByOffset(header.offset);
    if (!looked) return createResponse(request, ResponseCode.SYSTEM_ERROR, `look message by offset failed, ${header.offset}`);
    const record = looked.record;
    const maxReconsumeTimes = header.maxReconsumeTimes ?? groupConfig.retryMaxTimes;
    const toDlq = record.reconsumeTimes >= maxReconsumeTimes || header.delayLevel < 0;
    const topic = toDlq ? dlqTopic(header.group) : retryTopic(header.group);
    const queueNums = toDlq ? dlqQueueNums : groupConfig.retryQueueNums;
    const topicConfig = broker.topicConfigs.createTopicIfAbsent(topic, queueNums, toDlq ? services.settings.dlqPerm : permReadWrite);
    if (!isWriteable(topicConfig.perm)) return createResponse(request, ResponseCode.NO_PERMISSION, `the topic[${topic}] sending message is forbidden`);
    const level = header.delayLevel > 0 ? header.delayLevel : firstRetryDelayLevel + record.reconsumeTimes;
    const copy = copyRecord(record, {
      topic,
      queueId: Math.floor(Math.random() * Math.max(1, topicConfig.writeQueueNums)),
      reconsumeTimes: record.reconsumeTimes + 1,
      properties: {
        [M.PROPERTY_RETRY_TOPIC]: findProperty(record.properties, M.PROPERTY_RETRY_TOPIC) ?? record.topic,
        [M.PROPERTY_ORIGIN_MESSAGE_ID]: findProperty(record.properties, M.PROPERTY_ORIGIN_MESSAGE_ID) ?? createOffsetMessageId(record.storeHost, record.physicalOffset),
        [M.PROPERTY_DELAY_TIME_LEVEL]: toDlq ? undefined : String(level),
        [M.PROPERTY_WAIT_STORE_MSG_OK]: 'false',
      },
    });
    const rewrite = rewriteForDelay(copy, { delayLevels: services.delayLevels, timerMaxDelayMs: services.settings.timerMaxDelayMs });
    const put = await broker.store.putMessage(rewrite.ok ? rewrite.message : copy);
    if (put.status === PutMessageStatus.PUT_OK || put.status === PutMessageStatus.FLUSH_DISK_TIMEOUT
      || put.status === PutMessageStatus.FLUSH_SLAVE_TIMEOUT || put.status === PutMessageStatus.SLAVE_NOT_AVAILABLE) {
      return createResponse(request, ResponseCode.SUCCESS);
    }
    return createResponse(request, ResponseCode.SYSTEM_ERROR, `storing the retry copy failed: ${put.status}${put.reason ? ` (${put.reason})` : ''}`);
  });
}
