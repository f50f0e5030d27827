/**
 * Transaction family: END_TRANSACTION (37, oneway, client → broker) and
 * CHECK_TRANSACTION_STATE (39, oneway, broker → producer).
 * Mirrors RocketMQ's EndTransactionRequestHeader and CheckTransactionStateRequestHeader.
 *
 * `commitOrRollback` takes the MessageSysFlag transaction values (flags.ts):
 * 0 unknown (ignored), 8 commit, 12 rollback.
 */
import {
  emptyHeader,
  int,
  long,
  optionalBoolean,
  optionalString,
  string,
  type HeaderSchema,
  type RequestDefinition,
} from '../fields.ts';

export const EndTransactionRequestHeader = {
  /** 5.x: the original topic. */
  topic: optionalString,
  /** Must equal the half message's `PGROUP` property. */
  producerGroup: string,
  /** The half message's queue offset (send response `queueOffset`). */
  tranStateTableOffset: long,
  /** The half message's commit-log offset, decoded from its offset message id. */
  commitLogOffset: long,
  commitOrRollback: int,
  fromTransactionCheck: optionalBoolean,
  /** `UNIQ_KEY` of the message. */
  msgId: string,
  transactionId: optionalString,
} as const satisfies HeaderSchema;

/** The body is the half message as one store record, topic and queue restored. */
export const CheckTransactionStateRequestHeader = {
  /** 5.x: the half topic name as stored. */
  topic: optionalString,
  tranStateTableOffset: long,
  commitLogOffset: long,
  msgId: optionalString,
  transactionId: optionalString,
  offsetMsgId: optionalString,
  /** 5.x broker name. */
  bname: optionalString,
} as const satisfies HeaderSchema;

export const END_TRANSACTION = {
  code: 37,
  name: 'END_TRANSACTION',
  request: EndTransactionRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const CHECK_TRANSACTION_STATE = {
  code: 39,
  name: 'CHECK_TRANSACTION_STATE',
  request: CheckTransactionStateRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;
