/**
 * POP receipt handles and info strings in RocketMQ's ExtraInfoUtil formats
 * (wire §14). A handle ("extraInfo", the `POP_CK` property) is eight fields
 * joined by spaces:
 *
 *   ckQueueOffset popTime invisibleTime reviveQid retry brokerName queueId msgQueueOffset
 *   e.g. `1200 1700000000000 60000 3 0 broker-a 2 1207`
 *
 * `retry` is 0 for the topic itself, 1 for the pop retry topic
 * `%RETRY%<group>_<topic>`, 2 for its v2 form `%RETRY%<group>+<topic>`.
 * The pop response's `startOffsetInfo` and `msgOffsetInfo` join per-queue
 * entries with `;`: `retry queueId startOffset` and `retry queueId o1,o2,…`.
 */
import { popRetryTopic } from '../../../sdk/protocol/topic-names.ts';

export const RetryFlag = { NORMAL: 0, RETRY_V1: 1, RETRY_V2: 2 } as const;
export type RetryFlag = (typeof RetryFlag)[keyof typeof RetryFlag];

export interface ReceiptHandle {
  ckQueueOffset: number;
  popTime: number;
  invisibleTime: number;
  reviveQid: number;
  retry: RetryFlag;
  brokerName: string;
  queueId: number;
  msgQueueOffset: number;
}

export function buildExtraInfo(handle: ReceiptHandle): string {
  return `${handle.ckQueueOffset} ${handle.popTime} ${handle.invisibleTime} ${handle.reviveQid} ${handle.retry} ${handle.brokerName} ${handle.queueId} ${handle.msgQueueOffset}`;
}

export type ExtraInfoParse = { ok: true; handle: ReceiptHandle } | { ok: false; reason: string };

/** Parses a handle; older clients send the first five fields only, which an ack can still use. */
export function parseExtraInfo(extraInfo: string): ExtraInfoParse {
  const fields = extraInfo.trim().split(' ');
  if (fields.length < 5) return { ok: false, reason: `extraInfo ${JSON.stringify(extraInfo.slice(0, 80))} has ${fields.length} fields, expected 8` };
  const numberAt = (index: number): number => (fields[index] === undefined ? -1 : Number(fields[index]));
  const numbers = [0, 1, 2, 3, 4, 6, 7].map(numberAt);
  if (numbers.some((value) => !Number.isSafeInteger(value))) {
    return { ok: false, reason: `extraInfo ${JSON.stringify(extraInfo.slice(0, 80))} has a field that is not a number` };
  }
  const retry = numbers[4]!;
  if (retry !== 0 && retry !== 1 && retry !== 2) return { ok: false, reason: `extraInfo retry flag ${retry} is not 0, 1 or 2` };
  return {
    ok: true,
    handle: {
      ckQueueOffset: numbers[0]!,
      popTime: numbers[1]!,
      invisibleTime: numbers[2]!,
      reviveQid: numbers[3]!,
      retry,
      brokerName: fields[5] ?? '',
      queueId: numbers[5]!,
      msgQueueOffset: numbers[6]!,
    },
  };
}

/** The topic an ACK for this handle names: the pop retry topic for retried messages. */
export function ackTopicOf(retry: RetryFlag, group: string, topic: string): string {
  return retry === RetryFlag.NORMAL ? topic : popRetryTopic(group, topic, retry === RetryFlag.RETRY_V2);
}

/** Builds `startOffsetInfo` / `msgOffsetInfo` as one queue at a time is popped. */
export class PopInfoBuilder {
  private readonly starts: string[] = [];
  private readonly offsets: string[] = [];

  add(retry: RetryFlag, queueId: number, startOffset: number, messageOffsets: readonly number[]): void {
    this.starts.push(`${retry} ${queueId} ${startOffset}`);
    this.offsets.push(`${retry} ${queueId} ${messageOffsets.join(',')}`);
  }

  get startOffsetInfo(): string {
    return this.starts.join(';');
  }

  get msgOffsetInfo(): string {
    return this.offsets.join(';');
  }
}

/** The handle a client builds for message `offset` of a pop answer (used by tests and SDK parity). */
export function handleFromPopResponse(
  header: { popTime: number; invisibleTime: number; reviveQid: number; startOffsetInfo?: string },
  retry: RetryFlag,
  brokerName: string,
  queueId: number,
  offset: number,
): string {
  let start = offset;
  for (const entry of (header.startOffsetInfo ?? '').split(';')) {
    const [entryRetry, entryQueue, entryStart] = entry.split(' ').map(Number);
    if (entryRetry === retry && entryQueue === queueId && entryStart !== undefined) start = entryStart;
  }
  return buildExtraInfo({ ckQueueOffset: start, popTime: header.popTime, invisibleTime: header.invisibleTime, reviveQid: header.reviveQid, retry, brokerName, queueId, msgQueueOffset: offset });
}
