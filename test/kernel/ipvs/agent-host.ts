// Test side of the agent: bundles agent.ts once and starts one agent per namespace.
// bundleForGuest serves every script a kernel test runs inside the VM (the checkers driver too).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { NetlinkIpvsOptions } from '../../../src/ipvs/client.js';
import { scratch } from '../daemon-lab.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
let bundled: Promise<string> | undefined;

/**
 * `entry` bundled (esbuild, ESM) into a fresh scratch folder named after `prefix`; node_modules
 * stay external, by absolute path, so the bundle runs from anywhere. Returns its path.
 */
export async function bundleForGuest(entry: string, prefix: string): Promise<string> {
  const out = join(scratch(prefix), `${prefix}.mjs`);
  await build({
    entryPoints: [entry],
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
}

export function agentBundle(): Promise<string> {
  bundled ??= bundleForGuest(join(here, 'agent.ts'), 'ipvs-agent');
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
