// The shipped `lvsd` bin (scripts/bundle.mjs: the CommonJS launcher, the `lvsd ipvs` bundle
// and its code cache) against ipvsadm on the same kernel table: what users run, not the
// library in-process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireVm, withNetns, type Netns } from './vm/netns.js';
import { MIXED_TABLE } from './ipvs/tables.js';

let dir = '';
let bin = '';

beforeAll(() => {
  requireVm();
  // under the repository, so the bundle finds node_modules as dist/bundle does
  dir = mkdtempSync(join(process.env.LVSD_VM_SHARE ?? join(process.cwd(), '.cache'), 'bin-'));
  execFileSync(process.execPath, ['scripts/bundle.mjs', `--outdir=${join(dir, 'bundle')}`], { stdio: 'pipe', timeout: 170_000 });
  bin = join(dir, 'bundle', 'lvsd.cjs');
  // without the ES module bundle, every `lvsd ipvs` run below must come from the ipvs bundle
  rmSync(join(dir, 'bundle', 'main.js'));
}, 180_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const lvsd = (ns: Netns, ...args: string[]) => ns.run(process.execPath, [bin, 'ipvs', ...args]);

/** 2,000 destinations over 20 services, added in ascending order (the kernel lists them newest first). */
function largeTable(): string {
  const rules: string[] = [];
  for (let s = 0; s < 20; s++) {
    rules.push(`-A -t 10.9.${s}.1:80 -s wrr`);
    for (let d = 0; d < 100; d++) rules.push(`-a -t 10.9.${s}.1:80 -r 172.16.${s}.${d + 1}:8080 -m -w ${1 + (d % 5)}`);
  }
  return rules.join('\n') + '\n';
}

describe('the lvsd bin: `lvsd ipvs`', { timeout: 180_000 }, () => {
  it('list and save print what ipvsadm prints (every service kind and method; 2,000 destinations)', async () => {
    await withNetns('ipvsbin', (ns) => {
      ns.exec('ipvsadm', ['-R'], { input: MIXED_TABLE });
      for (const table of ['mixed', 'large']) {
        if (table === 'large') ns.exec('ipvsadm', ['-R'], { input: largeTable() });
        for (const [mine, theirs] of [[['list', '-n'], ['-L', '-n']], [['list', '-n', '--stats'], ['-L', '-n', '--stats']], [['save', '-n'], ['-S', '-n']]]) {
          const r = lvsd(ns, ...mine);
          expect({ table, mine, status: r.status, stderr: r.stderr }).toEqual({ table, mine, status: 0, stderr: '' });
          expect(r.stdout).toBe(ns.exec('ipvsadm', theirs));
        }
      }
      expect(lvsd(ns, 'list', '-n').stdout.split('\n').length).toBeGreaterThan(2000);
    });
  });

  it('restore reads ipvsadm -S text; errors exit 1 and name the line', async () => {
    await withNetns('ipvsbin', (ns) => {
      const f = join(dir, 'rules');
      writeFileSync(f, MIXED_TABLE);
      expect(lvsd(ns, 'restore', f)).toMatchObject({ status: 0, stdout: '' });
      expect(ns.exec('ipvsadm', ['-S', '-n'])).toBe(MIXED_TABLE);
      writeFileSync(f, '-A -t 10.0.0.1:80 -s rr\n');
      const r = lvsd(ns, 'restore', f);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/line 1/);
      expect(lvsd(ns, 'bogus').status).toBe(2);
    });
  });
});
