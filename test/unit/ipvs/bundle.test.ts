// The `lvsd ipvs` bundle (scripts/bundle.mjs) loads netlink's native binding from the path
// node-gyp-build resolved at build time, and asks node-gyp-build when something steers it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvsd-ipvs-bundle-'));
  const b = spawnSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs'), `--outdir=${join(dir, 'bundle')}`], { encoding: 'utf8', timeout: 90_000 });
  if (b.status !== 0) throw new Error(`bundle.mjs failed: ${b.stderr}`);
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Modules `lvsd ipvs help` loads (NODE_DEBUG=module), and its exit status. */
function loads(env: Record<string, string> = {}): { status: number | null; log: string } {
  const r = spawnSync(process.execPath, [join(dir, 'bundle', 'lvsd.cjs'), 'ipvs', 'help'], {
    encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NODE_DEBUG: 'module', ...env }, timeout: 30_000,
  });
  return { status: r.status, log: r.stderr };
}

describe('the lvsd ipvs bundle', () => {
  it('loads the binding directly, without node-gyp-build or netlink/dist/raw.js from node_modules', () => {
    const { status, log } = loads();
    expect(status).toBe(0);
    expect(log).toMatch(/Module\._load REQUEST \S+\/netlink\/\S+\.node /);
    expect(log).not.toMatch(/node-gyp-build/);
    expect(log).not.toMatch(/Module\._load REQUEST netlink\/dist\/raw\.js/);
  });
  it('leaves the choice to node-gyp-build when its environment steers it', () => {
    const { status, log } = loads({ PREBUILDS_ONLY: '1' });
    expect(status).toBe(0);
    expect(log).toMatch(/Module\._load REQUEST node-gyp-build /);
    expect(log).toMatch(/Module\._load REQUEST \S+\/netlink\/\S+\.node /);
  });
});
