/**
 * Runs `apogee produce`. Messages go one at a time, in order, so the printed
 * offsets follow the input; a failed send is reported and counted, and the
 * rest are still sent.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Message } from '../../native/message.ts';
import type { SendResult } from '../../native/producer/producer.ts';
import { openProducer } from '../clients.ts';
import { describeError } from '../describe-error.ts';
import { CliError, UsageError } from '../exit-codes.ts';
import { printError, printJson, printLine, printNotice } from '../output.ts';
import type { ProduceFlags } from './produce.ts';

export async function runProduce(topic: string, flags: ProduceFlags): Promise<void> {
  const properties = parseProperties(flags.property);
  const template: Omit<Message, 'body'> = {
    topic,
    ...(flags.tags ? { tags: flags.tags } : {}),
    ...(flags.keys ? { keys: flags.keys.split(',').map((key) => key.trim()).filter((key) => key !== '') } : {}),
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
    ...(flags.delayLevel ? { delayLevel: flags.delayLevel } : {}),
  };
  const bodies = await bodySource(flags);
  const producer = await openProducer(flags);
  let sent = 0;
  let failed = 0;
  try {
    for await (const body of bodies) {
      try {
        const result = await producer.send({ ...template, body }, flags.shardingKey);
        sent += 1;
        report(result, flags.json === true);
      } catch (error) {
        failed += 1;
        printError(`send failed: ${describeError(error)}`);
        // The same cause would fail every later message too.
        if (sent === 0 && failed === 1 && isFatal(error)) break;
      }
    }
  } finally {
    await producer.close();
  }
  if (failed > 0) throw new CliError(`${failed} message${failed === 1 ? '' : 's'} could not be sent (${sent} sent)`);
  if (!flags.json) printNotice(`sent ${sent} message${sent === 1 ? '' : 's'}`);
}

function report(result: SendResult, json: boolean): void {
  if (json) {
    printJson({ msgId: result.msgId, offsetMsgId: result.offsetMsgId, status: result.status, topic: result.queue.topic, brokerName: result.queue.brokerName, queueId: result.queue.queueId, queueOffset: result.queueOffset });
  } else {
    printLine(`${result.status} msgId=${result.msgId} queue=${result.queue.brokerName}/${result.queue.queueId} offset=${result.queueOffset}`);
  }
}

/** Errors that say nothing can be sent at all: no route, no connection, no permission. */
function isFatal(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ROUTE_NOT_FOUND' || code === 'CONNECT_FAILED' || code === 'INVALID_ARGUMENT' || (error as { responseCode?: unknown }).responseCode === 16;
}

async function bodySource(flags: ProduceFlags): Promise<AsyncIterable<Uint8Array | string>> {
  if (flags.body !== undefined) return repeat(flags.body, flags.count ?? 1);
  if (flags.file !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(flags.file);
    } catch (error) {
      throw new CliError(`cannot read --file ${flags.file}: ${(error as Error).message}`);
    }
    return repeat(bytes, flags.count ?? 1);
  }
  if (process.stdin.isTTY) printNotice('reading messages from stdin, one per line (end with Ctrl-D)');
  return stdinLines(flags.count);
}

async function* repeat<T>(body: T, count: number): AsyncIterable<T> {
  for (let index = 0; index < count; index++) yield body;
}

async function* stdinLines(limit: number | undefined): AsyncIterable<string> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let count = 0;
  try {
    for await (const line of lines) {
      if (line === '') continue;
      yield line;
      count += 1;
      if (limit !== undefined && count >= limit) break;
    }
  } finally {
    lines.close();
  }
}

function parseProperties(pairs: readonly string[]): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--property expects name=value, got ${JSON.stringify(pair)}`);
    properties[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return properties;
}
