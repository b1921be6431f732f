// Shared by the engine's reload tests: a loaded model of TCP virtual servers and an engine whose
// applies are recorded (no check runs: a scheduler clock that never fires).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CheckScheduler } from '../../../src/check/scheduler.js';
import { loadConfig } from '../../../src/config/load.js';
import type { Model } from '../../../src/config/model.js';
import type { TableRow } from '../../../src/ipvs/reconcile.js';
import { LvsEngine } from '../../../src/lvs/engine.js';

const never = { nowUs: () => 0, setTimer: () => 0, clearTimer: () => {} };

export interface VsSpec { v: number; port?: number; weights: number[]; timeout?: number; sched?: string }

/**
 * Virtual servers 10.N.0.V:PORT (TCP, NAT), each with real servers 127.0.N.R:8080 of the given
 * weights, written to a new file in `dir` and loaded (N: `net`).
 */
export function tcpModel(dir: string, net: number, vss: VsSpec[]): Model {
  const text = vss.map(({ v, port, weights, timeout, sched }) => `virtual_server 10.${net}.0.${v} ${port ?? 80} {
  protocol TCP
  lvs_sched ${sched ?? 'wlc'}
  lvs_method NAT
  delay_loop 30
${weights.map((w, r) => `  real_server 127.0.${net}.${r + 1} 8080 {
    weight ${w}
    TCP_CHECK {
      connect_timeout ${timeout ?? 1}
    }
  }
`).join('')}}
`).join('');
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(path, text);
  const r = loadConfig(path);
  expect(r.ok, JSON.stringify(r.diagnostics)).toBe(true);
  return r.model;
}

/** An engine over `m` whose applies land in `calls` (changed: the services named, sorted). */
export function recordingEngine(m: Model): { engine: LvsEngine; calls: Array<{ rows: TableRow[]; changed: string[] | undefined }> } {
  const calls: Array<{ rows: TableRow[]; changed: string[] | undefined }> = [];
  const engine = new LvsEngine({
    model: m,
    scheduler: new CheckScheduler({ clock: never }),
    apply: (rows, changed) => void calls.push({ rows, changed: changed ? [...changed].sort() : undefined }),
  });
  return { engine, calls };
}
