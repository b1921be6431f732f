// Optimised reader code survives the GC between two loads (grammar/shape-keeper.ts): the maps of a
// load's reader, include frame and open file outlive the load. Run in a child node with V8's
// natives syntax; it loads the compiled tree (dist/), as the daemon does.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIST = join(process.cwd(), 'dist');

function config(): string {
  const p = ['global_defs {\n  router_id t\n}\n'];
  for (let v = 0; v < 20; v++) {
    p.push(`virtual_server 10.97.0.${v} 80 {\n  delay_loop 60\n  lb_algo wlc\n  lb_kind NAT\n  protocol TCP\n`);
    for (let r = 0; r < 50; r++) p.push(`  real_server 127.1.${v}.${r} 8080 {\n    weight 1\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`);
    p.push('}\n');
  }
  return p.join('');
}

// (status bit 16: the function has optimised code; see V8's OptimizationStatus)
const PROBE = `
const { loadConfig } = await import(${JSON.stringify(join(DIST, 'src/config/load.js'))});
const { ConfigReader } = await import(${JSON.stringify(join(DIST, 'grammar/reader.js'))});
const names = ['currentFile', 'nextSourceLine', 'next'];
const fns = names.map((n) => ConfigReader.prototype[n]);
const optimised = () => Object.fromEntries(names.map((n, i) => [n, (%GetOptimizationStatus(fns[i]) & 16) !== 0]));
// loads that keep nothing (only whether each was ok), then a pause: V8's compiles run beside
let ok = true;
for (let i = 0; i < 6; i++) ok = loadConfig(process.argv[1], { keepBlocks: true }).ok && ok;
await new Promise((r) => setTimeout(r, 500));
const before = optimised();
for (let i = 0; i < 3; i++) gc();
process.stdout.write(JSON.stringify({ before, after: optimised(), ok }));
`;

describe('shape keeper', () => {
  it('the reader\'s optimised code is still there after the GCs that follow a load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-shapes-'));
    try {
      const f = join(dir, 'keepalived.conf');
      writeFileSync(f, config());
      const out = execFileSync(process.execPath, ['--expose-gc', '--allow-natives-syntax', '--input-type=module', '-e', PROBE, f], { encoding: 'utf8', timeout: 60_000 });
      const r = JSON.parse(out) as { before: Record<string, boolean>; after: Record<string, boolean>; ok: boolean };
      expect(r.ok).toBe(true);
      expect(r.before).toEqual({ currentFile: true, nextSourceLine: true, next: true });
      // what was optimised before the GCs still is
      expect(r.after).toEqual(r.before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
