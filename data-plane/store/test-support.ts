/**
 * Helpers shared by the store's tests and benchmark: a temporary store
 * directory and message factories.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MessageToPut } from './message-store.ts';

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
