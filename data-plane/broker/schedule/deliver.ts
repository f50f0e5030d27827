/**
 * Moving a parked message (delay level or timer) to where it was sent: a new
 * record in `REAL_TOPIC` / `REAL_QID` with the scheduling properties removed
 * and `WAIT=false`, keeping body, flags, born time and host, reconsume times
 * and `UNIQ_KEY` (store doc §12).
 */
import { MessageConst, findProperty } from '../../../sdk/protocol/message-properties.ts';
import type { MessageRecord } from '../../../sdk/protocol/message-record.ts';
import type { MessageStore, MessageToPut } from '../../store/message-store.ts';
import { PutMessageStatus } from '../../store/status.ts';
import { copyRecord } from './message-copy.ts';

const M = MessageConst;

const stripped: Readonly<Record<string, undefined | string>> = {
  [M.PROPERTY_DELAY_TIME_LEVEL]: undefined,
  [M.PROPERTY_TIMER_OUT_MS]: undefined,
  [M.PROPERTY_TIMER_DELIVER_MS]: undefined,
  [M.PROPERTY_TIMER_DELAY_MS]: undefined,
  [M.PROPERTY_TIMER_DELAY_SEC]: undefined,
  [M.PROPERTY_WAIT_STORE_MSG_OK]: 'false',
};

/** The message to put for a parked record; undefined when it lacks a usable REAL_TOPIC / REAL_QID. */
export function unparkedMessage(record: MessageRecord): MessageToPut | undefined {
  const topic = findProperty(record.properties, M.PROPERTY_REAL_TOPIC);
  const queueId = Number(findProperty(record.properties, M.PROPERTY_REAL_QUEUE_ID));
  if (!topic || !Number.isInteger(queueId) || queueId < 0) return undefined;
  return copyRecord(record, { topic, queueId, properties: stripped });
}

export type DeliverOutcome = 'delivered' | 'already-delivered' | 'dropped' | 'retry-later';

/**
 * Puts the unparked copy of `record`. With `checkDuplicate` (records that
 * were due before a restart), a copy already in the real topic, stored after
 * the parked record, counts as delivered, so a crash between the put and the
 * saved progress does not deliver twice.
 */
export async function deliverParked(store: MessageStore, record: MessageRecord, checkDuplicate: boolean): Promise<DeliverOutcome> {
  const message = unparkedMessage(record);
  if (!message) return 'dropped';
  if (checkDuplicate && wasDelivered(store, message.topic, record)) return 'already-delivered';
  const put = await store.putMessage(message);
  if (put.status === PutMessageStatus.PUT_OK || put.status === PutMessageStatus.FLUSH_DISK_TIMEOUT
    || put.status === PutMessageStatus.FLUSH_SLAVE_TIMEOUT || put.status === PutMessageStatus.SLAVE_NOT_AVAILABLE) return 'delivered';
  // A refusal for the message itself will never succeed; anything else (disk full, closing) is retried.
  if (put.status === PutMessageStatus.MESSAGE_ILLEGAL || put.status === PutMessageStatus.PROPERTIES_SIZE_EXCEEDED) return 'dropped';
  return 'retry-later';
}

function wasDelivered(store: MessageStore, topic: string, record: MessageRecord): boolean {
  const uniqueKey = findProperty(record.properties, M.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
  if (!uniqueKey) return false;
  const found = store.lookMessageByUniqueKey(topic, uniqueKey);
  return found !== undefined && found.record.storeTimestamp >= record.storeTimestamp && found.record.physicalOffset > record.physicalOffset;
}
