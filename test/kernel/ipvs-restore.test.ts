// `lvsd ipvs restore` and the reconciler against the real kernel.
import { describe, expect, it } from 'vitest';
import { withIpvs } from './ipvs/env.js';
import { MIXED_TABLE } from './ipvs/tables.js';
import { makeDest, makeService, serviceKey } from '../../src/ipvs/model.js';

const SAVED = MIXED_TABLE;

describe('lvsd ipvs restore', { timeout: 180_000 }, () => {
  it('restores ipvsadm -S output; ipvsadm -S then prints the same text', async () => {
    await withIpvs(async (env) => {
      // The agent reads the file path from the shared scratch dir; pass text through a file.
      const { writeFileSync, mkdtempSync } = await import('node:fs');
      const { join } = await import('node:path');
      const dir = mkdtempSync(join(process.env.LVSD_VM_SHARE ?? '/tmp', 'restore-'));
      const f = join(dir, 'rules');
      writeFileSync(f, SAVED);
      expect(await env.lvsd.cli('restore', f)).toEqual({ status: 0, stdout: '' });
      expect(env.ipvsadm('-S', '-n')).toBe(SAVED);
      // and ipvsadm -R of the same text gives the same table as lvsd's restore
      env.ipvsadm('-C');
      env.ns.exec('ipvsadm', ['-R'], { input: SAVED });
      expect((await env.lvsd.cli('save')).stdout).toBe(SAVED);
    });
  });

  it('a bad line applies nothing and names the line', async () => {
    await withIpvs(async (env) => {
      const { writeFileSync, mkdtempSync } = await import('node:fs');
      const { join } = await import('node:path');
      const dir = mkdtempSync(join(process.env.LVSD_VM_SHARE ?? '/tmp', 'restore-'));
      const f = join(dir, 'rules');
      writeFileSync(f, '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.1.1.1 -w 99999\n');
      expect((await env.lvsd.cli('restore', f)).status).toBe(1);
      expect(env.ipvsadm('-S', '-n')).toBe('');
      // a kernel error stops at its line
      writeFileSync(f, '-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.2:80 -s rr\n');
      expect((await env.lvsd.cli('restore', f)).status).toBe(1);
      expect(env.ipvsadm('-S', '-n')).toBe('-A -t 10.0.0.1:80 -s rr\n');
      // destination lines go together (one batch): a failure among them stops before the next group
      env.ipvsadm('-a', '-t', '10.0.0.1:80', '-r', '10.1.1.2:80', '-m');
      writeFileSync(f, ['-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m', '-a -t 10.0.0.1:80 -r 10.1.1.2:80 -m -w 3',
        '-a -t 10.0.0.1:80 -r 10.1.1.3:80 -m', '-A -t 10.0.0.6:80 -s rr', ''].join('\n'));
      expect((await env.lvsd.cli('restore', f)).status).toBe(1);
      expect(env.ipvsadm('-S', '-n').trim().split('\n').sort()).toEqual(['-A -t 10.0.0.1:80 -s rr',
        '-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m -w 1', '-a -t 10.0.0.1:80 -r 10.1.1.2:80 -m -w 1', '-a -t 10.0.0.1:80 -r 10.1.1.3:80 -m -w 1']);
    });
  });
});

