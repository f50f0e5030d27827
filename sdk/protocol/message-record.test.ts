import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BLANK_MAGIC_CODE,
  decodeMessageRecord,
  decodeMessageRecords,
  encodeMessageRecord,
  inspectRecord,
  recordSize,
  splitMessageRecords,
  utf8Bytes,
  utf8Length,
  type MessageRecordInput,
} from './message-record.ts';
import { bytesToHex, encodeHostAddress, hexToBytes } from './message-id.ts';

// The verified 144-byte record of the store doc §3.3 / wire doc §12.7.
const GOLDEN_HEX =
  '00000090daa320a758932aac000000010000000000000000000000050000000000001000000000000000018bcfe568000a0000020000c3500000018bcfe5687b' +
  '0a00000100002a9f0000000000000000000000000000000268690254310031554e49515f4b455901304130303030303243333530313842344141433230303030' +
  '30303030303030300254414753014102';

function goldenInput(): MessageRecordInput {
  return {
    queueId: 1,
    flag: 0,
    queueOffset: 5,
    physicalOffset: 4096,
    sysFlag: 0,
    bornTimestamp: 1700000000000,
    bornHost: encodeHostAddress('10.0.0.2')!,
    bornPort: 50000,
    storeTimestamp: 1700000000123,
    storeHost: encodeHostAddress('10.0.0.1')!,
    storePort: 10911,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body: utf8Bytes('hi'),
    topic: utf8Bytes('T1'),
    properties: 'UNIQ_KEY\u00010A000002C35018B4AAC2000000000000\u0002TAGS\u0001A\u0002',
  };
}

