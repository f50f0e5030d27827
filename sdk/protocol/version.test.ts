import { describe, expect, it } from 'vitest';
import { MQVersion, versionOrdinal, wantsStandardRouteJson } from './version.ts';

describe('MQVersion', () => {
  it('derives patch releases two apart from the verified ordinals', () => {
    expect(versionOrdinal(4, 9, 8)).toBe(MQVersion.V4_9_8);
    expect(versionOrdinal(5, 3, 3)).toBe(MQVersion.V5_3_3);
    expect(versionOrdinal(5, 1, 4)).toBe(MQVersion.V5_1_4);
    expect(versionOrdinal(3, 2, 0)).toBeUndefined();
  });

  it('answers standard route JSON from V4_9_4 on or when asked', () => {
    expect(wantsStandardRouteJson(401, undefined)).toBe(true);
    expect(wantsStandardRouteJson(399, undefined)).toBe(false);
    expect(wantsStandardRouteJson(317, true)).toBe(true);
  });
});
