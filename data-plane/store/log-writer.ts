/**
 * The CommitLog's writer thread. Copying appended bytes into the page cache
 * (the `pwrite` itself) is the largest single cost of a send once records
 * are framed; done on the event loop it stalls every connection for as long
 * as the kernel takes. Here the event loop only queues the range to write,
 * and a worker thread writes it, so framing the next requests and copying
 * the last ones into the OS run on two cores at once.
 *
 * Main thread and worker share the write buffer (a SharedArrayBuffer) and a
 * ring of jobs: `fd`, buffer start, buffer end, file position, whether to
 * seal the records first (their body CRCs, seal.ts). The main
 * thread fills a slot and bumps HEAD; the worker writes the slot and bumps
 * TAIL, sleeping in `Atomics.wait` when the ring is empty. It raises a
 * SLEEPING flag first, and the main thread calls `Atomics.notify` only when
 * the flag is up: that call takes the engine's process-wide wait-list lock
 * (the one the thread's own wait and notify take) even when nobody waits, so
 * a job queued while the thread is still writing skips it. No message passes
 * through the event loop per write. Jobs are written in order, so "every job
 * up to TAIL is in the OS" gives the offset handed to the OS.
 *
 * The buffer region of a queued job must not be reused before it is written:
 * the CommitLog calls `drain()` (which blocks until the ring is empty) before
 * it moves its buffer window or closes a segment. A failed write stops the
 * worker; the error is reported at the next `submit`, `drain` or `check`.
 */
import { getSystemErrorName } from 'node:util';
import { Worker } from 'node:worker_threads';
import { sealRecords } from './seal.ts';

const HEAD = 0;
const TAIL = 1;
const STOP = 2;
const FAILED = 3;
/** The failed write's errno (negative, as libuv reports it), or 0. */
const ERRNO = 4;
/** 1 while the thread sleeps (or is about to) in `Atomics.wait` on HEAD: only then does `submit` wake it. */
const SLEEPING = 5;
const CONTROL_INTS = 6;
/** Queued writes at most; a full ring makes `submit` wait for the worker. */
const RING_SLOTS = 1024;
const SLOT_FIELDS = 5;

