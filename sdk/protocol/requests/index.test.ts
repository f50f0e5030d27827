import { describe, expect, it } from 'vitest';
import { decodeHeader, encodeHeader } from '../fields.ts';
import { GET_MAX_OFFSET } from './offsets.ts';
import { RequestCode, requestCodeName, requestDefinitionsByCode } from './index.ts';
import {
  SEND_MESSAGE_V2,
  SendMessageRequestHeader,
  SendMessageRequestHeaderV2,
  sendMessageHeaderV1FromV2,
  sendMessageHeaderV2FromV1,
  sendMessageV2Keys,
} from './send.ts';

describe('RequestCode table', () => {
  it('gives every code one name and every name one code', () => {
    const codes = Object.values(RequestCode);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('holds the code of every request definition under its name', () => {
    expect(requestDefinitionsByCode.size).toBeGreaterThan(60);
    for (const [code, definition] of requestDefinitionsByCode) {
      expect(definition.code).toBe(code);
      expect(RequestCode[definition.name as keyof typeof RequestCode]).toBe(code);
    }
  });

  it('lists codes nobody serves yet', () => {
    expect(RequestCode.QUERY_ASSIGNMENT).toBe(400);
    expect(requestDefinitionsByCode.has(400)).toBe(false);
  });

  it('names known codes and falls back to the number', () => {
    expect(requestCodeName(310)).toBe('SEND_MESSAGE_V2');
    expect(requestCodeName(200050)).toBe('POP_MESSAGE');
    expect(requestCodeName(999)).toBe('999');
  });
});

describe('SEND_MESSAGE_V2 header', () => {
  // The V2 send header of the ACL vector in the wire reference.
  const extFields = {
    a: 'PG', b: 'T1', c: 'TBW102', d: '4', e: '0', f: '0', g: '1700000000000', h: '0',
    i: 'WAIT\u0001true\u0002', j: '0', k: 'false', m: 'false', AccessKey: 'ak',
  };

  it('decodes the one-letter keys with their types', () => {
    const result = decodeHeader(SEND_MESSAGE_V2.request, extFields);
    expect(result).toEqual({
      ok: true,
      header: { a: 'PG', b: 'T1', c: 'TBW102', d: 4, e: 0, f: 0, g: 1700000000000, h: 0, i: 'WAIT\u0001true\u0002', j: 0, k: false, m: false },
    });
  });

  it('names the first missing required field', () => {
    const { b: _b, ...withoutTopic } = extFields;
    expect(decodeHeader(SendMessageRequestHeaderV2, withoutTopic)).toEqual({ ok: false, field: 'b', reason: 'the custom field b is null' });
  });

  it('converts V2 to V1 and back without loss', () => {
    const decoded = decodeHeader(SendMessageRequestHeaderV2, extFields);
    if (!decoded.ok) throw new Error(decoded.reason);
    const v1 = sendMessageHeaderV1FromV2(decoded.header);
    expect(v1).toMatchObject({ producerGroup: 'PG', topic: 'T1', defaultTopic: 'TBW102', bornTimestamp: 1700000000000, batch: false });
    expect(sendMessageHeaderV2FromV1(v1)).toEqual(decoded.header);
  });

  it('maps each V2 letter to a V1 field of the same type', () => {
    for (const [letter, field] of Object.entries(sendMessageV2Keys)) {
      expect(SendMessageRequestHeaderV2[letter as keyof typeof sendMessageV2Keys].type).toBe(SendMessageRequestHeader[field].type);
    }
  });
});

describe('primitive header fields', () => {
  it('are always sent, with their Java default when unset', () => {
    expect(encodeHeader(GET_MAX_OFFSET.request, { topic: 'T', queueId: 1 })).toEqual({ topic: 'T', queueId: '1', committed: 'true' });
  });

  it('decode to their Java default when absent', () => {
    expect(decodeHeader(GET_MAX_OFFSET.request, { topic: 'T', queueId: '1' })).toEqual({ ok: true, header: { topic: 'T', queueId: 1, committed: true } });
  });
});
