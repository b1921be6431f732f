// The engine end to end on loopback: real TCP_CHECK / HTTP_GET / MISC_CHECK against servers of
// the test, policy decisions, coalesced applies of the desired rows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import type { TableRow } from '../../../src/ipvs/reconcile.js';
import { LvsEngine } from '../../../src/lvs/engine.js';
import type { LvsAction } from '../../../src/lvs/policy.js';
import { httpResponse, rawHttpServer, tcpServer, type Running } from '../check/servers.js';
import { until } from '../support/until.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dests = (rows: TableRow[]) => rows.flatMap((r) => r.dests.map((d) => `${d.addr}:${d.port}/${d.weight}`)).sort();

describe('LvsEngine on loopback', () => {
  it('removes a stopped server, quiesces with inhibit, falls back to the sorry server and back', async () => {
    const servers: Array<Running | undefined> = [];
    // one free port for all, the config names it
    const s0 = await tcpServer(() => {}, '127.0.1.1');
    const port = s0.port;
    await s0.close();
    const listenAt = async (i: number) => {
      const net = await import('node:net');
      const srv = net.createServer((c) => c.on('error', () => {}));
      await new Promise<void>((r) => srv.listen(port, `127.0.1.${i + 1}`, r));
      servers[i] = { port, close: () => new Promise<void>((r) => srv.close(() => r())) };
    };
    for (const i of [0, 1, 2]) await listenAt(i);
    const conf = join(dir, 'tcp.conf');
    writeFileSync(conf, `virtual_server 10.1.0.1 ${port} {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  delay_loop 0.1
  sorry_server 127.0.9.9 ${port}
  real_server 127.0.1.1 ${port} {
    TCP_CHECK {
      connect_timeout 0.2
      retry 0
    }
  }
  real_server 127.0.1.2 ${port} {
    inhibit_on_failure
    weight 5
    TCP_CHECK {
      connect_timeout 0.2
      retry 0
    }
  }
  real_server 127.0.1.3 ${port} {
    TCP_CHECK {
      connect_timeout 0.2
      retry 0
    }
  }
}
`);
    const { model, ok, diagnostics } = loadConfig(conf);
    expect(ok, JSON.stringify(diagnostics)).toBe(true);
    let last: TableRow[] = [];
    const actions: LvsAction[] = [];
    const engine = new LvsEngine({ model, apply: (rows) => void (last = rows), onAction: (a) => actions.push(a) });
    try {
      await engine.start();
      const a = `127.0.1.1:${port}/1`;
      const b = `127.0.1.2:${port}/5`;
      const c = `127.0.1.3:${port}/1`;
      expect(dests(last)).toEqual([a, b, c]);
      await servers[0]!.close();
      const t = await until(() => !dests(last).includes(a), 2000);
      // delay_loop 0.1 s; refused is seen at once; first check after warmup (<= delay_loop)
      expect(t).toBeLessThan(400);
      await servers[1]!.close();
      await until(() => dests(last).includes(`127.0.1.2:${port}/0`), 2000);
      expect(dests(last)).toEqual([`127.0.1.2:${port}/0`, c]);
      await servers[2]!.close();
      await until(() => dests(last).includes(`127.0.9.9:${port}/1`), 2000);
      expect(dests(last)).toEqual([`127.0.1.2:${port}/0`, `127.0.9.9:${port}/1`]);
      await listenAt(2);
      await until(() => !dests(last).some((d) => d.startsWith('127.0.9.9')), 2000);
      expect(dests(last)).toEqual([`127.0.1.2:${port}/0`, c]);
      expect(actions.map((x) => x.kind)).toEqual(['rs-down', 'rs-down', 'rs-down', 'quorum-down', 'sorry-in', 'rs-up', 'quorum-up', 'sorry-out']);
    } finally {
      engine.stop();
      for (const s of servers) await s?.close().catch(() => {});
    }
  });

  it('HTTP_GET digest and MISC_CHECK misc_dynamic drive the weight', async () => {
    let body = 'good';
    const web = await rawHttpServer(() => httpResponse(200, body), '127.0.2.1');
    const codeFile = join(dir, 'code');
    writeFileSync(codeFile, '12');
    const conf = join(dir, 'http.conf');
    writeFileSync(conf, `global_defs {
  script_user root
  enable_script_security
}
virtual_server 10.1.0.2 80 {
  protocol TCP
  lvs_sched wlc
  lvs_method NAT
  delay_loop 0.1
  real_server 127.0.2.1 ${web.port} {
    weight 3
    HTTP_GET {
      url {
        path /
        digest ${(await import('node:crypto')).createHash('md5').update('good').digest('hex')}
      }
      connect_timeout 0.5
      retry 0
      delay_before_retry 0.1
    }
    MISC_CHECK {
      misc_path "/bin/sh -c 'exit $(cat ${codeFile})'"
      misc_dynamic
    }
  }
}
`);
    const { model, ok, diagnostics } = loadConfig(conf);
    expect(ok, JSON.stringify(diagnostics)).toBe(true);
    let last: TableRow[] = [];
    const engine = new LvsEngine({ model, apply: (rows) => void (last = rows), onCheck: (e) => process.env.DEBUG_ENGINE && console.log(JSON.stringify(e), dests(last)) });
    try {
      await engine.start();
      await until(() => dests(last)[0] === `127.0.2.1:${web.port}/10`, 3000); // exit 12 -> weight 10
      body = 'bad';
      await until(() => dests(last).length === 0, 3000);
      body = 'good';
      writeFileSync(codeFile, '0');
      await until(() => dests(last)[0] === `127.0.2.1:${web.port}/3`, 3000);
      writeFileSync(codeFile, '1');
      await until(() => dests(last).length === 0, 3000);
    } finally {
      engine.stop();
      await web.close();
    }
  });

  it('ha_suspend: no checks run while the virtual address is absent', async () => {
    const web = await tcpServer(() => {}, '127.0.3.1');
    const conf = join(dir, 'ha.conf');
    writeFileSync(conf, `virtual_server 10.1.0.3 80 {
  protocol TCP
  lvs_sched wlc
  lvs_method NAT
  delay_loop 0.05
  ha_suspend
  real_server 127.0.3.1 ${web.port} {
    TCP_CHECK {
      connect_timeout 0.2
    }
  }
}
`);
    const { model, ok, diagnostics } = loadConfig(conf);
    expect(ok, JSON.stringify(diagnostics)).toBe(true);
    let checks = 0;
    const engine = new LvsEngine({ model, apply: () => {}, onCheck: () => void checks++ });
    try {
      await engine.start();
      await new Promise((r) => setTimeout(r, 300));
      expect(checks).toBe(0);
      engine.setAddressPresent(0, true);
      await until(() => checks >= 3, 2000);
      engine.setAddressPresent(0, false);
      await new Promise((r) => setTimeout(r, 100));
      const n = checks;
      await new Promise((r) => setTimeout(r, 300));
      expect(checks).toBe(n);
    } finally {
      engine.stop();
      await web.close();
    }
  });
});
