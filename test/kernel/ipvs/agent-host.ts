// Test side of the agent: bundles agent.ts once (esbuild, node_modules left external by
// absolute path) and starts one agent per namespace.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { NetlinkIpvsOptions } from '../../../src/ipvs/client.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
const require = createRequire(import.meta.url);
let bundled: Promise<string> | undefined;

/** Writable scratch dir: the VM share when present (the repo is read-only in the guest). */
function scratch(): string {
  const base = process.env.LVSD_VM_SHARE ?? join(repo, '.cache');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, 'ipvs-agent-'));
}

export function agentBundle(): Promise<string> {
  bundled ??= (async () => {
    const out = join(scratch(), 'agent.mjs');
    await build({
      entryPoints: [join(here, 'agent.ts')],
      bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'error',
      plugins: [{
        name: 'abs-externals',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (a) => {
            if (a.path.startsWith('node:')) return { path: a.path, external: true };
            return { path: require.resolve(a.path), external: true };
          });
        },
      }],
    });
    return out;
  })();
  return bundled;
}

export interface AgentError { message: string; errno?: number; code?: string }

export class Agent {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error & Partial<AgentError>) => void }>();
  private stderr = '';
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = JSON.parse(line) as { id: number; result?: unknown; error?: AgentError };
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error) w.reject(Object.assign(new Error(m.error.message), m.error));
      else w.resolve(m.result);
    });
    child.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`agent exited ${code}: ${this.stderr}`));
      this.waiting.clear();
    });
  }

  /** `client`: NetlinkIpvs options for the agent's client (its defaults when not given). */
  static async start(netns: string, client: NetlinkIpvsOptions = {}): Promise<Agent> {
    const file = await agentBundle();
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, file], {
      stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LVSD_IPVS_CLIENT: JSON.stringify(client) },
    });
    return new Agent(child);
  }

  call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`agent ${method} timed out; stderr: ${this.stderr}`));
      }, 120_000);
      this.waiting.set(id, {
        resolve: (v) => { clearTimeout(timer); resolve(v as T); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.child.stdin.write(`${JSON.stringify({ id, method, args })}\n`);
    });
  }

  async cli(...argv: string[]): Promise<{ status: number; stdout: string }> {
    return this.call('cli', argv);
  }

  stop(): void {
    this.child.stdin.end();
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}
