// ServerKeys: real servers found by address and port, one address with several ports too.
import { describe, expect, it } from 'vitest';
import { ServerKeys } from '../../../../src/config/checks/server-keys.js';

describe('ServerKeys', () => {
  it('finds each real server by address and port, not by either alone', () => {
    const k = new ServerKeys();
    const list: Array<[string, number]> = [['10.0.0.1', 80], ['10.0.0.2', 80], ['10.0.0.1', 81], ['fe80::1', 80], ['10.0.0.3', 0], ['10.0.0.1', 82]];
    list.forEach(([a, p], i) => k.add(a, p, i));
    list.forEach(([a, p], i) => expect(k.find(a, p)).toBe(i));
    expect(k.find('10.0.0.2', 81)).toBeUndefined();
    expect(k.find('10.0.0.1', 83)).toBeUndefined();
    expect(k.find('10.0.0.3', 80)).toBeUndefined();
    expect(k.find('10.0.0.4', 80)).toBeUndefined();
    // (a copy of an address string finds it too: compared by value)
    expect(k.find(['10', '0', '0', '2'].join('.'), 80)).toBe(1);
  });
});
