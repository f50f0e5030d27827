/**
 * Transaction check-back (RocketMQ's TransactionalMessageCheckService). Every
 * `checkIntervalMs` a round walks the half queue from the
 * `CID_RMQ_SYS_TRANS` consume offset:
 *
 * - a half message with an op record is done: skip it;
 * - one already checked `checkMax` times (its `TRANSACTION_CHECK_TIMES`) is
 *   discarded, as RocketMQ 4.9 does (logged, op record written);
 * - one younger than its immunity time (`transactionTimeoutMs`, or
 *   `CHECK_IMMUNITY_TIME_IN_SECONDS` when larger) ends the round: the
 *   messages after it are younger still;
 * - otherwise it is appended again to the half queue with the check count
 *   plus one, and CHECK_TRANSACTION_STATE (oneway) goes to one live producer
 *   connection of its `PGROUP` with the new copy's offsets; the producer
 *   answers with END_TRANSACTION. With no producer online the check still
 *   counts.
 *
 * Records stored after the round started (the copies it appends) wait for the
 * next round. The consume offset is committed after each round, so a
 * restart resumes where the last round ended.
 */
import { createRequest, markOneway } from '../../../sdk/protocol/command.ts';
import { encodeHeader } from '../../../sdk/protocol/fields.ts';
import { MessageConst, findProperty } from '../../../sdk/protocol/message-properties.ts';
import { createOffsetMessageId } from '../../../sdk/protocol/message-id.ts';
import { decodeMessageRecord, type MessageRecord } from '../../../sdk/protocol/message-record.ts';
import { CHECK_TRANSACTION_STATE } from '../../../sdk/protocol/requests/transaction.ts';
import { MixAllGroups } from '../../../sdk/protocol/topic-names.ts';
import type { Connection } from '../../../sdk/remoting/connection.ts';
import type { Logger } from '../../../sdk/util/log.ts';
import type { MessageStore } from '../../store/message-store.ts';
import { PutMessageStatus } from '../../store/status.ts';
import { copyRecord, reencodeRecord } from '../schedule/message-copy.ts';
import { HALF_TOPIC } from './rewrite.ts';
import type { TransactionalMessageService } from './transactional-message-service.ts';

const M = MessageConst;

/** RocketMQ 4.9 `transactionCheckInterval`: how often open half messages are checked. */
export const transactionCheckIntervalMsDefault = 60_000;
/** RocketMQ `transactionTimeOut`: a half message younger than this is not checked yet. */
export const transactionTimeoutMsDefault = 6000;
/** RocketMQ `transactionCheckMax`: checks before a half message is discarded. */
export const transactionCheckMaxDefault = 15;
const checkReadBatchMessages = 32;
const checkCallTimeoutMs = 3000;

export interface ConsumeOffsets {
  queryOffset(group: string, topic: string, queueId: number): number;
  commitOffset(group: string, topic: string, queueId: number, offset: number): void;
}

export interface TransactionCheckOptions {
  store: MessageStore;
  transactions: TransactionalMessageService;
  offsets: ConsumeOffsets;
  /** A live connection of a producer of `group`, from the heartbeat producer table. */
  producerConnection: (group: string) => Connection | undefined;
  brokerName: string;
  log: Logger;
  checkIntervalMs?: number;
  transactionTimeoutMs?: number;
  checkMax?: number;
  now?: () => number;
}

export class TransactionCheckService {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly now: () => number;
  /** Checks sent so far (tests and metrics). */
  checksSent = 0;
  discarded = 0;

