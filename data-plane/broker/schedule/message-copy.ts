/**
 * Building a new message from a stored record: delay delivery, retries,
 * transaction commits and pop revivals all write a copy of an existing record
 * under another topic, keeping body, flag, sysFlag, born time and host and
 * properties as RocketMQ does. Properties are edited through a Map only here.
 */
import { decodeProperties, encodeProperties } from '../../../sdk/protocol/message-properties.ts';
import type { MessageRecord } from '../../../sdk/protocol/message-record.ts';
import type { MessageToPut } from '../../store/message-store.ts';

export interface CopyChanges {
  topic: string;
  queueId: number;
  /** Property edits: a string sets, undefined removes. */
  properties?: Readonly<Record<string, string | undefined>>;
  sysFlag?: number;
  reconsumeTimes?: number;
  preparedTransactionOffset?: number;
}

export function copyRecord(record: MessageRecord, changes: CopyChanges): MessageToPut {
  return {
    topic: changes.topic,
    queueId: changes.queueId,
    flag: record.flag,
    body: record.body,
    properties: changes.properties ? editProperties(record.properties, changes.properties) : record.properties,
    sysFlag: changes.sysFlag ?? record.sysFlag,
    bornTimestamp: record.bornTimestamp,
    bornHost: { address: record.bornHost.address, port: record.bornHost.port },
    reconsumeTimes: changes.reconsumeTimes ?? record.reconsumeTimes,
    preparedTransactionOffset: changes.preparedTransactionOffset ?? record.preparedTransactionOffset,
  };
}

/** Applies edits to an encoded properties string: a string value sets, undefined removes. */
export function editProperties(encoded: string, edits: Readonly<Record<string, string | undefined>>): string {
  const properties = decodeProperties(encoded);
  for (const [name, value] of Object.entries(edits)) {
    if (value === undefined) properties.delete(name);
    else properties.set(name, value);
  }
  return encodeProperties(properties);
}
