/**
 * Helpers shared by the store's tests and benchmark: a temporary store
 * directory and message factories.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MessageToPut, StoreOptions } from './message-store.ts';

export function temporaryDirectory(prefix = 'apogee-store-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function message(topic: string, queueId: number, body: Uint8Array | string, properties = '', sysFlag = 0): MessageToPut {
  return {
    topic,
    queueId,
    flag: 0,
    body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
    properties,
    sysFlag,
    bornTimestamp: 1700000000000,
    bornHost: { address: '10.0.0.2', port: 50000 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  };
}

export const storeHost = { address: '10.0.0.1', port: 10911 };

// The store crash test (test/store-crash.test.ts) and its child process agree on these.

export const CRASH_TEST_QUEUES = 3;

export function crashTestStoreOptions(dataDir: string): StoreOptions {
  return {
    dataDir,
    flushDiskType: 'SYNC_FLUSH',
    storeHost: { address: '10.0.0.1', port: 10911 },
    commitLogSegmentBytes: 64 * 1024,
    consumeQueueUnitsPerFile: 256,
    indexHashSlotNum: 1024,
    indexNum: 4096,
  };
}

export function crashTestBody(queueId: number, queueOffset: number): string {
  return `q${queueId}-${queueOffset}-` + 'x'.repeat((queueOffset * 37) % 700);
}

export function crashTestMessage(queueId: number, body: string): MessageToPut {
  return {
    topic: 'CRASH',
    queueId,
    flag: 0,
    body: new TextEncoder().encode(body),
    properties: `KEYS\u0001${body.slice(0, body.indexOf('-', 3))}\u0002TAGS\u0001t${queueId}\u0002`,
    sysFlag: 0,
    bornTimestamp: 1700000000000,
    bornHost: { address: '10.0.0.2', port: 50000 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  };
}
