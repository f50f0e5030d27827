/**
 * MessageQueue, the (topic, brokerName, queueId) triple that keys lock bodies
 * and the object-keyed maps of admin bodies.
 */
import type { JsonValue } from '../fastjson.ts';
import { asObject, readNumber, readString } from './read.ts';

export interface MessageQueue {
  topic: string;
  brokerName: string;
  queueId: number;
}

export function readMessageQueue(value: JsonValue | undefined, what: string): MessageQueue {
  const object = asObject(value, what);
  return { topic: readString(object, 'topic') ?? '', brokerName: readString(object, 'brokerName') ?? '', queueId: readNumber(object, 'queueId') };
}

/** The bean fastjson writes (keys sorted by the encoder). */
export function messageQueueBean(queue: MessageQueue): { brokerName: string; queueId: number; topic: string } {
  return { brokerName: queue.brokerName, queueId: queue.queueId, topic: queue.topic };
}
