/**
 * The broker's processor table: one line per request code it serves. Codes
 * not listed are answered REQUEST_CODE_NOT_SUPPORTED by the remoting server,
 * with the code in the remark. Retry (CONSUMER_SEND_MSG_BACK), transaction
 * (END_TRANSACTION), lock (LOCK_BATCH_MQ, UNLOCK_BATCH_MQ) and POP processors
 * join this table from their own family files.
 */
import { RequestCode } from '../../../sdk/protocol/requests/index.ts';
import type { RequestProcessor } from '../../../sdk/remoting/server.ts';
import type { BrokerContext } from '../broker-context.ts';
import * as adminBroker from './admin-broker.ts';
import * as adminGroup from './admin-group.ts';
import * as adminTopic from './admin-topic.ts';
import * as consumer from './consumer.ts';
import * as offsets from './offsets.ts';
import * as pull from './pull.ts';
import * as query from './query.ts';
import * as send from './send.ts';

export interface ProcessorOptions {
  /** Memory the page cache may use, for RocketMQ's "is message 0 still in memory" answer. */
  memoryBytes: number;
}

export function brokerProcessors(broker: BrokerContext, options: ProcessorOptions): ReadonlyArray<readonly [number, RequestProcessor]> {
  return [
    [RequestCode.SEND_MESSAGE, send.sendMessageProcessor(broker)],
    [RequestCode.SEND_MESSAGE_V2, send.sendMessageV2Processor(broker)],
    [RequestCode.SEND_BATCH_MESSAGE, send.sendBatchMessageProcessor(broker)],
    [RequestCode.PULL_MESSAGE, pull.pullMessageProcessor(broker)],
    [RequestCode.LITE_PULL_MESSAGE, pull.pullMessageProcessor(broker)],
    [RequestCode.QUERY_MESSAGE, query.queryMessageProcessor(broker)],
    [RequestCode.VIEW_MESSAGE_BY_ID, query.viewMessageByIdProcessor(broker)],
    [RequestCode.HEART_BEAT, consumer.heartbeatProcessor(broker)],
    [RequestCode.UNREGISTER_CLIENT, consumer.unregisterClientProcessor(broker)],
    [RequestCode.GET_CONSUMER_LIST_BY_GROUP, consumer.getConsumerListByGroupProcessor(broker)],
    [RequestCode.QUERY_CONSUMER_OFFSET, offsets.queryConsumerOffsetProcessor(broker, options.memoryBytes)],
    [RequestCode.UPDATE_CONSUMER_OFFSET, offsets.updateConsumerOffsetProcessor(broker)],
    [RequestCode.GET_MAX_OFFSET, offsets.getMaxOffsetProcessor(broker)],
    [RequestCode.GET_MIN_OFFSET, offsets.getMinOffsetProcessor(broker)],
    [RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, offsets.searchOffsetByTimestampProcessor(broker)],
    [RequestCode.GET_EARLIEST_MSG_STORETIME, offsets.getEarliestMsgStoretimeProcessor(broker)],
    [RequestCode.UPDATE_AND_CREATE_TOPIC, adminTopic.updateAndCreateTopicProcessor(broker)],
    [RequestCode.DELETE_TOPIC_IN_BROKER, adminTopic.deleteTopicInBrokerProcessor(broker)],
    [RequestCode.GET_ALL_TOPIC_CONFIG, adminTopic.getAllTopicConfigProcessor(broker)],
    [RequestCode.GET_TOPIC_STATS_INFO, adminTopic.getTopicStatsInfoProcessor(broker)],
    [RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, adminTopic.queryTopicConsumeByWhoProcessor(broker)],
    [RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER, adminTopic.getSystemTopicListFromBrokerProcessor(broker)],
    [RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, adminGroup.updateAndCreateSubscriptionGroupProcessor(broker)],
    [RequestCode.DELETE_SUBSCRIPTIONGROUP, adminGroup.deleteSubscriptionGroupProcessor(broker)],
    [RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, adminGroup.getAllSubscriptionGroupConfigProcessor(broker)],
    [RequestCode.GET_ALL_CONSUMER_OFFSET, adminGroup.getAllConsumerOffsetProcessor(broker)],
    [RequestCode.GET_CONSUMER_CONNECTION_LIST, adminGroup.getConsumerConnectionListProcessor(broker)],
    [RequestCode.GET_PRODUCER_CONNECTION_LIST, adminGroup.getProducerConnectionListProcessor(broker)],
    [RequestCode.GET_CONSUME_STATS, adminGroup.getConsumeStatsProcessor(broker)],
    [RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, adminGroup.invokeBrokerToResetOffsetProcessor(broker)],
    [RequestCode.GET_BROKER_CONFIG, adminBroker.getBrokerConfigProcessor(broker)],
    [RequestCode.GET_BROKER_RUNTIME_INFO, adminBroker.getBrokerRuntimeInfoProcessor(broker)],
  ];
}
