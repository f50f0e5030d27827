/** Runs `apogee consume`: a push consumer whose listener prints each message. */
import type { MessageExt } from '../../native/message.ts';
import { openConsumer } from '../clients.ts';
import { CliError } from '../exit-codes.ts';
import { printJson, printLine, printNotice } from '../output.ts';
import { onShutdownSignal } from '../signals.ts';
import type { ConsumeFlags } from './consume.ts';

const textDecoder = new TextDecoder();

export async function runConsume(topic: string, flags: ConsumeFlags): Promise<void> {
  const shutdown = onShutdownSignal();
  let received = 0;
  let finish: (reason: 'count' | 'signal' | 'wait') => void = () => undefined;
  const finished = new Promise<'count' | 'signal' | 'wait'>((resolve) => (finish = resolve));
  void shutdown.received.then(() => finish('signal'));
  const timer = flags.wait === undefined ? undefined : setTimeout(() => finish('wait'), flags.wait);
  const consumer = await openConsumer(topic, flags, (message) => {
    if (flags.count !== undefined && received >= flags.count) return;
    received += 1;
    print(message, flags);
    if (flags.count !== undefined && received >= flags.count) finish('count');
  }).catch((error: unknown) => {
    clearTimeout(timer);
    shutdown.dispose();
    throw error;
  });
  if (!flags.json) printNotice(`consuming ${topic} as group ${flags.group} (Ctrl-C to stop)`);
  const reason = await finished;
  clearTimeout(timer);
  try {
    await consumer.close();
  } finally {
    shutdown.dispose();
  }
  if (reason === 'wait') throw new CliError(`received ${received} of ${flags.count ?? 'the expected'} messages before --wait ran out`);
}

function print(message: MessageExt, flags: ConsumeFlags): void {
  const body = formatBody(message.body, flags.body);
  const tags = message.properties.TAGS;
  const keys = message.properties.KEYS;
  if (flags.json) {
    printJson({
      msgId: message.msgId,
      topic: message.topic,
      brokerName: message.brokerName,
      queueId: message.queueId,
      queueOffset: message.queueOffset,
      tags: tags ?? null,
      keys: keys ? keys.split(' ') : [],
      bornTimestamp: message.bornTimestamp,
      storeTimestamp: message.storeTimestamp,
      reconsumeTimes: message.reconsumeTimes,
      properties: message.properties,
      body,
      bodyEncoding: flags.body === 'text' ? 'utf8' : flags.body,
    });
    return;
  }
  printLine(`${message.brokerName}/${message.queueId}@${message.queueOffset} msgId=${message.msgId}${tags ? ` tags=${tags}` : ''}${keys ? ` keys=${keys}` : ''} body=${body}`);
}

function formatBody(body: Uint8Array, format: ConsumeFlags['body']): string {
  if (format === 'base64') return Buffer.from(body).toString('base64');
  if (format === 'hex') return Buffer.from(body).toString('hex');
  return textDecoder.decode(body);
}
