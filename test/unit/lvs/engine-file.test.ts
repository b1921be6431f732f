// FILE_CHECK through the engine: the tracked file's value takes a real server out and back
// (weight 0: non-zero is a failure) and, with a weight, adds value x weight to its LVS weight
// (keepalived 2.2.7 has no `dynamic` keyword for it, whatever the man page says).
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import type { TableRow } from '../../../src/ipvs/reconcile.js';
import { LvsEngine } from '../../../src/lvs/engine.js';
import { until } from '../support/until.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-engine-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dests = (rows: TableRow[]) => rows.flatMap((r) => r.dests.map((d) => `${d.addr}:${d.port}/${d.weight}`)).sort();
/** writes the file as a tool would: a new file renamed over the old one */
const put = (f: string, v: string) => {
  writeFileSync(`${f}.new`, `${v}\n`);
  renameSync(`${f}.new`, f);
};

describe('FILE_CHECK in the engine', () => {
  it('the file takes a server out and back; a weight adds value x weight to the LVS weight', async () => {
    const state = join(dir, 'state');
    const load = join(dir, 'load');
    put(state, '0');
    put(load, '5');
    const conf = join(dir, 'file.conf');
    writeFileSync(conf, `track_file state {
  file ${state}
}
track_file load {
  file ${load}
}
virtual_server 10.1.0.7 80 {
  protocol TCP
  lvs_sched wlc
  lvs_method NAT
  real_server 127.0.7.1 80 {
    FILE_CHECK {
      track_file state
      weight 0
    }
  }
  real_server 127.0.7.2 80 {
    weight 3
    FILE_CHECK {
      track_file load
      weight 2
    }
  }
}
`);
    const { model, ok, diagnostics } = loadConfig(conf);
    expect(ok, JSON.stringify(diagnostics)).toBe(true);
    let last: TableRow[] = [];
    const engine = new LvsEngine({ model, apply: (rows) => void (last = rows) });
    try {
      await engine.start();
      await until(() => dests(last).length === 2, 3000);
      expect(dests(last)).toEqual(['127.0.7.1:80/1', '127.0.7.2:80/13']); // 3 + 5 x 2
      // at once: the file watch starts after the first apply, and a change before it counts too
      put(state, '1');
      await until(() => dests(last).length === 1, 3000);
      expect(dests(last)).toEqual(['127.0.7.2:80/13']);
      put(load, '0');
      await until(() => dests(last)[0] === '127.0.7.2:80/3', 3000);
      put(state, '0');
      await until(() => dests(last).length === 2, 3000);
      expect(dests(last)).toEqual(['127.0.7.1:80/1', '127.0.7.2:80/3']);
    } finally {
      engine.stop();
    }
  });
});
