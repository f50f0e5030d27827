/**
 * ACL 1.0 request signing, as RocketMQ's AclClientRPCHook does it: the values
 * of every ext field except `Signature`, ordered by key in Java's
 * `String.compareTo` order (UTF-16 code units, so `AccessKey` sorts before
 * `a`), concatenated without separators, then the body bytes; signed with
 * HMAC-SHA1 under the secret key and written as padded base64. Uses WebCrypto,
 * so it runs anywhere `crypto.subtle` does.
 */
import { base64 } from './fastjson.ts';

export const AclField = {
  ACCESS_KEY: 'AccessKey',
  SIGNATURE: 'Signature',
  SECURITY_TOKEN: 'SecurityToken',
} as const;

/** Query-by-unique-key flag; servers leave it out of the check for requests from V4_9_3 and older. */
export const UNIQUE_KEY_QUERY_FIELD = '_UNIQUE_KEY_QUERY';

const textEncoder = new TextEncoder();

/**
 * The bytes that are signed.
 *
 * @example signatureContent({ topic: 'TopicTest', AccessKey: 'ak' }) // UTF-8 of 'akTopicTest'
 */
export function signatureContent(
  extFields: Readonly<Record<string, string>>,
  body?: Uint8Array,
  omitFields: ReadonlySet<string> = new Set(),
): Uint8Array {
  const keys = Object.keys(extFields)
    .filter((key) => key !== AclField.SIGNATURE && !omitFields.has(key))
    .sort();
  let text = '';
  for (const key of keys) {
    const value = extFields[key];
    if (value !== undefined && value !== null) text += value;
  }
  const head = textEncoder.encode(text);
  if (body === undefined || body.length === 0) return head;
  const content = new Uint8Array(head.length + body.length);
  content.set(head, 0);
  content.set(body, head.length);
  return content;
}

async function hmacSha1Base64(secretKey: string, content: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey('raw', textEncoder.encode(secretKey), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  return base64(new Uint8Array(await crypto.subtle.sign('HMAC', key, content as Uint8Array<ArrayBuffer>)));
}

export interface SessionCredentials {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly securityToken?: string;
}

/**
 * Signs a request in place: adds `AccessKey`, `SecurityToken` when set, and
 * `Signature`. The ext fields must already hold the flattened header.
 */
export async function signRequest(extFields: Record<string, string>, body: Uint8Array | undefined, credentials: SessionCredentials): Promise<void> {
  extFields[AclField.ACCESS_KEY] = credentials.accessKey;
  if (credentials.securityToken !== undefined) extFields[AclField.SECURITY_TOKEN] = credentials.securityToken;
  extFields[AclField.SIGNATURE] = await hmacSha1Base64(credentials.secretKey, signatureContent(extFields, body));
}

export type SignatureCheck = 'valid' | 'missing' | 'mismatch';

/**
 * Checks a received request's signature against the secret of its access key.
 * Follows the 5.x rule for `_UNIQUE_KEY_QUERY`: left out of the content only
 * for requests whose version is V4_9_3 (399) or older.
 */
export async function verifyRequest(
  extFields: Readonly<Record<string, string>>,
  body: Uint8Array | undefined,
  secretKey: string,
  requestVersion: number,
): Promise<SignatureCheck> {
  const signature = extFields[AclField.SIGNATURE];
  if (signature === undefined || extFields[AclField.ACCESS_KEY] === undefined) return 'missing';
  const omit = requestVersion <= 399 ? new Set([UNIQUE_KEY_QUERY_FIELD]) : new Set<string>();
  const expected = await hmacSha1Base64(secretKey, signatureContent(extFields, body, omit));
  return constantTimeEqual(expected, signature) ? 'valid' : 'mismatch';
}

/** Compares without stopping at the first difference, so timing does not reveal the signature. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
