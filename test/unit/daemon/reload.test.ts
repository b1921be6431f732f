import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadOptions, type LoadResult } from '../../../src/config/load.js';
import { ConfigHolder, diffWithoutVirtualServers } from '../../../src/daemon/reload.js';
import { recordInputs } from '../../../grammar/observed-fs.js';

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

  it('prepare reads, checks and diffs the file as a reload would, and keeps the running model and its blocks', () => {
    const rs = (h: number, w: number) => `  real_server 10.0.0.${h} 80 {\n    weight ${w}\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`;
    const vs = (w: number) => `virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lvs_sched rr\n  lvs_method NAT\n${rs(2, 1)}${rs(3, w)}}\n`;
    writeFileSync(file, vs(1));
    const first = loadConfig(file, { keepBlocks: true });
    const seen: string[] = [];
    const h = new ConfigHolder(file, {}, first, (f, o) => {
      seen.push(o.reuse ? 'reuse' : 'full');
      return loadConfig(f, o);
    });
    expect(h.prepare()).toBe(true);
    expect(h.current).toBe(first.model);
    // a changed file is only read: nothing of it becomes current
    writeFileSync(file, vs(5));
    expect(h.prepare()).toBe(true);
    expect(h.current).toBe(first.model);
    writeFileSync(file, vs(1) + 'vrrp_instance X {\n  interface eth0\n  virtual_router_id 300\n}\n');
    expect(h.prepare()).toBe(false);
    expect(h.current).toBe(first.model);
    // the reload after it (the file changed since: not the prepared load) still hands back the
    // running model's unchanged real servers
    writeFileSync(file, vs(6));
    const r = h.reload();
    expect(r.applied).toBe(true);
    expect(r.prepared).toBe(false);
    const before = first.model.virtual_server?.[0]?.real_server ?? [];
    const after = h.current.virtual_server?.[0]?.real_server ?? [];
    expect(after[0]).toBe(before[0]);
    expect(after[1]?.weight).toBe(6);
    expect(seen.every((x) => x === 'reuse')).toBe(true);
  });

  it('a SIGHUP that finds the inputs as they were prepared takes the prepared load, and reads nothing else', () => {
    writeFileSync(file, inst('VI_1', 1, 100));
    let loads = 0;
    const h = new ConfigHolder(file, {}, loadConfig(file, { keepBlocks: true }), (f, o) => {
      loads++;
      return loadConfig(f, o);
    });
    writeFileSync(file, inst('VI_1', 1, 100) + inst('VI_2', 2, 90));
    expect(h.prepare()).toBe(true);
    expect(loads).toBe(1);
    const ahead = h.preparedModel;
    expect(ahead?.vrrp_instance?.length).toBe(2);
    const steps: string[] = [];
    const r = h.reload((s) => steps.push(s));
    expect(h.current).toBe(ahead);
    expect(h.preparedModel).toBeUndefined();
    expect(loads).toBe(1);
    expect(r).toMatchObject({ applied: true, prepared: true, passes: 1 });
    expect(steps).toEqual(['read']);
    expect(r.diff?.vrrpInstances.added.map((i) => i.name)).toEqual(['VI_2']);
    expect(h.current.vrrp_instance?.map((i) => i.name)).toEqual(['VI_1', 'VI_2']);
    // used once: the next reload reads the inputs again, finds the running model's bytes and
    // loads nothing; an edit is loaded
    expect(h.reload()).toMatchObject({ applied: true, prepared: false, passes: 0 });
    expect(loads).toBe(1);
    writeFileSync(file, inst('VI_1', 1, 100) + inst('VI_2', 2, 91));
    expect(h.reload()).toMatchObject({ applied: true, prepared: false, passes: 1 });
    expect(loads).toBe(2);
  });

  it('a SIGHUP on the bytes the running model was loaded from takes that load: same model, no change, its warnings again', () => {
    // (a deprecated keyword: reported, not an error)
    const text = 'global_defs {\n  lvs_process_name lvsx\n}\n' + inst('VI_1', 1, 100);
    writeFileSync(file, text);
    let loads = 0;
    const h = new ConfigHolder(file, {}, loadConfig(file, { keepBlocks: true }), (f, o) => {
      loads++;
      return loadConfig(f, o);
    });
    writeFileSync(file, text.replace('priority 100', 'priority 101'));
    const first = h.reload();
    expect(first.applied).toBe(true);
    expect(first.diagnostics.length).toBeGreaterThan(0);
    expect(loads).toBe(1);
    const model = h.current;
    const steps: string[] = [];
    const again = h.reload((s) => steps.push(s));
    expect(loads).toBe(1);
    expect(again).toMatchObject({ applied: true, prepared: false, passes: 0 });
    expect(again.diff?.empty).toBe(true);
    expect(again.diagnostics).toEqual(first.diagnostics);
    expect(steps).toEqual(['read', 'diff']);
    expect(h.current).toBe(model);
    // an edit of the same length (one byte: 101 -> 102) is not the running model's file
    writeFileSync(file, text.replace('priority 100', 'priority 102'));
    const edited = h.reload();
    expect(loads).toBe(2);
    expect(edited.diff?.vrrpInstances.changed.length).toBe(1);
    expect(h.current.vrrp_instance?.[0]?.priority).toBe(102);
    // refused, then the running model's bytes back: that load again, not the refused one
    writeFileSync(file, text.replace('priority 100', 'priority 102') + 'vrrp_instance X {\n  interface eth0\n  virtual_router_id 300\n}\n');
    expect(h.reload().applied).toBe(false);
    const loadsBefore = loads;
    writeFileSync(file, text.replace('priority 100', 'priority 102'));
    expect(h.reload()).toMatchObject({ applied: true, passes: 0 });
    expect(loads).toBe(loadsBefore);
    expect(h.current.vrrp_instance?.[0]?.priority).toBe(102);
  });

  it('a plain SIGHUP loads the bytes its comparisons read (each input read once), and records them', () => {
    writeFileSync(file, inst('VI_1', 1, 100));
    const { value: initial, inputs } = recordInputs(() => loadConfig(file, { keepBlocks: true }));
    let meddle = false;
    // (the disk changes between the comparisons and the load: the load still gets what they read)
    const h = new ConfigHolder(file, {}, initial, (f, o) => {
      if (meddle) writeFileSync(file, inst('VI_1', 1, 103));
      return loadConfig(f, o);
    }, undefined, inputs);
    expect(h.prepare()).toBe(true); // a prepared load of priority 100: compared first, then the running one's
    writeFileSync(file, inst('VI_1', 1, 101));
    meddle = true;
    const r = h.reload();
    meddle = false;
    expect(r).toMatchObject({ applied: true, prepared: false, passes: 1 });
    expect(h.current.vrrp_instance?.[0]?.priority).toBe(101);
    // what it recorded is those bytes: the disk (103) is a change, 101 again is not
    expect(h.upToDate()).toBe(false);
    writeFileSync(file, inst('VI_1', 1, 101));
    expect(h.upToDate()).toBe(true);
    expect(h.reload()).toMatchObject({ applied: true, passes: 0 });
  });

  it('a rehearsal takes only a prepared load of the bytes the running model came from, and else leaves everything', () => {
    writeFileSync(file, inst('VI_1', 1, 100));
    const rec = recordInputs(() => loadConfig(file, { keepBlocks: true }));
    const h = new ConfigHolder(file, {}, rec.value, undefined, undefined, rec.inputs);
    const running = h.current;
    // the first load's inputs unknown: never
    const blind = new ConfigHolder(file, {}, loadConfig(file, { keepBlocks: true }));
    blind.prepare();
    expect(blind.reload(undefined, true).applied).toBe(false);
    expect(blind.preparedModel).toBeDefined();
    // the file as it was: the prepared load is taken (a change of nothing)
    h.prepare();
    const same = h.preparedModel;
    const r = h.reload(undefined, true);
    expect(r).toMatchObject({ applied: true, prepared: true });
    expect(h.current).toBe(same);
    expect(r.diff?.vrrpInstances.unchanged.map((i) => i.name)).toEqual(['VI_1']);
    // edited before the preparation: the prepared load is of other bytes
    writeFileSync(file, inst('VI_1', 1, 101));
    h.prepare();
    const edited = h.preparedModel;
    expect(h.reload(undefined, true).applied).toBe(false);
    expect(h.current).toBe(same);
    expect(h.preparedModel).toBe(edited); // still there for the SIGHUP
    // edited after it: nothing loaded, nothing taken
    writeFileSync(file, inst('VI_1', 1, 102));
    expect(h.reload(undefined, true).applied).toBe(false);
    expect(h.current.vrrp_instance?.[0]?.priority).toBe(100);
    // the SIGHUP loads the file as it is now
    expect(h.reload()).toMatchObject({ applied: true, prepared: false });
    expect(h.current.vrrp_instance?.[0]?.priority).toBe(102);
    expect(running.vrrp_instance?.[0]?.priority).toBe(100);
  });

  it('rehearseChange loads the running file with 1% of real servers re-spaced, and changes nothing', () => {
    const rs = (v: number, r: number) => `  real_server 10.1.${v}.${r} 80 {\n    weight 1\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`;
    const vs = (v: number) => `virtual_server 10.0.0.${v + 1} 80 {\n  protocol TCP\n  lvs_sched rr\n  lvs_method NAT\n${Array.from({ length: 100 }, (_, r) => rs(v, r + 1)).join('')}}\n`;
    const text = inst('VI_1', 1, 100) + vs(0) + vs(1);
    writeFileSync(file, text);
    const rec = recordInputs(() => loadConfig(file, { keepBlocks: true }));
    const seen: Array<{ reuse: LoadOptions['reuse']; file: string; result: LoadResult }> = [];
    const h = new ConfigHolder(file, {}, rec.value, (f, o) => {
      const result = loadConfig(f, o);
      seen.push({ reuse: o.reuse, file: f, result });
      return result;
    }, diffWithoutVirtualServers, rec.inputs);
    h.prepare();
    const prepared = h.preparedModel;
    const running = h.current;
    seen.length = 0;
    // 200 real servers: 2 re-spaced, read anew; the other 198 handed back
    expect(h.rehearseChange(0)).toBe(198);
    expect(h.rehearseChange(7)).toBe(198);
    // each: the edit with the running model's blocks, then the next edit with the blocks that
    // load kept (the second SIGHUP's way: 2 re-spaced back, 2 others re-spaced)
    expect(seen.map((x) => x.file)).toEqual([file, file, file, file]);
    for (const k of [0, 2]) {
      expect(seen[k].reuse).toBeDefined();
      expect(seen[k].reuse).not.toBe(seen[k].result.blocks);
      expect(seen[k + 1].reuse).toBe(seen[k].result.blocks);
      expect(seen[k + 1].result).toMatchObject({ ok: true, reused: 196 });
    }
    expect(h.current).toBe(running);
    expect(h.preparedModel).toBe(prepared);
    expect(h.upToDate()).toBe(true);
    // the SIGHUP after it takes the prepared load, as it would have
    expect(h.reload()).toMatchObject({ applied: true, prepared: true });
    expect(h.current).toBe(prepared);
    // without the first load's inputs, or with no real server to edit: nothing runs
    const blind = new ConfigHolder(file, {}, loadConfig(file, { keepBlocks: true }));
    expect(blind.rehearseChange(0)).toBe(-1);
    writeFileSync(file, inst('VI_1', 1, 100));
    const none = recordInputs(() => loadConfig(file, { keepBlocks: true }));
    expect(new ConfigHolder(file, {}, none.value, undefined, undefined, none.inputs).rehearseChange(0)).toBe(-1);
  });

  it('is up to date while the file is what the running model or the prepared load read', () => {
    writeFileSync(file, inst('VI_1', 1, 100));
    const h = new ConfigHolder(file, {}, loadConfig(file, { keepBlocks: true }));
    expect(h.upToDate()).toBe(false); // the first load's reads are not known
    writeFileSync(file, inst('VI_1', 1, 101));
    h.reload();
    expect(h.upToDate()).toBe(true);
    writeFileSync(file, inst('VI_1', 1, 102));
    expect(h.upToDate()).toBe(false);
    h.prepare();
    expect(h.upToDate()).toBe(true);
    writeFileSync(file, inst('VI_1', 1, 101)); // back to the running file
    expect(h.upToDate()).toBe(true);
    writeFileSync(file, inst('VI_1', 1, 103));
    expect(h.upToDate()).toBe(false);
  });

  it('a prepared load is not used once the file changed, even to the same length, or the running model moved on', () => {
    writeFileSync(file, inst('VI_1', 1, 100));
    const h = new ConfigHolder(file, {}, loadConfig(file, { keepBlocks: true }));
    writeFileSync(file, inst('VI_1', 1, 101));
    h.prepare();
    writeFileSync(file, inst('VI_1', 1, 102)); // same size, other bytes
    const r = h.reload();
    expect(r).toMatchObject({ applied: true, prepared: false });
    expect(h.current.vrrp_instance?.[0]?.priority).toBe(102);
    // prepared against a model that a reload then replaced
    writeFileSync(file, inst('VI_1', 1, 103));
    h.prepare();
    writeFileSync(file, inst('VI_1', 1, 104));
    expect(h.reload().prepared).toBe(false);
    expect(h.reload().prepared).toBe(false);
    expect(h.current.vrrp_instance?.[0]?.priority).toBe(104);
  });

  it('a prepared load with errors is refused at SIGHUP with the same file:line:col, the running model kept', () => {
    writeFileSync(file, inst('VI_1', 1, 100));
    const first = loadConfig(file, { keepBlocks: true });
    const h = new ConfigHolder(file, {}, first);
    writeFileSync(file, inst('VI_1', 1, 100) + 'vrrp_instance VI_2 {\n  interface eth0\n  virtual_router_id 2\n  priority 900\n}\n');
    expect(h.prepare()).toBe(false);
    expect(h.preparedModel).toBeUndefined(); // nothing for the engine to prepare
    const r = h.reload();
    expect(r).toMatchObject({ applied: false, prepared: true });
    expect(r.diagnostics.find((d) => d.level === 'error')?.pos).toMatchObject({ file, line: 12, col: 12 });
    expect(h.current).toBe(first.model);
  });

  it('sees an include glob match a new file, and an include that changed', () => {
    const inc = join(dir, 'inc.d');
    mkdirSync(inc, { recursive: true });
    writeFileSync(join(inc, 'a.conf'), inst('VI_1', 1, 100));
    writeFileSync(file, `include ${inc}/*.conf\n`);
    const h = new ConfigHolder(file, {}, loadConfig(file, { keepBlocks: true }));
    h.prepare();
    writeFileSync(join(inc, 'b.conf'), inst('VI_2', 2, 90));
    const r = h.reload();
    expect(r).toMatchObject({ applied: true, prepared: false });
    expect(h.current.vrrp_instance?.map((i) => i.name)).toEqual(['VI_1', 'VI_2']);
    h.prepare();
    writeFileSync(join(inc, 'a.conf'), inst('VI_1', 1, 110));
    expect(h.reload().prepared).toBe(false);
    expect(h.current.vrrp_instance?.[0]?.priority).toBe(110);
    h.prepare();
    expect(h.reload().prepared).toBe(true);
    rmSync(inc, { recursive: true });
  });

  it('a script the checks found safe and made unsafe since is checked again', () => {
    const script = join(dir, 'chk.sh');
    writeFileSync(script, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    chmodSync(script, 0o755);
    const conf = `global_defs {\n  enable_script_security\n  script_user root\n}\nvrrp_script chk {\n  script "${script}"\n}\n${inst('VI_1', 1, 100).replace('}\n}\n', '}\n  track_script {\n    chk\n  }\n}\n')}`;
    writeFileSync(file, conf);
    const h = new ConfigHolder(file, {}, loadConfig(file, { keepBlocks: true }));
    const clean = h.prepare();
    chmodSync(script, 0o777); // world writable: keepalived disables it
    const r = h.reload();
    expect(clean).toBe(true);
    expect(r.prepared).toBe(false);
    expect(r.diagnostics.some((d) => /unsafe|insecure|writable/i.test(d.message))).toBe(true);
  });
});

