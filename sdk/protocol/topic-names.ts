/**
 * Topic and group names: the characters and lengths RocketMQ accepts, the
 * system topics and groups it reserves, and the names it derives for retry
 * and dead-letter queues.
 */
import { systemTopicLengthMax, topicLengthMax } from './limits.ts';

/** Longest consumer or producer group name. */
export const groupLengthMax = 120;

export const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%';
export const DLQ_GROUP_TOPIC_PREFIX = '%DLQ%';
export const LMQ_PREFIX = '%LMQ%';
export const REPLY_TOPIC_POSTFIX = 'REPLY_TOPIC';
/** 5.x system topics start with this. */
export const SYSTEM_TOPIC_PREFIX = 'rmq_sys_';
export const SYSTEM_GROUP_PREFIX = 'CID_RMQ_SYS_';

export const TopicValidator = {
  AUTO_CREATE_TOPIC_KEY_TOPIC: 'TBW102',
  RMQ_SYS_SCHEDULE_TOPIC: 'SCHEDULE_TOPIC_XXXX',
  RMQ_SYS_BENCHMARK_TOPIC: 'BenchmarkTest',
  RMQ_SYS_TRANS_HALF_TOPIC: 'RMQ_SYS_TRANS_HALF_TOPIC',
  RMQ_SYS_TRACE_TOPIC: 'RMQ_SYS_TRACE_TOPIC',
  RMQ_SYS_TRANS_OP_HALF_TOPIC: 'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC: 'TRANS_CHECK_MAX_TIME_TOPIC',
  RMQ_SYS_SELF_TEST_TOPIC: 'SELF_TEST_TOPIC',
  RMQ_SYS_OFFSET_MOVED_EVENT: 'OFFSET_MOVED_EVENT',
  /** 5.x. */
  RMQ_SYS_ROCKSDB_OFFSET_TOPIC: 'CHECKPOINT_TOPIC',
  /** 5.x timer wheel. */
  SYSTEM_TOPIC_TIMER: 'rmq_sys_wheel_timer',
} as const;

export const MixAllGroups = {
  DEFAULT_PRODUCER_GROUP: 'DEFAULT_PRODUCER',
  DEFAULT_CONSUMER_GROUP: 'DEFAULT_CONSUMER',
  TOOLS_CONSUMER_GROUP: 'TOOLS_CONSUMER',
  SCHEDULE_CONSUMER_GROUP: 'SCHEDULE_CONSUMER',
  FILTERSRV_CONSUMER_GROUP: 'FILTERSRV_CONSUMER',
  MONITOR_CONSUMER_GROUP: '__MONITOR_CONSUMER',
  CLIENT_INNER_PRODUCER_GROUP: 'CLIENT_INNER_PRODUCER',
  SELF_TEST_PRODUCER_GROUP: 'SELF_TEST_P_GROUP',
  SELF_TEST_CONSUMER_GROUP: 'SELF_TEST_C_GROUP',
  CID_RMQ_SYS_PREFIX: SYSTEM_GROUP_PREFIX,
  CID_SYS_RMQ_TRANS: 'CID_RMQ_SYS_TRANS',
} as const;

const systemTopics: ReadonlySet<string> = new Set(Object.values(TopicValidator));

const sendForbiddenTopics: ReadonlySet<string> = new Set([
  TopicValidator.RMQ_SYS_SCHEDULE_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
  TopicValidator.RMQ_SYS_SELF_TEST_TOPIC,
  TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT,
]);

const systemGroups: ReadonlySet<string> = new Set(Object.values(MixAllGroups));

export type NameCheck = { ok: true } | { ok: false; reason: string };

/** Whether every character is one of `%|-_0-9A-Za-z`; a lookup table keeps this allocation-free. */
const allowedCharacter = new Uint8Array(128);
for (const c of '%|-_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz') allowedCharacter[c.charCodeAt(0)] = 1;

