/**
 * Group administration: GET_ALL_CONSUMER_OFFSET (43), UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200),
 * GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201), GET_CONSUMER_CONNECTION_LIST (203),
 * GET_PRODUCER_CONNECTION_LIST (204), DELETE_SUBSCRIPTIONGROUP (207), GET_CONSUME_STATS (208),
 * INVOKE_BROKER_TO_RESET_OFFSET (222).
 * Mirrors the group half of RocketMQ's AdminBrokerProcessor and Broker2Client.resetOffset.
 */
import { createRequest, createResponse } from '../../../sdk/protocol/command.ts';
import { decodeSubscriptionGroupConfig, encodeConsumeStats, encodeResetOffsetBody, type OffsetWrapper } from '../../../sdk/protocol/bodies/admin.ts';
import type { MessageQueue } from '../../../sdk/protocol/bodies/message-queue.ts';
import { encodeFastjson } from '../../../sdk/protocol/fastjson.ts';
import { encodeHeader } from '../../../sdk/protocol/fields.ts';
import {
  DELETE_SUBSCRIPTIONGROUP,
  GET_CONSUMER_CONNECTION_LIST,
  GET_CONSUME_STATS,
  GET_PRODUCER_CONNECTION_LIST,
  INVOKE_BROKER_TO_RESET_OFFSET,
  RESET_CONSUMER_CLIENT_OFFSET,
} from '../../../sdk/protocol/requests/admin-group.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { validateGroupName } from '../../../sdk/protocol/topic-names.ts';
import { withHeader, type RequestProcessor } from '../../../sdk/remoting/server.ts';
import type { BrokerContext } from '../broker-context.ts';
import type { ClientChannelInfo } from '../client/consumer-manager.ts';

const textEncoder = new TextEncoder();

export function updateAndCreateSubscriptionGroupProcessor(broker: BrokerContext): RequestProcessor {
  return (request) => {
    let config;
    try {
      config = decodeSubscriptionGroupConfig(request.body ?? '{}');
    } catch (error) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `bad SubscriptionGroupConfig body: ${(error as Error).message}`);
    }
    const name = validateGroupName(config.groupName);
    if (!name.ok) return createResponse(request, ResponseCode.SYSTEM_ERROR, `invalid groupName: ${name.reason}`);
    broker.subscriptionGroups.update(config);
    return createResponse(request, ResponseCode.SUCCESS);
  };
}

export function deleteSubscriptionGroupProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(DELETE_SUBSCRIPTIONGROUP, (header, request) => {
    broker.subscriptionGroups.delete(header.groupName);
    if (header.cleanOffset) broker.consumerOffsets.removeGroup(header.groupName);
    return createResponse(request, ResponseCode.SUCCESS);
  });
}

export function getAllSubscriptionGroupConfigProcessor(broker: BrokerContext): RequestProcessor {
  return (request) => createResponse(request, ResponseCode.SUCCESS, undefined, undefined, textEncoder.encode(broker.subscriptionGroups.encode()));
}

export function getAllConsumerOffsetProcessor(broker: BrokerContext): RequestProcessor {
  return (request) => createResponse(request, ResponseCode.SUCCESS, undefined, undefined, textEncoder.encode(broker.consumerOffsets.encode()));
}

export function getConsumerConnectionListProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(GET_CONSUMER_CONNECTION_LIST, (header, request) => {
    const group = broker.consumers.get(header.consumerGroup);
    if (!group || group.channels.size === 0) {
      return createResponse(request, ResponseCode.CONSUMER_NOT_ONLINE, `the consumer group[${header.consumerGroup}] not online`);
    }
    const body = encodeFastjson({
      connectionSet: connectionBeans([...group.channels.values()]),
      consumeFromWhere: group.consumeFromWhere,
      consumeType: group.consumeType,
      messageModel: group.messageModel,
      subscriptionTable: new Map([...group.subscriptions].map(([topic, data]) => [topic, { classFilterMode: false, ...data }] as const)),
    });
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, textEncoder.encode(body));
  });
}

