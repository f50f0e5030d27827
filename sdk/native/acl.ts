/**
 * ACL 1.0 signing of every request (RocketMQ's AclClientRPCHook, wire §13).
 * The signed content is built by sdk/protocol/acl.ts; the HMAC runs through
 * node:crypto synchronously so a signed send costs no extra turn of the loop.
 */
import { createHmac } from 'node:crypto';
import type { RemotingCommand } from '../protocol/command.ts';
import { AclField, signatureContent } from '../protocol/acl.ts';
import type { Credentials } from './client-config.ts';

/** Adds `AccessKey`, `SecurityToken` (when set) and `Signature` to a request's ext fields. */
export function signCommand(request: RemotingCommand, credentials: Credentials): void {
  const extFields = (request.extFields ??= {});
  extFields[AclField.ACCESS_KEY] = credentials.accessKey;
  if (credentials.securityToken !== undefined) extFields[AclField.SECURITY_TOKEN] = credentials.securityToken;
  const content = signatureContent(extFields, request.body);
  extFields[AclField.SIGNATURE] = createHmac('sha1', credentials.secretKey).update(content).digest('base64');
}
