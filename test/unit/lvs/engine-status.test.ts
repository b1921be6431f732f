// The engine's last-check records: rewritten in place per attempt (no allocation per check),
// so status() hands out copies that later checks do not change.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { LvsEngine } from '../../../src/lvs/engine.js';
import { tcpServer } from '../check/servers.js';
import { until } from '../support/until.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-engine-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LvsEngine status', () => {
  it('a status taken earlier keeps its last check while later checks update the engine', async () => {
    const srv = await tcpServer(() => {}, '127.0.0.1');
    const conf = join(dir, 'tcp.conf');
    writeFileSync(conf, `virtual_server 10.1.0.1 ${srv.port} {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  delay_loop 0.05
  real_server 127.0.0.1 ${srv.port} {
    TCP_CHECK {
      connect_timeout 0.5
      warmup 0
    }
  }
}
`);
    const { model, ok, diagnostics } = loadConfig(conf);
    expect(ok, JSON.stringify(diagnostics)).toBe(true);
    let clock = 1_000;
    let checks = 0;
    const engine = new LvsEngine({ model, apply: () => {}, now: () => clock++, onCheck: () => void checks++ });
    try {
      await engine.start();
      await until(() => checks >= 1, 5_000);
      const first = engine.status()[0].realServers[0].lastCheck;
      expect(first).toMatchObject({ checker: 'TCP_CHECK#0', ok: true, reason: 'connected' });
      const at = first?.at;
      await until(() => checks >= 3, 5_000);
      const later = engine.status()[0].realServers[0].lastCheck;
      expect(first?.at).toBe(at);
      expect(later?.at).toBeGreaterThan(at ?? Infinity);
      expect(later?.latencyMs).toBeGreaterThanOrEqual(0);
    } finally {
      engine.stop();
      await srv.close();
    }
  });
});
