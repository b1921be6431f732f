import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forwardsIpv6 } from '../../../src/net/announce/router-flag.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lvsd-proc-'));
  for (const [name, v] of [['eth0', '1\n'], ['eth1', '0\n']]) {
    mkdirSync(join(root, 'sys/net/ipv6/conf', name), { recursive: true });
    writeFileSync(join(root, 'sys/net/ipv6/conf', name, 'forwarding'), v);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('NA router flag from ipv6 forwarding', () => {
  it('reads the interface sysctl', () => {
    expect(forwardsIpv6('eth0', root)).toBe(true);
    expect(forwardsIpv6('eth1', root)).toBe(false);
    expect(forwardsIpv6('eth9', root)).toBe(false);
  });
  it('refuses names that would leave the directory', () => {
    expect(() => forwardsIpv6('../x', root)).toThrow(/bad interface/);
    expect(() => forwardsIpv6('..', root)).toThrow(/bad interface/);
  });
});
