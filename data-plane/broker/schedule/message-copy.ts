/**
 * Building a new message from a stored record: delay delivery, retries,
 * transaction commits and pop revivals all write a copy of an existing record
 * under another topic, keeping body, flag, sysFlag, born time and host and
 * properties as RocketMQ does. Properties are edited through a Map only here.
 */
import { decodeProperties, encodeProperties } from '../../../sdk/protocol/message-properties.ts';
import { encodeHostAddress } from '../../../sdk/protocol/message-id.ts';
import {
  encodeMessageRecord,
  recordSize,
  utf8Bytes,
  utf8Length,
  type MessageRecord,
  type MessageRecordInput,
} from '../../../sdk/protocol/message-record.ts';
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

/**
 * Re-encodes a stored record with another topic (and queue, properties) for
 * a response body: a transaction check carries the half message under its
 * real topic, a pop from the pop retry topic answers with the original topic.
 * Offsets, times and hosts stay those of the stored record.
 */
export function reencodeRecord(record: MessageRecord, topic: string, queueId: number, properties: string = record.properties): Uint8Array {
  const input: MessageRecordInput = {
    queueId,
    flag: record.flag,
    queueOffset: record.queueOffset,
    physicalOffset: record.physicalOffset,
    sysFlag: record.sysFlag,
    bornTimestamp: record.bornTimestamp,
    bornHost: encodeHostAddress(record.bornHost.address) ?? new Uint8Array(4),
    bornPort: record.bornHost.port,
    storeTimestamp: record.storeTimestamp,
    storeHost: encodeHostAddress(record.storeHost.address) ?? new Uint8Array(4),
    storePort: record.storeHost.port,
    reconsumeTimes: record.reconsumeTimes,
    preparedTransactionOffset: record.preparedTransactionOffset,
    body: record.body,
    topic: utf8Bytes(topic),
    properties,
  };
  const propertiesLength = utf8Length(properties);
  const target = new Uint8Array(recordSize(record.body.length, input.topic.length, propertiesLength, input.bornHost.length, input.storeHost.length));
  encodeMessageRecord(target, 0, { ...input, propertiesLength });
  return target;
}
