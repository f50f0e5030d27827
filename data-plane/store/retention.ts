/**
 * Retention (store doc §11). CommitLog segments older than
 * `fileReservedTimeHours` (by last modification) are deleted at
 * `deleteWhenHour`, or at any hour once disk usage passes `diskCleanRatio`;
 * past `diskCleanForciblyRatio` the oldest segments go even if not expired.
 * Past `diskRefuseRatio` the store refuses puts until usage drops. The
 * current segment is never deleted. ConsumeQueue and index files that only
 * point below the new CommitLog minimum follow, and queue minimum offsets
 * advance. Clock and disk usage are injected so tests can drive this.
 */
import fs from 'node:fs';
import type { CommitLog } from './commit-log.ts';
import type { IndexService } from './index-service.ts';
import type { RetentionReport, StoreLog } from './message-store.ts';
import type { QueueTable } from './queue-table.ts';
import { deleteFileBatchMax } from './settings.ts';

export interface RetentionSettings {
  fileReservedTimeHours: number;
  deleteWhenHour: number;
  diskCleanRatio: number;
  diskCleanForciblyRatio: number;
  diskRefuseRatio: number;
  now: () => number;
  diskUsage: () => number;
}

/** Used ratio (0..1) of the file system holding `dir`. */
export function fileSystemUsage(dir: string): number {
  try {
    const stats = fs.statfsSync(dir);
    const total = stats.blocks * stats.bsize;
    return total > 0 ? 1 - (stats.bavail * stats.bsize) / total : 0;
  } catch {
    return 0;
  }
}

export class RetentionService {
  diskFull = false;

  constructor(
    private readonly commitLog: CommitLog,
    private readonly queues: QueueTable,
    private readonly index: IndexService | undefined,
    private readonly settings: RetentionSettings,
    private readonly log: StoreLog,
  ) {}

  run(): RetentionReport {
    const s = this.settings;
    const usage = s.diskUsage();
    const wasFull = this.diskFull;
    this.diskFull = usage > s.diskRefuseRatio;
    if (this.diskFull !== wasFull) {
      this.log.warn(`store: disk usage ${(usage * 100).toFixed(1)}% ${this.diskFull ? 'is above' : 'is back below'} the refuse ratio; puts are ${this.diskFull ? 'refused' : 'accepted again'}`);
    }
    const now = s.now();
    const atDeleteHour = new Date(now).getHours() === s.deleteWhenHour;
    const cleanExpired = atDeleteHour || usage > s.diskCleanRatio;
    const cleanForcibly = usage > s.diskCleanForciblyRatio;
    const report: RetentionReport = { deletedCommitLogFiles: 0, deletedConsumeQueueFiles: 0, deletedIndexFiles: 0, diskFull: this.diskFull };
    if (!cleanExpired && !cleanForcibly) return report;
    const reservedMs = s.fileReservedTimeHours * 3_600_000;
    while (report.deletedCommitLogFiles < deleteFileBatchMax && this.commitLog.segments.length > 1) {
      const oldest = this.commitLog.segments[0]!;
      const expired = now - oldest.lastModifiedMs() >= reservedMs;
      if (!expired && !cleanForcibly) break;
      this.commitLog.deleteOldestSegment();
      report.deletedCommitLogFiles++;
    }
    if (report.deletedCommitLogFiles > 0) {
      const minOffset = this.commitLog.minOffset();
      for (const queue of this.queues.all()) report.deletedConsumeQueueFiles += queue.cleanBelow(minOffset);
      if (this.index) report.deletedIndexFiles = this.index.cleanBelow(minOffset);
      this.log.info(`store: retention deleted ${report.deletedCommitLogFiles} CommitLog segment(s); minimum offset is now ${minOffset}`);
    }
    return report;
  }
}
