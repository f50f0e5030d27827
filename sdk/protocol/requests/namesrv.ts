/**
 * Name server family (client/broker → name server): PUT_KV_CONFIG (100), GET_KV_CONFIG (101),
 * DELETE_KV_CONFIG (102), REGISTER_BROKER (103), UNREGISTER_BROKER (104),
 * GET_ROUTEINFO_BY_TOPIC (105), GET_BROKER_CLUSTER_INFO (106), WIPE_WRITE_PERM_OF_BROKER (205),
 * GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206), DELETE_TOPIC_IN_NAMESRV (216),
 * REGISTER_TOPIC_IN_NAMESRV (217, 5.x), GET_KVLIST_BY_NAMESPACE (219), GET_TOPICS_BY_CLUSTER (224),
 * GET_SYSTEM_TOPIC_LIST_FROM_NS (304), GET_UNIT_TOPIC_LIST (311), GET_HAS_UNIT_SUB_TOPIC_LIST (312),
 * GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST (313), UPDATE_NAMESRV_CONFIG (318), GET_NAMESRV_CONFIG (319),
 * QUERY_DATA_VERSION (322), ADD_WRITE_PERM_OF_BROKER (327).
 * Mirrors RocketMQ's namesrv.PutKVConfigRequestHeader, GetKVConfigRequestHeader,
 * GetKVConfigResponseHeader, DeleteKVConfigRequestHeader, RegisterBrokerRequestHeader,
 * RegisterBrokerResponseHeader, UnRegisterBrokerRequestHeader, GetRouteInfoRequestHeader,
 * WipeWritePermOfBrokerRequestHeader/ResponseHeader, DeleteTopicFromNamesrvRequestHeader,
 * RegisterTopicRequestHeader, GetKVListByNamespaceRequestHeader, GetTopicsByClusterRequestHeader,
 * QueryDataVersionRequestHeader/ResponseHeader and AddWritePermOfBrokerRequestHeader/ResponseHeader.
 */
import {
  emptyHeader,
  int,
  long,
  optionalBoolean,
  optionalInt,
  optionalLong,
  optionalString,
  primitiveBoolean,
  string,
  type HeaderSchema,
  type RequestDefinition,
} from '../fields.ts';

export const PutKVConfigRequestHeader = { namespace: string, key: string, value: string } as const satisfies HeaderSchema;
export const GetKVConfigRequestHeader = { namespace: string, key: string } as const satisfies HeaderSchema;
/** Unknown keys are answered QUERY_NOT_FOUND instead. */
export const GetKVConfigResponseHeader = { value: optionalString } as const satisfies HeaderSchema;
export const DeleteKVConfigRequestHeader = { namespace: string, key: string } as const satisfies HeaderSchema;
export const GetKVListByNamespaceRequestHeader = { namespace: string } as const satisfies HeaderSchema;

export const RegisterBrokerRequestHeader = {
  brokerName: string,
  /** `ip:listenPort` as clients should dial it. */
  brokerAddr: string,
  clusterName: string,
  /** `ip:haListenPort`. */
  haServerAddr: string,
  /** 0 = master, ≥ 1 = slave. */
  brokerId: long,
  /** 5.x: overrides the 120 s expiry. */
  heartbeatTimeoutMillis: optionalLong,
  enableActingMaster: optionalBoolean,
  /** The body is zlib-deflated (bodies.ts). */
  compressed: primitiveBoolean,
  /** `crc32(body) & 0x7FFFFFFF`; 0 = not checked. */
  bodyCrc32: optionalInt,
} as const satisfies HeaderSchema;

/** Filled for slaves. */
export const RegisterBrokerResponseHeader = {
  haServerAddr: optionalString,
  masterAddr: optionalString,
} as const satisfies HeaderSchema;

export const UnRegisterBrokerRequestHeader = {
  brokerName: string,
  brokerAddr: string,
  clusterName: string,
  brokerId: long,
} as const satisfies HeaderSchema;

export const GetRouteInfoRequestHeader = {
  topic: string,
  /** With it (or request version ≥ V4_9_4) the route is answered in standard JSON. */
  acceptStandardJsonOnly: optionalBoolean,
} as const satisfies HeaderSchema;

export const WipeWritePermOfBrokerRequestHeader = { brokerName: string } as const satisfies HeaderSchema;
export const WipeWritePermOfBrokerResponseHeader = { wipeTopicCount: int } as const satisfies HeaderSchema;
export const AddWritePermOfBrokerRequestHeader = { brokerName: string } as const satisfies HeaderSchema;
export const AddWritePermOfBrokerResponseHeader = { addTopicCount: int } as const satisfies HeaderSchema;

export const DeleteTopicFromNamesrvRequestHeader = {
  topic: string,
  /** 5.x: limit the deletion to one cluster. */
  clusterName: optionalString,
} as const satisfies HeaderSchema;

