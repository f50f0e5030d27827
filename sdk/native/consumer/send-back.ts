/**
 * Returning a failed message to the broker for a later retry. First
 * CONSUMER_SEND_MSG_BACK, which makes the broker copy the stored record to
 * `%RETRY%<group>` (or `%DLQ%<group>` past the max); if that fails, the
 * client itself sends a copy to `%RETRY%<group>` as Java's consumer does, with
 * the reconsume count and limit in the header and delay level 3 + count.
 */
import { MessageConst, encodeProperties } from '../../protocol/message-properties.ts';
import { RequestCode } from '../../protocol/requests/index.ts';
import { RETRY_GROUP_TOPIC_PREFIX } from '../../protocol/topic-names.ts';
import { consumerSendMsgBack } from '../broker-calls.ts';
import type { ClientInstance } from '../client-instance.ts';
import { pair, type MessageExt } from '../message.ts';
import type { Producer } from '../producer/producer.ts';

export interface SendBackContext {
  client: ClientInstance;
  group: string;
  maxReconsumeTimes: number;
  /** The producer that sends the fallback copy. */
  innerProducer(): Promise<Producer>;
}

/** Returns true when the broker has the message again (retry or DLQ), false when both ways failed. */
export async function sendMessageBack(context: SendBackContext, message: MessageExt, delayLevel: number): Promise<boolean> {
  const client = context.client;
  const address = client.brokerAddress(message.brokerName) ?? `${message.storeHost.address}:${message.storeHost.port}`;
  try {
    await consumerSendMsgBack(
      client,
      address,
      {
        offset: message.commitLogOffset,
        group: context.group,
        delayLevel,
        originMsgId: message.msgId,
        originTopic: message.topic,
        unitMode: false,
        maxReconsumeTimes: context.maxReconsumeTimes,
      },
      client.requestTimeoutMs,
    );
    return true;
  } catch (error) {
    client.log.debug('CONSUMER_SEND_MSG_BACK failed; sending a retry copy', { msgId: message.msgId, error });
  }
  try {
    const producer = await context.innerProducer();
    const properties = { ...message.properties };
    delete properties[MessageConst.PROPERTY_DELAY_TIME_LEVEL];
    properties[MessageConst.PROPERTY_ORIGIN_MESSAGE_ID] ??= message.msgId;
    properties[MessageConst.PROPERTY_RETRY_TOPIC] = message.topic;
    const level = delayLevel < 0 ? undefined : 3 + message.reconsumeTimes;
    let text = encodeProperties(properties);
    if (level !== undefined) text += pair(MessageConst.PROPERTY_DELAY_TIME_LEVEL, String(level));
    await producer.sendPrepared({
      topic: RETRY_GROUP_TOPIC_PREFIX + context.group,
      body: message.body,
      sysFlag: 0,
      flag: message.flag,
      properties: text,
      msgId: message.msgId,
      code: RequestCode.SEND_MESSAGE_V2,
      batch: false,
      reconsumeTimes: message.reconsumeTimes + 1,
      maxReconsumeTimes: delayLevel < 0 ? 0 : context.maxReconsumeTimes,
    });
    return true;
  } catch (error) {
    client.log.warn('retry copy could not be sent; consuming again locally', { msgId: message.msgId, error });
    return false;
  }
}

/** A retried message shows the topic it was first sent to. */
export function restoreRetryTopic(message: MessageExt, group: string): void {
  if (message.storedTopic !== RETRY_GROUP_TOPIC_PREFIX + group) return;
  const original = message.properties[MessageConst.PROPERTY_RETRY_TOPIC];
  if (original !== undefined) message.topic = original;
}
