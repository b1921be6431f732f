// genhash drop-in proof: Debian's keepalived genhash 2.2.7 and lvsd's built
// genhash run against the same loopback servers; stdout, stderr, exit status
// and the request bytes on the wire must be identical. No stored outputs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { startTestServers, type TestServers } from '../check/http/test-servers.js';
import {
  buildGenhash,
  KEEPALIVED_GENHASH,
  normalize,
  REPO,
  runKeepalived,
  runLvsd,
  type BuiltGenhash,
  type RunResult,
} from '../check/http/genhash-runner.js';

let servers: TestServers;
let built: BuiltGenhash;

beforeAll(async () => {
  if (!existsSync(KEEPALIVED_GENHASH)) throw new Error(`${KEEPALIVED_GENHASH} missing: apt-get install keepalived`);
  built = buildGenhash();
  servers = await startTestServers();
}, 120_000);

afterAll(async () => {
  await servers?.close();
  built?.cleanup();
});

interface Pair {
  readonly ka: RunResult;
  readonly lvsd: RunResult;
  readonly kaRequests: readonly Buffer[];
  readonly lvsdRequests: readonly Buffer[];
  readonly kaSni: readonly (string | null)[];
  readonly lvsdSni: readonly (string | null)[];
}

async function both(args: readonly string[]): Promise<Pair> {
  const r0 = servers.requests.length;
  const ka = await runKeepalived(args);
  // Let the server record a request that was still in flight when genhash exited.
  await new Promise((r) => setTimeout(r, 30));
  const r1 = servers.requests.length;
  const lvsd = await runLvsd(built.js, args);
  await new Promise((r) => setTimeout(r, 30));
  const r2 = servers.requests.length;
  const kaReq = servers.requests.slice(r0, r1);
  const lvsdReq = servers.requests.slice(r1, r2);
  return {
    ka,
    lvsd,
    kaRequests: kaReq.map((q) => q.bytes),
    lvsdRequests: lvsdReq.map((q) => q.bytes),
    kaSni: kaReq.map((q) => q.servername),
    lvsdSni: lvsdReq.map((q) => q.servername),
  };
}

function expectSame(p: Pair): void {
  expect(p.ka.signal).toBeNull();
  expect({ code: p.lvsd.code, stdout: normalize(p.lvsd.stdout), stderr: p.lvsd.stderr.toString('latin1') }).toEqual({
    code: p.ka.code,
    stdout: normalize(p.ka.stdout),
    stderr: p.ka.stderr.toString('latin1'),
  });
  expect(p.lvsdRequests.map((b) => b.toString('latin1'))).toEqual(p.kaRequests.map((b) => b.toString('latin1')));
  expect(p.lvsdSni).toEqual(p.kaSni);
}

const md5 = (s: string | Buffer): string => createHash('md5').update(s).digest('hex');
const plain = (path: string, ...extra: string[]): string[] => ['-s', '127.0.0.1', '-p', String(servers.httpPort), '-u', path, ...extra];
const secure = (path: string, ...extra: string[]): string[] => ['-S', '-s', '127.0.0.1', '-p', String(servers.httpsPort), '-u', path, ...extra];