function firstIllegalCharacter(name: string): number {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || allowedCharacter[c] === 0) return i;
  }
  return -1;
}

export function isRetryTopic(topic: string): boolean {
  return topic.startsWith(RETRY_GROUP_TOPIC_PREFIX);
}

export function isDlqTopic(topic: string): boolean {
  return topic.startsWith(DLQ_GROUP_TOPIC_PREFIX);
}

/**
 * Checks a topic name as a broker does before a send: not blank, only allowed
 * characters, at most 127 characters (255 for retry and DLQ topics).
 */
export function validateTopicName(topic: string): NameCheck {
  if (topic.length === 0) return { ok: false, reason: 'the topic is blank' };
  const lengthMax = isRetryTopic(topic) || isDlqTopic(topic) ? systemTopicLengthMax : topicLengthMax;
  if (topic.length > lengthMax) return { ok: false, reason: `the topic is ${topic.length} characters, longer than ${lengthMax}` };
  const at = firstIllegalCharacter(topic);
  if (at !== -1) return { ok: false, reason: `the topic contains the illegal character ${JSON.stringify(topic[at])} at ${at}; allowed are %|-_0-9A-Za-z` };
  return { ok: true };
}

/** Checks a group name: not blank, only allowed characters, at most 120 characters. */
export function validateGroupName(group: string): NameCheck {
  if (group.length === 0) return { ok: false, reason: 'the group is blank' };
  if (group.length > groupLengthMax) return { ok: false, reason: `the group is ${group.length} characters, longer than ${groupLengthMax}` };
  const at = firstIllegalCharacter(group);
  if (at !== -1) return { ok: false, reason: `the group contains the illegal character ${JSON.stringify(group[at])} at ${at}; allowed are %|-_0-9A-Za-z` };
  return { ok: true };
}

/** Topics clients may not send to: the broker answers NO_PERMISSION. */
export function isNotAllowedSendTopic(topic: string): boolean {
  return sendForbiddenTopics.has(topic);
}

export function isSystemTopic(topic: string): boolean {
  return systemTopics.has(topic) || topic.startsWith(SYSTEM_TOPIC_PREFIX);
}

export function isSystemGroup(group: string): boolean {
  return systemGroups.has(group) || group.startsWith(SYSTEM_GROUP_PREFIX);
}

/** `%RETRY%<group>`: where a push consumer's failed messages wait for redelivery. */
export function retryTopic(group: string): string {
  return RETRY_GROUP_TOPIC_PREFIX + group;
}

/** `%DLQ%<group>`: where messages go after their last retry. */
export function dlqTopic(group: string): string {
  return DLQ_GROUP_TOPIC_PREFIX + group;
}

/** Pop retry topic: `%RETRY%<group>_<topic>`, or `%RETRY%<group>+<topic>` in its v2 form. */
export function popRetryTopic(group: string, topic: string, v2: boolean): string {
  return RETRY_GROUP_TOPIC_PREFIX + group + (v2 ? '+' : '_') + topic;
}

/** The group of `%RETRY%<group>` or `%DLQ%<group>`, or undefined for other topics. */
export function groupOfRetryOrDlqTopic(topic: string): string | undefined {
  if (isRetryTopic(topic)) return topic.slice(RETRY_GROUP_TOPIC_PREFIX.length);
  if (isDlqTopic(topic)) return topic.slice(DLQ_GROUP_TOPIC_PREFIX.length);
  return undefined;
}

/** `<clusterName>_REPLY_TOPIC`: request/reply answers for a cluster. */
export function replyTopic(clusterName: string): string {
  return clusterName + '_' + REPLY_TOPIC_POSTFIX;
}

/** `rmq_sys_REVIVE_LOG_<cluster>`: RocketMQ's pop revive topic. */
export function reviveTopic(clusterName: string): string {
  return SYSTEM_TOPIC_PREFIX + 'REVIVE_LOG_' + clusterName;
}
