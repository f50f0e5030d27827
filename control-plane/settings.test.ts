import { describe, expect, it } from 'vitest';
import { resolveSettings } from './settings.ts';

describe('resolveSettings', () => {
  it('defaults to port 9876 and no data directory', () => {
    const result = resolveSettings([], {});
    expect(result.ok && result.settings.namesrvPort).toBe(9876);
    expect(result.ok && result.settings.snapshotPath).toBeUndefined();
  });

  it('lets a flag win over its environment variable', () => {
    const result = resolveSettings(['--namesrv-port', '19876', '--data-dir=/var/apogee'], { APOGEE_NAMESRV_PORT: '29876', APOGEE_DATA_DIR: '/tmp/x' });
    expect(result.ok && result.settings.namesrvPort).toBe(19876);
    expect(result.ok && result.settings.snapshotPath).toBe('/var/apogee/namesrv-routes.json');
  });

  it('takes the environment when no flag is given', () => {
    const result = resolveSettings([], { APOGEE_NAMESRV_PORT: '29876' });
    expect(result.ok && result.settings.namesrvPort).toBe(29876);
  });

  it('accepts port 65535 and refuses 65536 and non-numbers', () => {
    expect(resolveSettings(['--namesrv-port', '65535'], {}).ok).toBe(true);
    expect(resolveSettings(['--namesrv-port', '65536'], {}).ok).toBe(false);
    expect(resolveSettings([], { APOGEE_NAMESRV_PORT: 'abc' }).ok).toBe(false);
  });
});
