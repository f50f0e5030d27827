/**
 * Waiting on a condition with a deadline, for end-to-end tests against real
 * processes: the condition is checked every `intervalMs` until it holds, and
 * a timeout fails with what was awaited, so a slow machine only makes a test
 * slower, never wrong.
 */
export interface WaitForOptions {
  /** Default 20 s. */
  timeoutMs?: number;
  /** Default 50 ms; conditions often ask a server. */
  intervalMs?: number;
  /** Named in the timeout error. */
  what?: string;
}

export async function waitFor(condition: () => boolean | Promise<boolean>, options: WaitForOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}
