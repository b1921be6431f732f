// bench/ipvs-poll.c, the reload bench's poller (bench/daemon.sh): it signals a process and
// reports when the kernel lists a destination at a weight. Checked here against a real IPVS
// table whose weight a stand-in "daemon" (a shell that ipvsadm-edits on SIGHUP) changes.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireVm, withNetns, type Netns } from './vm/netns.js';

let dir = '';
let poller = '';

beforeAll(() => {
  requireVm();
  dir = mkdtempSync('/tmp/ipvs-poll-');
  poller = join(dir, 'ipvs-poll');
  execFileSync('cc', ['-O2', '-Wall', '-Werror', '-o', poller, 'bench/ipvs-poll.c'], { stdio: 'pipe', timeout: 120_000 });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const SVC = '10.97.0.0:80';
const RS = '127.1.0.5:8080';

/** A process in the namespace that, on SIGHUP, waits `delayS` and sets the destination's weight. */
function standIn(ns: Netns, delayS: number, weight: number): ChildProcess {
  const script = `trap 'sleep ${delayS}; ipvsadm -e -t ${SVC} -r ${RS} -m -w ${weight}; exit 0' HUP; i=0; while [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done`;
  return spawn('ip', ['netns', 'exec', ns.name, 'sh', '-c', script], { stdio: 'ignore' });
}

/** ipvs-poll's output line: [signalMs, seenMs | 'timeout', medianPollMs, polls] */
function parse(out: string): [number, number | 'timeout', number, number] {
  const [a, b, c, d] = out.trim().split(' ');
  return [Number(a), b === 'timeout' ? 'timeout' : Number(b), Number(c), Number(d)];
}

async function settle(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

describe('bench/ipvs-poll.c', { timeout: 120_000 }, () => {
  it('sees the weight the signalled process sets, after it sets it', async () => {
    await withNetns('ipvspoll', async (ns) => {
      ns.exec('ipvsadm', ['-A', '-t', SVC, '-s', 'wlc']);
      ns.exec('ipvsadm', ['-a', '-t', SVC, '-r', RS, '-m', '-w', '1']);
      const p = standIn(ns, 0.3, 7);
      try {
        await settle(300); // the trap is set
        const r = ns.run(poller, [String(p.pid), '10.97.0.0', '80', '127.1.0.5', '8080', '7', '20', '1000']);
        expect(r.stderr).toBe('');
        const [t0, seen, cost, polls] = parse(r.stdout);
        expect(seen).not.toBe('timeout');
        // the edit comes 300 ms after the signal at the earliest; seen within the bound
        expect((seen as number) - t0).toBeGreaterThanOrEqual(300);
        expect((seen as number) - t0).toBeLessThan(20_000);
        expect(cost).toBeGreaterThan(0);
        expect(polls).toBeGreaterThan(1);
        expect(ns.exec('ipvsadm', ['-L', '-n', '-t', SVC])).toMatch(/127\.1\.0\.5:8080\s+Masq\s+7\s/);
      } finally {
        p.kill('SIGKILL');
      }
    });
  });

  it('reports a timeout when the weight never comes, and copies SRC over DST before the signal', async () => {
    await withNetns('ipvspoll', async (ns) => {
      ns.exec('ipvsadm', ['-A', '-t', SVC, '-s', 'wlc']);
      ns.exec('ipvsadm', ['-a', '-t', SVC, '-r', RS, '-m', '-w', '1']);
      const src = join(dir, 'src.conf');
      const dst = join(dir, 'dst.conf');
      writeFileSync(src, 'new text\n'.repeat(20_000));
      writeFileSync(dst, 'old\n');
      const p = standIn(ns, 0, 2);
      try {
        await settle(300);
        const r = ns.run(poller, [String(p.pid), '10.97.0.0', '80', '127.1.0.5', '8080', '9', '1', '2000', src, dst]);
        const [, seen] = parse(r.stdout);
        expect(seen).toBe('timeout');
        expect(readFileSync(dst, 'utf8')).toBe(readFileSync(src, 'utf8'));
      } finally {
        p.kill('SIGKILL');
      }
    });
  });

  it('fails loudly without the service: no silent "seen"', async () => {
    await withNetns('ipvspoll', (ns) => {
      const target = spawn('sleep', ['30'], { stdio: 'ignore' });
      try {
        const r = ns.run(poller, [String(target.pid), '10.97.0.0', '80', '127.1.0.5', '8080', '1', '1', '1000']);
        // no such service: every dump is an error answer, so nothing is seen
        expect(r.status).toBe(0);
        expect(parse(r.stdout)[1]).toBe('timeout');
      } finally {
        target.kill('SIGKILL');
      }
    });
  });
});
