/** A delay that ends early, without throwing, when `signal` aborts (shutdown). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
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
