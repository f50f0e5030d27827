import { describe, expect, it } from 'vitest';
import { BLANK_MAGIC_CODE, encodeMessageRecord, inspectRecord, recordSize, utf8Bytes } from '../../sdk/protocol/message-record.ts';
import { encodeHostAddress } from '../../sdk/protocol/message-id.ts';
import { crc32, crc32Masked } from '../../sdk/util/crc32.ts';
import { sealRecords } from './seal.ts';

function record(body: string, bornHost: string, storeHost: string) {
  return {
    queueId: 0, flag: 0, queueOffset: 0, physicalOffset: 0, sysFlag: 0, bornTimestamp: 1, bornHost: encodeHostAddress(bornHost)!, bornPort: 1,
    storeTimestamp: 2, storeHost: encodeHostAddress(storeHost)!, storePort: 2, reconsumeTimes: 0, preparedTransactionOffset: 0,
    body: utf8Bytes(body), topic: utf8Bytes('T'), properties: 'A\u0001b\u0002', bodyCrc: 0,
  };
}

describe('sealRecords', () => {
  it('fills in the body CRC of every record in the range, whatever its hosts, stepping over a blank marker', () => {
    const bytes = new Uint8Array(4096);
    const view = new DataView(bytes.buffer);
    const inputs = [record('a'.repeat(300), '10.0.0.2', '10.0.0.1'), record('bb', '::1', '10.0.0.1'), record('', '10.0.0.2', 'fe80::2')];
    const starts: number[] = [];
    let at = 16;
    for (const input of inputs) {
      starts.push(at);
      at += encodeMessageRecord(bytes, at, input, view);
    }
    view.setInt32(at, 1000);
    view.setInt32(at + 4, BLANK_MAGIC_CODE);
    const end = at + 8;
    // Before: zero CRCs, so a CRC-checking reader refuses all but the empty body's (whose CRC is 0).
    expect(starts.map((start) => inspectRecord(bytes, start, end, true) > 0)).toEqual([false, false, true]);
    sealRecords(bytes, view, 16, end, crc32);
    starts.forEach((start, i) => {
      const input = inputs[i]!;
      expect(inspectRecord(bytes, start, end, true)).toBe(recordSize(input.body.length, 1, 4, input.bornHost.length, input.storeHost.length));
      expect(view.getInt32(start + 8)).toBe(crc32Masked(input.body));
    });
    expect(view.getInt32(at)).toBe(1000);
    expect(bytes.subarray(0, 16).every((b) => b === 0)).toBe(true);
    expect(bytes.subarray(end).every((b) => b === 0)).toBe(true);
  });
});
