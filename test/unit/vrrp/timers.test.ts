import { describe, expect, it } from 'vitest';
import { masterDownIntervalMs, skewMs } from '../../../src/vrrp/timers.js';

describe('VRRP timers', () => {
  it('v2 skew is (256 - priority)/256 s', () => {
    expect(skewMs(2, 100, 1000)).toBe(609.375);
    expect(skewMs(2, 254, 1000)).toBe(7.812);
    expect(skewMs(2, 1, 1000)).toBe(996.093);
    expect(skewMs(2, 100, 5000)).toBe(609.375); // independent of the interval in v2
  });
  it('v3 skew scales with Master_Adver_Interval', () => {
    expect(skewMs(3, 100, 1000)).toBe(609.375);
    expect(skewMs(3, 100, 100)).toBe(60.937);
    expect(skewMs(3, 254, 500)).toBe(3.906);
  });
  it('Master_Down_Interval = 3 x interval + skew', () => {
    expect(masterDownIntervalMs(2, 100, 1000)).toBe(3609.375);
    expect(masterDownIntervalMs(3, 200, 100)).toBe(321.875);
    expect(masterDownIntervalMs(2, 100, 1000, 5)).toBe(5609.375);
  });
});
