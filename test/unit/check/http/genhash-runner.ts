// Runs Debian's keepalived genhash and lvsd's built genhash side by side.
// lvsd's bin is compiled from src/cli/genhash.ts with the project's compiler
// settings into a temporary directory (only genhash and what it imports, so
// unrelated work in progress elsewhere cannot break this test).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../../../..');
export const KEEPALIVED_GENHASH = '/usr/bin/genhash';

export interface RunResult {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly code: number | null;
  readonly signal: string | null;
  readonly ms: number;
}

export interface BuiltGenhash {
  readonly js: string;
  cleanup(): void;
}

export function buildGenhash(): BuiltGenhash {
  const out = mkdtempSync(join(tmpdir(), 'lvsd-genhash-build-'));
  const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
  execFileSync(
    process.execPath,
    [
      tsc,
      '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
      '--strict', '--noImplicitOverride', '--noFallthroughCasesInSwitch', '--esModuleInterop',
      '--skipLibCheck', '--types', 'node', '--rootDir', REPO, '--outDir', out,
      join(REPO, 'src/cli/genhash.ts'),
    ],
    { cwd: REPO, stdio: 'pipe' },
  );
  // An ESM package marker so Node loads the output as modules, like dist/ under package.json.
  execFileSync('cp', [join(REPO, 'package.json'), join(out, 'package.json')]);
  const js = join(out, 'src/cli/genhash.js');
  if (!existsSync(js)) throw new Error(`tsc produced no ${js}`);
  if (!readFileSync(js, 'utf8').startsWith('#!/usr/bin/env node\n')) throw new Error('genhash.js lost its shebang');
  return { js, cleanup: () => rmSync(out, { recursive: true, force: true }) };
}

export interface RunOptions {
  readonly argv0?: string;
  readonly timeoutMs?: number;
  /** Send SIGTERM once this returns true (polled every 20 ms). */
  readonly termWhen?: () => boolean;
}

export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    // the build sits in a temporary folder: the connect engine's addon is found through its variable
    const env = { ...process.env, LVSD_PROBE_ADDON: join(REPO, 'build/Release/lvsd_probe.node') };
    const child = spawn(cmd, args, { argv0: opts.argv0 ?? cmd, stdio: ['ignore', 'pipe', 'pipe'], env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    const termWhen = opts.termWhen;
    const term =
      termWhen === undefined
        ? null
        : setInterval(() => {
            if (!termWhen()) return;
            child.kill('SIGTERM');
            if (term) clearInterval(term);
          }, 20);
    child.on('error', (e) => {
      clearTimeout(killer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (term) clearInterval(term);
      resolvePromise({
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        code,
        signal,
        ms: performance.now() - t0,
      });
    });
  });
}

export function runKeepalived(args: readonly string[], timeoutMs?: number, more: RunOptions = {}): Promise<RunResult> {
  return run(KEEPALIVED_GENHASH, args, { argv0: 'genhash', ...(timeoutMs ? { timeoutMs } : {}), ...more });
}

export function runLvsd(js: string, args: readonly string[], timeoutMs?: number, more: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [js, ...args], { ...(timeoutMs ? { timeoutMs } : {}), ...more });
}

/** The one thing that differs run to run: genhash -v's elapsed time. */
export function normalize(b: Buffer): string {
  return b.toString('latin1').replace(/(\nGlobal response time for \[.*\] = )\d+( usecs\n)/, '$1N$2');
}
