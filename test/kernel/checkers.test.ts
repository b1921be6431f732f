// Kernel proof of the checkers and the virtual-server policy: a virtual server with three
// real servers (node processes in their own namespaces) behind a NAT director whose IPVS
// table lvsd's checkers drive. Stopping and starting the servers must show in `ipvsadm -L -n`
// and in where client connections land; with every server down the sorry server serves.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { createNetns, type Netns } from './vm/netns.js';
import { echoClient, echoServer, link, sysctl, type LineProc } from './ipvs/topology.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function scratch(): string {
  const base = process.env.LVSD_VM_SHARE ?? join(here, '../../.cache');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, 'checkers-'));
}

async function bundleDriver(dir: string): Promise<string> {
  const out = join(dir, 'driver.mjs');
  await build({
    entryPoints: [join(here, 'checkers-driver.ts')],
    bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'error',
    plugins: [{
      name: 'abs-externals',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('node:') ? { path: a.path, external: true } : { path: require.resolve(a.path), external: true }));
      },
    }],
  });
  return out;
}

class Driver {
  readonly lines: Array<Record<string, unknown>> = [];
  private err = '';
  exit: number | string | null = null;
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (l) => {
      try {
        this.lines.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        this.lines.push({ raw: l });
      }
    });
    child.stderr.on('data', (d: Buffer) => { this.err += d.toString(); });
    child.on('exit', (code, sig) => { this.exit = code ?? sig; });
  }
  get stderr(): string {
    return `exit=${String(this.exit)} ${this.err}`;
  }
  stop(): void {
    this.child.stdin.end();
    setTimeout(() => { if (this.child.exitCode === null) this.child.kill('SIGKILL'); }, 2000).unref();
  }
}

async function until(what: string, cond: () => boolean, ms: number, info: () => string): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms\n${info()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}

/** Real-server lines of `ipvsadm -L -n` as "addr:port Fwd weight". */
function destLines(out: string): string[] {
  return out.split('\n').filter((l) => l.trim().startsWith('->') && !l.includes('RemoteAddress')).map((l) => {
    const f = l.trim().split(/\s+/);
    return `${f[1]} ${f[2]} ${f[3]}`;
  }).sort();
}

describe('checkers drive the kernel IPVS table', () => {
  it('stop one -> out (inhibit: weight 0); all down -> sorry in; one back -> sorry out', async () => {
    const nss: Netns[] = [];
    const servers = new Map<string, LineProc>();
    let driver: Driver | undefined;
    const clients: LineProc[] = [];
    try {
      const director = createNetns('ckdir');
      const client = createNetns('ckcli');
      nss.push(director, client);
      const [d0] = link(director, '10.0.1.1/24', client, '10.0.1.2/24');
      director.exec('ip', ['addr', 'add', '10.0.1.100/32', 'dev', d0]);
      sysctl(director, 'net.ipv4.ip_forward', '1');
      const reals: Netns[] = [];
      for (let i = 1; i <= 4; i++) {
        const r = createNetns(`ckrs${i}`);
        nss.push(r);
        reals.push(r);
        link(director, `10.0.${10 + i}.1/24`, r, `10.0.${10 + i}.2/24`);
        r.exec('ip', ['route', 'add', 'default', 'via', `10.0.${10 + i}.1`]);
      }
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

      const dir = scratch();
      const conf = join(dir, 'keepalived.conf');
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
      const file = await bundleDriver(dir);
      driver = new Driver(spawn('ip', ['netns', 'exec', director.name, process.execPath, file, conf], { stdio: ['pipe', 'pipe', 'pipe'] }));
      const d = driver;
      const ipvs = () => director.exec('ipvsadm', ['-L', '-n']);
      const info = () => `ipvsadm:\n${ipvs()}\ndriver: ${JSON.stringify(d.lines)}\n${d.stderr}`;
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

      const actions = d.lines.filter((l) => l.action).map((l) => `${String(l.action)}${l.rs ? ` ${String(l.rs)}` : ''}`);
      expect(actions.slice(0, 3)).toEqual(['rs-down 10.0.11.2:8080', 'rs-up 10.0.11.2:8080', 'rs-down 10.0.12.2:8080']);
      expect(actions.slice(3, 5).sort()).toEqual(['rs-down 10.0.11.2:8080', 'rs-down 10.0.13.2:8080']);
      expect(actions.slice(5)).toEqual(['quorum-down', 'sorry-in', 'rs-up 10.0.13.2:8080', 'quorum-up', 'sorry-out']);
      expect(d.lines.filter((l) => l.apply !== undefined).every((l) => l.confirmed === true)).toBe(true);
    } finally {
      for (const c of clients) c.stop();
      driver?.stop();
      for (const s of servers.values()) s.stop();
      await new Promise((r) => setTimeout(r, 200));
      for (const ns of nss.reverse()) {
        try {
          ns.destroy();
        } catch {
          // already gone
        }
      }
    }
  }, 300_000);
});
