import { describe, expect, it } from 'vitest';
import { ResponseCode, responseCodeInfo, sendRetryResponseCodes } from './response-codes.ts';

describe('response codes', () => {
  it('carry RocketMQ numbers under RocketMQ names', () => {
    expect(ResponseCode.SUCCESS).toBe(0);
    expect(ResponseCode.TOPIC_NOT_EXIST).toBe(17);
    expect(ResponseCode.PULL_OFFSET_MOVED).toBe(21);
    expect(ResponseCode.POLLING_TIMEOUT).toBe(210);
    expect(ResponseCode.GO_AWAY).toBe(1500);
  });

  it('have one name per number', () => {
    const codes = Object.values(ResponseCode);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('mark every code the Java producer retries as retriable', () => {
    for (const code of sendRetryResponseCodes) expect(responseCodeInfo(code).retriable).toBe(true);
    expect(responseCodeInfo(ResponseCode.MESSAGE_ILLEGAL).retriable).toBe(false);
  });

  it('describe unknown codes without failing', () => {
    expect(responseCodeInfo(4242)).toEqual({ code: 4242, name: 'UNKNOWN_4242', retriable: false, meaning: 'not a RocketMQ response code' });
  });
});
