/**
 * Golden frames: each fixture is written out byte by byte from RocketMQ's
 * documented layouts (a JSON request and response, binary ones, a oneway), so
 * these tests pin our codec to the bytes a Java or Go peer sends and expects.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RPC_ONEWAY, SerializeType, type RemotingCommand } from './command.ts';
import { FrameError } from './errors.ts';
import { FrameDecoder, decodeFrame, encodeFrame } from './frame.ts';
import { decodeBinaryHeader, encodeBinaryHeader } from './header-binary.ts';
import { encodeJsonHeaderInto, jsonHeaderBound, jsonHeaderText } from './header-json.ts';

const hex = (text: string) => Uint8Array.from(text.replace(/\s+/g, '').match(/../g)!.map((byte) => parseInt(byte, 16)));
const utf8 = (text: string) => new TextEncoder().encode(text);

function jsonFrame(header: string, body = new Uint8Array(0)): Uint8Array {
  const headerBytes = utf8(header);
  const frame = new Uint8Array(8 + headerBytes.length + body.length);
  const view = new DataView(frame.buffer);
  view.setInt32(0, 4 + headerBytes.length + body.length);
  view.setInt32(4, headerBytes.length);
  frame.set(headerBytes, 8);
  frame.set(body, 8 + headerBytes.length);
  return frame;
}

describe('JSON header frames', () => {
  const requestHeader =
    '{"code":105,"extFields":{"topic":"TopicTest"},"flag":0,"language":"JAVA","opaque":1,"serializeTypeCurrentRPC":"JSON","version":479}';
  const request: RemotingCommand = {
    code: 105,
    language: 'JAVA',
    version: 479,
    opaque: 1,
    flag: 0,
    extFields: { topic: 'TopicTest' },
    serializeType: SerializeType.JSON,
  };

  it('a Java GET_ROUTEINFO_BY_TOPIC request is 131 header bytes behind 00000087 00000083', () => {
    const frame = jsonFrame(requestHeader);
    expect([...frame.subarray(0, 8)]).toEqual([0, 0, 0, 0x87, 0, 0, 0, 0x83]);
    expect(decodeFrame(frame)).toEqual(request);
    expect(encodeFrame(request)).toEqual(frame);
  });

  it('a response keeps the opaque, sets flag 1 and carries the remark', () => {
    const header =
      '{"code":17,"flag":1,"language":"JAVA","opaque":1,"remark":"No topic route info","serializeTypeCurrentRPC":"JSON","version":0}';
    const response: RemotingCommand = {
      code: 17,
      language: 'JAVA',
      version: 0,
      opaque: 1,
      flag: 1,
      remark: 'No topic route info',
      serializeType: SerializeType.JSON,
    };
    expect(decodeFrame(jsonFrame(header))).toEqual(response);
    expect(encodeFrame(response)).toEqual(jsonFrame(header));
  });

  it('a oneway request with a body keeps flag 2 and the body bytes', () => {
    const header = '{"code":37,"extFields":{"commitOrRollback":"8"},"flag":2,"language":"JAVA","opaque":7,"serializeTypeCurrentRPC":"JSON","version":409}';
    const body = utf8('payload');
    const decoded = decodeFrame(jsonFrame(header, body));
    expect(decoded.flag & RPC_ONEWAY).toBe(RPC_ONEWAY);
    expect(decoded.body).toEqual(body);
    expect(encodeFrame(decoded)).toEqual(jsonFrame(header, body));
  });

  it('accepts Go-style headers: numbers in extFields become text, an empty remark is kept', () => {
    const decoded = decodeFrame(jsonFrame('{"code":11,"language":"GO","version":317,"opaque":3,"flag":0,"remark":"","extFields":{"queueId":1,"commit":true}}'));
    expect(decoded.extFields).toEqual({ queueId: '1', commit: 'true' });
    expect(decoded.remark).toBe('');
    expect(decoded.language).toBe('GO');
  });

  it('property separators travel as \\u0001 and \\u0002 escapes', () => {
    const command: RemotingCommand = { ...request, extFields: { i: 'TAGS\u0001A\u0002' } };
    const text = new TextDecoder().decode(encodeFrame(command).subarray(8));
    expect(text).toContain('"i":"TAGS\\u0001A\\u0002"');
    expect(decodeFrame(encodeFrame(command)).extFields).toEqual({ i: 'TAGS\u0001A\u0002' });
  });
});

describe('ROCKETMQ binary header frames', () => {
  it('encodes and decodes the documented GET_ROUTEINFO_BY_TOPIC request', () => {
    const frame = hex('0000002d 01000029 0069 00 01df 00000001 00000000 00000000 00000014 0005 746f706963 00000009 546f70696354657374');
    const command: RemotingCommand = {
      code: 105,
      language: 'JAVA',
      version: 479,
      opaque: 1,
      flag: 0,
      extFields: { topic: 'TopicTest' },
      serializeType: SerializeType.ROCKETMQ,
    };
    expect(decodeFrame(frame)).toEqual(command);
    expect(encodeFrame(command)).toEqual(frame);
  });

  it('encodes and decodes the documented response with a remark and no map', () => {
    const frame = hex('00000022 0100001e 0011 00 0000 00000001 00000001 00000009 6e6f7420666f756e64 00000000');
    const command: RemotingCommand = {
      code: 17,
      language: 'JAVA',
      version: 0,
      opaque: 1,
      flag: 1,
      remark: 'not found',
      serializeType: SerializeType.ROCKETMQ,
    };
    expect(decodeFrame(frame)).toEqual(command);
    expect(encodeFrame(command)).toEqual(frame);
  });

  it('reads code as signed 16-bit, and a later duplicate key wins', () => {
    const frame = hex('00000030 0100002c 8000 00 0000 00000002 00000000 00000000 00000017 0001 61 00000001 31 0001 61 00000001 32 0001 62 00000000');
    const decoded = decodeFrame(frame);
    expect(decoded.code).toBe(-32768);
    // key "b" has an empty value, which Java reads as absent.
    expect(decoded.extFields).toEqual({ a: '2' });
  });
});

describe('FrameDecoder', () => {
  const commands: RemotingCommand[] = [1, 2, 3].map((opaque) => ({
    code: 10,
    language: 'JAVA',
    version: 409,
    opaque,
    flag: 0,
    extFields: { topic: 'T' },
    body: utf8(`body-${opaque}`),
    serializeType: opaque === 2 ? SerializeType.ROCKETMQ : SerializeType.JSON,
  }));
  const stream = Uint8Array.from(commands.flatMap((command) => [...encodeFrame(command)]));

  it('yields the same commands whatever the chunking, down to one byte at a time', () => {
    for (const chunkSize of [1, 2, 3, 5, 7, 64, stream.length]) {
      const decoder = new FrameDecoder();
      const seen: RemotingCommand[] = [];
      for (let offset = 0; offset < stream.length; offset += chunkSize) {
        decoder.push(stream.subarray(offset, offset + chunkSize), (command) => seen.push(command));
      }
      expect(seen).toEqual(commands);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('accepts a frame of exactly the size limit and refuses one byte more', () => {
    const limits = { frameSizeMaxBytes: 1024, headerSizeMaxBytes: 512 };
    const header = encodeFrame({ ...commands[0]!, body: undefined });
    const atLimit = encodeFrame({ ...commands[0]!, body: new Uint8Array(1024 - header.length) });
    expect(atLimit.length).toBe(1024);
    expect(decodeFrame(atLimit, limits).body?.length).toBe(1024 - header.length);
    const pastLimit = encodeFrame({ ...commands[0]!, body: new Uint8Array(1025 - header.length) });
    expect(() => new FrameDecoder(limits).push(pastLimit, () => {})).toThrow(/FRAME_TOO_LARGE/);
  });

  it('refuses a header past the header limit', () => {
    const frame = encodeFrame({ ...commands[0]!, extFields: { topic: 'x'.repeat(600) } });
    expect(() => decodeFrame(frame, { frameSizeMaxBytes: 4096, headerSizeMaxBytes: 512 })).toThrow(/HEADER_TOO_LARGE/);
  });

  it('names the fault of each malformed frame', () => {
    const cases: Array<[string, Uint8Array]> = [
      ['FRAME_TOO_SMALL', hex('00000002 0000')],
      ['SERIALIZE_TYPE_UNKNOWN', hex('00000006 07000002 7b7d')],
      ['HEADER_LENGTH_INVALID', hex('00000006 000000ff 7b7d')],
      ['HEADER_JSON_INVALID', hex('00000006 00000002 7b7b')],
      ['HEADER_JSON_INVALID', jsonFrame('[1,2]')],
      ['HEADER_JSON_INVALID', jsonFrame('{"code":"x"}')],
      ['HEADER_BINARY_INVALID', hex('00000008 01000004 00000000')],
    ];
    for (const [fault, frame] of cases) {
      let caught: unknown;
      try {
        new FrameDecoder().push(frame, () => {});
      } catch (error) {
        caught = error;
      }
      expect(caught, fault).toBeInstanceOf(FrameError);
      expect((caught as FrameError).fault).toBe(fault);
    }
  });
});

describe('round trips of arbitrary commands', () => {
  // Long enough for both header string paths (by hand below 96 units, native from there).
  const text = fc.string({ unit: 'binary', maxLength: 200 });
  const command = fc.record({
    code: fc.integer({ min: -32768, max: 32767 }),
    language: fc.constantFrom('JAVA', 'GO', 'CPP', 'PYTHON', 'OTHER'),
    version: fc.integer({ min: -32768, max: 32767 }),
    opaque: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    flag: fc.integer({ min: 0, max: 3 }),
    remark: fc.option(text.filter((value) => value.length > 0), { nil: undefined }),
    extFields: fc.option(
      fc.dictionary(text.filter((key) => key.length > 0 && key !== '__proto__'), text.filter((value) => value.length > 0), { maxKeys: 6 }),
      { nil: undefined },
    ),
    body: fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: undefined }),
    serializeType: fc.constantFrom(SerializeType.JSON, SerializeType.ROCKETMQ),
  });

  it('the JSON header written in place is byte for byte the JSON text, escapes and non-ASCII included', () => {
    // Text made mostly of what needs care: quotes, backslashes, controls, DEL, non-ASCII, surrogates alone and paired.
    const tricky = fc
      .array(fc.constantFrom('"', '\\', '\u0001', '\u0002', '\n', '\u007f', 'é', '中', '\ud800', '\udc00', '😀', 'a', 'UNIQ_KEY'), { minLength: 1, maxLength: 12 })
      .map((pieces) => pieces.join(''));
    const trickyCommand = fc.record({
      code: fc.integer({ min: -32768, max: 32767 }),
      language: fc.constantFrom('JAVA', 'GO'),
      version: fc.integer({ min: -32768, max: 32767 }),
      opaque: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
      flag: fc.integer({ min: 0, max: 3 }),
      remark: fc.option(tricky, { nil: undefined }),
      extFields: fc.option(fc.dictionary(tricky.filter((key) => key !== '__proto__'), tricky, { maxKeys: 6 }), { nil: undefined }),
      serializeType: fc.constant(SerializeType.JSON),
    });
    fc.assert(
      fc.property(fc.oneof(command, trickyCommand), (original) => {
        const target = new Uint8Array(jsonHeaderBound(original) + 16);
        const written = encodeJsonHeaderInto(original, target, 16);
        expect(target.subarray(16, 16 + written)).toEqual(new TextEncoder().encode(jsonHeaderText(original)));
      }),
      { numRuns: 1000 },
    );
  });

  it('decode(encode(command)) gives the command back, in both serializations, any text', () => {
    fc.assert(
      fc.property(command, (original) => {
        const copy: RemotingCommand = { ...original };
        for (const key of ['remark', 'extFields', 'body'] as const) if (copy[key] === undefined) delete copy[key];
        // The binary form has no "empty map": no entries reads back as absent.
        if (copy.serializeType === SerializeType.ROCKETMQ && copy.extFields && Object.keys(copy.extFields).length === 0) delete copy.extFields;
        expect(decodeFrame(encodeFrame(original))).toEqual(copy);
      }),
      { numRuns: 500 },
    );
  });
});

describe('header text decoding', () => {
  it('hands back the right strings when short keys and values repeat, collide in the string cache and mix in non-ASCII', () => {
    // Far more distinct short strings than the cache has slots, each seen several times in a shuffled order.
    const pool = Array.from({ length: 3000 }, (_, n) => (n % 7 === 0 ? `é${n}` : n % 5 === 0 ? String(1765152000000 + n) : `v${n}`));
    let seed = 7;
    const pick = (): string => pool[(seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % pool.length]!;
    for (let i = 0; i < 4000; i++) {
      const extFields: Record<string, string> = { [pick()]: pick(), topic: pick(), [`k${i % 50}`]: pick() };
      const command: RemotingCommand = { code: 310, language: 'JAVA', version: 1, opaque: i, flag: 0, serializeType: SerializeType.ROCKETMQ, extFields };
      expect(decodeBinaryHeader(encodeBinaryHeader(command)).extFields).toEqual(extFields);
    }
  });

  it('never hands back a cached non-ASCII string for raw bytes that merely equal its character codes', () => {
    // "éa" is cached under its UTF-8 bytes c3 a9 61; the bytes e9 61 are invalid UTF-8 and must not read back as "éa".
    // Over every pair of Latin-1 letters some raw pairs land in the slot of their UTF-8 twin.
    const header = (value: string): RemotingCommand => ({ code: 10, language: 'JAVA', version: 1, opaque: 1, flag: 0, serializeType: SerializeType.ROCKETMQ, extFields: { k: value } });
    const placeholder = encodeBinaryHeader(header('@@'));
    const at = placeholder.length - 2;
    for (let a = 0xa0; a < 0x100; a++) {
      for (let b = 0x80; b < 0x100; b++) {
        const text = String.fromCharCode(a, b);
        expect(decodeBinaryHeader(encodeBinaryHeader(header(text))).extFields!.k).toBe(text);
        const raw = placeholder.slice();
        raw[at] = a;
        raw[at + 1] = b;
        expect(decodeBinaryHeader(raw).extFields!.k).toBe(Buffer.from([a, b]).toString('utf8'));
      }
    }
  });

  it('reads the same strings from a Buffer (native UTF-8) as from a plain Uint8Array, invalid bytes included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 40 }), (text, raw) => {
        const command: RemotingCommand = { code: 10, language: 'JAVA', version: 1, opaque: 7, flag: 0, serializeType: SerializeType.ROCKETMQ, remark: text, extFields: { key: text || 'k' } };
        const encoded = encodeBinaryHeader(command);
        // Splice raw bytes into the remark so malformed UTF-8 is decoded too.
        const withRaw = new Uint8Array(encoded.length + raw.length);
        withRaw.set(encoded.subarray(0, 13));
        new DataView(withRaw.buffer).setInt32(13, (command.remark ? new TextEncoder().encode(command.remark).length : 0) + raw.length);
        const remarkLength = new DataView(encoded.buffer, encoded.byteOffset).getInt32(13);
        withRaw.set(encoded.subarray(17, 17 + remarkLength), 17);
        withRaw.set(raw, 17 + remarkLength);
        withRaw.set(encoded.subarray(17 + remarkLength), 17 + remarkLength + raw.length);
        const fromPlain = decodeBinaryHeader(withRaw);
        const fromBuffer = decodeBinaryHeader(Buffer.from(withRaw));
        expect(fromBuffer).toEqual(fromPlain);
        const json = encodeFrame({ ...command, serializeType: SerializeType.JSON });
        expect(decodeFrame(Buffer.from(json))).toEqual(decodeFrame(json));
      }),
    );
  });
});