describe('prepared reloads against plain ones', () => {
  it('give the same outcome over random chains of edits, prepares and reloads', () => {
    const rs = (h: number, w: number) => `  real_server 10.0.0.${h} 80 {\n    weight ${w}\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`;
    const render = (ws: number[], bad: boolean) => `virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lvs_sched rr\n  lvs_method NAT\n${ws.map((w, i) => rs(i + 2, w)).join('')}}\n${bad ? 'vrrp_instance X {\n  interface eth0\n  virtual_router_id 300\n}\n' : ''}`;
    const step = fc.record({ edit: fc.boolean(), ws: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }), bad: fc.boolean(), prepare: fc.boolean(), editAfter: fc.boolean() });
    const fileB = join(dir, 'plain.conf');
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), (steps) => {
      writeFileSync(file, render([1], false));
      writeFileSync(fileB, render([1], false));
      const a = new ConfigHolder(file, {}, loadConfig(file, { keepBlocks: true }));
      const b = new ConfigHolder(fileB, {}, loadConfig(fileB, { keepBlocks: true }));
      let text = render([1], false);
      const write = (t: string) => {
        text = t;
        writeFileSync(file, t);
        writeFileSync(fileB, t);
      };
      for (const s of steps) {
        if (s.edit) write(render(s.ws, s.bad));
        const preparedText = s.prepare ? text : undefined;
        if (s.prepare) a.prepare();
        if (s.editAfter) write(render(s.ws.map((w) => w + 1), false));
        const ra = a.reload();
        const rb = b.reload();
        expect(ra.prepared).toBe(preparedText === text);
        expect(ra.applied).toBe(rb.applied);
        expect(ra.diagnostics.map((d) => ({ ...d, pos: d.pos ? { ...d.pos, file: '' } : undefined }))).toEqual(rb.diagnostics.map((d) => ({ ...d, pos: d.pos ? { ...d.pos, file: '' } : undefined })));
        expect(a.current).toEqual(b.current);
        expect(ra.diff).toEqual(rb.diff);
      }
    }), { numRuns: 60 });
  });
});
