/**
 * Every RocketMQ request code, as one table, including the codes no Apogee
 * part serves yet: an unknown number then still gets its RocketMQ name in logs
 * and in the `request type N not supported` remark. Codes marked 5.x do not
 * exist in 4.9. Codes whose headers are described as data are also in
 * `requestDefinitionsByCode`; each lives in the family file named beside it.
 */
import type { RequestDefinition } from '../fields.ts';
import * as adminBroker from './admin-broker.ts';
import * as adminGroup from './admin-group.ts';
import * as adminTopic from './admin-topic.ts';
import * as consumer from './consumer.ts';
import * as lock from './lock.ts';
import * as namesrv from './namesrv.ts';
import * as offsets from './offsets.ts';
import * as pop from './pop.ts';
import * as pull from './pull.ts';
import * as query from './query.ts';
import * as send from './send.ts';
import * as transaction from './transaction.ts';

export const RequestCode = {
  // Messaging, client → broker (send.ts, pull.ts, query.ts, offsets.ts, consumer.ts, lock.ts).
  SEND_MESSAGE: 10,
  PULL_MESSAGE: 11,
  QUERY_MESSAGE: 12,
  QUERY_BROKER_OFFSET: 13,
  QUERY_CONSUMER_OFFSET: 14,
  UPDATE_CONSUMER_OFFSET: 15,
  SEARCH_OFFSET_BY_TIMESTAMP: 29,
  GET_MAX_OFFSET: 30,
  GET_MIN_OFFSET: 31,
  GET_EARLIEST_MSG_STORETIME: 32,
  VIEW_MESSAGE_BY_ID: 33,
  HEART_BEAT: 34,
  UNREGISTER_CLIENT: 35,
  CONSUMER_SEND_MSG_BACK: 36,
  END_TRANSACTION: 37,
  GET_CONSUMER_LIST_BY_GROUP: 38,
  LOCK_BATCH_MQ: 41,
  UNLOCK_BATCH_MQ: 42,
  CHECK_CLIENT_CONFIG: 46,
  SEND_MESSAGE_V2: 310,
  SEND_BATCH_MESSAGE: 320,
  SEND_REPLY_MESSAGE: 324,
  SEND_REPLY_MESSAGE_V2: 325,
  LITE_PULL_MESSAGE: 361, // 5.x
  RECALL_MESSAGE: 370, // 5.x
  QUERY_ASSIGNMENT: 400, // 5.x
  SET_MESSAGE_REQUEST_MODE: 401, // 5.x
  GET_ALL_MESSAGE_REQUEST_MODE: 402, // 5.x

  // POP, 5.x (pop.ts). Too large for the binary header's int16 code field.
  POP_MESSAGE: 200050,
  ACK_MESSAGE: 200051,
  PEEK_MESSAGE: 200052,
  CHANGE_MESSAGE_INVISIBLETIME: 200053,
  NOTIFICATION: 200054,
  POLLING_INFO: 200055,
  POP_ROLLBACK: 200056,
  BATCH_ACK_MESSAGE: 200151,

  // Broker → client (consumer.ts, transaction.ts, admin-group.ts).
  CHECK_TRANSACTION_STATE: 39,
  NOTIFY_CONSUMER_IDS_CHANGED: 40,
  RESET_CONSUMER_CLIENT_OFFSET: 220,
  GET_CONSUMER_STATUS_FROM_CLIENT: 221,
  GET_CONSUMER_RUNNING_INFO: 307,
  CONSUME_MESSAGE_DIRECTLY: 309,
  PUSH_REPLY_MESSAGE_TO_CLIENT: 326,

  // Name server (namesrv.ts).
  PUT_KV_CONFIG: 100,
  GET_KV_CONFIG: 101,
  DELETE_KV_CONFIG: 102,
  REGISTER_BROKER: 103,
  UNREGISTER_BROKER: 104,
  GET_ROUTEINFO_BY_TOPIC: 105,
  GET_BROKER_CLUSTER_INFO: 106,
  WIPE_WRITE_PERM_OF_BROKER: 205,
  GET_ALL_TOPIC_LIST_FROM_NAMESERVER: 206,
  DELETE_TOPIC_IN_NAMESRV: 216,
  REGISTER_TOPIC_IN_NAMESRV: 217, // 5.x
  GET_KVLIST_BY_NAMESPACE: 219,
  GET_TOPICS_BY_CLUSTER: 224,
  GET_SYSTEM_TOPIC_LIST_FROM_NS: 304,
  GET_UNIT_TOPIC_LIST: 311,
  GET_HAS_UNIT_SUB_TOPIC_LIST: 312,
  GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST: 313,
  UPDATE_NAMESRV_CONFIG: 318,
  GET_NAMESRV_CONFIG: 319,
  QUERY_DATA_VERSION: 322,
  ADD_WRITE_PERM_OF_BROKER: 327,
  GET_BROKER_MEMBER_GROUP: 901, // 5.x
  BROKER_HEARTBEAT: 904, // 5.x

  // Topic and group administration (admin-topic.ts, admin-group.ts).
  UPDATE_AND_CREATE_TOPIC: 17,
  UPDATE_AND_CREATE_TOPIC_LIST: 18, // 5.x
  GET_ALL_TOPIC_CONFIG: 21,
  GET_TOPIC_CONFIG_LIST: 22, // declared, never served by Java brokers
  GET_TOPIC_NAME_LIST: 23, // declared, never served by Java brokers
  GET_ALL_CONSUMER_OFFSET: 43,
  GET_ALL_DELAY_OFFSET: 45,
  UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: 200,
  GET_ALL_SUBSCRIPTIONGROUP_CONFIG: 201,
  GET_TOPIC_STATS_INFO: 202,
  GET_CONSUMER_CONNECTION_LIST: 203,
  GET_PRODUCER_CONNECTION_LIST: 204,
  DELETE_SUBSCRIPTIONGROUP: 207,
  GET_CONSUME_STATS: 208,
  SUSPEND_CONSUMER: 209,
  RESUME_CONSUMER: 210,
  RESET_CONSUMER_OFFSET_IN_CONSUMER: 211,
  RESET_CONSUMER_OFFSET_IN_BROKER: 212,
  ADJUST_CONSUMER_THREAD_POOL: 213,
  WHO_CONSUME_THE_MESSAGE: 214,
  DELETE_TOPIC_IN_BROKER: 215,
  INVOKE_BROKER_TO_RESET_OFFSET: 222,
  INVOKE_BROKER_TO_GET_CONSUMER_STATUS: 223,
  UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST: 225, // 5.x
  QUERY_TOPIC_CONSUME_BY_WHO: 300,
  REGISTER_FILTER_SERVER: 301,
  REGISTER_MESSAGE_FILTER_CLASS: 302,
  QUERY_CONSUME_TIME_SPAN: 303,
  QUERY_CORRECTION_OFFSET: 308,
  CLONE_GROUP_OFFSET: 314,
  QUERY_CONSUME_QUEUE: 321,
  RESUME_CHECK_HALF_MESSAGE: 323,
  GET_ALL_PRODUCER_INFO: 328,
  QUERY_TOPICS_BY_CONSUMER: 343, // 5.x
  QUERY_SUBSCRIPTION_BY_CONSUMER: 345, // 5.x
  GET_TOPIC_CONFIG: 351, // 5.x
  GET_SUBSCRIPTIONGROUP_CONFIG: 352, // 5.x
  UPDATE_AND_GET_GROUP_FORBIDDEN: 353, // 5.x
  UPDATE_AND_CREATE_STATIC_TOPIC: 513, // 5.x

  // Broker runtime and maintenance (admin-broker.ts).
  UPDATE_BROKER_CONFIG: 25,
  GET_BROKER_CONFIG: 26,
  TRIGGER_DELETE_FILES: 27,
  GET_BROKER_RUNTIME_INFO: 28,
  GET_CLIENT_CONFIG: 47, // 5.x
  GET_TIMER_CHECK_POINT: 60, // 5.x
  GET_TIMER_METRICS: 61, // 5.x
  GET_SYSTEM_TOPIC_LIST_FROM_BROKER: 305,
  CLEAN_EXPIRED_CONSUMEQUEUE: 306,
  VIEW_BROKER_STATS_DATA: 315,
  CLEAN_UNUSED_TOPIC: 316,
  GET_BROKER_CONSUME_STATS: 317,
  DELETE_EXPIRED_COMMITLOG: 329,
  CHECK_ROCKSDB_CQ_WRITE_PROGRESS: 354, // 5.x
  EXPORT_ROCKSDB_CONFIG_TO_JSON: 355, // 5.x
  ADD_BROKER: 902, // 5.x
  REMOVE_BROKER: 903, // 5.x
  NOTIFY_MIN_BROKER_ID_CHANGE: 905, // 5.x
  EXCHANGE_BROKER_HA_INFO: 906, // 5.x
  GET_BROKER_HA_STATUS: 907, // 5.x
  RESET_MASTER_FLUSH_OFFSET: 908, // 5.x
  CONTROLLER_ALTER_SYNC_STATE_SET: 1001, // 5.x, controller mode from here to 1013
  CONTROLLER_ELECT_MASTER: 1002,
  CONTROLLER_REGISTER_BROKER: 1003,
  CONTROLLER_GET_REPLICA_INFO: 1004,
  CONTROLLER_GET_METADATA_INFO: 1005,
  CONTROLLER_GET_SYNC_STATE_DATA: 1006,
  GET_BROKER_EPOCH_CACHE: 1007,
  NOTIFY_BROKER_ROLE_CHANGED: 1008,
  UPDATE_CONTROLLER_CONFIG: 1009,
  GET_CONTROLLER_CONFIG: 1010,
  CLEAN_BROKER_DATA: 1011,
  CONTROLLER_GET_NEXT_BROKER_ID: 1012,
  CONTROLLER_APPLY_BROKER_ID: 1013,
  UPDATE_COLD_DATA_FLOW_CTR_CONFIG: 2001, // 5.x
  REMOVE_COLD_DATA_FLOW_CTR_CONFIG: 2002, // 5.x
  GET_COLD_DATA_FLOW_CTR_INFO: 2003, // 5.x
  SET_COMMITLOG_READ_MODE: 2004, // 5.x

  // ACL 1.0 administration (4.9 … 5.3.2) and 5.3 auth administration.
  UPDATE_AND_CREATE_ACL_CONFIG: 50,
  DELETE_ACL_CONFIG: 51,
  GET_BROKER_CLUSTER_ACL_INFO: 52,
  UPDATE_GLOBAL_WHITE_ADDRS_CONFIG: 53,
  GET_BROKER_CLUSTER_ACL_CONFIG: 54, // 5.0 … 5.3.2
  AUTH_CREATE_USER: 3001,
  AUTH_UPDATE_USER: 3002,
  AUTH_DELETE_USER: 3003,
  AUTH_GET_USER: 3004,
  AUTH_LIST_USER: 3005,
  AUTH_CREATE_ACL: 3006,
  AUTH_UPDATE_ACL: 3007,
  AUTH_DELETE_ACL: 3008,
  AUTH_GET_ACL: 3009,
  AUTH_LIST_ACL: 3010,
} as const;

