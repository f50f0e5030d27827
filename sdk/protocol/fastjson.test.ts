import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FastjsonSyntaxError, JavaDouble, ObjectKeyedMap, base64, encodeFastjson, jsonDepthMax, parseFastjson } from './fastjson.ts';

/** Numbers as JSON.parse gives them: bigint back to number, -0 as 0. */
function asPlainNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(asPlainNumbers);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asPlainNumbers(v)]));
  }
  return value;
}

/** What the encoder keeps of a value: null members of objects are left out, as fastjson does. */
function withoutNullMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullMembers);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNullMembers(v)]));
  }
  return value;
}

describe('parseFastjson', () => {
  it('reads unquoted numeric map keys as fastjson writes them', () => {
    expect(parseFastjson('{"brokerAddrs":{0:"192.168.0.10:10911",1:"192.168.0.11:10911"}}')).toEqual({
      brokerAddrs: { 0: '192.168.0.10:10911', 1: '192.168.0.11:10911' },
    });
  });

  it('reads object map keys into an ObjectKeyedMap', () => {
    const parsed = parseFastjson('{"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"TopicTest"}:5}}') as { offsetTable: ObjectKeyedMap };
    expect(parsed.offsetTable).toBeInstanceOf(ObjectKeyedMap);
    expect(parsed.offsetTable.entries).toEqual([[{ brokerName: 'broker-a', queueId: 0, topic: 'TopicTest' }, 5]]);
  });

  it('accepts single quotes, unquoted names, trailing commas and Java number suffixes', () => {
    expect(parseFastjson("{name:'it''s',\"n\":[1L,2.5D,],}".replace("''", "\\'"))).toEqual({ name: "it's", n: [1, 2.5] });
  });

  it('keeps integers beyond 2^53 exact as bigint', () => {
    expect(parseFastjson('[9007199254740993,-1,1.5e3]')).toEqual([9007199254740993n, -1, 1500]);
  });

  it('treats __proto__ as a plain key', () => {
    const parsed = parseFastjson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads UTF-8 bytes', () => {
    expect(parseFastjson(new TextEncoder().encode('{"t":"é"}'))).toEqual({ t: 'é' });
  });

  it('names the offset of a syntax error', () => {
    expect(() => parseFastjson('{"a":}')).toThrow(FastjsonSyntaxError);
    try {
      parseFastjson('{"a":1 x');
    } catch (error) {
      expect((error as FastjsonSyntaxError).offset).toBe(7);
    }
  });

  it(`accepts nesting to jsonDepthMax and refuses one more level`, () => {
    expect(() => parseFastjson('['.repeat(jsonDepthMax) + ']'.repeat(jsonDepthMax))).not.toThrow();
    expect(() => parseFastjson('['.repeat(jsonDepthMax + 1) + ']'.repeat(jsonDepthMax + 1))).toThrow(FastjsonSyntaxError);
  });

  it('throws nothing but FastjsonSyntaxError on arbitrary input', () => {
    const jsonish = fc.array(fc.constantFrom('{', '}', '[', ']', '"', "'", ':', ',', '\\', 'u', '0', '1', '-', '.', 'e', 't', 'n', ' ', 'a'), { maxLength: 60 });
    fc.assert(
      fc.property(fc.oneof(jsonish.map((c) => c.join('')), fc.string({ maxLength: 60 })), (text) => {
        try {
          parseFastjson(text);
        } catch (error) {
          expect(error).toBeInstanceOf(FastjsonSyntaxError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reads whatever JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.json(), (json) => {
        expect(asPlainNumbers(parseFastjson(json))).toEqual(asPlainNumbers(JSON.parse(json)));
      }),
    );
  });
});

describe('encodeFastjson', () => {
  const route = {
    brokerDatas: [{ brokerAddrs: new Map([[0, '192.168.0.10:10911'], [1, '192.168.0.11:10911']]), brokerName: 'broker-a', cluster: 'DefaultCluster', enableActingMaster: false }],
    filterServerTable: new Map(),
    queueDatas: [{ writeQueueNums: 4, brokerName: 'broker-a', perm: 6, readQueueNums: 4, topicSysFlag: 0 }],
  };

  it('writes the default form with unquoted numeric keys and sorted bean keys', () => {
    expect(encodeFastjson(route)).toBe(
      '{"brokerDatas":[{"brokerAddrs":{0:"192.168.0.10:10911",1:"192.168.0.11:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}',
    );
  });

  it('writes the standard form with quoted keys', () => {
    expect(encodeFastjson(route, { standard: true })).toBe(
      '{"brokerDatas":[{"brokerAddrs":{"0":"192.168.0.10:10911","1":"192.168.0.11:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}',
    );
  });

  it('escapes non-ASCII and slashes and quotes big longs in the standard form only', () => {
    expect(encodeFastjson({ a: 'é/', b: 2n ** 60n }, { standard: true })).toBe('{"a":"\\u00E9\\/","b":"1152921504606846976"}');
    expect(encodeFastjson({ a: 'é/', b: 2n ** 60n })).toBe('{"a":"é/","b":1152921504606846976}');
  });

  it('writes object map keys as objects, doubles with a fraction and omits nulls', () => {
    const table = new ObjectKeyedMap([[{ brokerName: 'broker-a', queueId: 0, topic: 'TopicTest' }, 5]]);
    expect(encodeFastjson({ offsetTable: table, topicPutTps: new JavaDouble(0), remark: undefined })).toBe(
      '{"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"TopicTest"}:5},"topicPutTps":0.0}',
    );
  });

  it('writes byte arrays as padded base64', () => {
    expect(base64(new Uint8Array([]))).toBe('');
    expect(base64(new TextEncoder().encode('hi'))).toBe('aGk=');
    expect(base64(new TextEncoder().encode('h'))).toBe('aA==');
    expect(base64(new TextEncoder().encode('hi!'))).toBe('aGkh');
  });

  it('round-trips through the parser', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const expected = withoutNullMembers(asPlainNumbers(value));
        expect(asPlainNumbers(parseFastjson(encodeFastjson(value as never)))).toEqual(expected);
      }),
    );
  });
});
