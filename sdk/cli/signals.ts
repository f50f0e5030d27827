/**
 * Shutdown on SIGTERM and SIGINT for the long-running commands (servers,
 * consume, bench). The first signal starts a clean shutdown; a second one
 * while it runs ends the process at once with exit code 1, so an operator can
 * always get out.
 */

export interface ShutdownSignal {
  /** Resolves with the signal's name when the first one arrives. */
  readonly received: Promise<NodeJS.Signals>;
  /** Whether a signal has arrived. */
  readonly requested: boolean;
  /** An AbortSignal that aborts on the first signal, for loops and waits. */
  readonly abortSignal: AbortSignal;
  /** Removes the handlers once the command is done. */
  dispose(): void;
}

const handledSignals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export function onShutdownSignal(): ShutdownSignal {
  const controller = new AbortController();
  let resolveReceived: (signal: NodeJS.Signals) => void = () => undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => (resolveReceived = resolve));
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`apogee: ${signal} again, exiting without finishing the shutdown\n`);
      process.exit(1);
    }
    controller.abort(signal);
    resolveReceived(signal);
  };
  for (const signal of handledSignals) process.on(signal, handler);
  return {
    received,
    get requested() {
      return controller.signal.aborted;
    },
    abortSignal: controller.signal,
    dispose() {
      for (const signal of handledSignals) process.off(signal, handler);
    },
  };
}
