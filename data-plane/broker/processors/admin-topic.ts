/**
 * Topic administration: UPDATE_AND_CREATE_TOPIC (17), GET_ALL_TOPIC_CONFIG (21),
 * GET_TOPIC_STATS_INFO (202), DELETE_TOPIC_IN_BROKER (215),
 * QUERY_TOPIC_CONSUME_BY_WHO (300), GET_SYSTEM_TOPIC_LIST_FROM_BROKER (305).
 * Mirrors the topic half of RocketMQ's AdminBrokerProcessor.
 */
import { createResponse } from '../../../sdk/protocol/command.ts';
import { encodeTopicStatsTable, type TopicOffset } from '../../../sdk/protocol/bodies/admin.ts';
import type { MessageQueue } from '../../../sdk/protocol/bodies/message-queue.ts';
import { encodeGroupList, encodeTopicList } from '../../../sdk/protocol/bodies/small.ts';
import { isValidTopicPerm } from '../../../sdk/protocol/flags.ts';
import {
  DELETE_TOPIC_IN_BROKER,
  GET_TOPIC_STATS_INFO,
  QUERY_TOPIC_CONSUME_BY_WHO,
  UPDATE_AND_CREATE_TOPIC,
} from '../../../sdk/protocol/requests/admin-topic.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { isSystemTopic, validateTopicName } from '../../../sdk/protocol/topic-names.ts';
import { withHeader, type RequestProcessor } from '../../../sdk/remoting/server.ts';
import type { BrokerContext } from '../broker-context.ts';
import { createTopicConfig } from '../managers/topic-config-manager.ts';

const textEncoder = new TextEncoder();

export function updateAndCreateTopicProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(UPDATE_AND_CREATE_TOPIC, (header, request) => {
    const topic = header.topic;
    const name = validateTopicName(topic);
    if (!name.ok) return createResponse(request, ResponseCode.SYSTEM_ERROR, `invalid topic: ${name.reason}`);
    if (topic === broker.settings.clusterName || (isSystemTopic(topic) && !broker.topicConfigs.get(topic))) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `The topic[${topic}] is conflict with system topic.`);
    }
    const queuesMax = broker.settings.topicQueuesMax;
    for (const [field, value] of [['readQueueNums', header.readQueueNums], ['writeQueueNums', header.writeQueueNums]] as const) {
      if (value < 0 || value > queuesMax) return createResponse(request, ResponseCode.SYSTEM_ERROR, `${field} ${value} is out of range 0..${queuesMax}`);
    }
    if (!isValidTopicPerm(header.perm)) return createResponse(request, ResponseCode.SYSTEM_ERROR, `perm ${header.perm} is not valid PermName bits`);
    if (header.topicFilterType !== 'SINGLE_TAG' && header.topicFilterType !== 'MULTI_TAG') {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `topicFilterType ${JSON.stringify(header.topicFilterType)} is neither SINGLE_TAG nor MULTI_TAG`);
    }
    broker.topicConfigs.update(
      createTopicConfig(topic, {
        readQueueNums: header.readQueueNums,
        writeQueueNums: header.writeQueueNums,
        perm: header.perm,
        topicFilterType: header.topicFilterType,
        topicSysFlag: header.topicSysFlag ?? 0,
        order: header.order,
        attributes: broker.topicConfigs.get(topic)?.attributes ?? {},
      }),
    );
    return createResponse(request, ResponseCode.SUCCESS);
  });
}

export function deleteTopicInBrokerProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(DELETE_TOPIC_IN_BROKER, (header, request) => {
    if (isSystemTopic(header.topic)) return createResponse(request, ResponseCode.SYSTEM_ERROR, `The topic[${header.topic}] is a system topic and cannot be deleted.`);
    broker.topicConfigs.delete(header.topic);
    broker.consumerOffsets.removeTopic(header.topic);
    broker.store.deleteTopics([header.topic]);
    return createResponse(request, ResponseCode.SUCCESS);
  });
}

export function getAllTopicConfigProcessor(broker: BrokerContext): RequestProcessor {
  return (request) => createResponse(request, ResponseCode.SUCCESS, undefined, undefined, textEncoder.encode(broker.topicConfigs.encode()));
}

export function getTopicStatsInfoProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(GET_TOPIC_STATS_INFO, (header, request) => {
    const config = broker.topicConfigs.get(header.topic);
    if (!config) return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${header.topic}] not exist`);
    const offsetTable: Array<[MessageQueue, TopicOffset]> = [];
    const store = broker.store;
    for (let queueId = 0; queueId < config.writeQueueNums; queueId++) {
      const minOffset = store.getMinOffsetInQueue(header.topic, queueId);
      const maxOffset = store.getMaxOffsetInQueue(header.topic, queueId);
      const lastUpdateTimestamp = maxOffset > 0 ? store.getMessageStoreTimestamp(header.topic, queueId, maxOffset - 1) : 0;
      offsetTable.push([{ topic: header.topic, brokerName: broker.settings.brokerName, queueId }, { minOffset, maxOffset, lastUpdateTimestamp }]);
    }
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, textEncoder.encode(encodeTopicStatsTable({ offsetTable })));
  });
}

export function queryTopicConsumeByWhoProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(QUERY_TOPIC_CONSUME_BY_WHO, (header, request) => {
    const groups = new Set([...broker.consumers.groupsSubscribing(header.topic), ...broker.consumerOffsets.whichGroupByTopic(header.topic)]);
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, textEncoder.encode(encodeGroupList([...groups])));
  });
}

export function getSystemTopicListFromBrokerProcessor(broker: BrokerContext): RequestProcessor {
  return (request) => {
    const topicList = [...broker.topicConfigs.all()].map((config) => config.topicName).filter(isSystemTopic);
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, textEncoder.encode(encodeTopicList({ topicList })));
  };
}
