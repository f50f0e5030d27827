import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extFieldsOf, value } from '../../../test/helpers/header-arbitraries.ts';
import { decodeHeader, encodeHeader } from '../fields.ts';
import { decodePullMessageRequestHeader, decodePullMessageResponseHeader, PullMessageRequestHeader, PullMessageResponseHeader } from './pull.ts';

const requestFields = extFieldsOf({
  consumerGroup: value('text'), topic: value('text'), queueId: value('number'), queueOffset: value('number'), maxMsgNums: value('number'),
  sysFlag: value('number'), commitOffset: value('number'), suspendTimeoutMillis: value('number'), subscription: value('text'),
  subVersion: value('number'), expressionType: value('text'), maxMsgBytes: value('number'), requestSource: value('number'),
  proxyFrowardClientId: value('text'), extra: value('text'),
});

const responseFields = extFieldsOf({
  suggestWhichBrokerId: value('number'), nextBeginOffset: value('number'), minOffset: value('number'), maxOffset: value('number'),
  offsetDelta: value('number'), topicSysFlag: value('number'), groupSysFlag: value('number'), forbiddenType: value('number'), extra: value('text'),
});

describe('decodePullMessageRequestHeader', () => {
  it('equals the generic decoder for any extFields, well formed or not', () => {
    fc.assert(
      fc.property(requestFields, (fields) => {
        expect(decodePullMessageRequestHeader(fields)).toEqual(decodeHeader(PullMessageRequestHeader, fields));
      }),
      { numRuns: 5000 },
    );
    expect(decodePullMessageRequestHeader(undefined)).toEqual(decodeHeader(PullMessageRequestHeader, undefined));
  });

  it('decodes what a push consumer sends and names the field at fault', () => {
    const header = {
      consumerGroup: 'CG', topic: 'T', queueId: 3, queueOffset: 1_000_000_007, maxMsgNums: 32, sysFlag: 7, commitOffset: 999,
      suspendTimeoutMillis: 15_000, subscription: 'TagA || TagB', subVersion: 1_733_400_000_000, expressionType: 'TAG',
    };
    const fields = encodeHeader(PullMessageRequestHeader, header);
    expect(decodePullMessageRequestHeader(fields)).toEqual({ ok: true, header });
    expect(decodePullMessageRequestHeader({ ...fields, queueOffset: 'x' })).toEqual({
      ok: false, field: 'queueOffset', reason: 'the custom field queueOffset is not a number: "x"',
    });
    expect(decodePullMessageRequestHeader({ ...fields, maxMsgBytes: '2147483648' })).toMatchObject({ ok: false, field: 'maxMsgBytes' });
  });
});

describe('decodePullMessageResponseHeader', () => {
  it('equals the generic decoder for any extFields, well formed or not', () => {
    fc.assert(
      fc.property(responseFields, (fields) => {
        expect(decodePullMessageResponseHeader(fields)).toEqual(decodeHeader(PullMessageResponseHeader, fields));
      }),
      { numRuns: 5000 },
    );
    expect(decodePullMessageResponseHeader(undefined)).toEqual(decodeHeader(PullMessageResponseHeader, undefined));
  });

  it('decodes a broker answer and names the field at fault', () => {
    const answer = { suggestWhichBrokerId: '0', nextBeginOffset: '42', minOffset: '0', maxOffset: '42', offsetDelta: '9007199254740993' };
    expect(decodePullMessageResponseHeader(answer)).toMatchObject({ ok: false, field: 'offsetDelta' });
    const { offsetDelta: _delta, ...plain } = answer;
    expect(decodePullMessageResponseHeader(plain)).toEqual({ ok: true, header: { suggestWhichBrokerId: 0, nextBeginOffset: 42, minOffset: 0, maxOffset: 42 } });
    expect(decodePullMessageResponseHeader({ ...plain, maxOffset: '' })).toMatchObject({ ok: false, field: 'maxOffset' });
  });
});
