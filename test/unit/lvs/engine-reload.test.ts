// LvsEngine.reload(model): by difference. Real TCP_CHECKs on loopback; the desired table right
// after the reload (before any new check could run) shows what the reload itself decided.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { reconcile, type TableRow } from '../../../src/ipvs/reconcile.js';
import { LvsEngine } from '../../../src/lvs/engine.js';
import type { LvsAction } from '../../../src/lvs/policy.js';
import { closedPort } from '../check/servers.js';
import { until } from '../support/until.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-reload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const dests = (rows: readonly TableRow[]): string[] => rows.flatMap((r) => r.dests.map((d) => `${d.addr}:${d.port}/${d.weight}`)).sort();

/** A listener on 127.0.4.N:port that can be closed and opened again. */
class Listener {
  private srv: net.Server | undefined;
  constructor(readonly host: string, readonly port: number) {}
  async open(): Promise<void> {
    const srv = net.createServer((c) => c.on('error', () => {}).destroy());
    await new Promise<void>((r) => srv.listen(this.port, this.host, r));
    this.srv = srv;
  }
  async close(): Promise<void> {
    const s = this.srv;
    this.srv = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

function rsBlock(host: string, port: number, o: { weight?: number; timeout?: string } = {}): string {
  return `  real_server ${host} ${port} {
    weight ${o.weight ?? 1}
    TCP_CHECK {
      connect_timeout ${o.timeout ?? '0.2'}
      retry 0
    }
  }
`;
}

function conf(port: number, reals: string[], sched = 'wlc'): string {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(path, `virtual_server 10.2.0.1 80 {
  protocol TCP
  lvs_sched ${sched}
  lvs_method NAT
  delay_loop 0.1
${reals.join('')}}
`);
  return path;
}

function load(path: string) {
  const r = loadConfig(path);
  expect(r.ok, JSON.stringify(r.diagnostics)).toBe(true);
  return r.model;
}

describe('LvsEngine reload by difference', () => {
  it('a down server stays down, a weight change is an edit, a removed server leaves, an added one joins', async () => {
    const port = await closedPort();
    const [A, B, C, D] = [1, 2, 3, 4].map((i) => new Listener(`127.0.4.${i}`, port));
    await A.open();
    await C.open();
    await D.open();
    let last: TableRow[] = [];
    const actions: LvsAction[] = [];
    const engine = new LvsEngine({ model: load(conf(port, [rsBlock(A.host, port), rsBlock(B.host, port), rsBlock(C.host, port)])), apply: (rows) => void (last = rows), onAction: (a) => actions.push(a) });
    try {
      await engine.start();
      await until(() => !dests(last).includes(`${B.host}:${port}/1`), 2000); // B never listened
      const before = engine.desired();
      const downs = actions.filter((a) => a.kind === 'rs-down').length;

      const counts = await engine.reload(load(conf(port, [rsBlock(A.host, port, { weight: 5 }), rsBlock(B.host, port), rsBlock(D.host, port)])));
      expect(counts).toEqual({ vsAdded: 0, vsRemoved: 0, vsKept: 1, rsAdded: 1, rsRemoved: 1, rsKept: 2, rsRebuilt: 0, vsPlanned: 0 });
      const after = engine.desired();
      // decided by the reload itself: B still down (not re-enabled), A at its new weight, C gone, D in
      expect(dests(after)).toEqual([`${A.host}:${port}/5`, `${D.host}:${port}/1`]);
      const ops = reconcile(after, before).map((o) => `${o.op} ${'dest' in o ? o.dest.addr : ''}`).sort();
      expect(ops).toEqual([`addDest ${D.host}`, `deleteDest ${C.host}`, `editDest ${A.host}`]);
      await sleep(400); // several check rounds: B's running checker keeps it down, no new notify
      expect(dests(last)).toEqual([`${A.host}:${port}/5`, `${D.host}:${port}/1`]);
      expect(actions.filter((a) => a.kind === 'rs-down').length).toBe(downs);
      // B's kept checker still runs: it comes up when B listens
      await B.open();
      await until(() => dests(last).includes(`${B.host}:${port}/1`), 2000);
      expect(engine.status()[0].realServers.map((r) => `${r.name}=${r.state}`)).toEqual([`${A.host}:${port}=up`, `${B.host}:${port}=up`, `${D.host}:${port}=up`]);
    } finally {
      engine.stop();
      for (const l of [A, B, C, D]) await l.close();
    }
  });

  it('a rebuilt checker (its settings changed) starts in the state the old one had; a service change is an edit', async () => {
    const port = await closedPort();
    const A = new Listener('127.0.4.11', port);
    const B = new Listener('127.0.4.12', port);
    await A.open();
    let last: TableRow[] = [];
    const actions: LvsAction[] = [];
    const engine = new LvsEngine({ model: load(conf(port, [rsBlock(A.host, port), rsBlock(B.host, port)])), apply: (rows) => void (last = rows), onAction: (a) => actions.push(a) });
    try {
      await engine.start();
      await until(() => dests(last).length === 1, 2000);
      const before = engine.desired();
      const counts = await engine.reload(load(conf(port, [rsBlock(A.host, port), rsBlock(B.host, port, { timeout: '0.3' })], 'rr')));
      expect(counts.rsRebuilt).toBe(1);
      expect(counts.rsKept).toBe(1);
      expect(dests(engine.desired())).toEqual([`${A.host}:${port}/1`]);
      expect(reconcile(engine.desired(), before).map((o) => o.op)).toEqual(['editService']);
      await sleep(400);
      expect(dests(last)).toEqual([`${A.host}:${port}/1`]);
      // the rebuilt checker's first failure is not news: notify_down ran once, before the reload
      expect(actions.filter((a) => a.kind === 'rs-down' && a.rs === `${B.host}:${port}`).length).toBe(1);
      await B.open();
      await until(() => dests(last).includes(`${B.host}:${port}/1`), 2000);
      expect(actions.filter((a) => a.kind === 'rs-up').map((a) => ('rs' in a ? a.rs : ''))).toEqual([`${B.host}:${port}`]);
    } finally {
      engine.stop();
      await A.close();
      await B.close();
    }
  });

  it('a removed virtual server stops its checks and leaves the desired table', async () => {
    const port = await closedPort();
    const A = new Listener('127.0.4.21', port);
    await A.open();
    let checks = 0;
    const engine = new LvsEngine({ model: load(conf(port, [rsBlock(A.host, port)])), apply: () => {}, onCheck: () => void checks++ });
    try {
      await engine.start();
      await until(() => checks >= 2, 2000);
      const empty = join(dir, 'empty.conf');
      writeFileSync(empty, 'global_defs {\n  router_id x\n}\n');
      const counts = await engine.reload(load(empty));
      expect(counts).toMatchObject({ vsRemoved: 1, rsRemoved: 1 });
      expect(engine.desired()).toEqual([]);
      await sleep(50);
      const n = checks;
      await sleep(300);
      expect(checks).toBe(n);
    } finally {
      engine.stop();
      await A.close();
    }
  });

  it('applied() waits for the apply that carries the reload, not for a quiet moment', async () => {
    const port = await closedPort();
    const A = new Listener('127.0.4.31', port);
    const B = new Listener('127.0.4.32', port);
    await B.open();
    let last: TableRow[] = [];
    let applies = 0;
    const engine = new LvsEngine({
      model: load(conf(port, [rsBlock(A.host, port), rsBlock(B.host, port)])),
      apply: async (rows) => { applies++; await sleep(30); last = rows; },
    });
    let flapping = true;
    try {
      await engine.start();
      // A flaps for the whole test: a steady stream of changes and applies
      const flap = (async () => {
        for (let i = 0; i < 200 && flapping; i++) {
          await A.open();
          await sleep(60);
          await A.close();
          await sleep(60);
        }
      })();
      await until(() => applies >= 3, 3000);
      await engine.reload(load(conf(port, [rsBlock(A.host, port), rsBlock(B.host, port, { weight: 7 })])));
      const t0 = Date.now();
      await engine.applied();
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(dests(last)).toContain(`${B.host}:${port}/7`);
      flapping = false;
      await flap;
    } finally {
      flapping = false;
      engine.stop();
      await A.close();
      await B.close();
    }
  });
});