export const RegisterTopicRequestHeader = { topic: string } as const satisfies HeaderSchema;
export const GetTopicsByClusterRequestHeader = { cluster: string } as const satisfies HeaderSchema;

export const QueryDataVersionRequestHeader = {
  brokerName: string,
  brokerAddr: string,
  clusterName: string,
  brokerId: long,
} as const satisfies HeaderSchema;

export const QueryDataVersionResponseHeader = { changed: { type: 'boolean', required: true } } as const satisfies HeaderSchema;

function headerless<const C extends number, const N extends string>(code: C, name: N) {
  return { code, name, request: emptyHeader, response: emptyHeader } as const satisfies RequestDefinition;
}

export const PUT_KV_CONFIG = {
  code: 100,
  name: 'PUT_KV_CONFIG',
  request: PutKVConfigRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const GET_KV_CONFIG = {
  code: 101,
  name: 'GET_KV_CONFIG',
  request: GetKVConfigRequestHeader,
  response: GetKVConfigResponseHeader,
} as const satisfies RequestDefinition;

export const DELETE_KV_CONFIG = {
  code: 102,
  name: 'DELETE_KV_CONFIG',
  request: DeleteKVConfigRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

/** The body is a RegisterBrokerBody; the answer's body the `ORDER_TOPIC_CONFIG` KVTable, if any. */
export const REGISTER_BROKER = {
  code: 103,
  name: 'REGISTER_BROKER',
  request: RegisterBrokerRequestHeader,
  response: RegisterBrokerResponseHeader,
} as const satisfies RequestDefinition;

export const UNREGISTER_BROKER = {
  code: 104,
  name: 'UNREGISTER_BROKER',
  request: UnRegisterBrokerRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

/** Answers with TopicRouteData, or TOPIC_NOT_EXIST for an unknown topic. */
export const GET_ROUTEINFO_BY_TOPIC = {
  code: 105,
  name: 'GET_ROUTEINFO_BY_TOPIC',
  request: GetRouteInfoRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

/** Answers with ClusterInfo, always in fastjson's default form. */
export const GET_BROKER_CLUSTER_INFO = headerless(106, 'GET_BROKER_CLUSTER_INFO');

export const WIPE_WRITE_PERM_OF_BROKER = {
  code: 205,
  name: 'WIPE_WRITE_PERM_OF_BROKER',
  request: WipeWritePermOfBrokerRequestHeader,
  response: WipeWritePermOfBrokerResponseHeader,
} as const satisfies RequestDefinition;

export const GET_ALL_TOPIC_LIST_FROM_NAMESERVER = headerless(206, 'GET_ALL_TOPIC_LIST_FROM_NAMESERVER');

export const DELETE_TOPIC_IN_NAMESRV = {
  code: 216,
  name: 'DELETE_TOPIC_IN_NAMESRV',
  request: DeleteTopicFromNamesrvRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

/** The body is a TopicRouteData. */
export const REGISTER_TOPIC_IN_NAMESRV = {
  code: 217,
  name: 'REGISTER_TOPIC_IN_NAMESRV',
  request: RegisterTopicRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const GET_KVLIST_BY_NAMESPACE = {
  code: 219,
  name: 'GET_KVLIST_BY_NAMESPACE',
  request: GetKVListByNamespaceRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const GET_TOPICS_BY_CLUSTER = {
  code: 224,
  name: 'GET_TOPICS_BY_CLUSTER',
  request: GetTopicsByClusterRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const GET_SYSTEM_TOPIC_LIST_FROM_NS = headerless(304, 'GET_SYSTEM_TOPIC_LIST_FROM_NS');
export const GET_UNIT_TOPIC_LIST = headerless(311, 'GET_UNIT_TOPIC_LIST');
export const GET_HAS_UNIT_SUB_TOPIC_LIST = headerless(312, 'GET_HAS_UNIT_SUB_TOPIC_LIST');
export const GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST = headerless(313, 'GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST');
/** The body is Java properties text. */
export const UPDATE_NAMESRV_CONFIG = headerless(318, 'UPDATE_NAMESRV_CONFIG');
export const GET_NAMESRV_CONFIG = headerless(319, 'GET_NAMESRV_CONFIG');

/** DataVersion JSON in both directions. */
export const QUERY_DATA_VERSION = {
  code: 322,
  name: 'QUERY_DATA_VERSION',
  request: QueryDataVersionRequestHeader,
  response: QueryDataVersionResponseHeader,
} as const satisfies RequestDefinition;

export const ADD_WRITE_PERM_OF_BROKER = {
  code: 327,
  name: 'ADD_WRITE_PERM_OF_BROKER',
  request: AddWritePermOfBrokerRequestHeader,
  response: AddWritePermOfBrokerResponseHeader,
} as const satisfies RequestDefinition;
