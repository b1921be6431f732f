// `lvsd_metrics_listen [ADDRESS] PORT` in global_defs: lvsd -t accepts it, keepalived -t does
// not know it (so the README tells users the file is then lvsd-only).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'dist/src/cli/lvsd.js');
const dir = mkdtempSync(join(tmpdir(), 'lvsd-metrics-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function conf(name: string, line: string): string {
  const f = join(dir, name);
  writeFileSync(f, `global_defs {\n  router_id d1\n  ${line}\n}\n`);
  return f;
}

describe('lvsd_metrics_listen', () => {
  it('ADDRESS PORT and PORT alone (loopback) land in the model', () => {
    const a = loadConfig(conf('a.conf', 'lvsd_metrics_listen 0.0.0.0 9650'));
    expect(a.ok).toBe(true);
    expect(a.model.global_defs?.lvsd_metrics_listen).toEqual({ host: '0.0.0.0', port: 9650 });
    const b = loadConfig(conf('b.conf', 'lvsd_metrics_listen 9650'));
    expect(b.model.global_defs?.lvsd_metrics_listen).toEqual({ host: '127.0.0.1', port: 9650 });
    const c = loadConfig(conf('c.conf', 'lvsd_metrics_listen ::1 9650'));
    expect(c.model.global_defs?.lvsd_metrics_listen).toEqual({ host: '::1', port: 9650 });
  });

  it('bad address or port is a config error at its line', () => {
    for (const [line, msg] of [['lvsd_metrics_listen localhost 9650', /invalid IP address 'localhost'/], ['lvsd_metrics_listen 127.0.0.1 70000', /invalid port '70000'/], ['lvsd_metrics_listen', /\[ADDRESS\] PORT/], ['lvsd_metrics_listen 1 2 3', /\[ADDRESS\] PORT/]] as const) {
      const r = loadConfig(conf('bad.conf', line));
      expect(r.ok, line).toBe(false);
      expect(r.diagnostics.map((d) => `${d.pos?.line ?? ''}:${d.message}`).join('\n')).toMatch(new RegExp(`^3:.*${msg.source}`, 'm'));
    }
  });

  it('lvsd -t accepts it; keepalived -t reports it unknown', () => {
    if (!existsSync(CLI)) throw new Error(`no built CLI at ${CLI}`);
    const f = conf('t.conf', 'lvsd_metrics_listen 127.0.0.1 9650');
    const l = spawnSync(process.execPath, [CLI, '-t', '-f', f], { encoding: 'utf8', timeout: 30_000 });
    expect([l.status, l.stderr]).toEqual([0, '']);
    const k = spawnSync('/usr/sbin/keepalived', ['-t', '-f', f], { encoding: 'utf8', timeout: 30_000 });
    expect(k.status).not.toBe(0);
    expect(k.stdout + k.stderr).toMatch(/Unknown keyword 'lvsd_metrics_listen'/);
  });
});