describe('reconcile against the kernel', { timeout: 180_000 }, () => {
  it('applies a desired table, leaves foreign services untouched, confirms by re-reading', async () => {
    await withIpvs(async (env) => {
      env.ipvsadm('-A', '-t', '10.9.9.9:22', '-s', 'rr');
      env.ipvsadm('-a', '-t', '10.9.9.9:22', '-r', '10.8.8.8', '-m', '-w', '4');
      env.ipvsadm('-A', '-f', '77', '-s', 'wlc');
      const foreignBefore = env.ipvsadm('-S', '-n');

      const web = makeService({ addr: '10.0.0.1', port: 80, sched: 'wrr' });
      const dns = makeService({ protocol: 17, addr: '10.0.0.1', port: 53, sched: 'rr' });
      const d = (n: number, weight = 1) => makeDest({ addr: `192.168.1.${n}`, port: 80, fwd: 'masq', weight });
      const owned = [serviceKey(web), serviceKey(dns)];

      let r = await env.lvsd.call<{ ops: unknown[]; confirmed: boolean; failures: unknown[]; logs: Array<{ obj: { event: string } }> }>(
        'applyDesired', [{ service: web, dests: [d(1), d(2)] }, { service: dns, dests: [makeDest({ addr: '192.168.1.5', port: 53, fwd: 'route' })] }], owned);
      expect(r).toMatchObject({ confirmed: true, failures: [] });
      expect(r.ops).toHaveLength(5);
      expect(r.logs.at(-1)!.obj.event).toBe('ipvs.apply');

      // weight change: one edit; dns removed from the config: deleted; foreign ones untouched
      r = await env.lvsd.call('applyDesired', [{ service: web, dests: [d(1, 5), d(2)] }], owned);
      expect(r).toMatchObject({ confirmed: true, ops: [
        { op: 'editDest', dest: { addr: '192.168.1.1', weight: 5 } },
        { op: 'deleteService', service: { port: 53 } },
      ] });
      const after = env.ipvsadm('-S', '-n');
      for (const line of foreignBefore.trim().split('\n')) expect(after).toContain(line);
      expect(after).toContain('-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 5');
      expect(after).not.toContain(':53');

      // nothing to do the second time
      r = await env.lvsd.call('applyDesired', [{ service: web, dests: [d(1, 5), d(2)] }], owned);
      expect(r).toMatchObject({ confirmed: true, ops: [] });
    });
  });
});

describe('pipelined requests (several per datagram, the default)', { timeout: 180_000 }, () => {
  it('applies a table, attributes each failure to its own request, and matches ipvsadm', async () => {
    await withIpvs(async (env) => {
      const web = makeService({ addr: '10.0.0.1', port: 80, sched: 'wrr' });
      const dests = Array.from({ length: 300 }, (_, i) => makeDest({ addr: `172.16.${i >> 7}.${(i & 127) + 1}`, port: 80, fwd: 'masq', weight: 1 + (i % 7) }));
      // one destination already exists: its add fails with EEXIST, the others still apply
      env.ipvsadm('-A', '-t', '10.0.0.1:80', '-s', 'wrr');
      env.ipvsadm('-a', '-t', '10.0.0.1:80', '-r', '172.16.0.50:80', '-m', '-w', '9');
      const r = await env.lvsd.call<{ ops: Array<{ op: string }>; failures: Array<{ op: { dest: { addr: string } }; error: string }>; confirmed: boolean }>(
        'applyDesired', [{ service: web, dests }], [], );
      expect(r.failures).toEqual([]);
      expect(r.confirmed).toBe(true);
      expect(r.ops.filter((o) => o.op === 'addDest')).toHaveLength(299);
      expect(r.ops.filter((o) => o.op === 'editDest')).toHaveLength(1);
      const errs = await Promise.allSettled([
        env.lvsd.call('addDest', web, dests[10]),
        env.lvsd.call('addDest', web, makeDest({ addr: '172.16.9.9', port: 80, fwd: 'masq' })),
        env.lvsd.call('deleteDest', web, makeDest({ addr: '172.16.9.10', port: 80 })),
      ]);
      expect(errs.map((e) => (e.status === 'rejected' ? (e.reason as { code: string }).code : 'ok'))).toEqual(['EEXIST', 'ok', 'ENOENT']);
      expect((await env.lvsd.cli('list', '-n')).stdout).toBe(env.ipvsadm('-L', '-n'));
      expect(env.ipvsadm('-S', '-n').split('\n').filter((l) => l.startsWith('-a'))).toHaveLength(301);
    }, { pipeline: 16 });
  });
});
