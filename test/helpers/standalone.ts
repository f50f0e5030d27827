/**
 * Spawns `apogee standalone` as a real child process on ephemeral ports, for
 * end-to-end tests. The process prints one line
 * `apogee standalone ready namesrv=127.0.0.1:<port> broker=127.0.0.1:<port>`
 * on stdout when it is ready; the helper waits for that line, parses it, and
 * at the end stops the process with SIGTERM (or SIGKILL for crash tests).
 * The data directory is a fresh temporary folder unless one is given, so a
 * test can restart a process on the same data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Standalone {
  /** `host:port` of the NameServer endpoint. */
  namesrv: string;
  /** `host:port` of the broker. */
  broker: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** Stops the process (SIGTERM, or SIGKILL for crash tests) and waits for it to exit. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops the process and removes its data directory, unless the caller supplied it. */
  dispose(): Promise<void>;
}

export interface StandaloneOptions {
  dataDir?: string;
  /** Extra flags for `apogee standalone`. */
  args?: string[];
  env?: Record<string, string>;
  /** Node flags for the child (`--cpu-prof`, V8 settings), before the script. */
  nodeFlags?: string[];
  /** How long to wait for the ready line. Default 30 s. */
  readyTimeoutMs?: number;
}

const READY = /apogee standalone ready namesrv=(\S+) broker=(\S+)/;
const repositoryRoot = resolve(import.meta.dirname, '..', '..');

export async function startStandalone(options: StandaloneOptions = {}): Promise<Standalone> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'apogee-e2e-')));
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), join(repositoryRoot, 'bin', 'apogee.mjs'), 'standalone', '--data-dir', dataDir, '--namesrv-port', '0', '--broker-port', '0', '--http-port', '0', ...(options.args ?? [])],
    { cwd: repositoryRoot, env: { ...process.env, APOGEE_LOG_LEVEL: process.env.APOGEE_LOG_LEVEL ?? 'warn', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const ready = new Promise<{ namesrv: string; broker: string }>((resolveReady, rejectReady) => {
    const timer = setTimeout(() => rejectReady(new Error(`apogee standalone not ready after ${options.readyTimeoutMs ?? 30_000} ms:\n${output}`)), options.readyTimeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = READY.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveReady({ namesrv: match[1]!, broker: match[2]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      rejectReady(new Error(`apogee standalone exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
  let addresses: { namesrv: string; broker: string };
  try {
    addresses = await ready;
  } catch (error) {
    child.kill('SIGKILL');
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    ...addresses,
    dataDir,
    process: child,
    output: () => output,
    stop,
    dispose: async () => {
      await stop();
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
