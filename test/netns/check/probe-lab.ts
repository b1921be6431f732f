// What the netns checker suites share: two namespaces joined by a veth (ck0 in the checker's,
// sv0 in the server's), node scripts started in the server namespace, and the line-protocol
// client of probe-driver.ts running in the checker namespace. close() kills what it started
// and removes the namespaces; suites call it in afterAll, so a failed start is cleaned too.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { findProbeAddon } from '../../../src/check/native/connect-engine.js';

const here = dirname(fileURLToPath(import.meta.url));

export function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout || String(r.error)}`);
  return r.stdout;
}

/** A probe target (ConnectTarget): the family follows the address; timeout in µs. */
export const target = (addr: string, port: number, timeoutUs = 1_000_000, extra: Record<string, unknown> = {}) => ({
  addr, family: addr.includes(':') ? 6 : 4, port, timeoutUs, ...extra,
});

/** One JSON request line to the probe driver, one JSON reply line back. */
export class ProbeDriver {
  private waiters: Array<(v: Record<string, unknown>) => void> = [];
  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (l) => this.waiters.shift()?.(JSON.parse(l) as Record<string, unknown>));
  }
  run(req: unknown): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('probe driver timed out')), 20_000);
      this.waiters.push((v) => {
        clearTimeout(t);
        resolve(v);
      });
      this.child.stdin.write(`${JSON.stringify(req)}\n`);
    });
  }
}

export interface ProbeLabSpec {
  /** namespaces `<prefix>-c<pid>` (checker) and `<prefix>-s<pid>` (servers) */
  prefix: string;
  /** addresses with prefix length on ck0 and on sv0; IPv6 ones are added without DAD */
  chk: string[];
  srv: string[];
  /** no kernel-made link-local addresses (the spec gives its own) */
  ownLinkLocal?: boolean;
  /** start probe-driver.ts in the checker namespace (default true) */
  driver?: boolean;
}

export class ProbeLab {
  readonly chk: string;
  readonly srv: string;
  private readonly procs: ChildProcessWithoutNullStreams[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'lvsd-probe-lab-'));
  private probeDriver: ProbeDriver | undefined;

  constructor(private readonly spec: ProbeLabSpec) {
    const id = process.pid % 100000;
    this.chk = `${spec.prefix}-c${id}`;
    this.srv = `${spec.prefix}-s${id}`;
  }

  get driver(): ProbeDriver {
    if (!this.probeDriver) throw new Error('probe lab started without its driver');
    return this.probeDriver;
  }

  async start(): Promise<void> {
    if (process.getuid?.() !== 0) throw new Error('netns checker tests need root');
    this.removeNamespaces();
    sh('ip', ['netns', 'add', this.chk]);
    sh('ip', ['netns', 'add', this.srv]);
    sh('ip', ['link', 'add', 'ck0', 'netns', this.chk, 'type', 'veth', 'peer', 'name', 'sv0', 'netns', this.srv]);
    for (const [ns, ifn, addrs] of [[this.chk, 'ck0', this.spec.chk], [this.srv, 'sv0', this.spec.srv]] as const) {
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      if (this.spec.ownLinkLocal) sh('ip', ['-n', ns, 'link', 'set', ifn, 'addrgenmode', 'none']);
      for (const a of addrs) sh('ip', ['-n', ns, 'addr', 'add', a, 'dev', ifn, ...(a.includes(':') ? ['nodad'] : [])]);
      sh('ip', ['-n', ns, 'link', 'set', ifn, 'up']);
    }
    // fixed neighbours: a downed peer must drop packets silently, not fail ARP/ND quickly
    const mac = sh('ip', ['-n', this.srv, '-br', 'link', 'show', 'sv0']).trim().split(/\s+/)[2];
    for (const a of this.spec.srv) {
      sh('ip', ['-n', this.chk, 'neigh', 'replace', a.split('/')[0], 'lladdr', mac, 'dev', 'ck0', 'nud', 'permanent']);
    }
    if (this.spec.driver === false) return;
    const out = join(this.dir, 'probe-driver.mjs');
    await build({ entryPoints: [join(here, 'probe-driver.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'error' });
    // the bundle lives outside the tree: raw-socket (a native module) is found through NODE_PATH
    // the bundle sits in a temporary folder: the addons are found through their variables
    const env = { ...process.env, NODE_PATH: join(here, '../../../node_modules'), LVSD_PROBE_ADDON: findProbeAddon(here) };
    this.probeDriver = new ProbeDriver(this.track(spawn('ip', ['netns', 'exec', this.chk, process.execPath, out], { stdio: ['pipe', 'pipe', 'pipe'], env })));
  }

  /** A node script in the server namespace; resolves once it prints its first line. */
  serverProc(script: string): Promise<ChildProcessWithoutNullStreams> {
    const p = this.track(spawn('ip', ['netns', 'exec', this.srv, process.execPath, '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] }));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('server did not start')), 10_000);
      p.stdout.once('data', () => {
        clearTimeout(t);
        resolve(p);
      });
    });
  }

  run(req: unknown): Promise<Record<string, unknown>> {
    return this.driver.run(req);
  }

  /** Runs `fn` while sv0 is down (the peer drops everything), and sets it up again after. */
  async whilePeerDown(fn: () => Promise<void>): Promise<void> {
    sh('ip', ['-n', this.srv, 'link', 'set', 'sv0', 'down']);
    try {
      await fn();
    } finally {
      sh('ip', ['-n', this.srv, 'link', 'set', 'sv0', 'up']);
    }
  }

  /** Whether `req` succeeds again within 40 tries 100 ms apart (the carrier takes a moment). */
  async okAgain(req: unknown): Promise<boolean> {
    for (let i = 0; i < 40; i++) {
      if ((await this.run(req)).ok === true) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  close(): void {
    for (const p of this.procs) if (p.exitCode === null) p.kill('SIGKILL');
    this.removeNamespaces();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private track(p: ChildProcessWithoutNullStreams): ChildProcessWithoutNullStreams {
    this.procs.push(p);
    return p;
  }

  private removeNamespaces(): void {
    spawnSync('ip', ['netns', 'del', this.chk]);
    spawnSync('ip', ['netns', 'del', this.srv]);
  }
}
