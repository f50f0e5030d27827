import { describe, expect, it } from 'vitest';
import { signRequest, signatureContent, verifyRequest } from './acl.ts';

// The verified vectors of the wire reference, secret key `sk`.
const textDecoder = new TextDecoder();

describe('ACL 1.0 signature', () => {
  it('signs a route lookup as Java does', async () => {
    const extFields: Record<string, string> = { topic: 'TopicTest' };
    await signRequest(extFields, undefined, { accessKey: 'ak', secretKey: 'sk' });
    expect(textDecoder.decode(signatureContent(extFields))).toBe('akTopicTest');
    expect(extFields.Signature).toBe('bUNDfLxxr02vTlIhHg73lpRhduQ=');
  });

  it('signs a V2 send with its body as Java does', async () => {
    const extFields: Record<string, string> = {
      a: 'PG', b: 'T1', c: 'TBW102', d: '4', e: '0', f: '0', g: '1700000000000', h: '0',
      i: 'WAIT\u0001true\u0002', j: '0', k: 'false', m: 'false',
    };
    const body = new TextEncoder().encode('hi');
    await signRequest(extFields, body, { accessKey: 'ak', secretKey: 'sk' });
    expect(textDecoder.decode(signatureContent(extFields, body))).toBe('akPGT1TBW10240017000000000000WAIT\u0001true\u00020falsefalsehi');
    expect(extFields.Signature).toBe('ZnPZ/RCP+G9XC8y8Qjw3hYOoHWg=');
  });

  it('verifies a good signature and rejects a changed field or a missing one', async () => {
    const extFields: Record<string, string> = { topic: 'TopicTest' };
    await signRequest(extFields, undefined, { accessKey: 'ak', secretKey: 'sk' });
    expect(await verifyRequest(extFields, undefined, 'sk', 479)).toBe('valid');
    expect(await verifyRequest({ ...extFields, topic: 'Other' }, undefined, 'sk', 479)).toBe('mismatch');
    expect(await verifyRequest({ topic: 'TopicTest' }, undefined, 'sk', 479)).toBe('missing');
  });

  it('leaves _UNIQUE_KEY_QUERY out of the check only for V4_9_3 and older', async () => {
    const signedWithout: Record<string, string> = { topic: 'T', key: 'K' };
    await signRequest(signedWithout, undefined, { accessKey: 'ak', secretKey: 'sk' });
    const received = { ...signedWithout, _UNIQUE_KEY_QUERY: 'true' };
    expect(await verifyRequest(received, undefined, 'sk', 399)).toBe('valid');
    expect(await verifyRequest(received, undefined, 'sk', 401)).toBe('mismatch');
  });
});