export type RequestCodeName = keyof typeof RequestCode;
export type RequestCodeNumber = (typeof RequestCode)[RequestCodeName];

const families = [send, pull, offsets, consumer, query, transaction, lock, pop, adminTopic, adminGroup, adminBroker, namesrv];

function isRequestDefinition(value: unknown): value is RequestDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as RequestDefinition).code === 'number' &&
    typeof (value as RequestDefinition).name === 'string' &&
    typeof (value as RequestDefinition).request === 'object'
  );
}

function collectDefinitions(): ReadonlyMap<number, RequestDefinition> {
  const byCode = new Map<number, RequestDefinition>();
  for (const family of families) {
    for (const value of Object.values(family)) {
      if (!isRequestDefinition(value)) continue;
      const existing = byCode.get(value.code);
      // Two families claiming one code is a bug in these tables, caught at load.
      if (existing !== undefined && existing !== value) {
        throw new Error(`requests: code ${value.code} defined twice (${existing.name}, ${value.name})`);
      }
      if (RequestCode[value.name as RequestCodeName] !== value.code) {
        throw new Error(`requests: ${value.name} is ${value.code} but RequestCode says otherwise`);
      }
      byCode.set(value.code, value);
    }
  }
  return byCode;
}

/** Every request whose headers are described as data, by code. */
export const requestDefinitionsByCode: ReadonlyMap<number, RequestDefinition> = collectDefinitions();

const namesByCode: ReadonlyMap<number, string> = new Map(
  Object.entries(RequestCode).map(([name, code]) => [code, name] as const),
);

/**
 * The RocketMQ name of a request code, or the number itself when unknown.
 *
 * @example requestCodeName(310) // 'SEND_MESSAGE_V2'
 */
export function requestCodeName(code: number): string {
  return namesByCode.get(code) ?? String(code);
}
