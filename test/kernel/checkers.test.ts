// Kernel proof of the checkers and the virtual-server policy: a virtual server with three
// real servers (node processes in their own namespaces) behind a NAT director whose IPVS
// table lvsd's checkers drive. Stopping and starting the servers must show in `ipvsadm -L -n`
// and in where client connections land; with every server down the sorry server serves.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closeLab, destLines, JsonLines, natLab, scratch, until, type NatLab } from './daemon-lab.js';
import { bundleForGuest } from './ipvs/agent-host.js';
import { echoClient, echoServer, type LineProc } from './ipvs/topology.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The driver's output lines (JSON on stdout); stdin's end stops it. */
class Driver extends JsonLines {
  get lines(): Array<Record<string, unknown>> {
    return this.recs;
  }
  stop(): void {
    this.child.stdin.end();
    setTimeout(() => { if (this.child.exitCode === null) this.child.kill('SIGKILL'); }, 2000).unref();
  }
}

describe('checkers drive the kernel IPVS table', () => {
  it('stop one -> out (inhibit: weight 0); all down -> sorry in; one back -> sorry out; the quiesced one back at its weight', async () => {
    let lab: NatLab | undefined;
    const servers = new Map<string, LineProc>();
    let driver: Driver | undefined;
    const clients: LineProc[] = [];
    try {
      lab = natLab('ck', 4);
      const { director, client, reals } = lab;
      director.exec('ip', ['addr', 'add', '10.0.1.100/32', 'dev', lab.clientIf]);
      const names = ['rs1', 'rs2', 'rs3', 'sorry'];
      const startServer = async (i: number): Promise<void> => {
        const p = echoServer(reals[i], names[i], 8080);
        expect(await p.next()).toBe('ready');
        servers.set(names[i], p);
      };
      const stopServer = (i: number): void => {
        servers.get(names[i])?.stop();
        servers.delete(names[i]);
      };
      for (let i = 0; i < 4; i++) await startServer(i);

      const conf = join(scratch('checkers'), 'keepalived.conf');
      const check = `    TCP_CHECK {
      connect_timeout 1
      retry 0
    }`;
      writeFileSync(conf, `virtual_server 10.0.1.100 80 {
  lvs_sched rr
  lvs_method NAT
  protocol TCP
  delay_loop 0.5
  sorry_server 10.0.14.2 8080
  real_server 10.0.11.2 8080 {
${check}
  }
  real_server 10.0.12.2 8080 {
    inhibit_on_failure
    weight 2
${check}
  }
  real_server 10.0.13.2 8080 {
${check}
  }
}
`);
      const file = await bundleForGuest(join(here, 'checkers-driver.ts'), 'checkers-driver');
      driver = new Driver(spawn('ip', ['netns', 'exec', director.name, process.execPath, file, conf], { stdio: ['pipe', 'pipe', 'pipe'] }), 'stdout');
      const d = driver;
      const ipvs = () => director.exec('ipvsadm', ['-L', '-n']);
      const info = () => `ipvsadm:\n${ipvs()}\ndriver: ${JSON.stringify(d.lines)}\n${d.log}`;
      const expectTable = async (what: string, want: string[], ms = 4000) => {
        const t = await until(what, () => JSON.stringify(destLines(ipvs())) === JSON.stringify(want), ms, info);
        expect(destLines(ipvs())).toEqual(want);
        return t;
      };
      /** Where fresh client connections land. */
      const landings = async (n: number): Promise<string[]> => {
        const out: string[] = [];
        for (let i = 0; i < n; i++) {
          const c = echoClient(client, '10.0.1.100', 80);
          clients.push(c);
          expect(await c.next()).toBe('connected');
          c.send('x');
          out.push((await c.next()).split(':')[0]);
          c.stop();
        }
        return out;
      };

      const all = ['10.0.11.2:8080 Masq 1', '10.0.12.2:8080 Masq 2', '10.0.13.2:8080 Masq 1'];
      await expectTable('start: three real servers', all, 30_000);
      expect(new Set(await landings(4))).toEqual(new Set(['rs1', 'rs2', 'rs3']));

      stopServer(0);
      const tOut = await expectTable('rs1 stopped -> removed', ['10.0.12.2:8080 Masq 2', '10.0.13.2:8080 Masq 1']);
      expect(tOut).toBeLessThan(500 + 1000 + 1500); // delay_loop + connect_timeout + slack of a TCG VM
      expect((await landings(3)).includes('rs1')).toBe(false);

      await startServer(0);
      await expectTable('rs1 back', all);

      stopServer(1);
      await expectTable('rs2 stopped -> quiesced (inhibit_on_failure)', ['10.0.11.2:8080 Masq 1', '10.0.12.2:8080 Masq 0', '10.0.13.2:8080 Masq 1']);
      expect((await landings(3)).includes('rs2')).toBe(false);

      stopServer(0);
      stopServer(2);
      await expectTable('all down -> sorry server in', ['10.0.12.2:8080 Masq 0', '10.0.14.2:8080 Masq 1']);
      expect(await landings(2)).toEqual(['sorry', 'sorry']);

      await startServer(2);
      await expectTable('rs3 back -> sorry out', ['10.0.12.2:8080 Masq 0', '10.0.13.2:8080 Masq 1']);
      expect(await landings(2)).toEqual(['rs3', 'rs3']);

      // the quiesced server comes back at its configured weight, and takes connections again
      await startServer(1);
      await expectTable('rs2 back -> weight 2 again', ['10.0.12.2:8080 Masq 2', '10.0.13.2:8080 Masq 1']);
      expect(new Set(await landings(3))).toEqual(new Set(['rs2', 'rs3']));

      const actions = d.lines.filter((l) => l.action).map((l) => `${String(l.action)}${l.rs ? ` ${String(l.rs)}` : ''}`);
      expect(actions.slice(0, 3)).toEqual(['rs-down 10.0.11.2:8080', 'rs-up 10.0.11.2:8080', 'rs-down 10.0.12.2:8080']);
      expect(actions.slice(3, 5).sort()).toEqual(['rs-down 10.0.11.2:8080', 'rs-down 10.0.13.2:8080']);
      expect(actions.slice(5)).toEqual(['quorum-down', 'sorry-in', 'rs-up 10.0.13.2:8080', 'quorum-up', 'sorry-out', 'rs-up 10.0.12.2:8080']);
      expect(d.lines.filter((l) => l.apply !== undefined).every((l) => l.confirmed === true)).toBe(true);
    } finally {
      await closeLab(lab, [...clients.map((c) => () => c.stop()), () => driver?.stop(), ...[...servers.values()].map((p) => () => p.stop())]);
    }
  }, 300_000);
});
