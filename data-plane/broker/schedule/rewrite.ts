/**
 * Send-path rewriting of scheduled messages (RocketMQ's HookUtils and the
 * 4.9 CommitLog delay rewrite). The broker's send processor calls
 * `rewriteForDelay` on every message before putting it:
 *
 * - `DELAY` = level > 0 on a message whose transaction type is NOT or COMMIT
 *   parks it in `SCHEDULE_TOPIC_XXXX`, queue `level − 1` (levels above the
 *   highest are capped), with `REAL_TOPIC` / `REAL_QID` recording where it goes.
 * - Otherwise `TIMER_DELIVER_MS` (absolute ms), `TIMER_DELAY_MS`, ONS clients'
 *   `__STARTDELIVERTIME` (absolute ms) or
 *   `TIMER_DELAY_SEC` (relative to now) park it in `rmq_sys_wheel_timer`,
 *   queue 0, with `TIMER_OUT_MS` = its delivery time. A time already past is
 *   delivered at once (the message is left alone); one further away than
 *   `timerMaxDelayMs` is refused.
 */
import { MessageConst, findProperty } from '../../../sdk/protocol/message-properties.ts';
import { MessageSysFlag, transactionType } from '../../../sdk/protocol/message-record.ts';
import { TopicValidator } from '../../../sdk/protocol/topic-names.ts';
import type { MessageToPut, TagsCodeOf } from '../../store/message-store.ts';
import { propertyRangesOf } from '../../store/properties.ts';
import { delayOfLevel, type DelayLevelTable } from './delay-levels.ts';
import { editProperties } from './message-copy.ts';

/** RocketMQ `timerMaxDelaySec`: 3 days; a longer timer is refused so parked messages stay bounded in age. */
export const timerMaxDelayMsDefault = 259_200_000;

export const SCHEDULE_TOPIC = TopicValidator.RMQ_SYS_SCHEDULE_TOPIC;
export const TIMER_TOPIC = TopicValidator.SYSTEM_TOPIC_TIMER;

export interface DelayRewriteOptions {
  delayLevels: DelayLevelTable;
  timerMaxDelayMs?: number;
  now?: number;
}

export type DelayRewrite =
  /** `message` is what to put: the original object when nothing applies. */
  | { ok: true; rewritten: boolean; message: MessageToPut }
  /** Answer MESSAGE_ILLEGAL with `reason`. */
  | { ok: false; reason: string };

const M = MessageConst;

/**
 * Rewrites a delayed or timed message into its parking topic.
 *
 * @example
 * const rewrite = rewriteForDelay(message, { delayLevels });
 * if (!rewrite.ok) return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, rewrite.reason);
 * const put = await store.putMessage(rewrite.message);
 */
/** False when the message certainly holds no delay level and no timer: the test the send path runs for every message. */
export function mayDelayOrTime(message: MessageToPut): boolean {
  return propertyRangesOf(message).mayRedirect;
}

export function rewriteForDelay(message: MessageToPut, options: DelayRewriteOptions): DelayRewrite {
  const properties = message.properties;
  const type = transactionType(message.sysFlag);
  // A half message waits for its transaction; a delay applies once it is committed.
  if (message.topic === TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC) return { ok: true, rewritten: false, message };
  if (type !== MessageSysFlag.TRANSACTION_NOT_TYPE && type !== MessageSysFlag.TRANSACTION_COMMIT_TYPE) {
    return { ok: true, rewritten: false, message };
  }
  // Cheap test first: most messages carry neither property.
  const mayDelay = properties.includes('DELAY\u0001');
  const mayTime = properties.includes('TIMER_') || properties.includes('__STARTDELIVERTIME\u0001');
  if (!mayDelay && !mayTime) return { ok: true, rewritten: false, message };
  const level = mayDelay ? Number(findProperty(properties, M.PROPERTY_DELAY_TIME_LEVEL)) : 0;
  if (Number.isInteger(level) && level > 0) {
    const capped = Math.min(level, options.delayLevels.length);
    return { ok: true, rewritten: true, message: park(message, SCHEDULE_TOPIC, capped - 1, { [M.PROPERTY_DELAY_TIME_LEVEL]: String(capped) }) };
  }
  if (!mayTime) return { ok: true, rewritten: false, message };
  return rewriteForTimer(message, options);
}

function rewriteForTimer(message: MessageToPut, options: DelayRewriteOptions): DelayRewrite {
  const now = options.now ?? Date.now();
  const deliverAt = timerDeliverMs(message.properties, now);
  if (deliverAt === undefined) return { ok: true, rewritten: false, message };
  if (!Number.isSafeInteger(deliverAt)) return { ok: false, reason: 'timer message property is not a number of milliseconds or seconds' };
  if (deliverAt <= now) return { ok: true, rewritten: false, message };
  const maxDelayMs = options.timerMaxDelayMs ?? timerMaxDelayMsDefault;
  if (deliverAt - now > maxDelayMs) {
    return { ok: false, reason: `timer message delay ${deliverAt - now} ms exceeds the maximum ${maxDelayMs} ms` };
  }
  return { ok: true, rewritten: true, message: park(message, TIMER_TOPIC, 0, { [M.PROPERTY_TIMER_OUT_MS]: String(deliverAt) }) };
}

/** The delivery time a message's timer properties ask for; undefined when it has none, NaN when one is malformed. */
export function timerDeliverMs(properties: string, now: number): number | undefined {
  const deliver = findProperty(properties, M.PROPERTY_TIMER_DELIVER_MS);
  if (deliver !== undefined) return parseWhole(deliver);
  const delayMs = findProperty(properties, M.PROPERTY_TIMER_DELAY_MS);
  if (delayMs !== undefined) return now + parseWhole(delayMs);
  const delaySec = findProperty(properties, M.PROPERTY_TIMER_DELAY_SEC);
  if (delaySec !== undefined) return now + parseWhole(delaySec) * 1000;
  const startDeliver = findProperty(properties, M.PROPERTY_START_DELIVER_TIME);
  if (startDeliver !== undefined) return parseWhole(startDeliver);
  return undefined;
}

function parseWhole(text: string): number {
  return /^\d{1,15}$/.test(text) ? Number(text) : NaN;
}

function park(message: MessageToPut, topic: string, queueId: number, extra: Record<string, string>): MessageToPut {
  return {
    ...message,
    topic,
    queueId,
    properties: editProperties(message.properties, {
      ...extra,
      [M.PROPERTY_REAL_TOPIC]: message.topic,
      [M.PROPERTY_REAL_QUEUE_ID]: String(message.queueId),
    }),
  };
}

/**
 * The store option that puts each parked message's delivery time into its
 * ConsumeQueue tags code, as RocketMQ does for SCHEDULE_TOPIC_XXXX, so a
 * scan can see what is due without reading the CommitLog.
 */
export function scheduleTagsCodeOf(delayLevels: DelayLevelTable): TagsCodeOf {
  return (topic, properties, storeTimestamp) => {
    if (topic === SCHEDULE_TOPIC) {
      const level = Number(findProperty(properties, M.PROPERTY_DELAY_TIME_LEVEL));
      return Number.isInteger(level) && level > 0 ? storeTimestamp + delayOfLevel(delayLevels, level) : undefined;
    }
    if (topic === TIMER_TOPIC) {
      const at = Number(findProperty(properties, M.PROPERTY_TIMER_OUT_MS));
      return Number.isSafeInteger(at) ? at : undefined;
    }
    return undefined;
  };
}
