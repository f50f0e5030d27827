/**
 * The `checkpoint` file (store doc §7): 4096 bytes, RocketMQ's fields first.
 *
 *    0 physicMsgTimestamp   store time of the last record flushed to disk
 *    8 logicsMsgTimestamp   store time of the last record whose ConsumeQueue unit is on disk
 *   16 indexMsgTimestamp    store time of the last record whose index entries are on disk
 *   24 masterFlushedOffset  (5.x HA, written as 0)
 *   32 confirmPhyOffset     (5.x HA, written as the flushed offset)
 *
 * RocketMQ recovers from timestamps; Apogee also keeps the matching CommitLog
 * offsets (always record boundaries) after RocketMQ's fields, where RocketMQ
 * reads nothing, so recovery can start at an exact record:
 *
 *   40 physicFlushedOffset  48 logicsDispatchedOffset  56 indexDispatchedOffset
 *
 * Each value only moves forward after the data it vouches for is on disk,
 * so a stale checkpoint is merely conservative.
 */
import fs from 'node:fs';
import { readInt64, writeInt64 } from './consume-queue.ts';
import { readFully, writeFully } from './segment.ts';

export const CHECKPOINT_FILE_SIZE = 4096;
const USED_BYTES = 64;

export interface CheckpointValues {
  physicMsgTimestamp: number;
  logicsMsgTimestamp: number;
  indexMsgTimestamp: number;
  physicFlushedOffset: number;
  logicsDispatchedOffset: number;
  indexDispatchedOffset: number;
}

export class Checkpoint {
  values: CheckpointValues = {
    physicMsgTimestamp: 0,
    logicsMsgTimestamp: 0,
    indexMsgTimestamp: 0,
    physicFlushedOffset: 0,
    logicsDispatchedOffset: 0,
    indexDispatchedOffset: 0,
  };
  private readonly fd: number;
  private readonly bytes = new Uint8Array(USED_BYTES);
  private readonly view = new DataView(this.bytes.buffer);
  /** True when the file existed with content before this run. */
  readonly existed: boolean;

  constructor(readonly filePath: string) {
    this.existed = fs.existsSync(filePath) && fs.statSync(filePath).size >= USED_BYTES;
    this.fd = fs.openSync(filePath, this.existed ? 'r+' : 'w+');
    if (!this.existed) fs.ftruncateSync(this.fd, CHECKPOINT_FILE_SIZE);
    else this.read();
  }

  private read(): void {
    readFully(this.fd, this.bytes, 0, USED_BYTES, 0);
    const v = this.view;
    this.values = {
      physicMsgTimestamp: readInt64(v, 0),
      logicsMsgTimestamp: readInt64(v, 8),
      indexMsgTimestamp: readInt64(v, 16),
      physicFlushedOffset: readInt64(v, 40),
      logicsDispatchedOffset: readInt64(v, 48),
      indexDispatchedOffset: readInt64(v, 56),
    };
  }

  /** Writes the values (without forcing them to disk; `sync` does that). */
  write(): void {
    const v = this.view;
    const x = this.values;
    writeInt64(v, 0, x.physicMsgTimestamp);
    writeInt64(v, 8, x.logicsMsgTimestamp);
    writeInt64(v, 16, x.indexMsgTimestamp);
    writeInt64(v, 24, 0);
    writeInt64(v, 32, x.physicFlushedOffset);
    writeInt64(v, 40, x.physicFlushedOffset);
    writeInt64(v, 48, x.logicsDispatchedOffset);
    writeInt64(v, 56, x.indexDispatchedOffset);
    writeFully(this.fd, this.bytes, 0, USED_BYTES, 0);
  }

  sync(): void {
    fs.fdatasyncSync(this.fd);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
