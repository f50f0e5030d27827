/**
 * Dispatch (store doc §5): every appended record gets its ConsumeQueue unit
 * (normal and COMMIT records only), its index entries (all but ROLLBACK) and
 * a notification to the arrival listeners (the broker's long polling). The
 * append path dispatches each record once the write that follows its append
 * handed it to the OS; recovery re-dispatches records found on disk through
 * the same function.
 */
import { javaStringHashCodeOfRange } from '../../sdk/util/java-hash.ts';
import { MessageSysFlag } from '../../sdk/protocol/message-record.ts';
import type { ConsumeQueue } from './consume-queue.ts';
import type { IndexService } from './index-service.ts';
import type { ArriveListener, StoreLog, TagsCodeOf } from './message-store.ts';
import { scanProperties, type PropertyRanges } from './properties.ts';

/**
 * Tags code of a record: the Java hash of `TAGS` (0 without one), unless the
 * hook says otherwise. `ranges` are those of `properties` (read when not given).
 */
export function tagsCodeFor(
  topic: string, properties: string, storeTimestamp: number, hook: TagsCodeOf | undefined, ranges?: PropertyRanges,
): number {
  if (hook) {
    const code = hook(topic, properties, storeTimestamp);
    if (code !== undefined) return code;
  }
  const { source, tagsStart, tagsEnd } = ranges ?? scanProperties(properties);
  return tagsStart < 0 ? 0 : javaStringHashCodeOfRange(source, tagsStart, tagsEnd);
}

export class Dispatcher {
  readonly listeners: ArriveListener[] = [];
  /** End of the last dispatched record. */
  dispatchedOffset = 0;
  lastStoreTimestamp = 0;

  constructor(
    private readonly index: IndexService | undefined,
    private readonly log: StoreLog,
  ) {}

  dispatch(
    queue: ConsumeQueue,
    queueOffset: number,
    physicalOffset: number,
    size: number,
    tagsCode: number,
    sysFlag: number,
    storeTimestamp: number,
    properties: string,
    ranges?: PropertyRanges,
  ): void {
    const transaction = sysFlag & 0xc;
    const toQueue = transaction === MessageSysFlag.TRANSACTION_NOT_TYPE || transaction === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
    if (toQueue) queue.putUnit(queueOffset, physicalOffset, size, tagsCode);
    if (this.index && transaction !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) {
      this.index.buildIndex(queue.topic, properties, physicalOffset, storeTimestamp, ranges);
    }
    this.dispatchedOffset = physicalOffset + size;
    this.lastStoreTimestamp = storeTimestamp;
    if (toQueue) this.notify(queue, queueOffset, tagsCode, properties, storeTimestamp);
  }

  private notify(queue: ConsumeQueue, queueOffset: number, tagsCode: number, properties: string, storeTimestamp: number): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i]!(queue.topic, queue.queueId, queueOffset, tagsCode, properties, storeTimestamp);
      } catch (error) {
        this.log.error(`store: an arrival listener threw: ${String(error)}`);
      }
    }
  }
}
