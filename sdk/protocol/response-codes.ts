/**
 * Every RocketMQ response code, as one table: its number, name, whether the
 * caller may retry it, and what it means. `retriable` follows the Java
 * producer, which resends to another broker on exactly the send codes marked
 * here, plus the codes that only say "not now" (flow control, long-poll
 * table full). Codes 209–211 mean different things in 4.9 (ACL admin failures)
 * and 5.x; the 5.x names are used, the 4.9 meaning is in the text.
 */

export interface ResponseCodeInfo {
  readonly code: number;
  readonly name: string;
  readonly retriable: boolean;
  readonly meaning: string;
}

const table = [
  [0, 'SUCCESS', false, 'success'],
  [1, 'SYSTEM_ERROR', true, 'generic failure'],
  [2, 'SYSTEM_BUSY', true, 'flow control; producers retry another broker'],
  [3, 'REQUEST_CODE_NOT_SUPPORTED', false, 'unknown request code'],
  [4, 'TRANSACTION_FAILED', false, 'transaction failed'],
  [10, 'FLUSH_DISK_TIMEOUT', false, 'stored, but the synchronous flush timed out (counts as sent)'],
  [11, 'SLAVE_NOT_AVAILABLE', false, 'stored, but a SYNC_MASTER had no slave (counts as sent)'],
  [12, 'FLUSH_SLAVE_TIMEOUT', false, 'stored, but the slave did not acknowledge in time (counts as sent)'],
  [13, 'MESSAGE_ILLEGAL', false, 'body, properties or topic length or format invalid'],
  [14, 'SERVICE_NOT_AVAILABLE', true, 'store not writable (disk full, slave, shutting down)'],
  [15, 'VERSION_NOT_SUPPORTED', false, 'version not supported'],
  [16, 'NO_PERMISSION', true, 'broker or topic not writable or readable, forbidden, or ACL denied'],
  [17, 'TOPIC_NOT_EXIST', true, 'topic does not exist (also the name server answer for an unknown route)'],
  [18, 'TOPIC_EXIST_ALREADY', false, 'topic exists already'],
  [19, 'PULL_NOT_FOUND', false, 'no new message'],
  [20, 'PULL_RETRY_IMMEDIATELY', true, 'nothing matched the filter or the message is being removed; pull again at once'],
  [21, 'PULL_OFFSET_MOVED', false, 'requested offset invalid; nextBeginOffset carries the corrected one'],
  [22, 'QUERY_NOT_FOUND', false, 'nothing found (query by key, consumer offset)'],
  [23, 'SUBSCRIPTION_PARSE_FAILED', false, 'subscription expression could not be parsed'],
  [24, 'SUBSCRIPTION_NOT_EXIST', false, 'no heartbeat subscription for this group and topic'],
  [25, 'SUBSCRIPTION_NOT_LATEST', false, "the broker's subscription is older than the pull's subVersion"],
  [26, 'SUBSCRIPTION_GROUP_NOT_EXIST', false, 'subscription group does not exist'],
  [27, 'FILTER_DATA_NOT_EXIST', false, 'SQL92 filter data missing'],
  [28, 'FILTER_DATA_NOT_LATEST', false, 'SQL92 filter data outdated'],
  [29, 'INVALID_PARAMETER', false, 'invalid parameter (5.x)'],
  [200, 'TRANSACTION_SHOULD_COMMIT', false, 'transaction should commit'],
  [201, 'TRANSACTION_SHOULD_ROLLBACK', false, 'transaction should roll back'],
  [202, 'TRANSACTION_STATE_UNKNOW', false, 'transaction state unknown'],
  [203, 'TRANSACTION_STATE_GROUP_WRONG', false, 'transaction producer group wrong'],
  [204, 'NO_BUYER_ID', true, 'no buyer id (legacy)'],
  [205, 'NOT_IN_CURRENT_UNIT', true, 'not in current unit (legacy)'],
  [206, 'CONSUMER_NOT_ONLINE', false, 'consumer not online'],
  [207, 'CONSUME_MSG_TIMEOUT', false, 'consuming the message timed out'],
  [208, 'NO_MESSAGE', false, 'ack of an unknown or out-of-range offset; peek found nothing'],
  [209, 'POLLING_FULL', true, '5.x: pop/notification long-poll table full; 4.9: UPDATE_AND_CREATE_ACL_CONFIG_FAILED'],
  [210, 'POLLING_TIMEOUT', false, '5.x: pop/notification long poll ended with nothing; 4.9: DELETE_ACL_CONFIG_FAILED'],
  [211, 'BROKER_NOT_EXIST', false, '5.x: broker does not exist; 4.9: UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED'],
  [212, 'BROKER_DISPATCH_NOT_COMPLETE', true, 'broker dispatch not complete (5.x)'],
  [213, 'BROADCAST_CONSUMPTION', false, 'broadcast consumption (5.x)'],
  [215, 'FLOW_CONTROL', true, 'flow control (5.x)'],
  [501, 'NOT_LEADER_FOR_QUEUE', true, 'not leader for queue (5.x)'],
  [604, 'ILLEGAL_OPERATION', false, 'illegal operation, e.g. a commit after the check window (5.x)'],
  [1500, 'GO_AWAY', true, 'server shutting down; reconnect elsewhere (5.2+)'],
  [2000, 'CONTROLLER_FENCED_MASTER_EPOCH', false, 'controller mode (5.x)'],
  [2001, 'CONTROLLER_FENCED_SYNC_STATE_SET_EPOCH', false, 'controller mode (5.x)'],
  [2002, 'CONTROLLER_INVALID_MASTER', false, 'controller mode (5.x)'],
  [2003, 'CONTROLLER_INVALID_REPLICAS', false, 'controller mode (5.x)'],
  [2004, 'CONTROLLER_MASTER_NOT_AVAILABLE', false, 'controller mode (5.x)'],
  [2005, 'CONTROLLER_INVALID_REQUEST', false, 'controller mode (5.x)'],
  [2006, 'CONTROLLER_BROKER_NOT_ALIVE', false, 'controller mode (5.x)'],
  [2007, 'CONTROLLER_NOT_LEADER', false, 'controller mode (5.x)'],
  [2008, 'CONTROLLER_BROKER_METADATA_NOT_EXIST', false, 'controller mode (5.x)'],
  [2009, 'CONTROLLER_INVALID_CLEAN_BROKER_METADATA', false, 'controller mode (5.x)'],
  [2010, 'CONTROLLER_BROKER_NEED_TO_BE_REGISTERED', false, 'controller mode (5.x)'],
  [2011, 'CONTROLLER_MASTER_STILL_EXIST', false, 'controller mode (5.x)'],
  [2012, 'CONTROLLER_ELECT_MASTER_FAILED', false, 'controller mode (5.x)'],
  [2013, 'CONTROLLER_ALTER_SYNC_STATE_SET_FAILED', false, 'controller mode (5.x)'],
  [2014, 'CONTROLLER_BROKER_ID_INVALID', false, 'controller mode (5.x)'],
  [2015, 'CONTROLLER_JRAFT_INTERNAL_ERROR', false, 'controller mode (5.x)'],
  [2016, 'CONTROLLER_BROKER_LIVE_INFO_NOT_EXISTS', false, 'controller mode (5.x)'],
  [3001, 'USER_NOT_EXIST', false, 'user does not exist (5.3+)'],
  [3002, 'POLICY_NOT_EXIST', false, 'policy does not exist (5.3+)'],
  [-1000, 'RPC_UNKNOWN', false, 'client-local, never on the wire'],
  [-1002, 'RPC_ADDR_IS_NULL', false, 'client-local, never on the wire'],
  [-1004, 'RPC_SEND_TO_CHANNEL_FAILED', true, 'client-local, never on the wire'],
  [-1006, 'RPC_TIME_OUT', true, 'client-local, never on the wire'],
] as const satisfies ReadonlyArray<readonly [number, string, boolean, string]>;

type Row = (typeof table)[number];

/** Response code numbers by RocketMQ name. */
export const ResponseCode = Object.fromEntries(table.map((row) => [row[1], row[0]])) as {
  readonly [R in Row as R[1]]: R[0];
};

export type ResponseCodeName = keyof typeof ResponseCode;

const infoByCode: ReadonlyMap<number, ResponseCodeInfo> = new Map(
  table.map(([code, name, retriable, meaning]) => [code, { code, name, retriable, meaning }] as const),
);

/** The row for a code, or an `UNKNOWN_<n>` row (not retriable) for codes RocketMQ does not define. */
export function responseCodeInfo(code: number): ResponseCodeInfo {
  return infoByCode.get(code) ?? { code, name: `UNKNOWN_${code}`, retriable: false, meaning: 'not a RocketMQ response code' };
}

/**
 * Send answers that mean "stored": SUCCESS and the three store-but-degraded
 * codes, which the Java producer reports as sent with a different SendStatus.
 */
export const sendStoredResponseCodes: ReadonlySet<number> = new Set([0, 10, 11, 12]);

/** Send answers on which the Java producer retries another broker. */
export const sendRetryResponseCodes: ReadonlySet<number> = new Set([17, 14, 1, 2, 16, 204, 205, 1500]);