/** Plain JavaScript, so the worker needs no TypeScript loader in any runtime. */
const WORKER_SOURCE = `
const fs = require('node:fs');
const { crc32 } = require('node:zlib');
const { workerData } = require('node:worker_threads');
const sealRecords = ${sealRecords.toString()};
const control = new Int32Array(workerData.control);
const jobs = new Float64Array(workerData.jobs);
const buffer = new Uint8Array(workerData.buffer);
const view = new DataView(workerData.buffer);
const timing = new Float64Array(workerData.timing);
const mask = ${RING_SLOTS - 1};
let tail = Atomics.load(control, ${TAIL});
for (;;) {
  const head = Atomics.load(control, ${HEAD});
  if (head === tail) {
    if (Atomics.load(control, ${STOP}) === 1) break;
    // Say so before the last look at HEAD: a submit either lands before that look or sees the flag and wakes us.
    Atomics.store(control, ${SLEEPING}, 1);
    if (Atomics.load(control, ${HEAD}) === head) Atomics.wait(control, ${HEAD}, head);
    Atomics.store(control, ${SLEEPING}, 0);
    continue;
  }
  const slot = (tail & mask) * ${SLOT_FIELDS};
  const fd = jobs[slot];
  let start = jobs[slot + 1];
  const end = jobs[slot + 2];
  let position = jobs[slot + 3];
  const length = end - start;
  const began = performance.now();
  try {
    if (jobs[slot + 4] === 1) sealRecords(buffer, view, start, end, crc32);
    while (start < end) {
      const n = fs.writeSync(fd, buffer, start, end - start, position);
      start += n;
      position += n;
    }
  } catch (error) {
    Atomics.store(control, ${ERRNO}, error && typeof error.errno === 'number' ? error.errno : 0);
    Atomics.store(control, ${FAILED}, 1);
    Atomics.notify(control, ${TAIL});
    break;
  }
  timing[0] += length;
  timing[1] += performance.now() - began;
  tail = (tail + 1) | 0;
  Atomics.store(control, ${TAIL}, tail);
  Atomics.notify(control, ${TAIL});
}
`;

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export class LogWriter {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));
  private readonly jobs = new Float64Array(new SharedArrayBuffer(RING_SLOTS * SLOT_FIELDS * 8));
  /** Bytes the thread has written and the milliseconds it took (published before each TAIL bump). */
  private readonly timing = new Float64Array(new SharedArrayBuffer(2 * 8));
  private timedTail = 0;
  private timedBytes = 0;
  private timedMs = 0;
  private readonly worker: Worker;
  /** Jobs queued so far (int32, wrapping; RING_SLOTS divides 2^32, so `& (RING_SLOTS - 1)` stays in step). */
  private head = 0;
  private failure = 'the CommitLog writer thread stopped';
  /** The log offset each queued job ends at (kept on this side only). */
  private readonly jobEnds = new Float64Array(RING_SLOTS);
  private seenTail = 0;
  private referenced = false;
  private seenEnd: number;

  /**
   * `startOffset`: the log offset the first job will start at. `stallMsMax`:
   * how long a blocking wait lets the thread go without finishing a job.
   */
  constructor(buffer: SharedArrayBuffer, startOffset: number, private readonly stallMsMax = 30_000) {
    this.seenEnd = startOffset;
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { control: this.control.buffer, jobs: this.jobs.buffer, timing: this.timing.buffer, buffer } });
    this.worker.on('error', (error) => {
      this.failure = `CommitLog writer thread failed: ${String(error)}`;
      Atomics.store(this.control, FAILED, 1);
      Atomics.notify(this.control, TAIL);
    });
    this.worker.unref();
  }

  /**
   * Queues `buffer[start, end)` for `fd` at `position`; `logEnd` is the log
   * offset the bytes end at. With `seal`, the thread first fills in the body
   * CRC of the records the range holds (seal.ts).
   */
  submit(fd: number, start: number, end: number, position: number, logEnd: number, seal = false): void {
    this.check();
    if (((this.head - Atomics.load(this.control, TAIL)) | 0) >= RING_SLOTS) {
      const since = { tail: Atomics.load(this.control, TAIL), at: performance.now() };
      while (((this.head - Atomics.load(this.control, TAIL)) | 0) >= RING_SLOTS) this.waitForTail(since);
    }
    const slot = (this.head & (RING_SLOTS - 1)) * SLOT_FIELDS;
    const jobs = this.jobs;
    jobs[slot] = fd;
    jobs[slot + 1] = start;
    jobs[slot + 2] = end;
    jobs[slot + 3] = position;
    jobs[slot + 4] = seal ? 1 : 0;
    this.jobEnds[this.head & (RING_SLOTS - 1)] = logEnd;
    this.head = (this.head + 1) | 0;
    Atomics.store(this.control, HEAD, this.head);
    // Only a sleeping thread needs the notify, and with it the engine's wait-list lock (see above).
    if (Atomics.load(this.control, SLEEPING) === 1) Atomics.notify(this.control, HEAD);
  }

  /**
   * Keeps the process alive while someone waits on a write (`true`), or lets
   * it exit (`false`): the thread itself never holds the process open.
   */
  keepAlive(active: boolean): void {
    if (active === this.referenced) return;
    this.referenced = active;
    if (active) this.worker.ref();
    else this.worker.unref();
  }

  /** Calls `sample(bytes, ms)` with the thread's writes since the last call, when there were any. */
  takeTiming(sample: (bytes: number, ms: number) => void): void {
    const tail = Atomics.load(this.control, TAIL);
    if (tail === this.timedTail) return;
    this.timedTail = tail;
    const bytes = this.timing[0]!;
    const ms = this.timing[1]!;
    if (bytes > this.timedBytes) sample(bytes - this.timedBytes, ms - this.timedMs);
    this.timedBytes = bytes;
    this.timedMs = ms;
  }

  /** True when every queued job is done. */
  idle(): boolean {
    return Atomics.load(this.control, TAIL) === this.head;
  }

  /** Records bytes written by the caller itself while the ring was empty, up to `logEnd`. */
  noteWritten(logEnd: number): void {
    this.seenTail = this.head;
    this.seenEnd = logEnd;
  }

  /** The log offset up to which queued bytes are in the OS. */
  writtenEnd(): number {
    const tail = Atomics.load(this.control, TAIL);
    if (tail !== this.seenTail) {
      this.seenTail = tail;
      this.seenEnd = this.jobEnds[(tail - 1) & (RING_SLOTS - 1)]!;
    }
    return this.seenEnd;
  }

  /**
   * Calls `callback` from the event loop once the worker has finished a job
   * since the last `writtenEnd()` (at once if it already has; or when it
   * fails, or after `timeoutMs` at most), without blocking the thread.
   */
  onProgress(callback: () => void, timeoutMs: number): void {
    // Waiting on the value last seen, not a fresh one: a job finished in between must not be missed.
    const waited = waitAsync(this.control, TAIL, this.seenTail, timeoutMs);
    if (waited.async) void waited.value.then(callback);
    else queueMicrotask(callback);
  }

  /** Blocks until every queued write is in the OS; throws when one failed. */
  drain(): void {
    const since = { tail: Atomics.load(this.control, TAIL), at: performance.now() };
    while (Atomics.load(this.control, TAIL) !== this.head) this.waitForTail(since);
    this.check();
  }

  /** Throws the writer's failure, if any. */
  check(): void {
    if (Atomics.load(this.control, FAILED) !== 1) return;
    const errno = Atomics.load(this.control, ERRNO);
    throw new Error(errno < 0 ? `CommitLog write failed: ${getSystemErrorName(errno)}` : this.failure);
  }

  /** Stops the thread once the queue is empty; call `drain` first to wait for it. */
  stop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, HEAD);
  }

  /**
   * Sleeps until the thread finishes a job (100 ms at most). The thread's own
   * death reaches the event loop only as an event, which a blocked loop never
   * sees: no progress for `stallMsMax` counts as a failure instead.
   */
  private waitForTail(since: { tail: number; at: number }): void {
    this.check();
    const tail = Atomics.load(this.control, TAIL);
    if (tail === this.head) return;
    const now = performance.now();
    if (tail !== since.tail) {
      since.tail = tail;
      since.at = now;
    } else if (now - since.at > this.stallMsMax) {
      Atomics.store(this.control, FAILED, 1);
      this.failure = `the CommitLog writer thread made no progress for ${this.stallMsMax} ms`;
      this.check();
    }
    Atomics.wait(this.control, TAIL, tail, 100);
  }
}
