import fs from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { LogWriter } from './log-writer.ts';
import { temporaryDirectory } from './test-support.ts';

const writers: LogWriter[] = [];
const fds: number[] = [];
afterEach(() => {
  for (const writer of writers.splice(0)) writer.stop();
  for (const fd of fds.splice(0)) fs.closeSync(fd);
});

function start(bytes: number, startOffset = 0): { writer: LogWriter; buffer: Uint8Array } {
  const shared = new SharedArrayBuffer(bytes);
  const writer = new LogWriter(shared, startOffset);
  writers.push(writer);
  return { writer, buffer: new Uint8Array(shared) };
}

function openFile(flags: string): { file: string; fd: number } {
  const file = path.join(temporaryDirectory(), 'segment');
  if (flags === 'r') fs.writeFileSync(file, '');
  const fd = fs.openSync(file, flags);
  fds.push(fd);
  return { file, fd };
}

describe('LogWriter', () => {
  it('writes queued ranges in order at their positions and reports the log offset reached', async () => {
    const { writer, buffer } = start(1 << 20, 4096);
    for (let i = 0; i < buffer.length; i++) buffer[i] = (i * 7) & 0xff;
    const { file, fd } = openFile('w+');
    // Many small jobs, more than the ring holds, so `submit` has to wait for the thread too.
    const jobs = 3000;
    const step = 256;
    for (let job = 0; job < jobs; job++) writer.submit(fd, job * step, (job + 1) * step, job * step, 4096 + (job + 1) * step);
    const progressed = new Promise<void>((resolve) => writer.onProgress(resolve, 5000));
    writer.drain();
    await progressed;
    expect(writer.idle()).toBe(true);
    expect(writer.writtenEnd()).toBe(4096 + jobs * step);
    const onDisk = fs.readFileSync(file);
    expect(onDisk.length).toBe(jobs * step);
    expect(Buffer.compare(onDisk, Buffer.from(buffer.subarray(0, jobs * step)))).toBe(0);
    const timings: number[][] = [];
    writer.takeTiming((bytes, ms) => timings.push([bytes, ms]));
    expect(timings).toHaveLength(1);
    expect(timings[0]![0]).toBe(jobs * step);
    expect(timings[0]![1]).toBeGreaterThanOrEqual(0);
  });

  it('reports progress made before the watch began at once, not at the next write', async () => {
    const { writer } = start(4096, 0);
    const { fd } = openFile('w+');
    expect(writer.writtenEnd()).toBe(0);
    writer.submit(fd, 0, 512, 0, 512);
    writer.drain();
    // The job finished after the last look at the offset: the watch must fire now, not in a minute.
    const began = Date.now();
    await new Promise<void>((resolve) => writer.onProgress(resolve, 60_000));
    expect(Date.now() - began).toBeLessThan(30_000);
    expect(writer.writtenEnd()).toBe(512);
  });

  it('wakes the thread for a job queued as it goes to sleep, every time', async () => {
    // One job at a time, each queued just after the last finished: the thread is then at or near
    // its sleep, where a job that neither it nor `submit` sees as pending would wait for good.
    const { writer, buffer } = start(1 << 16, 0);
    for (let i = 0; i < buffer.length; i++) buffer[i] = (i * 13) & 0xff;
    const { file, fd } = openFile('w+');
    const jobs = 300;
    const step = 64;
    for (let job = 0; job < jobs; job++) {
      writer.submit(fd, job * step, (job + 1) * step, job * step, (job + 1) * step);
      // The watch's long timeout is a failure path: the job must finish well before it.
      const began = Date.now();
      while (writer.writtenEnd() < (job + 1) * step && Date.now() - began < 20_000) {
        await new Promise<void>((resolve) => writer.onProgress(resolve, 20_000));
      }
      expect(writer.writtenEnd()).toBe((job + 1) * step);
    }
    expect(writer.idle()).toBe(true);
    expect(Buffer.compare(fs.readFileSync(file), Buffer.from(buffer.subarray(0, jobs * step)))).toBe(0);
  });

  it('takes a write made by its owner while idle as the new end', () => {
    const { writer } = start(4096, 100);
    expect(writer.writtenEnd()).toBe(100);
    writer.noteWritten(300);
    expect(writer.writtenEnd()).toBe(300);
  });

  it('gives up waiting on a thread that stopped finishing jobs, instead of blocking the event loop for good', async () => {
    const shared = new SharedArrayBuffer(4096);
    const writer = new LogWriter(shared, 0, 200);
    writers.push(writer);
    const { fd } = openFile('w+');
    // The thread's death reaches the event loop only as an event, which a blocked drain would never see.
    await (writer as unknown as { worker: Worker }).worker.terminate();
    writer.submit(fd, 0, 128, 0, 128);
    expect(() => writer.drain()).toThrow('the CommitLog writer thread made no progress for 200 ms');
    expect(() => writer.check()).toThrow();
  });

  it('reports a failed write at drain and refuses further writes', () => {
    const { writer } = start(4096);
    const { fd } = openFile('r');
    writer.submit(fd, 0, 128, 0, 128);
    expect(() => writer.drain()).toThrow('CommitLog write failed: EBADF');
    expect(() => writer.submit(fd, 128, 256, 128, 256)).toThrow();
    expect(() => writer.check()).toThrow();
  });
});