  constructor(private readonly options: TransactionCheckOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): this {
    this.schedule();
    return this;
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.checkRound()
        .catch((error: unknown) => this.options.log.error('transaction check round failed', { error }))
        .then(() => this.schedule());
    }, this.options.checkIntervalMs ?? transactionCheckIntervalMsDefault);
  }

  /**
   * One pass over the open half messages; exposed so a test or admin call can
   * run it at once. Rounds never overlap: a call made while one runs starts
   * after it, so two rounds cannot both act on a half message whose op record
   * the first is still writing.
   */
  checkRound(): Promise<void> {
    const round = (this.running ?? Promise.resolve()).catch(() => undefined).then(() => this.runRound());
    this.running = round;
    return round;
  }

  private async runRound(): Promise<void> {
    const { store, offsets } = this.options;
    const group = MixAllGroups.CID_SYS_RMQ_TRANS;
    const roundStart = this.now();
    const committed = offsets.queryOffset(group, HALF_TOPIC, 0);
    let offset = Math.max(committed, store.getMinOffsetInQueue(HALF_TOPIC, 0));
    round: while (!this.stopped && offset < store.getMaxOffsetInQueue(HALF_TOPIC, 0)) {
      const got = store.getMessage(HALF_TOPIC, 0, offset, checkReadBatchMessages);
      if (got.records.length === 0) {
        if (got.nextBeginOffset <= offset) break;
        offset = got.nextBeginOffset;
        continue;
      }
      for (let i = 0; i < got.records.length; i++) {
        const queueOffset = got.queueOffsets[i]!;
        const half = decodeMessageRecord(got.records[i]!);
        // An END_TRANSACTION being stored decides this one; look again next round.
        if (this.options.transactions.isResolving(queueOffset)) break round;
        if (half && !this.options.transactions.isResolved(queueOffset)) {
          if (half.storeTimestamp >= roundStart) break round;
          const step = await this.checkOne(half);
          if (step === 'stop') break round;
        }
        offset = queueOffset + 1;
      }
    }
    if (offset !== committed) offsets.commitOffset(group, HALF_TOPIC, 0, offset);
    this.options.transactions.pruneBelow(offset);
  }

  private async checkOne(half: MessageRecord): Promise<'next' | 'stop'> {
    const checkTimes = Number(findProperty(half.properties, M.PROPERTY_TRANSACTION_CHECK_TIMES) ?? 0) || 0;
    if (checkTimes >= (this.options.checkMax ?? transactionCheckMaxDefault)) {
      this.options.log.warn('discarding a half message checked too often', {
        uniqueKey: findProperty(half.properties, M.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX),
        checkTimes,
      });
      await this.options.transactions.writeOpRecord(half);
      this.discarded++;
      return 'next';
    }
    const immunitySeconds = Number(findProperty(half.properties, M.PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS));
    const timeoutMs = this.options.transactionTimeoutMs ?? transactionTimeoutMsDefault;
    const immunityMs = Number.isFinite(immunitySeconds) && immunitySeconds * 1000 > timeoutMs ? immunitySeconds * 1000 : timeoutMs;
    if (this.now() - half.bornTimestamp < immunityMs) return 'stop';
    const copy = copyRecord(half, { topic: HALF_TOPIC, queueId: 0, properties: { [M.PROPERTY_TRANSACTION_CHECK_TIMES]: String(checkTimes + 1) } });
    const put = await this.options.store.putMessage(copy);
    if (put.status !== PutMessageStatus.PUT_OK && put.status !== PutMessageStatus.FLUSH_DISK_TIMEOUT) return 'stop';
    const stored = this.options.store.lookMessageByOffset(put.physicalOffset)?.record;
    if (stored) this.sendCheck(stored, put.offsetMsgId);
    return 'next';
  }

  private sendCheck(half: MessageRecord, offsetMsgId: string): void {
    const group = findProperty(half.properties, M.PROPERTY_PRODUCER_GROUP);
    const connection = group ? this.options.producerConnection(group) : undefined;
    if (!connection) {
      this.options.log.warn('no live producer to check a transaction with', { group });
      return;
    }
    const uniqueKey = findProperty(half.properties, M.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
    const header = encodeHeader(CHECK_TRANSACTION_STATE.request, {
      topic: HALF_TOPIC,
      tranStateTableOffset: half.queueOffset,
      commitLogOffset: half.physicalOffset,
      msgId: uniqueKey,
      transactionId: findProperty(half.properties, M.PROPERTY_TRANSACTION_ID) ?? uniqueKey,
      offsetMsgId: offsetMsgId || createOffsetMessageId(half.storeHost, half.physicalOffset),
      bname: this.options.brokerName,
    });
    const realTopic = findProperty(half.properties, M.PROPERTY_REAL_TOPIC) ?? half.topic;
    const realQueueId = Number(findProperty(half.properties, M.PROPERTY_REAL_QUEUE_ID) ?? 0);
    const body = reencodeRecord(half, realTopic, realQueueId);
    const request = markOneway(createRequest(CHECK_TRANSACTION_STATE.code, header, body));
    this.checksSent++;
    connection.invokeOneway(request, checkCallTimeoutMs).catch((error: unknown) => {
      this.options.log.warn('sending CHECK_TRANSACTION_STATE failed', { group, error });
    });
  }
}
