// LvsEngine with TCP_CHECK and HTTP_GET on the timed engine (lvsd_probe createTimed), real
// servers on loopback: results go through the counting machines and the policy as on the
// scheduler (a stopped server leaves the table, comes back), multi-url HTTP_GET steps through
// its urls, a reload's hold pauses the engine, ha_suspend skips attempts, stop() unregisters.
import { describe, expect, it } from 'vitest';
import { TimedChecks } from '../../../src/check/native/timed-checks.js';
import type { TableRow } from '../../../src/ipvs/reconcile.js';
import { LvsEngine, type CheckEvent } from '../../../src/lvs/engine.js';
import { closedPort } from '../check/servers.js';
import { until } from '../support/until.js';
import { endedAfterEach, textModels, toggler } from './model-files.js';

const model = textModels('timed');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const vs = (body: string, extra = '') => `virtual_server 10.7.0.1 80 {
  protocol TCP
  lvs_sched wlc
  lvs_method NAT
  delay_loop 0.1
  warmup 0
${extra}${body}}
`;

const tcpReal = (port: number, host = 1) => `  real_server 127.0.8.${host} ${port} {
    TCP_CHECK {
      connect_timeout 0.5
      retry 0
    }
  }
`;

const ended = endedAfterEach();

function run(text: string, extra: Partial<ConstructorParameters<typeof LvsEngine>[0]> = {}) {
  const timed = ended(new TimedChecks({ quantumUs: 5_000 }));
  const checks: CheckEvent[] = [];
  let rows: TableRow[] = [];
  const engine = ended(new LvsEngine({ model: model(text), timed, apply: (r) => void (rows = r), onCheck: (e) => checks.push({ ...e }), ...extra }));
  return { checks, rows: () => rows, engine, timed };
}

describe('LvsEngine on the timed engine', () => {
  it('TCP_CHECK: a stopped server leaves the table at its next check, and comes back', async () => {
    const srv = await toggler();
    try {
      const r = run(vs(tcpReal(srv.port)));
      await r.engine.start();
      await until(() => r.checks.length >= 3, 3000);
      expect(r.checks.every((e) => e.result.ok && e.result.reason === 'connected')).toBe(true);
      expect(r.checks[0].checker).toBe('TCP_CHECK#0');
      expect(r.rows()[0].dests).toHaveLength(1);
      // delay_loop apart (100 ms, on 5 ms quanta)
      const status = r.engine.status()[0];
      expect(status.realServers[0].lastCheck).toMatchObject({ ok: true, reason: 'connected' });
      expect(Math.abs((status.realServers[0].lastCheck?.at ?? 0) - Date.now())).toBeLessThan(1000);
      await srv.stop();
      await until(() => r.checks.some((e) => e.decision.event === 'down'), 3000);
      const down = r.checks.find((e) => e.decision.event === 'down');
      expect(down?.result.reason).toBe('connection failed (ECONNREFUSED)');
      await r.engine.applied();
      expect(r.rows()[0].dests).toHaveLength(0);
      await srv.start();
      await until(() => r.checks.some((e) => e.decision.event === 'up'), 3000);
      await r.engine.applied();
      expect(r.rows()[0].dests).toHaveLength(1);
      expect(r.timed.scheduled() + r.timed.inFlight()).toBe(1);
    } finally {
      await srv.stop();
    }
  });

  it('HTTP_GET with two urls asks for them in turn, delay_loop apart', async () => {
    const paths: string[] = [];
    const srv = await toggler((s) =>
      s.once('data', (d) => {
        paths.push(d.toString('latin1').split(' ')[1]);
        s.end('HTTP/1.0 200 OK\r\n\r\nok');
      }),
    );
    try {
      const r = run(vs(`  real_server 127.0.8.1 ${srv.port} {
    HTTP_GET {
      url {
        path /a
      }
      url {
        path /b
      }
      connect_timeout 0.5
    }
  }
`));
      await r.engine.start();
      await until(() => paths.length >= 5, 3000);
      expect(paths.slice(0, 5)).toEqual(['/a', '/b', '/a', '/b', '/a']);
      expect(r.checks.every((e) => e.result.ok && e.result.reason === 'HTTP status code 200')).toBe(true);
      expect(r.checks.every((e) => e.latencyMs >= 0 && e.latencyMs < 500)).toBe(true);
    } finally {
      await srv.stop();
    }
  });

  it('holdChecks pauses the engine (nothing runs), releaseChecks starts what fell due', async () => {
    const srv = await toggler();
    try {
      const r = run(vs(tcpReal(srv.port)));
      await r.engine.start();
      await until(() => r.checks.length >= 1, 3000);
      r.engine.holdChecks();
      await sleep(50);
      const n = r.checks.length;
      await sleep(250);
      expect(r.checks.length).toBe(n);
      expect(r.timed.held()).toBe(1);
      r.engine.releaseChecks();
      expect(r.engine.heldTotal).toBe(1);
      await until(() => r.checks.length >= n + 2, 3000);
    } finally {
      await srv.stop();
    }
  });

  it('ha_suspend: no attempt while the address is absent; checks run once it is present', async () => {
    const srv = await toggler();
    try {
      const r = run(vs(tcpReal(srv.port), '  ha_suspend\n'), { addressPresent: () => false });
      await r.engine.start();
      await sleep(300);
      expect(r.checks).toHaveLength(0);
      expect(r.timed.started()).toBe(0);
      r.engine.setAddressPresent(0, true);
      await until(() => r.checks.length >= 2, 3000);
      r.engine.refreshAddresses(() => false);
      await sleep(20);
      const n = r.timed.started();
      await sleep(250);
      expect(r.timed.started()).toBe(n);
    } finally {
      await srv.stop();
    }
  });

  it('a reload that removes a real server unregisters its check; stop() unregisters the rest', async () => {
    const srv = await toggler();
    const port2 = await closedPort();
    try {
      const r = run(vs(tcpReal(srv.port) + tcpReal(port2, 2)));
      await r.engine.start();
      await until(() => r.checks.length >= 4, 3000);
      expect(r.timed.slotsMade()).toBe(2);
      await r.engine.reload(model(vs(tcpReal(srv.port))));
      await sleep(150);
      expect(r.timed.scheduled() + r.timed.inFlight() + r.timed.held()).toBe(1);
      const n = r.checks.length;
      await sleep(250);
      expect(r.checks.slice(n).every((e) => e.rs.startsWith('127.0.8.1:'))).toBe(true);
      r.engine.stop();
      expect(r.timed.scheduled() + r.timed.inFlight() + r.timed.held()).toBe(0);
    } finally {
      await srv.stop();
    }
  });
});
