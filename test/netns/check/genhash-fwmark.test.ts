// fwmark: the mark reaches the kernel (policy routing makes the server unreachable for mark 7)
// for genhash -m — whose output matches Debian's genhash — and for TCP_CHECK's connect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');
const cli = resolve(root, 'dist/src/cli/genhash.js');
const id = process.pid % 100000;
const client = `lvsd-fwc-${id}`;
const server = `lvsd-fws-${id}`;
let httpd: ChildProcess | undefined;

const ip = (...a: string[]) => execFileSync('ip', a, { stdio: 'pipe' });

beforeAll(async () => {
  ip('netns', 'add', client);
  ip('netns', 'add', server);
  ip('-n', client, 'link', 'add', 'c0', 'type', 'veth', 'peer', 'name', 's0', 'netns', server);
  ip('-n', client, 'addr', 'add', '10.77.0.1/24', 'dev', 'c0');
  ip('-n', server, 'addr', 'add', '10.77.0.2/24', 'dev', 's0');
  for (const [ns, dev] of [[client, 'c0'], [server, 's0']]) {
    ip('-n', ns, 'link', 'set', dev, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  // marked 7: the server is unreachable (connect() fails at once with EHOSTUNREACH)
  ip('-n', client, 'rule', 'add', 'fwmark', '7', 'lookup', '100', 'pref', '100');
  ip('-n', client, 'route', 'add', 'unreachable', '10.77.0.0/24', 'table', '100');
  httpd = spawn('ip', ['netns', 'exec', server, process.execPath, '-e',
    "require('http').createServer((q,r)=>r.end('hello fwmark\\n')).listen(8080,'10.77.0.2',()=>console.log('up'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ok, ko) => {
    const t = setTimeout(() => ko(new Error('test HTTP server did not start')), 20_000);
    httpd?.stdout?.once('data', () => { clearTimeout(t); ok(); });
  });
});

afterAll(() => {
  if (httpd?.pid) httpd.kill();
  spawnSync('ip', ['netns', 'del', client]);
  spawnSync('ip', ['netns', 'del', server]);
});

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
