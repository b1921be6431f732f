// LvsEngine with an onQuiet hook: the timed engine's quiet path. A steady TCP_CHECK's successes
// reach onQuiet (counts) when drained, not onCheck; status() drains them (its last check stays
// fresh); a failure, the down and the up come through onCheck as before.
import { describe, expect, it } from 'vitest';
import { TimedChecks, type QuietSuccesses } from '../../../src/check/native/timed-checks.js';
import type { TableRow } from '../../../src/ipvs/reconcile.js';
import { LvsEngine, type CheckEvent } from '../../../src/lvs/engine.js';
import { until } from '../support/until.js';
import { endedAfterEach, textModels, toggler } from './model-files.js';

const model = textModels('quiet');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const conf = (port: number, retry: number) => `virtual_server 10.7.0.1 80 {
  protocol TCP
  lvs_sched wlc
  lvs_method NAT
  delay_loop 0.1
  warmup 0
  real_server 127.0.8.1 ${port} {
    TCP_CHECK {
      connect_timeout 0.5
      retry ${retry}
      delay_before_retry 0.05
    }
  }
}
`;

const ended = endedAfterEach();

describe('LvsEngine with onQuiet (the quiet path)', () => {
  for (const retry of [0, 1]) {
    it(`a steady TCP_CHECK's successes are drained counts; failure, down and up still come as checks (retry ${retry})`, async () => {
      const srv = await toggler();
      try {
        const timed = ended(new TimedChecks({ quantumUs: 5_000 }));
        const checks: CheckEvent[] = [];
        const quiet: QuietSuccesses[] = [];
        let rows: TableRow[] = [];
        const engine = ended(new LvsEngine({
          model: model(conf(srv.port, retry)),
          timed,
          apply: (r) => void (rows = r),
          onCheck: (e) => checks.push({ ...e }),
          onQuiet: (_vs, rs, checker, q) => {
            expect([rs, checker]).toEqual([`127.0.8.1:${srv.port}`, 'TCP_CHECK#0']);
            quiet.push({ ...q });
          },
        }));
        await engine.start();
        await until(() => checks.length >= 1, 3000);
        await sleep(600);
        // the first success made it steady: ~5 more at 100 ms, none through onCheck
        expect(checks.length).toBe(1);
        expect(timed.settledQuietly()).toBeGreaterThanOrEqual(3);
        const before = Date.now();
        const rs = engine.status()[0].realServers[0];
        const n = quiet.reduce((a, q) => a + q.count, 0);
        expect(n).toBeGreaterThanOrEqual(3);
        expect(rs.lastCheck).toMatchObject({ ok: true, reason: 'connected' });
        expect(before - (rs.lastCheck?.at ?? 0)).toBeLessThan(300);
        await srv.stop();
        const killed = Date.now();
        await until(() => checks.some((e) => e.decision.event === 'down'), 3000);
        // down at the next check (retry 0) or after one retry: as without the quiet path
        expect(Date.now() - killed).toBeLessThan(100 + 50 * retry + 200);
        expect(checks.filter((e) => !e.result.ok)).toHaveLength(1 + retry);
        await engine.applied();
        expect(rows[0].dests).toHaveLength(0);
        await srv.start();
        await until(() => checks.some((e) => e.decision.event === 'up'), 3000);
        const seen = checks.length;
        await sleep(400);
        expect(checks.length).toBe(seen); // steady again: quiet
        expect(engine.status()[0].realServers[0].lastCheck).toMatchObject({ ok: true });
      } finally {
        await srv.stop();
      }
    });
  }

  it('without onQuiet every success is a check (the quiet path is off)', async () => {
    const srv = await toggler();
    try {
      const timed = ended(new TimedChecks({ quantumUs: 5_000 }));
      const checks: CheckEvent[] = [];
      const engine = ended(new LvsEngine({ model: model(conf(srv.port, 0)), timed, apply: () => {}, onCheck: (e) => checks.push({ ...e }) }));
      await engine.start();
      await until(() => checks.length >= 4, 3000);
      expect(timed.settledQuietly()).toBe(0);
    } finally {
      await srv.stop();
    }
  });
});
