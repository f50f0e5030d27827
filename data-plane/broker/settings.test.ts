import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerSettingsError, resolveBrokerSettings } from './settings.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apogee-settings-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveBrokerSettings', () => {
  it('layers flags over environment over config file over defaults', async () => {
    const configFile = join(dir, 'broker.json');
    await writeFile(configFile, JSON.stringify({ brokerName: 'from-file', listenPort: 1000, clusterName: 'FileCluster', dataDir: '/file' }));
    const settings = await resolveBrokerSettings({
      configFile,
      env: { APOGEE_BROKER_PORT: '2000', APOGEE_DATA_DIR: '/env' },
      flags: { 'data-dir': '/flag' },
    });
    expect(settings.brokerName).toBe('from-file');
    expect(settings.clusterName).toBe('FileCluster');
    expect(settings.listenPort).toBe(2000);
    expect(settings.haListenPort).toBe(2001);
    expect(settings.dataDir).toBe('/flag');
    expect(settings.defaultTopicQueueNums).toBe(4);
    expect(settings.channelExpiredTimeoutMs).toBe(120_000);
  });

  it('reads name server lists separated by semicolons and checks each address', async () => {
    const settings = await resolveBrokerSettings({ env: {}, flags: { namesrv: '127.0.0.1:9876;10.0.0.2:9876' } });
    expect(settings.namesrvAddr).toEqual(['127.0.0.1:9876', '10.0.0.2:9876']);
    await expect(resolveBrokerSettings({ env: {}, flags: { namesrv: 'nohostport' } })).rejects.toThrow(/namesrvAddr/);
  });

  it('names the setting and its source when a value is invalid', async () => {
    const error = await resolveBrokerSettings({ env: { APOGEE_FLUSH_DISK_TYPE: 'SOMETIMES' } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BrokerSettingsError);
    expect((error as BrokerSettingsError).setting).toBe('flushDiskType');
    expect((error as Error).message).toContain('APOGEE_FLUSH_DISK_TYPE');
    await expect(resolveBrokerSettings({ env: {}, flags: { 'broker-port': '70000' } })).rejects.toThrow(/listenPort/);
  });

  it('refuses an unknown key in the config file', async () => {
    const configFile = join(dir, 'bad.json');
    await writeFile(configFile, JSON.stringify({ noSuchSetting: 1 }));
    await expect(resolveBrokerSettings({ env: {}, configFile })).rejects.toThrow(/noSuchSetting/);
  });

  it('takes store and message-type settings from the config file, by our names and by broker.conf names', async () => {
    const configFile = join(dir, 'store.json');
    await writeFile(configFile, JSON.stringify({
      fileReservedTime: 24, deleteWhenHour: 2, diskCleanRatio: 0.6, diskCleanForciblyRatio: 0.8, diskRefuseRatio: 0.95,
      flushIntervalCommitLog: 200, messageDelayLevel: '1s 2s', transactionCheckInterval: 5000, commitLogWriterThread: 'never',
    }));
    const settings = await resolveBrokerSettings({ env: {}, configFile });
    expect(settings).toMatchObject({
      fileReservedTimeHours: 24, deleteWhenHour: 2, diskCleanRatio: 0.6, diskCleanForciblyRatio: 0.8, diskRefuseRatio: 0.95,
      flushIntervalMs: 200, messageDelayLevel: '1s 2s', transactionCheckIntervalMs: 5000, commitLogWriterThread: 'never',
    });
  });

  it('refuses disk ratios that do not rise, an hour outside the day and a bad delay level list', async () => {
    const refused = async (values: Record<string, unknown>, setting: RegExp) => {
      const configFile = join(dir, 'refused.json');
      await writeFile(configFile, JSON.stringify(values));
      await expect(resolveBrokerSettings({ env: {}, configFile })).rejects.toThrow(setting);
    };
    await refused({ diskCleanRatio: 0.9, diskRefuseRatio: 0.8 }, /diskCleanRatio/);
    await refused({ diskRefuseRatio: 1.5 }, /diskRefuseRatio/);
    await refused({ deleteWhenHour: 24 }, /deleteWhenHour/);
    await refused({ messageDelayLevel: '1s 2x' }, /messageDelayLevel/);
    await refused({ commitLogWriterThread: 'sometimes' }, /commitLogWriterThread.*expected auto, always or never/);
  });

  it('accepts the largest body that still fits a frame with its header, and refuses one byte more', async () => {
    const largest = 16 * 1024 * 1024 - 64 * 1024;
    const settings = await resolveBrokerSettings({ env: {}, configFile: await configWith({ messageSizeMaxBytes: largest }) });
    expect(settings.messageSizeMaxBytes).toBe(largest);
    await expect(resolveBrokerSettings({ env: {}, configFile: await configWith({ messageSizeMaxBytes: largest + 1 }) })).rejects.toThrow(/messageSizeMaxBytes/);
  });
});

async function configWith(values: Record<string, unknown>): Promise<string> {
  const configFile = join(dir, `config-${Object.keys(values).join('-')}-${Object.values(values).join('-')}.json`);
  await writeFile(configFile, JSON.stringify(values));
  return configFile;
}
