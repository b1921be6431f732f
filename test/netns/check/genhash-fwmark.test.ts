// fwmark: the mark reaches the kernel (policy routing makes the server unreachable for mark 7)
// for genhash -m — whose output matches Debian's genhash — and for TCP_CHECK's connect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ProbeLab, sh } from './probe-lab.js';

const root = resolve(import.meta.dirname, '../../..');
const cli = resolve(root, 'dist/src/cli/genhash.js');
const lab = new ProbeLab({ prefix: 'lvsd-fw', chk: ['10.77.0.1/24'], srv: ['10.77.0.2/24'], driver: false });
const client = lab.chk;

beforeAll(async () => {
  await lab.start();
  // marked 7: the server is unreachable (connect() fails at once with EHOSTUNREACH)
  sh('ip', ['-n', client, 'rule', 'add', 'fwmark', '7', 'lookup', '100', 'pref', '100']);
  sh('ip', ['-n', client, 'route', 'add', 'unreachable', '10.77.0.0/24', 'table', '100']);
  await lab.serverProc("require('http').createServer((q,r)=>r.end('hello fwmark\\n')).listen(8080,'10.77.0.2',()=>console.log('up'))");
}, 60_000);

afterAll(() => lab.close());

function run(cmd: string[], extra: string[]) {
  const r = spawnSync('ip', ['netns', 'exec', client, ...cmd, '-s', '10.77.0.2', '-p', '8080', '-u', '/', '-t', '2', ...extra], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('genhash --fwmark', () => {
  for (const mark of [[], ['-m', '7'], ['--fwmark=8']]) {
    it(`matches Debian genhash with ${mark.join(' ') || 'no mark'}`, () => {
      const theirs = run(['genhash'], mark);
      const ours = run([process.execPath, cli], mark);
      expect(ours).toEqual(theirs);
      // the mark must matter: 7 is routed into the blackhole, 8 and none reach the server
      if (mark.includes('7')) expect(ours.out + ours.err).toMatch(/network unreachable/);
      else expect(ours.out).toMatch(/^[0-9a-f]{32}\n$/);
    });
  }
});

describe('TCP_CHECK fwmark', () => {
  const probe = (mark?: number) => {
    const js = `import(${JSON.stringify(resolve(root, 'dist/src/check/tcp.js'))}).then(async (m) => {
      const r = await m.tcpConnect({ addr: '10.77.0.2', port: 8080, family: 4, timeoutUs: 2000000${mark ? `, fwmark: ${mark}` : ''} }, new AbortController().signal);
      console.log(JSON.stringify(r));
    })`;
    const r = spawnSync('ip', ['netns', 'exec', client, process.execPath, '--input-type=module', '-e', js], { encoding: 'utf8', timeout: 30_000 });
    return JSON.parse(r.stdout) as { ok: boolean; reason: string };
  };
  it('connects unmarked and with mark 8, fails with mark 7', () => {
    expect(probe().ok).toBe(true);
    expect(probe(8).ok).toBe(true);
    const marked = probe(7);
    expect(marked.ok).toBe(false);
    expect(marked.reason).toMatch(/EHOSTUNREACH/);
  });
});

// The daemon's TCP_CHECK and plain HTTP_GET run on the timed engine (probe.c register), which
// sets SO_MARK on its own path: the mark must reach the kernel there too.
describe('TCP_CHECK and HTTP_GET fwmark on the timed engine', () => {
  const timedProbe = (mark: number, http: boolean) => {
    const js = `Promise.all([
      import(${JSON.stringify(resolve(root, 'dist/src/check/native/timed-checks.js'))}),
      import(${JSON.stringify(resolve(root, 'dist/src/check/native/connect-engine.js'))}),
    ]).then(([t, c]) => {
      const timed = new t.TimedChecks({ quantumUs: 0 });
      const requests = ${http} ? [Buffer.from('GET / HTTP/1.0\\r\\n\\r\\n')] : null;
      const recs = [];
      const target = { sockaddr: c.loadProbeAddon().sockaddr('10.77.0.2', 8080), bind: null, mark: ${mark}, timeoutUs: 2000000, requests };
      const stop = setTimeout(() => { console.log(JSON.stringify(recs)); timed.close(); }, 2500);
      timed.register({ nextStep: 0, timedRecord(kind, a, b, _l, data) {
        recs.push(kind === c.R_DATA ? data.toString('latin1', a, a + b) : [kind, a]);
        if (kind === c.R_DONE || kind === c.R_FAIL || kind === c.R_EOF || kind === t.R_TIMEOUT) {
          clearTimeout(stop); console.log(JSON.stringify(recs)); timed.close();
        }
        return -1;
      } }, target, 0, 1000000);
    })`;
    const r = spawnSync('ip', ['netns', 'exec', client, process.execPath, '--input-type=module', '-e', js], { encoding: 'utf8', timeout: 30_000 });
    return JSON.parse(r.stdout) as Array<string | [number, number]>;
  };
  const EHOSTUNREACH = -113;
  it('TCP_CHECK: connects unmarked and with mark 8, fails with EHOSTUNREACH with mark 7', () => {
    expect(timedProbe(0, false)).toEqual([[0, 0]]); // R_DONE, connected
    expect(timedProbe(8, false)).toEqual([[0, 0]]);
    expect(timedProbe(7, false)).toEqual([[0, EHOSTUNREACH]]);
  });
  it('HTTP_GET: the response comes unmarked and with mark 8; mark 7 fails', () => {
    for (const mark of [0, 8]) expect(timedProbe(mark, true).join('')).toMatch(/^HTTP\/1\.[01] 200 .*hello fwmark\n5,0$/s);
    const failed = timedProbe(7, true);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toEqual([1, EHOSTUNREACH]); // R_FAIL with the errno
  });
});
