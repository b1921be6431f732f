// What the netns checker suites share: a command runner that fails loudly, node scripts
// started in the server namespace, and the line-protocol client of probe-driver.ts.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout || String(r.error)}`);
  return r.stdout;
}

/** A node script in namespace `ns`; resolves once it prints its first line. Pushed on `procs` for cleanup. */
export function serverProcIn(ns: string, procs: ChildProcessWithoutNullStreams[], script: string): Promise<ChildProcessWithoutNullStreams> {
  const p = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  procs.push(p);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not start')), 10_000);
    p.stdout.once('data', () => {
      clearTimeout(t);
      resolve(p);
    });
  });
}

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
