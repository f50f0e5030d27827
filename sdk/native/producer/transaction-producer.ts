/**
 * The transactional producer (RocketMQ's TransactionMQProducer). A message is
 * first sent as a half message (property `TRAN_MSG=true`, sysFlag
 * TRANSACTION_PREPARED), invisible to consumers; then the local transaction
 * runs, and its outcome goes to the broker as END_TRANSACTION (oneway):
 * commit makes the message visible, rollback discards it. When the outcome is
 * unknown (or the END_TRANSACTION got lost) the broker later asks with
 * CHECK_TRANSACTION_STATE, which the check listener answers.
 *
 * @example
 * const producer = new TransactionProducer({
 *   namesrvAddr, group: 'PG_tx',
 *   transactionListener: {
 *     executeLocalTransaction: async (message) => (await saveOrder(message)) ? 'COMMIT_MESSAGE' : 'ROLLBACK_MESSAGE',
 *     checkLocalTransaction: async (message) => (await orderExists(message.keys[0])) ? 'COMMIT_MESSAGE' : 'UNKNOW',
 *   },
 * });
 */
import { MessageSysFlag } from '../../protocol/flags.ts';
import { decodeOffsetMessageId } from '../../protocol/message-id.ts';
import { MessageConst } from '../../protocol/message-properties.ts';
import type { Connection } from '../../remoting/connection.ts';
import { endTransaction, endTransactionRequest, type EndTransactionHeader } from '../broker-calls.ts';
import type { CheckTransactionStateHeader } from '../client-instance.ts';
import { ClientError } from '../errors.ts';
import { pair, type Message, type MessageExt } from '../message.ts';
import { Producer, type ProducerOptions, type SendResult } from './producer.ts';

/** RocketMQ's LocalTransactionState, spelling included. */
export type LocalTransactionState = 'COMMIT_MESSAGE' | 'ROLLBACK_MESSAGE' | 'UNKNOW';

export interface TransactionListener<A = unknown> {
  /** Runs after the half message is stored. Throwing counts as UNKNOW: the broker will ask later. */
  executeLocalTransaction(message: Message, transactionId: string, argument: A): LocalTransactionState | Promise<LocalTransactionState>;
  /** Answers the broker's check for a half message whose outcome it does not know. */
  checkLocalTransaction(message: MessageExt): LocalTransactionState | Promise<LocalTransactionState>;
}

export interface TransactionProducerOptions extends ProducerOptions {
  transactionListener: TransactionListener;
}

export interface TransactionSendResult extends SendResult {
  localTransactionState: LocalTransactionState;
}

const commitOrRollbackByState: Readonly<Record<LocalTransactionState, number>> = {
  COMMIT_MESSAGE: MessageSysFlag.TRANSACTION_COMMIT_TYPE,
  ROLLBACK_MESSAGE: MessageSysFlag.TRANSACTION_ROLLBACK_TYPE,
  UNKNOW: MessageSysFlag.TRANSACTION_NOT_TYPE,
};

export class TransactionProducer extends Producer {
  private readonly listener: TransactionListener;

  constructor(options: TransactionProducerOptions) {
    super(options);
    if (!options.transactionListener) throw new ClientError('INVALID_ARGUMENT', 'a transaction producer needs a transactionListener');
    this.listener = options.transactionListener;
  }

  /** Sends a half message, runs the local transaction and reports its outcome to the broker. */
  async sendMessageInTransaction<A>(message: Message, argument?: A): Promise<TransactionSendResult> {
    if (message.delayLevel || message.delayMs !== undefined || message.deliverAt !== undefined) {
      throw new ClientError('INVALID_ARGUMENT', 'transactional messages cannot be delayed');
    }
    const extra = pair(MessageConst.PROPERTY_TRANSACTION_PREPARED, 'true') + pair(MessageConst.PROPERTY_PRODUCER_GROUP, this.group);
    const prepared = this.prepare(message, extra);
    prepared.sysFlag |= MessageSysFlag.TRANSACTION_PREPARED_TYPE;
    const sent = await this.sendWithRetries(prepared, this.options.sendTimeoutMs ?? 3000, undefined);
    let state: LocalTransactionState = 'ROLLBACK_MESSAGE';
    if (sent.status === 'SEND_OK') {
      try {
        state = await this.listener.executeLocalTransaction(message, sent.msgId, argument as A);
      } catch (error) {
        this.client.log.info('local transaction failed; the broker will check back', { msgId: sent.msgId, error });
        state = 'UNKNOW';
      }
    }
    await this.endTransaction(sent, state);
    return { ...sent, localTransactionState: state };
  }

  private async endTransaction(sent: SendResult, state: LocalTransactionState): Promise<void> {
    const offsetId = decodeOffsetMessageId(sent.offsetMsgId);
    const address = this.client.brokerAddress(sent.queue.brokerName);
    if (!offsetId || !address) {
      this.client.log.warn('cannot end transaction: half message location unknown; the broker will check back', { msgId: sent.msgId });
      return;
    }
    const header: EndTransactionHeader = {
      topic: sent.queue.topic,
      producerGroup: this.group,
      tranStateTableOffset: sent.queueOffset,
      commitLogOffset: offsetId.physicalOffset,
      commitOrRollback: commitOrRollbackByState[state],
      fromTransactionCheck: false,
      msgId: sent.msgId,
      transactionId: sent.transactionId ?? sent.msgId,
    };
    // A lost END_TRANSACTION is not fatal: the broker's check repairs it.
    await endTransaction(this.client, address, header, this.client.requestTimeoutMs).catch((error: unknown) => {
      this.client.log.warn('END_TRANSACTION not sent; the broker will check back', { msgId: sent.msgId, error });
    });
  }

  protected override checkTransactionState = (_brokerAddress: string, header: CheckTransactionStateHeader, message: MessageExt, connection: Connection): void => {
    void this.answerCheck(header, message, connection);
  };

  private async answerCheck(header: CheckTransactionStateHeader, message: MessageExt, connection: Connection): Promise<void> {
    let state: LocalTransactionState;
    try {
      state = await this.listener.checkLocalTransaction(message);
    } catch (error) {
      this.client.log.info('transaction check failed; answering UNKNOW', { msgId: message.msgId, error });
      state = 'UNKNOW';
    }
    const request = endTransactionRequest({
      topic: message.topic,
      producerGroup: this.group,
      tranStateTableOffset: header.tranStateTableOffset,
      commitLogOffset: header.commitLogOffset,
      commitOrRollback: commitOrRollbackByState[state],
      fromTransactionCheck: true,
      msgId: message.properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX] ?? header.msgId ?? message.msgId,
      transactionId: header.transactionId ?? message.msgId,
    });
    await this.client.sendOnConnection(connection, request).catch((error: unknown) => {
      this.client.log.warn('END_TRANSACTION after check not sent', { msgId: message.msgId, error });
    });
  }
}
