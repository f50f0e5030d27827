/**
 * RegisterBrokerBody decoding: both encodings, the inflated-size bound at its
 * edge and just past it, and damaged bodies answered as values.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeRegisterBrokerBody } from './register-broker-body.ts';

function compressedParts(topics: string[]): Buffer {
  const chunks: Buffer[] = [];
  const part = (text: string) => {
    const bytes = Buffer.from(text);
    const length = Buffer.alloc(4);
    length.writeInt32BE(bytes.length);
    chunks.push(length, bytes);
  };
  part('{"counter":7,"stateVersion":0,"timestamp":1700000000000}');
  const count = Buffer.alloc(4);
  count.writeInt32BE(topics.length);
  chunks.push(count);
  for (const text of topics) part(text);
  part('["10.0.0.5:7000"]');
  return Buffer.concat(chunks);
}

describe('decodeRegisterBrokerBody', () => {
  it('reads the fastjson body of a broker, topicSysFlag included', () => {
    const json =
      '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":3,"timestamp":1700000000000},' +
      '"topicConfigTable":{"T":{"order":false,"perm":6,"readQueueNums":2,"topicFilterType":"SINGLE_TAG","topicName":"T","topicSysFlag":1,"writeQueueNums":3}}}}';
    const result = decodeRegisterBrokerBody(new TextEncoder().encode(json), false, 1024);
    expect(result).toEqual({
      ok: true,
      body: {
        dataVersion: { counter: 3, timestamp: 1700000000000, stateVersion: 0 },
        topicConfigs: [{ topicName: 'T', readQueueNums: 2, writeQueueNums: 3, perm: 6, topicSysFlag: 1 }],
        filterServerList: [],
      },
    });
  });

  it('reads the compressed body, 4.9 and 5.x topic config texts alike', () => {
    const raw = compressedParts(['A 4 4 6 SINGLE_TAG', 'B 1 2 4 SINGLE_TAG {"+message.type":"NORMAL"}']);
    const result = decodeRegisterBrokerBody(deflateSync(raw), true, raw.length);
    expect(result.ok && result.body.topicConfigs.map((config) => config.topicName)).toEqual(['A', 'B']);
    expect(result.ok && result.body.dataVersion.counter).toBe(7);
    expect(result.ok && result.body.filterServerList).toEqual(['10.0.0.5:7000']);
  });

  it('accepts a compressed body that inflates to exactly the bound and refuses one a byte larger', () => {
    const raw = compressedParts(['A 4 4 6 SINGLE_TAG']);
    expect(decodeRegisterBrokerBody(deflateSync(raw), true, raw.length).ok).toBe(true);
    const past = decodeRegisterBrokerBody(deflateSync(raw), true, raw.length - 1);
    expect(past.ok).toBe(false);
  });

  it('answers damaged bodies with a reason instead of throwing', () => {
    expect(decodeRegisterBrokerBody(new Uint8Array([1, 2, 3]), true, 1024).ok).toBe(false);
    expect(decodeRegisterBrokerBody(new TextEncoder().encode('{"topicConfig'), false, 1024).ok).toBe(false);
    const truncated = compressedParts(['A 4 4 6 SINGLE_TAG']).subarray(0, 20);
    expect(decodeRegisterBrokerBody(deflateSync(truncated), true, 1024).ok).toBe(false);
  });

  it('treats a missing body as no topics and a zero DataVersion', () => {
    expect(decodeRegisterBrokerBody(undefined, false, 1024)).toEqual({
      ok: true,
      body: { dataVersion: { counter: 0, timestamp: 0, stateVersion: 0 }, topicConfigs: [], filterServerList: [] },
    });
  });

  it('refuses a compressed body whose topic config text has fewer than five fields', () => {
    const raw = compressedParts(['A 4 4 6']);
    expect(decodeRegisterBrokerBody(deflateSync(raw), true, 1024).ok).toBe(false);
  });
});
