/** A delay that ends early, without throwing, when `signal` aborts (shutdown). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return wakeableSleep(ms, signal).slept;
}

/** A delay that ends at `ms`, when `signal` aborts, or when `wake` is called, whichever comes first. */
export function wakeableSleep(ms: number, signal?: AbortSignal): { slept: Promise<void>; wake: () => void } {
  if (signal?.aborted) return { slept: Promise.resolve(), wake: () => undefined };
  let wake!: () => void;
  const slept = new Promise<void>((resolve) => {
    const timer = setTimeout(() => wake(), ms);
    wake = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', wake);
      resolve();
    };
    signal?.addEventListener('abort', wake, { once: true });
  });
  return { slept, wake };
}

/** Resolves once `condition` holds, checking every `intervalMs`; false when `deadlineMs` passed first. */
export async function waitUntil(condition: () => boolean, deadlineMs: number, intervalMs = 10): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() >= end) return false;
    await sleep(intervalMs);
  }
  return true;
}
