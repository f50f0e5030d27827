/**
 * Ending transactions (RocketMQ's EndTransactionProcessor and
 * TransactionalMessageServiceImpl): a commit copies the half message to its
 * real topic with sysFlag COMMIT and `preparedTransactionOffset` = the half
 * message's CommitLog offset, then writes an op record; a rollback writes
 * only the op record. Op records live in RMQ_SYS_TRANS_OP_HALF_TOPIC queue 0,
 * tag `d`, body = the half message's queue offset in decimal (4.9's form;
 * readers also accept 5.x's comma-separated batches).
 *
 * The set of resolved half offsets is rebuilt from the op topic at start, so
 * a second END_TRANSACTION for the same half message (a late answer to a
 * check, a retried oneway) changes nothing.
 */
import { MessageConst, encodeProperties, findProperty } from '../../../sdk/protocol/message-properties.ts';
import { MessageSysFlag, decodeMessageRecord, type MessageRecord } from '../../../sdk/protocol/message-record.ts';
import { resetTransactionValue } from '../../../sdk/protocol/flags.ts';
import type { Logger } from '../../../sdk/util/log.ts';
import type { MessageStore } from '../../store/message-store.ts';
import { PutMessageStatus } from '../../store/status.ts';
import { copyRecord } from '../schedule/message-copy.ts';
import { HALF_TOPIC, OP_HALF_TOPIC } from './rewrite.ts';

const M = MessageConst;
const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

/** Tag of op records ("delete" in RocketMQ's TransactionalMessageUtil.REMOVETAG). */
export const OP_REMOVE_TAG = 'd';

export type EndTransactionOutcome =
  | { ok: true; resolved: 'commit' | 'rollback' | 'already-resolved' | 'ignored' }
  | { ok: false; code: 'SYSTEM_ERROR' | 'SLAVE_NOT_AVAILABLE'; reason: string };

export interface EndTransactionRequest {
  producerGroup: string;
  tranStateTableOffset: number;
  commitLogOffset: number;
  /** MessageSysFlag transaction value: 8 commit, 12 rollback, anything else is ignored. */
  commitOrRollback: number;
}

export interface TransactionServiceOptions {
  store: MessageStore;
  log: Logger;
  /** Slaves refuse END_TRANSACTION. */
  isSlave: () => boolean;
  /** Rewrites a committed message that carries a delay (the send path's delay hook). */
  rewriteCommitted?: (message: ReturnType<typeof copyRecord>) => ReturnType<typeof copyRecord>;
}

export class TransactionalMessageService {
  /** Queue offsets (in the half queue) of half messages with an op record. */
  private readonly resolved = new Set<number>();
  /** Half offsets whose END_TRANSACTION is being stored; a concurrent second one must not commit again. */
  private readonly resolving = new Set<number>();

  constructor(private readonly options: TransactionServiceOptions) {
    this.loadOpRecords();
  }

  isResolved(halfQueueOffset: number): boolean {
    return this.resolved.has(halfQueueOffset);
  }

  /** Forgets resolved offsets below the check progress; they are never looked at again. */
  pruneBelow(halfQueueOffset: number): void {
    for (const offset of this.resolved) if (offset < halfQueueOffset) this.resolved.delete(offset);
  }

  async endTransaction(request: EndTransactionRequest): Promise<EndTransactionOutcome> {
    if (this.options.isSlave()) return { ok: false, code: 'SLAVE_NOT_AVAILABLE', reason: 'the broker is a slave; END_TRANSACTION goes to the master' };
    const commit = request.commitOrRollback === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
    if (!commit && request.commitOrRollback !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) return { ok: true, resolved: 'ignored' };
    const found = this.findHalf(request);
    if (!found.ok) return found;
    const half = found.record;
    if (this.resolved.has(half.queueOffset) || this.resolving.has(half.queueOffset)) return { ok: true, resolved: 'already-resolved' };
    this.resolving.add(half.queueOffset);
    try {
      if (commit) {
        const put = await this.options.store.putMessage(this.committedMessage(half));
        if (put.status !== PutMessageStatus.PUT_OK && put.status !== PutMessageStatus.FLUSH_DISK_TIMEOUT) {
          return { ok: false, code: 'SYSTEM_ERROR', reason: `storing the committed message failed: ${put.status}${put.reason ? ` (${put.reason})` : ''}` };
        }
      }
      const op = await this.writeOpRecord(half);
      if (!op) return { ok: false, code: 'SYSTEM_ERROR', reason: 'writing the transaction op record failed' };
      return { ok: true, resolved: commit ? 'commit' : 'rollback' };
    } finally {
      this.resolving.delete(half.queueOffset);
    }
  }