export function getProducerConnectionListProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(GET_PRODUCER_CONNECTION_LIST, (header, request) => {
    const channels = broker.producers.channels(header.producerGroup);
    if (channels.length === 0) return createResponse(request, ResponseCode.SYSTEM_ERROR, `the producer group[${header.producerGroup}] not exist`);
    const body = encodeFastjson({ connectionSet: connectionBeans(channels) });
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, textEncoder.encode(body));
  });
}

/** Lag per queue: the broker's max offset against the group's committed offset. */
export function getConsumeStatsProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(GET_CONSUME_STATS, (header, request) => {
    const group = header.consumerGroup;
    const topics = header.topic ? [header.topic] : broker.consumerOffsets.whichTopicByConsumer(group);
    const offsetTable: Array<[MessageQueue, OffsetWrapper]> = [];
    const online = broker.consumers.get(group);
    for (const topic of topics) {
      const config = broker.topicConfigs.get(topic);
      if (!config) continue;
      // An online group that does not subscribe to the topic is not counted (RocketMQ does the same).
      if (online && online.subscriptions.size > 0 && !online.subscriptions.has(topic)) continue;
      for (let queueId = 0; queueId < config.writeQueueNums; queueId++) {
        const brokerOffset = broker.store.getMaxOffsetInQueue(topic, queueId);
        const consumerOffset = Math.max(0, broker.consumerOffsets.queryOffset(group, topic, queueId));
        const lastTimestamp = consumerOffset > 0 ? broker.store.getMessageStoreTimestamp(topic, queueId, consumerOffset - 1) : 0;
        offsetTable.push([{ topic, brokerName: broker.settings.brokerName, queueId }, { brokerOffset, consumerOffset, pullOffset: consumerOffset, lastTimestamp }]);
      }
    }
    const body = encodeConsumeStats({ offsetTable, consumeTps: 0 });
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, textEncoder.encode(body));
  });
}

/**
 * Resets a group's offsets on a topic to the first message stored at or after
 * `timestamp` (-1 = the end). Without `isForce` an offset only moves back. The
 * broker's table is updated, so an offline group is reset too, and online
 * consumers are told with RESET_CONSUMER_CLIENT_OFFSET.
 */
export function invokeBrokerToResetOffsetProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(INVOKE_BROKER_TO_RESET_OFFSET, (header, request) => {
    const config = broker.topicConfigs.get(header.topic);
    if (!config) {
      return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `[reset-offset] reset offset failed, no topic in this broker. topic=${header.topic}`);
    }
    const offsetTable: Array<[MessageQueue, number]> = [];
    for (let queueId = 0; queueId < config.readQueueNums; queueId++) {
      if ((header.queueId ?? -1) >= 0 && header.queueId !== queueId) continue;
      const target =
        header.offset !== undefined && header.offset >= 0
          ? header.offset
          : header.timestamp === -1
            ? broker.store.getMaxOffsetInQueue(header.topic, queueId)
            : broker.store.getOffsetInQueueByTime(header.topic, queueId, header.timestamp);
      const current = broker.consumerOffsets.queryOffset(header.group, header.topic, queueId);
      const offset = header.isForce || current < 0 || target < current ? target : current;
      broker.consumerOffsets.commitOffset(header.group, header.topic, queueId, offset);
      offsetTable.push([{ topic: header.topic, brokerName: broker.settings.brokerName, queueId }, offset]);
    }
    const body = textEncoder.encode(encodeResetOffsetBody(offsetTable));
    const channels = broker.consumers.get(header.group)?.channels.values() ?? [];
    for (const channel of channels) {
      const notice = createRequest(
        RESET_CONSUMER_CLIENT_OFFSET.code,
        encodeHeader(RESET_CONSUMER_CLIENT_OFFSET.request, { group: header.group, topic: header.topic, timestamp: header.timestamp, isForce: header.isForce }),
        body,
      );
      channel.connection.invokeOneway(notice, broker.settings.clientCallTimeoutMs).catch((error: unknown) => {
        broker.log.warn('telling a consumer to reset its offsets failed', { group: header.group, client: channel.clientId, error });
      });
    }
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, body);
  });
}

function connectionBeans(channels: readonly ClientChannelInfo[]) {
  return channels.map((channel) => ({
    clientAddr: channel.connection.remoteAddress,
    clientId: channel.clientId,
    language: channel.language,
    version: channel.version,
  }));
}
