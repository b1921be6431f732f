// The VM set-up the daemon and checker suites share: a NAT director namespace with a client
// namespace on one side and real-server namespaces (10.0.1N.2, default route through the
// director) on the other, a writable scratch folder, JSON-lines child processes, polling,
// `ipvsadm -L -n` real-server lines, and the teardown that leaves no namespace behind.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createNetns, type Netns } from './vm/netns.js';
import { link, sysctl } from './ipvs/topology.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Writable scratch dir: the VM share when present (the repository is read-only in the guest). */
export function scratch(prefix: string): string {
  const base = process.env.LVSD_VM_SHARE ?? join(repo, '.cache');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `${prefix}-`));
}

export async function until(what: string, cond: () => boolean, ms: number, info: () => string, stepMs = 50): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms\n${info()}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return Date.now() - t0;
}

/** Real-server lines of `ipvsadm -L -n` as "addr:port Fwd weight", sorted. */
export function destLines(out: string): string[] {
  return out.split('\n').filter((l) => l.trim().startsWith('->') && !l.includes('RemoteAddress')).map((l) => {
    const f = l.trim().split(/\s+/);
    return `${f[1]} ${f[2]} ${f[3]}`;
  }).sort();
}

/** A child that writes one JSON record a line on `stream`; other lines are kept as raw text. */
export class JsonLines {
  readonly recs: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  private err = '';
  exit: number | string | null = null;
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcessWithoutNullStreams, stream: 'stdout' | 'stderr') {
    createInterface({ input: child[stream] }).on('line', (l) => {
      this.raw.push(l);
      try {
        this.recs.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        // not a record (a crash trace): kept in raw
      }
    });
    if (stream === 'stdout') child.stderr.on('data', (d: Buffer) => { this.err += d.toString(); });
    this.exited = new Promise((r) => child.on('exit', (code, sig) => { this.exit = code ?? sig; r(code); }));
  }
  events(name: string, from = 0): Array<Record<string, unknown>> {
    return this.recs.slice(from).filter((r) => r.event === name);
  }
  /** the last lines and what went to stderr, for failure messages */
  get log(): string {
    return `exit=${String(this.exit)}\n${this.raw.slice(-60).join('\n')}\n${this.err}`;
  }
}

export interface NatLab {
  director: Netns;
  client: Netns;
  reals: Netns[];
  /** the director's interface towards the client (10.0.1.1/24; the client is 10.0.1.2) */
  clientIf: string;
  /** every namespace, for closeLab */
  nss: Netns[];
}

/** Director, client and `n` real servers 10.0.1I.2 (I = 1..n); namespaces named `<prefix>dir` ... */
export function natLab(prefix: string, n: number): NatLab {
  const nss: Netns[] = [];
  const lab: NatLab = { director: createNetns(`${prefix}dir`), client: createNetns(`${prefix}cli`), reals: [], clientIf: '', nss };
  nss.push(lab.director, lab.client);
  try {
    [lab.clientIf] = link(lab.director, '10.0.1.1/24', lab.client, '10.0.1.2/24');
    sysctl(lab.director, 'net.ipv4.ip_forward', '1');
    for (let i = 1; i <= n; i++) {
      const r = createNetns(`${prefix}rs${i}`);
      nss.push(r);
      lab.reals.push(r);
      link(lab.director, `10.0.${10 + i}.1/24`, r, `10.0.${10 + i}.2/24`);
      r.exec('ip', ['route', 'add', 'default', 'via', `10.0.${10 + i}.1`]);
    }
  } catch (e) {
    destroyAll(nss);
    throw e;
  }
  return lab;
}

function destroyAll(nss: Netns[]): void {
  for (const ns of [...nss].reverse()) {
    try {
      ns.destroy();
    } catch {
      // already gone
    }
  }
}

/** Stops the lab's processes (best effort), lets them exit, then removes every namespace. */
export async function closeLab(lab: NatLab | undefined, stops: Array<(() => void) | undefined>): Promise<void> {
  for (const stop of stops) {
    try {
      stop?.();
    } catch {
      // best effort
    }
  }
  await new Promise((r) => setTimeout(r, 200));
  if (lab) destroyAll(lab.nss);
}