describe('genhash over HTTP matches keepalived byte for byte', () => {
  const paths = ['/small', '/empty', '/1mb', '/chunked', '/404', '/redirect', '/nolen', '/short-cl', '/split', '/nodata', '/bigheader', '/vhost', '/cl-lowercase', '/cl-in-body', '/cl-garbage'];
  for (const path of paths) {
    it(`GET ${path}`, async () => {
      const p = await both(plain(path));
      expectSame(p);
      expect(p.kaRequests).toHaveLength(1);
    });
  }

  it('hashes the raw chunked stream, chunk sizes and CRLFs included (no de-chunking)', async () => {
    const p = await both(plain('/chunked'));
    expectSame(p);
    expect(p.lvsd.stdout.toString()).toBe(`${md5('5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n')}\n`);
  });

  it('cuts the digest at Content-Length and hashes an empty body as md5("")', async () => {
    expect((await both(plain('/short-cl'))).lvsd.stdout.toString()).toBe(`${md5('01234')}\n`);
    expect((await both(plain('/empty'))).lvsd.stdout.toString()).toBe(`${md5('')}\n`);
  });

  it('Content-Length quirks: case-sensitive, found even in the body, ignored when malformed', async () => {
    expect((await both(plain('/cl-lowercase'))).lvsd.stdout.toString()).toBe(`${md5('0123456789')}\n`);
    expect((await both(plain('/cl-in-body'))).lvsd.stdout.toString()).toBe(`${md5('Con')}\n`);
    expect((await both(plain('/cl-garbage'))).lvsd.stdout.toString()).toBe(`${md5('0123456789')}\n`);
  });

  it('the bin is the one package.json declares', () => {
    const pkg: unknown = JSON.parse(readFileSync(`${REPO}/package.json`, 'utf8'));
    expect(pkg).toMatchObject({ bin: { genhash: 'dist/src/cli/genhash.js' } });
    expect(built.js.endsWith('/src/cli/genhash.js')).toBe(true);
  });

  it('virtual host: Host header carries -V verbatim', async () => {
    const p = await both(plain('/vhost', '-V', 'www.example.test'));
    expectSame(p);
    expect(p.lvsdRequests[0].toString()).toContain('\r\nHost: www.example.test\r\n');
    expect(p.lvsd.stdout.toString()).toBe(`${md5('www.example.test')}\n`);
  });

  for (const proto of ['1.0', '1.0c', '1.0C', '1.1']) {
    it(`protocol ${proto}`, async () => expectSame(await both(plain('/small', '-P', proto))));
  }

  it('IPv6 literal: Host is [addr]:port', async () => {
    expect(servers.ipv6).toBe(true);
    const p = await both(['-s', '::1', '-p', String(servers.httpPort), '-u', '/vhost']);
    expectSame(p);
    expect(p.lvsd.stdout.toString()).toBe(`${md5(`[::1]:${servers.httpPort}`)}\n`);
  });

  it('connection refused', async () => {
    const p = await both(['-s', '127.0.0.1', '-p', String(servers.closedPort), '-u', '/']);
    expectSame(p);
    expect(p.lvsd.stdout.toString()).toBe('Connection failed\n');
  });

  it('timeout waiting for the response', async () => {
    const p = await both(plain('/hang', '-t', '1'));
    expectSame(p);
    expect(p.lvsd.stdout.toString()).toBe('Timeout WEB read\n');
    expect(p.lvsd.ms).toBeGreaterThan(900);
  });

  it('timeout in the middle of the body', async () => {
    const p = await both(plain('/stall', '-t', '1'));
    expectSame(p);
    expect(p.lvsd.stdout.toString()).toBe('Timeout HTTP read\n');
  });

  it('response complete but connection kept open: keepalived reads until EOF, so it times out', async () => {
    const p = await both(plain('/keepalive', '-t', '1'));
    expectSame(p);
    expect(p.lvsd.stdout.toString()).toBe('Timeout HTTP read\n');
  });

  for (const path of ['/reset', '/reset-mid']) {
    it(`connection reset: ${path}`, async () => {
      const p = await both(plain(path));
      expectSame(p);
      expect(p.lvsd.stdout.toString()).toBe('Read error with\n');
    });
  }

  it('timeout 0', async () => expectSame(await both(plain('/small', '-t', '0'))));

  it('SIGTERM while waiting: exit 0, nothing but -v\'s timing line', async () => {
    for (const v of [[], ['-v']]) {
      const args = plain('/hang', ...v);
      // Signal each once the server holds its request, i.e. once it is waiting for the response.
      const waiting = (): (() => boolean) => {
        const n = servers.requests.length;
        return () => servers.requests.length > n;
      };
      const ka = await runKeepalived(args, 10_000, { termWhen: waiting() });
      const lvsd = await runLvsd(built.js, args, 10_000, { termWhen: waiting() });
      expect([lvsd.code, lvsd.signal, normalize(lvsd.stdout), lvsd.stderr.toString()]).toEqual([
        ka.code,
        ka.signal,
        normalize(ka.stdout),
        ka.stderr.toString(),
      ]);
      expect(ka.code).toBe(0);
    }
  });
});

describe('genhash -v matches keepalived byte for byte (elapsed time aside)', () => {
  for (const path of ['/small', '/empty', '/chunked', '/404', '/split', '/nodata', '/short-cl', '/bigheader', '/vhost']) {
    it(`-v GET ${path}`, async () => expectSame(await both(plain(path, '-v'))));
  }
  it('-v refused', async () => expectSame(await both(['-v', '-s', '127.0.0.1', '-p', String(servers.closedPort), '-u', '/r'])));
  it('-v timeout', async () => expectSame(await both(plain('/hang', '-v', '-t', '1'))));
});

