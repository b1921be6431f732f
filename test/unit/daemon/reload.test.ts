import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigHolder, diffWithoutVirtualServers } from '../../../src/daemon/reload.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-reload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'k.conf');
const inst = (name: string, vrid: number, prio: number) =>
  `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  priority ${prio}\n  virtual_ipaddress {\n    192.0.2.${vrid}/24\n  }\n}\n`;

describe('ConfigHolder.reload', () => {
  it('keeps the running model when the new file has errors, applies a good one with its diff', () => {
    writeFileSync(file, inst('VI_1', 1, 100));
    const first = loadConfig(file);
    expect(first.ok).toBe(true);
    const h = new ConfigHolder(file, {}, first);

    writeFileSync(file, inst('VI_1', 1, 100) + 'vrrp_instance VI_2 {\n  interface eth0\n  virtual_router_id 2\n  priority 900\n}\n');
    const bad = h.reload();
    expect(bad.applied).toBe(false);
    expect(bad.diagnostics.find((d) => d.level === 'error')?.pos).toMatchObject({ file, line: 12, col: 12 });
    expect(h.current).toBe(first.model);

    writeFileSync(file, inst('VI_1', 1, 100) + inst('VI_2', 2, 90));
    const good = h.reload();
    expect(good.applied).toBe(true);
    expect(good.passes).toBe(1); // a clean file is read once
    expect(good.diff?.vrrpInstances.unchanged.map((i) => i.name)).toEqual(['VI_1']);
    expect(good.diff?.vrrpInstances.added.map((i) => i.name)).toEqual(['VI_2']);
    expect(h.current.vrrp_instance?.length).toBe(2);
  });

  it('the VRRP-only difference leaves virtual servers to the engine but sees everything else', () => {
    const vs = (w: number) => `virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lvs_sched rr\n  lvs_method NAT\n  real_server 10.0.0.2 80 {\n    weight ${w}\n  }\n}\n`;
    writeFileSync(file, inst('VI_1', 1, 100) + vs(1));
    const first = loadConfig(file);
    const h = new ConfigHolder(file, {}, first, undefined, diffWithoutVirtualServers);
    writeFileSync(file, 'global_defs {\n  router_id other\n}\n' + inst('VI_1', 1, 101) + vs(2));
    const r = h.reload();
    expect(r.applied).toBe(true);
    expect(r.diff?.vrrpInstances.changed.map((c) => c.after.name)).toEqual(['VI_1']);
    expect(r.diff?.otherChanged).toEqual(['global_defs']);
    expect(r.diff?.virtualServers.changed).toEqual([]);
    expect(h.current.virtual_server?.[0]?.real_server?.[0]?.weight).toBe(2);
  });
  it('hands the kept blocks from load to load: unchanged real servers come back as the same objects', () => {
    const rs = (h: number, w: number) => `  real_server 10.0.0.${h} 80 {\n    weight ${w}\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`;
    const vs = (w2: number) => `virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lvs_sched rr\n  lvs_method NAT\n${rs(2, 1)}${rs(3, w2)}${rs(4, 1)}}\n`;
    writeFileSync(file, vs(1));
    const first = loadConfig(file, { keepBlocks: true }); // as the daemon's first load (run.ts)
    const h = new ConfigHolder(file, {}, first);
    const before = first.model.virtual_server?.[0]?.real_server ?? [];
    writeFileSync(file, '# a line above moves every block\n' + vs(7));
    expect(h.reload().applied).toBe(true);
    const after1 = h.current.virtual_server?.[0]?.real_server ?? [];
    expect(after1.map((r) => r.weight)).toEqual([1, 7, 1]);
    expect(after1[0]).toBe(before[0]);
    expect(after1[1]).not.toBe(before[1]);
    expect(after1[2]).toBe(before[2]);
    // a refused reload keeps the blocks of the running model for the next one
    writeFileSync(file, vs(7) + 'vrrp_instance X {\n  interface eth0\n  virtual_router_id 300\n}\n');
    expect(h.reload().applied).toBe(false);
    writeFileSync(file, vs(8));
    expect(h.reload().applied).toBe(true);
    const after2 = h.current.virtual_server?.[0]?.real_server ?? [];
    expect(after2[0]).toBe(before[0]);
    expect(after2[1]?.weight).toBe(8);
    expect(after2[2]).toBe(before[2]);
  });

  it('marks each step of a reload as it ends, in order, the last pass only for a file read twice', () => {
    writeFileSync(file, inst('VI_1', 1, 100));
    const h = new ConfigHolder(file, {}, loadConfig(file));
    const steps: string[] = [];
    writeFileSync(file, inst('VI_1', 1, 101));
    expect(h.reload((s) => steps.push(s)).applied).toBe(true);
    expect(steps).toEqual(['read', 'parse', 'model', 'checks', 'diff']);
    // a file the checks complain about is read again with positions: its steps come twice
    steps.length = 0;
    writeFileSync(file, inst('VI_1', 1, 100) + 'vrrp_instance VI_2 {\n  interface eth0\n  virtual_router_id 2\n  priority 900\n}\n');
    expect(h.reload((s) => steps.push(s)).applied).toBe(false);
    expect(steps).toEqual(['read', 'parse', 'model', 'checks', 'read', 'parse', 'model', 'checks']);
  });

  it('rehearse reads, checks and diffs the file as a reload would, and keeps the running model and its blocks', () => {
    const rs = (h: number, w: number) => `  real_server 10.0.0.${h} 80 {\n    weight ${w}\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`;
    const vs = (w: number) => `virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lvs_sched rr\n  lvs_method NAT\n${rs(2, 1)}${rs(3, w)}}\n`;
    writeFileSync(file, vs(1));
    const first = loadConfig(file, { keepBlocks: true });
    const seen: string[] = [];
    const h = new ConfigHolder(file, {}, first, (f, o) => {
      seen.push(o.reuse ? 'reuse' : 'full');
      return loadConfig(f, o);
    });
    expect(h.rehearse()).toBe(true);
    expect(h.current).toBe(first.model);
    // a changed file is only read: nothing of it becomes current
    writeFileSync(file, vs(5));
    expect(h.rehearse()).toBe(true);
    expect(h.current).toBe(first.model);
    writeFileSync(file, vs(1) + 'vrrp_instance X {\n  interface eth0\n  virtual_router_id 300\n}\n');
    expect(h.rehearse()).toBe(false);
    expect(h.current).toBe(first.model);
    // the reload after it still hands back the running model's unchanged real servers
    writeFileSync(file, vs(6));
    expect(h.reload().applied).toBe(true);
    const before = first.model.virtual_server?.[0]?.real_server ?? [];
    const after = h.current.virtual_server?.[0]?.real_server ?? [];
    expect(after[0]).toBe(before[0]);
    expect(after[1]?.weight).toBe(6);
    expect(seen.every((x) => x === 'reuse')).toBe(true);
  });
});
