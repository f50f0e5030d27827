// A private redis-server for one benchmark process: free port, temporary
// directory, AOF with fsync every second (Redis' usual durable setting) and
// no RDB snapshots, so nothing but the stream under test touches the disk.
import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const redisServerPath = '/usr/bin/redis-server';

/** How long redis-server may take to accept connections after spawning. */
const startTimeoutMs = 10_000;

export interface RedisServer {
  port: number;
  stop(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const directory = await mkdtemp(join(tmpdir(), 'apogee-bench-redis-'));
  const port = await freePort();
  const child = spawn(
    redisServerPath,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadlineMs = Date.now() + startTimeoutMs;
  let ready = false;
  while (!ready && !exited && Date.now() < deadlineMs) {
    ready = await ping(port);
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (!ready) {
    await stopChild(child);
    await rm(directory, { recursive: true, force: true });
    throw new Error(`redis-server did not start on port ${port}`);
  }
  return {
    port,
    async stop() {
      await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export async function redisServerInstalled(): Promise<boolean | string> {
  try {
    await access(redisServerPath);
    return true;
  } catch {
    return `${redisServerPath} not found`;
  }
}

async function ping(port: number): Promise<boolean> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
