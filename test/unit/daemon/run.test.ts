import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/daemon/args.js';
import { inertOptions, subsystems } from '../../../src/daemon/run.js';

describe('subsystems (-P / -C)', () => {
  it('either flag alone limits the process; none or both run both', () => {
    expect(subsystems({ vrrpOnly: false, checkOnly: false })).toEqual({ vrrp: true, checkers: true });
    expect(subsystems({ vrrpOnly: true, checkOnly: false })).toEqual({ vrrp: true, checkers: false });
    expect(subsystems({ vrrpOnly: false, checkOnly: true })).toEqual({ vrrp: false, checkers: true });
    expect(subsystems({ vrrpOnly: true, checkOnly: true })).toEqual({ vrrp: true, checkers: true });
  });
});

describe('options lvsd accepts without effect', () => {
  it('names each one with the reason, and nothing for a plain command line', () => {
    expect(inertOptions(parseArgs(['-n', '-l', '-f', 'x.conf']))).toEqual([]);
    const w = inertOptions(parseArgs(['-s', 'blue', '-V', '-R']));
    expect(w).toHaveLength(3);
    expect(w[0]).toMatch(/ip netns exec blue/);
  });
});
