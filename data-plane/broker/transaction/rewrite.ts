/**
 * Send-path rewriting of transactional messages (RocketMQ's
 * TransactionalMessageBridge.parseHalfMessageInner). The broker's send
 * processor calls `rewriteForTransaction` before `rewriteForDelay`: a message
 * with `TRAN_MSG=true` becomes a half message, stored in
 * RMQ_SYS_TRANS_HALF_TOPIC queue 0 with sysFlag transaction bits NOT_TYPE
 * (so it gets a normal ConsumeQueue unit there, invisible to user
 * consumers), `REAL_TOPIC` / `REAL_QID` recording its destination and
 * `__transactionId__` = its `UNIQ_KEY`. The send answer's queueOffset and
 * offset message id identify the half message in END_TRANSACTION.
 */
import { MessageConst, findProperty } from '../../../sdk/protocol/message-properties.ts';
import { MessageSysFlag } from '../../../sdk/protocol/message-record.ts';
import { resetTransactionValue } from '../../../sdk/protocol/flags.ts';
import { TopicValidator } from '../../../sdk/protocol/topic-names.ts';
import type { MessageToPut } from '../../store/message-store.ts';
import { propertyRangesOf } from '../../store/properties.ts';
import { editProperties } from '../schedule/message-copy.ts';

export const HALF_TOPIC = TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC;
export const OP_HALF_TOPIC = TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC;

const M = MessageConst;

/** True for a message the producer sent as the first half of a transaction. */
export function isTransactionHalf(message: MessageToPut): boolean {
  if (!propertyRangesOf(message).mayRedirect) return false;
  return message.properties.includes('TRAN_MSG\u0001') && findProperty(message.properties, M.PROPERTY_TRANSACTION_PREPARED) === 'true';
}

/**
 * The half message to store instead of `message`, or `message` itself when
 * it is not transactional.
 *
 * @example
 * const half = rewriteForTransaction(message);
 * const toPut = half.rewritten ? half.message : rewriteForDelay(message, options)…;
 */
export function rewriteForTransaction(message: MessageToPut): { rewritten: boolean; message: MessageToPut } {
  if (!isTransactionHalf(message)) return { rewritten: false, message };
  const uniqueKey = findProperty(message.properties, M.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
  return {
    rewritten: true,
    message: {
      ...message,
      topic: HALF_TOPIC,
      queueId: 0,
      sysFlag: resetTransactionValue(message.sysFlag, MessageSysFlag.TRANSACTION_NOT_TYPE),
      properties: editProperties(message.properties, {
        [M.PROPERTY_REAL_TOPIC]: message.topic,
        [M.PROPERTY_REAL_QUEUE_ID]: String(message.queueId),
        ...(uniqueKey ? { [M.PROPERTY_TRANSACTION_ID]: uniqueKey } : {}),
      }),
    },
  };
}