describe('CommitLog record', () => {
  it('encodes the verified 144-byte example exactly', () => {
    const input = goldenInput();
    const target = new Uint8Array(200);
    const size = encodeMessageRecord(target, 10, input);
    expect(size).toBe(144);
    expect(recordSize(2, 2, 49)).toBe(144);
    expect(bytesToHex(target, 10, 10 + size).toLowerCase()).toBe(GOLDEN_HEX);
  });

  it('encodes the same bytes into shared memory (the store\'s write buffer) as into plain memory, short bodies and long', () => {
    for (const length of [0, 5, 511, 512, 4096]) {
      const input = { ...goldenInput(), body: Uint8Array.from({ length }, (_, i) => (i * 31) & 0xff) };
      const size = recordSize(length, 2, utf8Length(input.properties));
      const plain = new Uint8Array(size + 20);
      const shared = new Uint8Array(new SharedArrayBuffer(size + 20));
      expect(encodeMessageRecord(plain, 7, input)).toBe(size);
      expect(encodeMessageRecord(shared, 7, input)).toBe(size);
      expect(bytesToHex(shared, 0, shared.length)).toBe(bytesToHex(plain, 0, plain.length));
      expect(decodeMessageRecord(shared, 7, true)!.body).toEqual(input.body);
    }
  });

  it('decodes the verified example into its fields', () => {
    const record = decodeMessageRecord(hexToBytes(GOLDEN_HEX)!, 0, true)!;
    expect(record).toMatchObject({
      totalSize: 144,
      bodyCrc: 0x58932aac,
      queueId: 1,
      queueOffset: 5,
      physicalOffset: 4096,
      sysFlag: 0,
      bornTimestamp: 1700000000000,
      bornHost: { address: '10.0.0.2', port: 50000 },
      storeTimestamp: 1700000000123,
      storeHost: { address: '10.0.0.1', port: 10911 },
      topic: 'T1',
      properties: 'UNIQ_KEY\u00010A000002C35018B4AAC2000000000000\u0002TAGS\u0001A\u0002',
    });
    expect(new TextDecoder().decode(record.body)).toBe('hi');
  });

  it('round-trips IPv6 hosts, long (v2) topics, large offsets and negative flags', () => {
    fc.assert(
      fc.property(
        fc.record({
          body: fc.uint8Array({ maxLength: 200 }),
          topic: fc.string({ minLength: 1, maxLength: 200 }),
          properties: fc.string({ maxLength: 100 }),
          bornV6: fc.boolean(),
          storeV6: fc.boolean(),
          queueOffset: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
          physicalOffset: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
          flag: fc.integer({ min: -2147483648, max: 2147483647 }),
          preparedTransactionOffset: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        }),
        (c) => {
          const input: MessageRecordInput = {
            ...goldenInput(),
            body: c.body,
            topic: utf8Bytes(c.topic),
            properties: c.properties,
            bornHost: c.bornV6 ? encodeHostAddress('fe80::1')! : encodeHostAddress('10.0.0.2')!,
            storeHost: c.storeV6 ? encodeHostAddress('2001:db8::7')! : encodeHostAddress('10.0.0.1')!,
            queueOffset: c.queueOffset,
            physicalOffset: c.physicalOffset,
            flag: c.flag,
            preparedTransactionOffset: c.preparedTransactionOffset,
          };
          const expected = recordSize(c.body.length, input.topic.length, utf8Length(c.properties), input.bornHost.length, input.storeHost.length);
          const target = new Uint8Array(expected);
          expect(encodeMessageRecord(target, 0, input)).toBe(expected);
          const record = decodeMessageRecord(target, 0, true)!;
          expect(record.topic).toBe(new TextDecoder().decode(input.topic));
          expect(record.properties).toBe(new TextDecoder().decode(utf8Bytes(c.properties)));
          expect(Array.from(record.body)).toEqual(Array.from(c.body));
          expect(record.queueOffset).toBe(c.queueOffset);
          expect(record.physicalOffset).toBe(c.physicalOffset);
          expect(record.preparedTransactionOffset).toBe(c.preparedTransactionOffset);
          expect(record.flag).toBe(c.flag);
          expect(record.sysFlag & 0x30).toBe((c.bornV6 ? 0x10 : 0) | (c.storeV6 ? 0x20 : 0));
          expect(record.bornHost.address).toBe(c.bornV6 ? 'fe80:0:0:0:0:0:0:1' : '10.0.0.2');
          expect(record.storeHost.address).toBe(c.storeV6 ? '2001:db8:0:0:0:0:0:7' : '10.0.0.1');
        },
      ),
    );
  });

  it('rejects a record with a flipped body byte only when the CRC is checked', () => {
    const bytes = hexToBytes(GOLDEN_HEX)!;
    bytes[88] ^= 0x01;
    expect(inspectRecord(bytes, 0, bytes.length, false)).toBe(144);
    expect(inspectRecord(bytes, 0, bytes.length, true)).toBe(0);
  });

  it('rejects zeros, a torn tail and a wrong length, and recognises a blank marker', () => {
    const bytes = hexToBytes(GOLDEN_HEX)!;
    expect(inspectRecord(new Uint8Array(144), 0, 144, true)).toBe(0);
    expect(inspectRecord(bytes, 0, 143, true)).toBe(0);
    const longer = new Uint8Array(150);
    longer.set(bytes);
    new DataView(longer.buffer).setInt32(0, 145);
    expect(inspectRecord(longer, 0, 150, false)).toBe(0);
    const blank = new Uint8Array(64);
    new DataView(blank.buffer).setInt32(0, 64);
    new DataView(blank.buffer).setInt32(4, BLANK_MAGIC_CODE);
    expect(inspectRecord(blank, 0, 64, true)).toBe(-64);
  });

  it('splits a PULL body into its records and reports leftover bytes', () => {
    const one = hexToBytes(GOLDEN_HEX)!;
    const body = new Uint8Array(144 * 3 + 10);
    body.set(one, 0);
    body.set(one, 144);
    body.set(one, 288);
    body.set(one.subarray(0, 10), 432);
    const { records, rest } = splitMessageRecords(body);
    expect(records.map((r) => r.length)).toEqual([144, 144, 144]);
    expect(rest).toBe(10);
    expect(decodeMessageRecords(body).map((r) => r.topic)).toEqual(['T1', 'T1', 'T1']);
  });

  it('gives records decoded in a row the same frozen hosts and topic, and new ones when they change', () => {
    const encode = (topic: string, bornHost: string, bornPort: number): Uint8Array => {
      const input = { ...goldenInput(), topic: utf8Bytes(topic), bornHost: encodeHostAddress(bornHost)!, bornPort };
      const bytes = new Uint8Array(400);
      return bytes.subarray(0, encodeMessageRecord(bytes, 0, input));
    };
    const decoded = [
      encode('T1', '10.0.0.2', 50000),
      encode('T1', '10.0.0.2', 50000),
      encode('T2', '10.0.0.2', 50001),
      encode('T2', '10.0.0.3', 50001),
      encode('TopicB', '2001:db8::1', 50001),
      encode('T1', '10.0.0.3', 50001),
    ].map((bytes) => decodeMessageRecord(bytes, 0, true)!);
    expect(decoded.map((record) => record.topic)).toEqual(['T1', 'T1', 'T2', 'T2', 'TopicB', 'T1']);
    expect(decoded.map((record) => `${record.bornHost.address}:${record.bornHost.port}`)).toEqual([
      '10.0.0.2:50000',
      '10.0.0.2:50000',
      '10.0.0.2:50001',
      '10.0.0.3:50001',
      '2001:db8:0:0:0:0:0:1:50001',
      '10.0.0.3:50001',
    ]);
    expect(decoded[1]!.bornHost).toBe(decoded[0]!.bornHost);
    expect(decoded[2]!.bornHost).not.toBe(decoded[1]!.bornHost);
    expect(decoded[5]!.storeHost).toBe(decoded[0]!.storeHost);
    expect(decoded.every((record) => Object.isFrozen(record.bornHost) && Object.isFrozen(record.storeHost))).toBe(true);
  });

  it('counts UTF-8 lengths like TextEncoder, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
      }),
    );
    expect(utf8Length('\ud800x')).toBe(4);
  });
});
