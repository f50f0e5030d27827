/**
 * RemotingCommand: the unit every RocketMQ peer sends in either direction.
 * A request carries a code from the request table, a response carries a
 * response code and the request's opaque. Flag bit 0 marks a response, bit 1
 * a oneway request (wire §2.1).
 */

export const SerializeType = { JSON: 0, ROCKETMQ: 1 } as const;
export type SerializeType = (typeof SerializeType)[keyof typeof SerializeType];

export const RPC_TYPE_RESPONSE = 0x1;
export const RPC_ONEWAY = 0x2;

export interface RemotingCommand {
  code: number;
  /** Language name, e.g. `JAVA`. */
  language: string;
  version: number;
  opaque: number;
  flag: number;
  remark?: string;
  extFields?: Record<string, string>;
  body?: Uint8Array;
  /** How the header travelled (or will travel). Responses mirror their request. */
  serializeType: SerializeType;
}

/** The version ordinal we announce: RocketMQ 4.9.8's, the release whose behaviour we follow. */
export const APOGEE_VERSION = 409;

/** The language we announce. `OTHER` is understood by every RocketMQ release. */
export const APOGEE_LANGUAGE = 'OTHER';

let nextOpaque = 1;

/** Opaques are unique per sender; they wrap inside the signed 32-bit range as Java's do. */
export function allocateOpaque(): number {
  const opaque = nextOpaque;
  nextOpaque = nextOpaque === 0x7fffffff ? 1 : nextOpaque + 1;
  return opaque;
}

export function createRequest(
  code: number,
  extFields?: Record<string, string>,
  body?: Uint8Array,
  serializeType: SerializeType = SerializeType.JSON,
): RemotingCommand {
  return {
    code,
    language: APOGEE_LANGUAGE,
    version: APOGEE_VERSION,
    opaque: allocateOpaque(),
    flag: 0,
    extFields,
    body,
    serializeType,
  };
}

/**
 * A response to `request`: same opaque, response flag set, and the request's
 * serialization so that a client that speaks only one form can read it.
 */
export function createResponse(
  request: RemotingCommand,
  code: number,
  remark?: string,
  extFields?: Record<string, string>,
  body?: Uint8Array,
): RemotingCommand {
  return {
    code,
    language: 'JAVA',
    version: APOGEE_VERSION,
    opaque: request.opaque,
    flag: RPC_TYPE_RESPONSE,
    remark,
    extFields,
    body,
    serializeType: request.serializeType,
  };
}

export function isResponse(command: RemotingCommand): boolean {
  return (command.flag & RPC_TYPE_RESPONSE) !== 0;
}

export function isOneway(command: RemotingCommand): boolean {
  return (command.flag & RPC_ONEWAY) !== 0;
}

export function markOneway(command: RemotingCommand): RemotingCommand {
  command.flag |= RPC_ONEWAY;
  return command;
}