describe('genhash over TLS matches keepalived byte for byte', () => {
  for (const path of ['/small', '/empty', '/1mb', '/chunked', '/404', '/nodata', '/vhost']) {
    it(`-S GET ${path}`, async () => {
      const p = await both(secure(path));
      expectSame(p);
      expect(p.kaSni).toEqual([null]);
    });
  }
  it('-S -v GET /small', async () => expectSame(await both(secure('/small', '-v'))));
  it('TLS 1.2 GET /small and -v', async () => {
    const args = ['-S', '-s', '127.0.0.1', '-p', String(servers.https12Port), '-u', '/small'];
    expectSame(await both(args));
    expectSame(await both([...args, '-v']));
  });
  it('-S -v GET /nodata (close_notify before any byte)', async () => {
    const p = await both(secure('/nodata', '-v'));
    expectSame(p);
    expect(p.lvsd.stdout.toString()).toContain('SSL read error from\n');
  });
  for (const [label, port] of [['TLS 1.3', () => servers.httpsAbruptPort], ['TLS 1.2', () => servers.httpsAbrupt12Port]] as const) {
    for (const path of ['/small', '/nodata', '/split', '/reset', '/reset-mid']) {
      for (const v of [[], ['-v']]) {
        it(`${label} server closing without close_notify: ${path} ${v.join('')}`, async () => {
          expectSame(await both(['-S', '-s', '127.0.0.1', '-p', String(port()), '-u', path, ...v]));
        });
      }
    }
  }
  it('SNI: -I sends the virtual host as server name', async () => {
    const p = await both(secure('/vhost', '-I', '-V', 'www.example.test'));
    expectSame(p);
    expect(p.lvsdSni).toEqual(['www.example.test']);
  });
  it('SNI with an IP literal as virtual host, sent as keepalived sends it', async () => {
    const p = await both(secure('/vhost', '-I', '-V', '127.0.0.1'));
    expectSame(p);
    expect(p.lvsd.stderr.toString()).toBe('');
  });
  it('no SNI without -I even with -V', async () => {
    const p = await both(secure('/vhost', '-V', 'www.example.test'));
    expectSame(p);
    expect(p.lvsdSni).toEqual([null]);
  });
  it('TLS timeout', async () => {
    const p = await both(secure('/hang', '-t', '1'));
    expectSame(p);
    expect(p.lvsd.stdout.toString()).toBe('Timeout SSL read\n');
  });
  it('TLS 1.2 timeout (no post-handshake ticket)', async () => {
    const p = await both(['-S', '-s', '127.0.0.1', '-p', String(servers.https12Port), '-u', '/hang', '-t', '1']);
    expectSame(p);
    expect(p.lvsd.stdout.toString()).toBe('Timeout WEB read\n');
  });
  it('TLS timeout in the middle of the body', async () => {
    const p = await both(secure('/stall', '-t', '1'));
    expectSame(p);
    expect(p.lvsd.stdout.toString()).toBe('Timeout SSL read\n');
  });
  it('TLS against a plain HTTP port: handshake failure', async () => {
    expectSame(await both(['-S', '-s', '127.0.0.1', '-p', String(servers.httpPort), '-u', '/', '-t', '1']));
  });
  it('TLS handshake failure (server answers in plain text)', async () => {
    const p = await both(['-S', '-s', '127.0.0.1', '-p', String(servers.garbagePort), '-u', '/']);
    expectSame(p);
    expect(p.lvsd.stdout.toString()).toBe('SSL handshake/communication error connecting to\n');
  });
  it('plain GET from a server that answers before the request', async () => {
    expectSame(await both(['-s', '127.0.0.1', '-p', String(servers.garbagePort), '-u', '/']));
  });
  it('TLS refused', async () => expectSame(await both(['-S', '-s', '127.0.0.1', '-p', String(servers.closedPort), '-u', '/'])));
  it('TLS timeout 0 (keepalived itself varies between two messages here)', async () => {
    const p = await both(secure('/small', '-t', '0'));
    const either = ['Timeout WEB read\n', 'Timeout WEB write\n'];
    expect(either).toContain(p.ka.stdout.toString());
    expect(either).toContain(p.lvsd.stdout.toString());
    expect([p.ka.code, p.lvsd.code]).toEqual([0, 0]);
  });
});
