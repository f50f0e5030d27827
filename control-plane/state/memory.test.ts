/**
 * The in-memory state's snapshot: written after changes, read back on open,
 * and a damaged file is a fresh start rather than a crash.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../sdk/util/log.ts';
import { MemoryRouteState } from './memory.ts';

async function snapshotPath(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'apogee-routes-')), 'namesrv-routes.json');
}

describe('MemoryRouteState snapshot', () => {
  it('restores brokers, topics, clusters and KV config after a restart', async () => {
    const path = await snapshotPath();
    const first = await MemoryRouteState.open({ snapshotPath: path, snapshotDelayMs: 1, log: silentLogger });
    await first.putBroker({ cluster: 'c', brokerName: 'b', brokerAddrs: { 0: '10.0.0.1:10911' }, enableActingMaster: false });
    await first.addClusterMember('c', 'b');
    await first.putQueueDatas('b', [{ topic: 'T', queueData: { brokerName: 'b', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 } }]);
    await first.putKVConfig('ns', 'k', 'v');
    await first.close();

    const second = await MemoryRouteState.open({ snapshotPath: path, log: silentLogger });
    expect(await second.getBroker('b')).toEqual({ cluster: 'c', brokerName: 'b', brokerAddrs: { 0: '10.0.0.1:10911' }, enableActingMaster: false });
    expect(await second.listClusters()).toEqual({ c: ['b'] });
    expect(await second.listTopicsOfBroker('b')).toEqual(['T']);
    expect(await second.getKVConfig('ns', 'k')).toBe('v');
  });

  it('starts empty from a damaged snapshot', async () => {
    const path = await snapshotPath();
    await writeFile(path, '{"format":1,"brokers":[');
    const state = await MemoryRouteState.open({ snapshotPath: path, log: silentLogger });
    expect(await state.listTopics()).toEqual([]);
  });

  it('hands out copies, so a caller cannot change the stored state by mutating a result', async () => {
    const state = new MemoryRouteState({ log: silentLogger });
    await state.putBroker({ cluster: 'c', brokerName: 'b', brokerAddrs: { 0: 'a:1' }, enableActingMaster: false });
    const broker = await state.getBroker('b');
    broker!.brokerAddrs[1] = 'x:1';
    expect((await state.getBroker('b'))?.brokerAddrs).toEqual({ 0: 'a:1' });
  });

  it('writes the whole state as JSON when flushed', async () => {
    const path = await snapshotPath();
    const state = await MemoryRouteState.open({ snapshotPath: path, snapshotDelayMs: 1, log: silentLogger });
    await state.putKVConfig('ns', 'k', 'v');
    await state.flush();
    expect(JSON.parse(await readFile(path, 'utf8')).kvConfig).toEqual({ ns: { k: 'v' } });
  });
});
