// The SEND_MESSAGE_V2 header decoder with its fast path must give exactly what
// the generic schema decoder followed by the V2 → V1 conversion gives: the
// same header, or the same failure with the same field and reason.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extFieldsOf, value } from '../../../test/helpers/header-arbitraries.ts';
import { decodeHeader, encodeHeader } from '../fields.ts';
import {
  decodeSendMessageHeaderV2,
  decodeSendMessageResponseHeader,
  SendMessageRequestHeaderV2,
  SendMessageResponseHeader,
  sendMessageHeaderV1FromV2,
  sendMessageHeaderV2FromV1,
} from './send.ts';

function reference(extFields: Record<string, string> | undefined) {
  const decoded = decodeHeader(SendMessageRequestHeaderV2, extFields);
  return decoded.ok ? { ok: true, header: sendMessageHeaderV1FromV2(decoded.header) } : decoded;
}

const extFields = extFieldsOf({
    a: value('text'), b: value('text'), c: value('text'), d: value('number'), e: value('number'), f: value('number'), g: value('number'),
    h: value('number'), i: value('text'), j: value('number'), k: value('boolean'), l: value('number'), m: value('boolean'), n: value('text'),
    extra: value('text'),
});

describe('decodeSendMessageHeaderV2', () => {
  it('equals the generic decoder and the V2 → V1 conversion for any extFields, well formed or not', () => {
    fc.assert(
      fc.property(extFields, (fields) => {
        expect(decodeSendMessageHeaderV2(fields)).toEqual(reference(fields));
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes what a producer encodes, and fails like the generic decoder on a missing field or no extFields', () => {
    const v1 = {
      producerGroup: 'PG', topic: 'T', defaultTopic: 'TBW102', defaultTopicQueueNums: 4, queueId: 3, sysFlag: 0,
      bornTimestamp: 1_733_400_000_000, flag: 0, properties: 'UNIQ_KEY\u0001ID\u0002', reconsumeTimes: 0, unitMode: false, batch: true,
    };
    const fields = encodeHeader(SendMessageRequestHeaderV2, sendMessageHeaderV2FromV1(v1));
    expect(decodeSendMessageHeaderV2(fields)).toEqual({ ok: true, header: v1 });
    const { b: _topic, ...withoutTopic } = fields;
    expect(decodeSendMessageHeaderV2(withoutTopic)).toEqual({ ok: false, field: 'b', reason: 'the custom field b is null' });
    expect(decodeSendMessageHeaderV2(undefined)).toEqual(reference(undefined));
    expect(decodeSendMessageHeaderV2({ ...fields, e: '2147483648' })).toMatchObject({ ok: false, field: 'e' });
  });
});

const responseFields = extFieldsOf({
    msgId: value('text'), queueId: value('number'), queueOffset: value('number'), transactionId: value('text'), batchUniqId: value('text'),
    recallHandle: value('text'), MSG_REGION: value('text'), TRACE_ON: value('boolean'),
});

describe('decodeSendMessageResponseHeader', () => {
  it('equals the generic decoder for any extFields, well formed or not', () => {
    fc.assert(
      fc.property(responseFields, (fields) => {
        expect(decodeSendMessageResponseHeader(fields)).toEqual(decodeHeader(SendMessageResponseHeader, fields));
      }),
      { numRuns: 5000 },
    );
    expect(decodeSendMessageResponseHeader(undefined)).toEqual(decodeHeader(SendMessageResponseHeader, undefined));
  });

  it('decodes a broker answer and names the field at fault', () => {
    const answer = { msgId: '7F00000100002A9F0000000000001000', queueId: '2', queueOffset: '41', MSG_REGION: 'DefaultRegion', TRACE_ON: 'true', transactionId: 'ID' };
    expect(decodeSendMessageResponseHeader(answer)).toEqual({
      ok: true,
      header: { msgId: '7F00000100002A9F0000000000001000', queueId: 2, queueOffset: 41, transactionId: 'ID' },
    });
    expect(decodeSendMessageResponseHeader({ ...answer, queueOffset: 'x' })).toMatchObject({ ok: false, field: 'queueOffset' });
  });
});
