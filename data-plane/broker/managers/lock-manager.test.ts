/**
 * Lock manager tests with an injected clock: a lock is exclusive to one
 * client until it expires exactly after lockMaxLiveTimeMs without renewal.
 */
import { describe, expect, it } from 'vitest';
import { RebalanceLockManager } from './lock-manager.ts';

const q0 = { topic: 'T', brokerName: 'b', queueId: 0 };
const q1 = { topic: 'T', brokerName: 'b', queueId: 1 };

describe('RebalanceLockManager', () => {
  it('grants a queue to one client of a group and refuses the other', () => {
    const locks = new RebalanceLockManager(1000, () => 0);
    expect(locks.tryLockBatch('G', [q0, q1], 'c1')).toEqual([q0, q1]);
    expect(locks.tryLockBatch('G', [q0, q1], 'c2')).toEqual([]);
    expect(locks.tryLockBatch('OTHER', [q0], 'c2')).toEqual([q0]);
    expect(locks.isLockedBy('G', q0, 'c1')).toBe(true);
  });

  it('keeps a lock at its max live time and frees it just past it', () => {
    let now = 0;
    const locks = new RebalanceLockManager(1000, () => now);
    locks.tryLockBatch('G', [q0], 'c1');
    now = 1000;
    expect(locks.tryLockBatch('G', [q0], 'c2')).toEqual([]);
    now = 1001;
    expect(locks.tryLockBatch('G', [q0], 'c2')).toEqual([q0]);
    expect(locks.isLockedBy('G', q0, 'c1')).toBe(false);
  });

  it('renews on relock and releases only the holder on unlock', () => {
    let now = 0;
    const locks = new RebalanceLockManager(1000, () => now);
    locks.tryLockBatch('G', [q0], 'c1');
    now = 900;
    locks.tryLockBatch('G', [q0], 'c1');
    now = 1500;
    expect(locks.tryLockBatch('G', [q0], 'c2')).toEqual([]);
    locks.unlockBatch('G', [q0], 'c2');
    expect(locks.isLockedBy('G', q0, 'c1')).toBe(true);
    locks.unlockBatch('G', [q0], 'c1');
    expect(locks.tryLockBatch('G', [q0], 'c2')).toEqual([q0]);
    expect(locks.hasLiveLocks('G')).toBe(true);
  });
});
