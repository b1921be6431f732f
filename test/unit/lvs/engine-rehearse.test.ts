// LvsEngine.rehearseChanges and rehearsePlans (the daemon's start-up rehearsal of a reload's
// changed-server path) change nothing: the same rows, policy entries and status after them, no
// action, no apply, a reload prepared before stays prepared (and none is made up), and a reload
// after them gives what a reload without them gives.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckScheduler } from '../../../src/check/scheduler.js';
import { loadConfig } from '../../../src/config/load.js';
import type { Model } from '../../../src/config/model.js';
import type { TableRow } from '../../../src/ipvs/reconcile.js';
import { LvsEngine } from '../../../src/lvs/engine.js';
import type { LvsAction } from '../../../src/lvs/policy.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-rehearse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const never = { nowUs: () => 0, setTimer: () => 0, clearTimer: () => {} };

function load(weights: number[][]): Model {
  const text = weights.map((ws, v) => `virtual_server 10.6.0.${v + 1} 80 {\n  protocol TCP\n  lvs_sched wlc\n  lvs_method NAT\n  quorum 2\n${
    ws.map((w, i) => `  real_server 127.0.6.${i + 1} 8080 {\n    weight ${w}\n    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n`).join('')}}\n`).join('');
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(path, text);
  const r = loadConfig(path);
  expect(r.ok, JSON.stringify(r.diagnostics)).toBe(true);
  return r.model;
}

function engineOn(m: Model) {
  let last: TableRow[] = [];
  let applies = 0;
  const actions: LvsAction[] = [];
  const engine = new LvsEngine({
    model: m, scheduler: new CheckScheduler({ clock: never }),
    apply: (rows) => { applies++; last = rows; }, onAction: (a) => void actions.push(a),
  });
  return { engine, rows: () => last, applies: () => applies, actions };
}

/** What an engine shows: its rows, policy configs, status and the applies it made. */
function snapshot(x: ReturnType<typeof engineOn>): { rows: string[]; cfgs: string[]; status: string; applies: number } {
  return { rows: shown(x.rows()), cfgs: x.engine.policies.map((p) => JSON.stringify(p.cfg)), status: JSON.stringify(x.engine.status()), applies: x.applies() };
}

/** Engines started and applied (each on its own load of `weights`). */
async function started(...xs: Array<ReturnType<typeof engineOn>>): Promise<void> {
  for (const x of xs) {
    await x.engine.start();
    await x.engine.applied();
  }
}

const shown = (rows: readonly TableRow[]): string[] =>
  rows.map((r) => `${r.service.addr}:${r.service.port} [${r.dests.map((d) => `${d.addr}:${d.port}/${d.weight}`).join(' ')}]`);

describe('LvsEngine.rehearseChanges', () => {
  it('runs the changed-server comparisons and leaves the engine as it was', async () => {
    const weights = [[1, 2, 3, 1, 1], [2, 2], [5]];
    const e = engineOn(load(weights));
    const plain = engineOn(load(weights));
    try {
      await started(e, plain);
      const before = snapshot(e);
      const reals = e.engine.policies.map((p) => p.cfg.reals);
      const actions = e.actions.length;
      expect(e.engine.rehearseChanges()).toBe(5 + 2 + 1); // every floor(n / 4)th of each (all of these small ones)
      expect(e.engine.rehearseChanges(3)).toBe(3);
      await new Promise((r) => setImmediate(r));
      expect(snapshot(e)).toEqual(before);
      expect(e.actions.length).toBe(actions);
      e.engine.policies.forEach((p, i) => expect(p.cfg.reals).toBe(reals[i]));
      // a reload after it lands where a reload without it does
      const next = [[1, 4, 3, 1, 1], [2, 1], [5]];
      const c1 = await e.engine.reload(load(next));
      const c2 = await plain.engine.reload(load(next));
      await e.engine.applied();
      await plain.engine.applied();
      expect(c1).toEqual(c2);
      expect(shown(e.rows())).toEqual(shown(plain.rows()));
      expect(e.actions).toEqual(plain.actions);
    } finally {
      e.engine.stop();
      plain.engine.stop();
    }
  });

  it('rehearsePlans plans made-up changes, keeps them nowhere, and the next reloads take correct plans', async () => {
    const weights = [[1, 2, 3, 1, 1, 2, 2], [2, 2], [5]];
    const next = [[1, 2, 4, 1, 1, 2, 2], [2, 3], [5]];
    const e = engineOn(load(weights));
    const plain = engineOn(load(weights));
    try {
      await started(e, plain);
      const before = snapshot(e);
      // every 3rd real server from offset 1: 7 -> 2 (1, 4), 2 -> 1, 1 -> 0
      expect(e.engine.rehearsePlans(1, 3)).toBe(2 + 1 + 0);
      expect(e.engine.rehearsePlans(0)).toBe(3); // every 100th from 0: the first of each
      await new Promise((r) => setImmediate(r));
      expect(e.actions).toEqual([]);
      expect(snapshot(e)).toEqual(before);

      // a reload prepared before the rehearsal keeps its plans; none of the made-up ones is taken
      const m2 = load(next);
      const m2b = load(next);
      e.engine.prepareReload(m2);
      e.engine.rehearsePlans(2);
      const c1 = await e.engine.reload(m2);
      const c2 = await plain.engine.reload(m2b);
      await e.engine.applied();
      await plain.engine.applied();
      expect(c1.vsPlanned).toBe(3);
      expect(c2.vsPlanned).toBe(0);
      expect({ ...c1, vsPlanned: 0 }).toEqual(c2);
      expect(shown(e.rows())).toEqual(shown(plain.rows()));
      expect(shown(e.rows()).join(' ')).toContain('127.0.6.3:8080/4');

      // made-up plans after a reload are not taken by the next one either (nothing prepared)
      e.engine.rehearsePlans(3);
      const m3 = load(weights);
      const c3 = await e.engine.reload(m3);
      const c4 = await plain.engine.reload(load(weights));
      await e.engine.applied();
      await plain.engine.applied();
      expect(c3.vsPlanned).toBe(0);
      expect(c3).toEqual(c4);
      expect(shown(e.rows())).toEqual(before.rows);
      expect(e.actions).toEqual(plain.actions);
    } finally {
      e.engine.stop();
      plain.engine.stop();
    }
  });
});
