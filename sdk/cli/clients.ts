/**
 * The SDK objects the client commands use, opened from the common flags.
 * Keeping their construction here gives every command the same timeouts, the
 * same quiet logging and the same clean close.
 */
import type { Message, MessageExt } from '../native/message.ts';
import { Producer, type SendResult } from '../native/producer/producer.ts';
import { createLogger } from '../util/log.ts';
import type { ClientFlags } from './options.ts';

/** SDK log lines are warnings and worse only: the commands print their own results. */
function clientLog() {
  return createLogger('client', process.env.APOGEE_LOG_LEVEL ? undefined : 'error');
}

export interface CliProducer {
  readonly producer: Producer;
  send(message: Message, shardingKey?: string): Promise<SendResult>;
  close(): Promise<void>;
}

export async function openProducer(flags: ClientFlags & { group?: string }, extra: { sendTimeoutMs?: number; instanceName?: string } = {}): Promise<CliProducer> {
  const producer = new Producer({
    namesrvAddr: flags.namesrv,
    group: flags.group ?? 'apogee-cli-producer',
    requestTimeoutMs: flags.timeout,
    sendTimeoutMs: extra.sendTimeoutMs ?? flags.timeout,
    log: clientLog(),
    ...(extra.instanceName ? { instanceName: extra.instanceName } : {}),
  });
  await producer.start();
  return {
    producer,
    send: (message, shardingKey) => producer.send(message, shardingKey === undefined ? undefined : { shardingKey }),
    close: () => producer.shutdown(),
  };
}

export type ConsumeFrom = 'first' | 'last';

export interface ConsumerFlags extends ClientFlags {
  group: string;
  tags?: string;
  from: ConsumeFrom;
}

export interface CliConsumer {
  close(): Promise<void>;
}

/**
 * Starts a push consumer that hands every message to `onMessage` and
 * acknowledges it once `onMessage` returns. `from` applies when the group has
 * no committed offset yet, as in RocketMQ's consumeFromWhere.
 */
export async function openConsumer(topic: string, flags: ConsumerFlags, onMessage: (message: MessageExt) => void, extra: { instanceName?: string } = {}): Promise<CliConsumer> {
  // Loaded here so that producing does not load the consumer machinery.
  const { PushConsumer } = await import('../native/consumer/push-consumer.ts');
  const consumer = new PushConsumer({
    namesrvAddr: flags.namesrv,
    group: flags.group,
    requestTimeoutMs: flags.timeout,
    consumeFromWhere: flags.from === 'first' ? 'CONSUME_FROM_FIRST_OFFSET' : 'CONSUME_FROM_LAST_OFFSET',
    log: clientLog(),
    ...(extra.instanceName ? { instanceName: extra.instanceName } : {}),
  });
  consumer.subscribe(topic, flags.tags ?? '*');
  consumer.onMessage((messages) => {
    for (const message of messages) onMessage(message);
    return 'CONSUME_SUCCESS';
  });
  await consumer.start();
  return { close: () => consumer.shutdown() };
}
