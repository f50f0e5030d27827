/**
 * `apogee standalone` end to end through the CLI alone: it starts on
 * ephemeral ports and prints its ready line; `apogee produce` and
 * `apogee consume` make a round trip through it; SIGTERM exits 0; and a
 * restart on the same data directory still has the topic and its messages
 * (the queue offsets continue, and a new group reads the old messages).
 * Every wait is on a printed line or a process exit.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApogee, spawnTs, type Child } from './helpers/child.ts';


const apogee = (args: readonly string[]) => runApogee(args);

const readyLine = /^apogee standalone ready namesrv=(\S+) broker=(\S+)$/;

async function startStandalone(dataDir: string): Promise<{ child: Child; namesrv: string; broker: string }> {
  const child = spawnTs('bin/apogee.mjs', ['standalone', '--namesrv-port', '0', '--broker-port', '0', '--http-port', '0', '--data-dir', dataDir], {
    APOGEE_LOG_LEVEL: 'warn',
  });
  const match = await child.waitForLine(readyLine, 30_000);
  return { child, namesrv: match[1]!, broker: match[2]! };
}

describe('apogee standalone', () => {
  let dataDir: string;
  let running: Child | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'apogee-cli-standalone-'));
  });

  afterAll(async () => {
    await running?.stop('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints where it listens and exactly one ready line', async () => {
    const { child, namesrv, broker } = await startStandalone(dataDir);
    running = child;
    expect(namesrv).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(broker).toMatch(/:\d+$/);
    expect(child.lines.filter((line) => readyLine.test(line))).toHaveLength(1);
    expect(child.lines.some((line) => line.startsWith('HTTP control plane: not yet available'))).toBe(true);
  });

  it('stores messages sent with apogee produce, in order on one queue', async () => {
    const namesrv = (running!.lines.find((line) => readyLine.test(line))!.match(readyLine))![1]!;
    const result = await apogee(['produce', 'cli-orders', '--body', 'first', '--count', '3', '--keys', 'order-1', '--sharding-key', 'k', '--namesrv', namesrv, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const sent = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { status: string; queueId: number; queueOffset: number });
    expect(sent.map((entry) => entry.status)).toEqual(['SEND_OK', 'SEND_OK', 'SEND_OK']);
    expect(new Set(sent.map((entry) => entry.queueId)).size).toBe(1);
    expect(sent.map((entry) => entry.queueOffset)).toEqual([0, 1, 2]);
  });

  it('delivers them to apogee consume from the first message', async () => {
    const namesrv = (running!.lines.find((line) => readyLine.test(line))!.match(readyLine))![1]!;
    const result = await apogee(['consume', 'cli-orders', '--group', 'cli-readers', '--from', 'first', '--count', '3', '--wait', '30s', '--namesrv', namesrv, '--json']);
    expect(result.code).toBe(0);
    const messages = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { body: string; keys: string[] });
    expect(messages.map((message) => message.body)).toEqual(['first', 'first', 'first']);
    expect(messages[0]!.keys).toEqual(['order-1']);
  });

  it('exits 0 on SIGTERM', async () => {
    const exit = await running!.stop('SIGTERM');
    running = undefined;
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('keeps the topic and its messages across a restart on the same data directory', async () => {
    const { child, namesrv } = await startStandalone(dataDir);
    running = child;
    const produced = await apogee(['produce', 'cli-orders', '--body', 'after restart', '--sharding-key', 'k', '--namesrv', namesrv, '--json']);
    expect(produced.code).toBe(0);
    expect((JSON.parse(produced.stdout) as { queueOffset: number }).queueOffset).toBe(3);
    const consumed = await apogee(['consume', 'cli-orders', '--group', 'cli-after-restart', '--from', 'first', '--count', '4', '--wait', '30s', '--namesrv', namesrv, '--json']);
    expect(consumed.code).toBe(0);
    const bodies = consumed.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { body: string }).body);
    expect(bodies.sort()).toEqual(['after restart', 'first', 'first', 'first']);
    expect(await child.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    running = undefined;
  });
});

describe('apogee broker and apogee control-plane as separate processes', () => {
  it('registers the broker with the NameServer its config file names, and the route shows its topic', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'apogee-cli-broker-'));
    const controlPlane = spawnTs('bin/apogee.mjs', ['control-plane', '--namesrv-port', '0'], { APOGEE_LOG_LEVEL: 'warn' });
    let broker: Child | undefined;
    try {
      const namesrv = (await controlPlane.waitForLine(/^apogee control-plane ready namesrv=(\S+)$/, 30_000))[1]!;
      const configFile = join(dataDir, 'broker.json');
      await writeFile(configFile, JSON.stringify({ namesrvAddr: namesrv, brokerName: 'broker-from-file', brokerIP: '127.0.0.1' }));
      broker = spawnTs('bin/apogee.mjs', ['broker', '--config', configFile, '--broker-port', '0', '--data-dir', join(dataDir, 'store')], { APOGEE_LOG_LEVEL: 'warn' });
      const ready = await broker.waitForLine(/^apogee broker ready broker=(\S+) namesrv=(\S*)$/, 30_000);
      expect(ready[2], 'the config file names the NameServer; the flag default must not replace it').toBe(namesrv);
      const created = await apogee(['topic', 'create', 'cli-split', '--queues', '2', '--namesrv', namesrv, '--json']);
      expect(created.code, created.stderr).toBe(0);
      const described = await apogee(['topic', 'describe', 'cli-split', '--namesrv', namesrv, '--json']);
      expect(described.code, described.stderr).toBe(0);
      expect(described.stdout).toContain('broker-from-file');
      expect(await broker.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      broker = undefined;
    } finally {
      await broker?.stop('SIGKILL');
      await controlPlane.stop('SIGTERM');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
