/**
 * Local limits and defaults of the store, each with its unit and reason.
 * Peer-visible limits (message size, topic length, properties length) come
 * from `sdk/protocol/limits.ts` so the broker and clients agree on them.
 */
import { messageSizeMaxBytes, propertiesSizeMaxBytes, systemTopicLengthMax, topicLengthMax } from '../../sdk/protocol/limits.ts';
import type { StoreOptions } from './message-store.ts';

/** CommitLog segment size (RocketMQ `mappedFileSizeCommitLog`): 1 GiB keeps the file count small. */
export const commitLogSegmentBytesDefault = 1024 * 1024 * 1024;
/** Smallest segment accepted; tests use a few KiB to cross segment boundaries often. */
export const commitLogSegmentBytesMin = 4096;
/** ConsumeQueue units per file (RocketMQ 300,000 × 20 bytes = 6,000,000-byte files). */
export const consumeQueueUnitsPerFileDefault = 300_000;
/** IndexFile hash slots and entries (RocketMQ `maxHashSlotNum`, `maxIndexNum`). */
export const indexHashSlotNumDefault = 5_000_000;
export const indexNumDefault = 20_000_000;
/** ASYNC_FLUSH period (RocketMQ `flushIntervalCommitLog`). */
export const flushIntervalMsDefault = 500;
/** A SYNC_FLUSH put not on disk after this is answered FLUSH_DISK_TIMEOUT (RocketMQ `syncFlushTimeout`). */
export const syncFlushTimeoutMsDefault = 5000;
/** How often ConsumeQueue units and index entries are written out and the checkpoint advanced. */
export const consumeQueueFlushIntervalMsDefault = 1000;
/** Retention: hours a CommitLog segment is kept (RocketMQ `fileReservedTime`). */
export const fileReservedTimeHoursDefault = 72;
/** Retention: local hour of day when expired segments are deleted (RocketMQ `deleteWhen` "04"). */
export const deleteWhenHourDefault = 4;
/** Disk usage above which expired segments are deleted at any hour (RocketMQ `diskMaxUsedSpaceRatio`). */
export const diskCleanRatioDefault = 0.75;
/** Disk usage above which segments are deleted even if not expired (RocketMQ clean-forcibly ratio). */
export const diskCleanForciblyRatioDefault = 0.85;
/** Disk usage above which puts are refused (RocketMQ `diskSpaceWarningLevelRatio`). */
export const diskRefuseRatioDefault = 0.9;
/** How often retention runs (RocketMQ `cleanResourceInterval`). */
export const cleanResourceIntervalMsDefault = 10_000;
/** Most segments deleted per retention run (RocketMQ `deleteFileBatchMax`). */
export const deleteFileBatchMax = 10;
/** Largest body (RocketMQ `maxMessageSize`). */
export const messageSizeMaxBytesDefault = messageSizeMaxBytes;
/** Longest topic in bytes; retry/DLQ topics get `systemTopicLengthMax`. */
export const topicLengthMaxDefault = topicLengthMax;
/** Longest retry (`%RETRY%`) and dead-letter (`%DLQ%`) topic. */
export const systemTopicLengthMaxDefault = systemTopicLengthMax;
/** Longest encoded properties (the record stores the length as a signed short). */
export const propertiesSizeMaxBytesDefault = propertiesSizeMaxBytes;
/**
 * In-memory write buffer: appends are encoded here and written with one
 * write per task (the sends of one socket read). It holds a batch's records
 * in one piece: a batch whose records need more (each carries the batch's
 * properties, so they can outgrow the body) is refused as BATCH_TOO_LARGE.
 */
export const writeBufferBytesMax = 17 * 1024 * 1024;
/**
 * Appends start again at the write buffer's beginning, once everything
 * before is in the OS, when they are this far in: the window stays in the
 * CPU's caches instead of sweeping all of the buffer.
 */
export const bufferRewindBytes = 1024 * 1024;
/**
 * A task's appended bytes are written by the event loop itself when the
 * writer thread is idle and the write should take at most
 * `inlineWriteMsMax` at the speed recent writes showed (or they are at most
 * `inlineWriteBytesMax`): the thread hand-off costs more than such a write.
 * Longer writes go to the writer thread (log-writer.ts), so the event loop
 * is not held up copying a large run into the page cache, which costs
 * several times more while the OS still has to fault in fresh memory.
 */
export const inlineWriteBytesMax = 16 * 1024;
export const inlineWriteMsMax = 0.05;
/**
 * Short writes also go to the writer thread while the event loop is
 * saturated: busy at least `saturatedLoopUtilization` of the last
 * `loopUtilizationWindowMs` (and until it drops below
 * `unsaturatedLoopUtilization`). Then the loop is what limits throughput, and
 * the copy into the page cache is work another core can take off it.
 */
