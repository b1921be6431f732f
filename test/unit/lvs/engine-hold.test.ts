// LvsEngine holds the probes that fall due during a reload until the reload's IPVS apply is
// done (so the checks that piled up while the file was parsed do not run ahead of the kernel's
// answers), then starts them; a probe removed meanwhile never starts; stop() drops them.
// Real TCP_CHECKs on loopback (a closed port: each attempt fails at once); the scheduler's
// clock is the test's, so a check runs exactly when the test fires its timer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckScheduler } from '../../../src/check/scheduler.js';
import { loadConfig } from '../../../src/config/load.js';
import { LvsEngine, type CheckEvent } from '../../../src/lvs/engine.js';
import { closedPort } from '../check/servers.js';
import { until } from '../support/until.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-hold-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function model(port: number, reals: Array<{ host: number; weight: number }>) {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(path, `virtual_server 10.7.0.1 80 {
  protocol TCP
  lvs_sched wlc
  lvs_method NAT
  delay_loop 10
${reals.map((r) => `  real_server 127.0.7.${r.host} ${port} {
    weight ${r.weight}
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
`).join('')}}
`);
  const r = loadConfig(path);
  expect(r.ok, JSON.stringify(r.diagnostics)).toBe(true);
  return r.model;
}

/** The scheduler's clock: time moves and timers fire only when the test says so. */
class TestClock {
  now = 0;
  private fn: (() => void) | undefined;
  readonly clock = {
    nowUs: () => this.now,
    setTimer: (fn: () => void) => { this.fn = fn; return 1; },
    clearTimer: () => { this.fn = undefined; },
  };
  /** Moves `s` seconds on and fires the armed timer (everything due starts). */
  advance(s: number): void {
    this.now += s * 1_000_000;
    const f = this.fn;
    this.fn = undefined;
    f?.();
  }
}

/** An engine whose applies finish when the test says (`gate`), the first one at once. */
async function setup(port: number) {
  const t = new TestClock();
  const checks: CheckEvent[] = [];
  let release: (() => void) | undefined;
  let gated = false;
  const engine = new LvsEngine({
    model: model(port, [{ host: 1, weight: 1 }, { host: 2, weight: 1 }]),
    scheduler: new CheckScheduler({ clock: t.clock, random: () => 0 }),
    apply: () => (gated ? new Promise<void>((r) => { release = r; }) : undefined),
    onCheck: (e) => checks.push(e),
  });
  await engine.start();
  await engine.applied();
  await sleep(0); // the checks are added once the first apply is done
  t.advance(0);
  await until(() => checks.length === 2, 3000); // both probed once
  return {
    t, checks, engine,
    gate: () => { gated = true; },
    open: () => { gated = false; release?.(); },
  };
}

describe('LvsEngine: probes held during a reload', () => {
  it('probes due while the reload applies start once the apply is done', async () => {
    const port = await closedPort();
    const s = await setup(port);
    try {
      s.gate();
      const counts = await s.engine.reload(model(port, [{ host: 1, weight: 3 }, { host: 2, weight: 1 }]));
      expect(counts).toMatchObject({ vsKept: 1, rsKept: 2 });
      s.t.advance(100); // both checks fall due while the apply waits for the kernel
      await sleep(150);
      expect(s.checks).toHaveLength(2); // nothing ran
      expect(s.engine.heldTotal).toBe(0);
      s.open();
      await s.engine.applied();
      await until(() => s.checks.length >= 4, 3000);
      expect(s.engine.heldTotal).toBe(2);
      expect(s.checks.slice(2, 4).map((e) => e.rs).sort()).toEqual([`127.0.7.1:${port}`, `127.0.7.2:${port}`]);
      // no hold outside a reload: the next round runs at once
      const n = s.checks.length;
      s.t.advance(100);
      await until(() => s.checks.length >= n + 2, 3000);
      expect(s.engine.heldTotal).toBe(2);
    } finally {
      s.engine.stop();
    }
  });

  it('a held probe whose real server a later reload removed never starts', async () => {
    const port = await closedPort();
    const s = await setup(port);
    try {
      s.gate();
      await s.engine.reload(model(port, [{ host: 1, weight: 3 }, { host: 2, weight: 1 }]));
      s.t.advance(100);
      await sleep(50);
      await s.engine.reload(model(port, [{ host: 1, weight: 3 }])); // 127.0.7.2 leaves while held
      s.open();
      await s.engine.applied();
      await until(() => s.checks.length >= 3, 3000);
      await sleep(150);
      expect(new Set(s.checks.slice(2).map((e) => e.rs))).toEqual(new Set([`127.0.7.1:${port}`]));
      expect(s.engine.heldTotal).toBe(2);
    } finally {
      s.engine.stop();
    }
  });

  it('stop() during a hold starts nothing; a hold ends by itself when no apply comes', async () => {
    const port = await closedPort();
    const s = await setup(port);
    s.engine.holdChecks(); // as the daemon does before a reload that then never reaches the engine
    s.t.advance(100);
    await sleep(100);
    expect(s.checks).toHaveLength(2);
    s.engine.stop();
    s.engine.releaseChecks(); // nothing left to start
    await sleep(150);
    expect(s.checks).toHaveLength(2);
    expect(s.engine.heldTotal).toBe(0);
  });
});
