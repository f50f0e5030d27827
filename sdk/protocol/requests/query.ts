/**
 * Query family: QUERY_MESSAGE (12) and VIEW_MESSAGE_BY_ID (33).
 * Mirrors RocketMQ's QueryMessageRequestHeader, QueryMessageResponseHeader and
 * ViewMessageRequestHeader.
 *
 * Both answer with stored records in the body. The index matches by key hash
 * only, so the client filters QUERY_MESSAGE results by the actual key.
 */
import { emptyHeader, int, long, optionalString, string, type HeaderSchema, type RequestDefinition } from '../fields.ts';

/**
 * The ext field that turns QUERY_MESSAGE into a lookup by `UNIQ_KEY`: `"true"`
 * makes the broker ignore `maxNum`. It is not a field of the header class.
 */
export const uniqueKeyQueryField = '_UNIQUE_KEY_QUERY';

export const QueryMessageRequestHeader = {
  topic: string,
  key: string,
  maxNum: int,
  beginTimestamp: long,
  endTimestamp: long,
} as const satisfies HeaderSchema;

export const QueryMessageResponseHeader = {
  indexLastUpdateTimestamp: long,
  indexLastUpdatePhyoffset: long,
} as const satisfies HeaderSchema;

export const ViewMessageRequestHeader = {
  /** Commit-log offset of the record. */
  offset: long,
  /** 5.x. */
  topic: optionalString,
} as const satisfies HeaderSchema;

export const QUERY_MESSAGE = {
  code: 12,
  name: 'QUERY_MESSAGE',
  request: QueryMessageRequestHeader,
  response: QueryMessageResponseHeader,
} as const satisfies RequestDefinition;

export const VIEW_MESSAGE_BY_ID = {
  code: 33,
  name: 'VIEW_MESSAGE_BY_ID',
  request: ViewMessageRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;