export const saturatedLoopUtilization = 0.9;
export const unsaturatedLoopUtilization = 0.75;
export const loopUtilizationWindowMs = 100;
/** Pending ConsumeQueue units per queue before they are written out early. */
export const consumeQueuePendingBytesMax = 16 * 1024;
/** Pending index entries before they are written out early. */
export const indexPendingBytesMax = 256 * 1024;
/** Gap between two records of one pull that is read through rather than split into two reads. */
export const readGapBytesMax = 64 * 1024;
/** Largest single read while serving a pull. */
export const readRunBytesMax = 4 * 1024 * 1024;
/** Units scanned per pull at most when filtering (RocketMQ `maxFilterMessageSize` 16,000 bytes / 20). */
export const filterScanUnitsMin = 800;
/** Default byte budget of one pull (RocketMQ `maxTransferBytesOnMessageInMemory`). */
export const pullBytesMaxDefault = 256 * 1024;
/** Recovery reads the CommitLog in chunks of this size. */
export const recoveryChunkBytes = 8 * 1024 * 1024;

// A maximal message must fit in the write buffer, and a record never spans segments.
if (messageSizeMaxBytesDefault + propertiesSizeMaxBytesDefault + 1024 > writeBufferBytesMax) {
  throw new Error('settings: the write buffer cannot hold a maximal message');
}

/** Every option with its default applied. */
export type StoreSettings = Required<Omit<StoreOptions, 'tagsCodeOf' | 'log'>> & Pick<StoreOptions, 'tagsCodeOf'> & {
  log: NonNullable<StoreOptions['log']>;
  consumeQueueFlushIntervalMs: number;
};

const silentLog = { info() {}, warn() {}, error() {} };

export function resolveSettings(options: StoreOptions, diskUsage: () => number): StoreSettings {
  const segmentBytes = options.commitLogSegmentBytes ?? commitLogSegmentBytesDefault;
  if (!Number.isInteger(segmentBytes) || segmentBytes < commitLogSegmentBytesMin) {
    throw new RangeError(`commitLogSegmentBytes must be an integer >= ${commitLogSegmentBytesMin}, got ${segmentBytes}`);
  }
  const writerThread = options.commitLogWriterThread ?? 'auto';
  if (writerThread !== 'auto' && writerThread !== 'always' && writerThread !== 'never') {
    throw new RangeError(`commitLogWriterThread must be auto, always or never, got ${String(writerThread)}`);
  }
  return {
    dataDir: options.dataDir,
    flushDiskType: options.flushDiskType,
    storeHost: options.storeHost,
    commitLogSegmentBytes: segmentBytes,
    commitLogWriterThread: writerThread,
    consumeQueueUnitsPerFile: options.consumeQueueUnitsPerFile ?? consumeQueueUnitsPerFileDefault,
    indexHashSlotNum: options.indexHashSlotNum ?? indexHashSlotNumDefault,
    indexNum: options.indexNum ?? indexNumDefault,
    messageIndexEnable: options.messageIndexEnable ?? true,
    flushIntervalMs: options.flushIntervalMs ?? flushIntervalMsDefault,
    syncFlushTimeoutMs: options.syncFlushTimeoutMs ?? syncFlushTimeoutMsDefault,
    fileReservedTimeHours: options.fileReservedTimeHours ?? fileReservedTimeHoursDefault,
    deleteWhenHour: options.deleteWhenHour ?? deleteWhenHourDefault,
    diskCleanRatio: options.diskCleanRatio ?? diskCleanRatioDefault,
    diskCleanForciblyRatio: options.diskCleanForciblyRatio ?? diskCleanForciblyRatioDefault,
    diskRefuseRatio: options.diskRefuseRatio ?? diskRefuseRatioDefault,
    cleanResourceIntervalMs: options.cleanResourceIntervalMs ?? cleanResourceIntervalMsDefault,
    messageSizeMaxBytes: options.messageSizeMaxBytes ?? messageSizeMaxBytesDefault,
    topicLengthMax: options.topicLengthMax ?? topicLengthMaxDefault,
    propertiesSizeMaxBytes: Math.min(options.propertiesSizeMaxBytes ?? propertiesSizeMaxBytesDefault, propertiesSizeMaxBytesDefault),
    now: options.now ?? Date.now,
    diskUsage: options.diskUsage ?? diskUsage,
    tagsCodeOf: options.tagsCodeOf,
    log: options.log ?? silentLog,
    consumeQueueFlushIntervalMs: consumeQueueFlushIntervalMsDefault,
  };
}
