/**
 * Runs `apogee standalone` (NameServer endpoint and broker in one process) as
 * a child process, the way a user starts it, and hands back the addresses from
 * its ready line. The durability test kills it with SIGKILL and starts it again
 * on the same data directory, so the child is exposed as is.
 */
import { spawnTs, type Child } from './child.ts';

/** How long a standalone process may take to print its ready line (tsx compiles the sources on a cold start). */
export const standaloneStartTimeoutMs = 30_000;

/** How long a standalone process may take to exit after SIGTERM. */
export const standaloneStopTimeoutMs = 15_000;

export interface StandaloneProcess {
  child: Child;
  /** `host:port` of the NameServer endpoint. */
  namesrv: string;
  /** `host:port` the broker registered, the address clients dial. */
  broker: string;
}

const readyLine = /^apogee standalone ready namesrv=(\S+) broker=(\S+)/;

/** Starts `apogee standalone` on ephemeral ports with `dataDir` and resolves once it is ready. */
export async function startStandalone(dataDir: string, extraArgs: readonly string[] = []): Promise<StandaloneProcess> {
  const child = spawnTs('bin/apogee.mjs', [
    'standalone',
    '--data-dir',
    dataDir,
    '--namesrv-port',
    '0',
    '--broker-port',
    '0',
    '--http-port',
    '0',
    ...extraArgs,
  ]);
  try {
    const match = await child.waitForLine(readyLine, standaloneStartTimeoutMs);
    return { child, namesrv: match[1]!, broker: match[2]! };
  } catch (error) {
    await child.stop('SIGKILL');
    throw error;
  }
}

/** SIGTERM, then SIGKILL if the process has not exited in time; resolves with how it exited. */
export async function stopStandalone(server: StandaloneProcess | undefined): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
  if (!server) return undefined;
  const exited = server.child.stop('SIGTERM');
  const timer = setTimeout(() => server.child.process.kill('SIGKILL'), standaloneStopTimeoutMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}