  /** True while an END_TRANSACTION for this half offset is being stored. */
  isResolving(halfQueueOffset: number): boolean {
    return this.resolving.has(halfQueueOffset);
  }

  /** Marks a half message done without committing it (discarded after too many checks). */
  async writeOpRecord(half: MessageRecord): Promise<boolean> {
    const put = await this.options.store.putMessage({
      topic: OP_HALF_TOPIC,
      queueId: half.queueId,
      flag: 0,
      body: textEncoder.encode(String(half.queueOffset)),
      properties: encodeProperties({ [M.PROPERTY_TAGS]: OP_REMOVE_TAG, [M.PROPERTY_WAIT_STORE_MSG_OK]: 'false' }),
      sysFlag: 0,
      bornTimestamp: Date.now(),
      bornHost: { address: half.storeHost.address, port: half.storeHost.port },
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
    });
    const ok = put.status === PutMessageStatus.PUT_OK || put.status === PutMessageStatus.FLUSH_DISK_TIMEOUT;
    if (ok) this.resolved.add(half.queueOffset);
    return ok;
  }

  private findHalf(request: EndTransactionRequest): { ok: true; record: MessageRecord } | { ok: false; code: 'SYSTEM_ERROR'; reason: string } {
    const looked = this.options.store.lookMessageByOffset(request.commitLogOffset);
    const record = looked?.record;
    if (!record || record.topic !== HALF_TOPIC) {
      return { ok: false, code: 'SYSTEM_ERROR', reason: `no half message at commitLogOffset ${request.commitLogOffset}` };
    }
    const group = findProperty(record.properties, M.PROPERTY_PRODUCER_GROUP);
    if (group !== request.producerGroup) {
      return { ok: false, code: 'SYSTEM_ERROR', reason: `the producer group ${request.producerGroup} is not the half message's group ${group ?? '(none)'}` };
    }
    if (record.queueOffset !== request.tranStateTableOffset) {
      return { ok: false, code: 'SYSTEM_ERROR', reason: `tranStateTableOffset ${request.tranStateTableOffset} is not the half message's queue offset ${record.queueOffset}` };
    }
    if (record.physicalOffset !== request.commitLogOffset) {
      return { ok: false, code: 'SYSTEM_ERROR', reason: `commitLogOffset ${request.commitLogOffset} is not the half message's offset ${record.physicalOffset}` };
    }
    return { ok: true, record };
  }

  private committedMessage(half: MessageRecord): ReturnType<typeof copyRecord> {
    const message = copyRecord(half, {
      topic: findProperty(half.properties, M.PROPERTY_REAL_TOPIC) ?? half.topic,
      queueId: Number(findProperty(half.properties, M.PROPERTY_REAL_QUEUE_ID) ?? 0),
      sysFlag: resetTransactionValue(half.sysFlag, MessageSysFlag.TRANSACTION_COMMIT_TYPE),
      preparedTransactionOffset: half.physicalOffset,
      properties: {
        [M.PROPERTY_REAL_TOPIC]: undefined,
        [M.PROPERTY_REAL_QUEUE_ID]: undefined,
        [M.PROPERTY_TRANSACTION_PREPARED]: undefined,
      },
    });
    return this.options.rewriteCommitted ? this.options.rewriteCommitted(message) : message;
  }

  private loadOpRecords(): void {
    const { store } = this.options;
    let offset = store.getMinOffsetInQueue(OP_HALF_TOPIC, 0);
    const max = store.getMaxOffsetInQueue(OP_HALF_TOPIC, 0);
    while (offset < max) {
      const got = store.getMessage(OP_HALF_TOPIC, 0, offset, 256);
      if (got.records.length === 0) {
        if (got.nextBeginOffset <= offset) break;
        offset = got.nextBeginOffset;
        continue;
      }
      for (let i = 0; i < got.records.length; i++) {
        offset = got.queueOffsets[i]! + 1;
        const record = decodeMessageRecord(got.records[i]!);
        if (!record) continue;
        for (const part of textDecoder.decode(record.body).split(',')) {
          if (/^\d+$/.test(part)) this.resolved.add(Number(part));
        }
      }
    }
  }
}
