import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Bytes } from './message-record.ts';
import { decodeBatchBody, encodeBatchBody, type BatchEntry } from './batch-body.ts';
import { batchMessagesMax, propertiesSizeMaxBytes } from './limits.ts';

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// The verified example of the wire reference: `x` with property k=v, `yz` without properties.
const exampleHex =
  '0000001b' + '00000000' + '00000000' + '00000000' + '00000001' + '78' + '0004' + '6b017602' +
  '00000018' + '00000000' + '00000000' + '00000000' + '00000002' + '797a' + '0000';
const exampleMessages: BatchEntry[] = [
  { flag: 0, body: new Uint8Array([0x78]), properties: 'k\u0001v\u0002' },
  { flag: 0, body: new Uint8Array([0x79, 0x7a]), properties: '' },
];

describe('batch body', () => {
  it('encodes the reference example byte for byte', () => {
    expect(hex(encodeBatchBody(exampleMessages))).toBe(exampleHex);
  });

  it('decodes the reference example', () => {
    const bytes = Uint8Array.from(exampleHex.match(/../g)!.map((h) => parseInt(h, 16)));
    // Each entry also says where its properties' bytes are: 4 bytes at 23, none at 51.
    expect(decodeBatchBody(bytes)).toEqual({
      ok: true,
      messages: [
        { ...exampleMessages[0], propertiesLength: 4, propertiesStart: 23 },
        { ...exampleMessages[1], propertiesLength: 0, propertiesStart: 51 },
      ],
    });
  });

  it('round-trips any messages', () => {
    const entry = fc.record({
      flag: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      body: fc.uint8Array({ maxLength: 64 }),
      properties: fc.string({ maxLength: 40 }).filter((s) => !/[\uD800-\uDFFF]/.test(s)),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (messages) => {
        const encoded = encodeBatchBody(messages);
        const decoded = decodeBatchBody(encoded);
        expect(decoded.ok && decoded.messages.map(({ flag, body, properties }) => ({ flag, body, properties }))).toEqual(messages);
        // The stated range holds the properties' bytes.
        for (const entry of decoded.ok ? decoded.messages : []) {
          expect(encoded.subarray(entry.propertiesStart!, entry.propertiesStart! + entry.propertiesLength!)).toEqual(utf8Bytes(entry.properties));
        }
      }),
    );
  });

  it('decodes views into the body, at any byte offset', () => {
    const encoded = encodeBatchBody(exampleMessages);
    const shifted = new Uint8Array(encoded.length + 3);
    shifted.set(encoded, 3);
    const result = decodeBatchBody(shifted.subarray(3));
    expect(result.ok && result.messages[1]!.body.buffer).toBe(shifted.buffer);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const result = decodeBatchBody(bytes);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a truncated entry with its offset', () => {
    const encoded = encodeBatchBody(exampleMessages);
    expect(decodeBatchBody(encoded.subarray(0, encoded.length - 1))).toMatchObject({ ok: false, offset: 27 });
  });

  it('refuses a totalSize that disagrees with the lengths', () => {
    const encoded = encodeBatchBody(exampleMessages);
    encoded[3] = 0x1c;
    expect(decodeBatchBody(encoded)).toMatchObject({ ok: false, offset: 0 });
  });

  it('takes batchMessagesMax messages and refuses one more', () => {
    const one: BatchEntry = { flag: 0, body: new Uint8Array(0), properties: '' };
    expect(decodeBatchBody(encodeBatchBody(Array(batchMessagesMax).fill(one))).ok).toBe(true);
    expect(decodeBatchBody(encodeBatchBody(Array(batchMessagesMax + 1).fill(one))).ok).toBe(false);
  });

  it('encodes properties of 32767 bytes and refuses 32768', () => {
    const at = (size: number): BatchEntry[] => [{ flag: 0, body: new Uint8Array(0), properties: 'p'.repeat(size) }];
    const result = decodeBatchBody(encodeBatchBody(at(propertiesSizeMaxBytes)));
    expect(result.ok && result.messages[0]!.properties.length).toBe(propertiesSizeMaxBytes);
    expect(() => encodeBatchBody(at(propertiesSizeMaxBytes + 1))).toThrow(RangeError);
  });

  it('takes a properties length from the caller, and refuses one that is not the UTF-8 length', () => {
    const properties = 'label\u0001grüße\u0002';
    const entry = (propertiesLength: number): BatchEntry[] => [{ flag: 0, body: new Uint8Array(5000).fill(1), properties, propertiesLength }];
    const encoded = encodeBatchBody(entry(utf8Bytes(properties).length));
    expect(encoded).toEqual(encodeBatchBody([{ flag: 0, body: new Uint8Array(5000).fill(1), properties }]));
    const decoded = decodeBatchBody(encoded);
    expect(decoded.ok && decoded.messages[0]!.properties).toBe(properties);
    // One byte too many would leave a byte of the body unwritten.
    expect(() => encodeBatchBody(entry(utf8Bytes(properties).length + 1))).toThrow(/not 15 bytes of UTF-8/);
  });
});
