/**
 * The live progress line of `apogee bench`: once a second, the rate over the
 * last second and the totals. On a terminal it rewrites one line; elsewhere
 * (with --progress) it prints one line per tick so logs stay readable.
 */
export interface ProgressCounts {
  messages: number;
  errors: number;
}

export const progressIntervalMs = 1000;

export function startProgress(label: string, counts: () => ProgressCounts, enabled: boolean): { stop(): void } {
  if (!enabled) return { stop() {} };
  const terminal = process.stderr.isTTY === true;
  const started = performance.now();
  let previous = 0;
  let previousAt = started;
  const timer = setInterval(() => {
    const now = performance.now();
    const { messages, errors } = counts();
    const rate = ((messages - previous) * 1000) / Math.max(1, now - previousAt);
    previous = messages;
    previousAt = now;
    const line = `${label} ${((now - started) / 1000).toFixed(1)}s  ${messages} messages  ${rate.toFixed(0)} msg/s  errors ${errors}`;
    process.stderr.write(terminal ? `\r${line}\u001b[K` : `${line}\n`);
  }, progressIntervalMs);
  return {
    stop() {
      clearInterval(timer);
      if (terminal) process.stderr.write('\r\u001b[K');
    },
  };
}
