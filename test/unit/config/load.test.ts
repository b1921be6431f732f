import { describe, expect, it } from 'vitest';
import { readdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';

const root = resolve(import.meta.dirname, '../../..');

describe('loadConfig passes', () => {
  it('parses a valid file once (no positions needed)', () => {
    for (const f of readdirSync(join(root, 'conf')).filter((n) => n.endsWith('.conf'))) {
      const r = loadConfig(join(root, 'conf', f), { configId: 'lb1' });
      expect({ f, ok: r.ok, passes: r.passes }).toEqual({ f, ok: true, passes: 1 });
    }
  });

  it('parses again with positions when a check complains, and points at the keyword', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-load-'));
    try {
      const f = join(dir, 'k.conf');
      writeFileSync(f, 'virtual_server 192.0.2.1 80 {\n  protocol TCP\n  lb_kind NAT\n  real_server 10.0.0.1 80 {\n  }\n}\n');
      const r = loadConfig(f);
      expect(r.passes).toBe(2);
      const e = r.diagnostics.find((d) => /no scheduler set/.test(d.message));
      expect(e?.pos).toMatchObject({ file: f, line: 1 });
      expect(r.model.virtual_server?.[0].lvs_sched).toBe('wlc');
      expect(r.exitCode).toBe(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('keepalived defaults the checks fill in', () => {
  it('gives priority 100, state BACKUP, unicast_ttl 255 to an instance that names none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-load-'));
    try {
      const f = join(dir, 'k.conf');
      writeFileSync(f, 'vrrp_instance V {\n  interface eth0\n  virtual_router_id 9\n}\n');
      const vi = loadConfig(f).model.vrrp_instance?.[0];
      expect([vi?.priority, vi?.state, vi?.unicast_ttl]).toEqual([100, 'BACKUP', 255]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
