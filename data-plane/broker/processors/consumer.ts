/**
 * Client family: HEART_BEAT (34), UNREGISTER_CLIENT (35), GET_CONSUMER_LIST_BY_GROUP (38).
 * Mirrors RocketMQ's ClientManageProcessor and ConsumerManageProcessor.getConsumerListByGroup.
 *
 * A heartbeat registers every producer and consumer group of the client on
 * the connection it came in on, stores each consumer group's subscriptions,
 * creates the group's config and its `%RETRY%` topic; a consumer group whose
 * membership changed is told by NOTIFY_CONSUMER_IDS_CHANGED (sent by the
 * ConsumerManager's listener).
 */
import { createResponse } from '../../../sdk/protocol/command.ts';
import { decodeHeartbeatData, type HeartbeatData } from '../../../sdk/protocol/bodies/heartbeat.ts';
import { encodeConsumerIdList } from '../../../sdk/protocol/bodies/small.ts';
import { permReadWrite } from '../../../sdk/protocol/flags.ts';
import { GET_CONSUMER_LIST_BY_GROUP, UNREGISTER_CLIENT } from '../../../sdk/protocol/requests/consumer.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { retryTopic } from '../../../sdk/protocol/topic-names.ts';
import { withHeader, type RequestProcessor } from '../../../sdk/remoting/server.ts';
import type { BrokerContext } from '../broker-context.ts';

const textEncoder = new TextEncoder();

export function heartbeatProcessor(broker: BrokerContext): RequestProcessor {
  return (request, connection) => {
    let heartbeat: HeartbeatData;
    try {
      heartbeat = decodeHeartbeatData(request.body ?? '{}');
    } catch (error) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `HEART_BEAT: bad HeartbeatData body: ${(error as Error).message}`);
    }
    const now = Date.now();
    const language = request.language;
    const channel = () => ({ connection, clientId: heartbeat.clientID, language, version: request.version, lastUpdateTimestamp: now });
    for (const consumer of heartbeat.consumerDataSet) {
      if (consumer.groupName === '') continue;
      const groupConfig = broker.subscriptionGroups.findOrCreate(consumer.groupName);
      if (groupConfig) broker.topicConfigs.createTopicIfAbsent(retryTopic(consumer.groupName), groupConfig.retryQueueNums, permReadWrite);
      broker.consumers.registerConsumer(
        consumer.groupName,
        channel(),
        {
          consumeType: consumer.consumeType,
          messageModel: consumer.messageModel,
          consumeFromWhere: consumer.consumeFromWhere,
          subscriptions: consumer.subscriptionDataSet,
        },
        groupConfig?.notifyConsumerIdsChangedEnable ?? true,
      );
    }
    for (const producer of heartbeat.producerDataSet) {
      if (producer.groupName !== '') broker.producers.registerProducer(producer.groupName, channel());
    }
    return createResponse(request, ResponseCode.SUCCESS);
  };
}

export function unregisterClientProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(UNREGISTER_CLIENT, (header, request, connection) => {
    if (header.producerGroup) broker.producers.unregisterProducer(header.producerGroup, connection);
    if (header.consumerGroup) {
      const notify = broker.subscriptionGroups.get(header.consumerGroup)?.notifyConsumerIdsChangedEnable ?? true;
      broker.consumers.unregisterConsumer(header.consumerGroup, connection, notify);
    }
    return createResponse(request, ResponseCode.SUCCESS);
  });
}

export function getConsumerListByGroupProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(GET_CONSUMER_LIST_BY_GROUP, (header, request) => {
    const clientIds = broker.consumers.get(header.consumerGroup)?.clientIds() ?? [];
    if (clientIds.length === 0) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `no consumer for this group, ${header.consumerGroup}`);
    }
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, textEncoder.encode(encodeConsumerIdList(clientIds)));
  });
}
