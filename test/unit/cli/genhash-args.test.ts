// Command-line compatibility: for curated and random argument vectors, lvsd's
// genhash must print the same stdout/stderr and exit with the same status as
// Debian's genhash. Vectors that parse successfully point at a closed loopback
// port, so both sides end with "Connection failed" without network traffic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { buildGenhash, normalize, runKeepalived, runLvsd, type BuiltGenhash, type RunResult } from '../check/http/genhash-runner.js';
import { startTestServers, type TestServers } from '../check/http/test-servers.js';

let built: BuiltGenhash;
let closed = 0;
let servers: TestServers;

beforeAll(async () => {
  built = buildGenhash();
  servers = await startTestServers();
  closed = servers.closedPort;
  // Double-check nothing listens there.
  await new Promise<void>((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: closed });
    s.on('connect', () => reject(new Error(`port ${closed} is open`)));
    s.on('error', () => resolve());
  });
}, 120_000);

afterAll(async () => {
  await servers?.close();
  built?.cleanup();
});

const MISSING_LONG = /^Missing parameter for option --.*\n/m;

async function compare(args: string[]): Promise<void> {
  const ka = await runKeepalived(args, 10_000);
  const lvsd = await runLvsd(built.js, args, 10_000);
  const kaErr = ka.stderr.toString('latin1');
  if (MISSING_LONG.test(kaErr) || ka.signal !== null) {
    // keepalived reads past its option table here (garbage or SIGSEGV); lvsd names the option.
    expect(lvsd.code).toBe(1);
    expect(lvsd.stderr.toString()).toMatch(/Missing parameter for option --[a-z-]+\n/);
    return;
  }
  expect(view(lvsd), args.join(' ')).toEqual(view(ka));
}

function view(r: RunResult): { code: number | null; stdout: string; stderr: string } {
  return { code: r.code, stdout: normalize(r.stdout), stderr: r.stderr.toString('latin1') };
}

describe('genhash arguments: same acceptance, messages and exit status as keepalived', () => {
  const curated = (): string[][] => {
    const P = String(closed);
    const ok = ['-s', '127.0.0.1', '-p', P, '-u', '/'];
    return [
      [],
      ['-h'],
      ['--help'],
      ['-s', '127.0.0.1'],
      ['-s', '127.0.0.1', '-p', P],
      ok,
      [...ok, '-v'],
      ['--server', '127.0.0.1', '--port', P, '--url', '/x'],
      ['--server=127.0.0.1', '--port=' + P, '--url=/x'],
      ['--serv', '127.0.0.1', '--po', P, '--ur', '/x'],
      ['-s127.0.0.1', `-p${P}`, '-u/x'],
      ['-vSI', '-s', '127.0.0.1', '-p', P, '-u', '/'],
      [...ok, '-x'],
      [...ok, '-vx', '-y'],
      ['x', '--bogus', '-s', '1'],
      ['x', '--verbose=1', ...ok],
      [...ok, 'extra', 'more'],
      ['-s', '127.0.0.1', 'x', '-p', P, 'y', '-u', '/', '--', '-z'],
      [...ok, '-'],
      [...ok, '--'],
      ['--', ...ok],
      [...ok, '--use'],
      [...ok, '--use-v=a'],
      [...ok, '--p', '1'],
      [...ok, '--release'],
      ['-s', 'bad', '-p', P, '-u', '/'],
      ['-s', '127.0.0.01', '-p', P, '-u', '/'],
      ['-s', 'localhost', '-p', P, '-u', '/'],
      ['-s', '127.0.0.1/24', '-p', P, '-u', '/'],
      ['-s', '127.0.0.1-5', '-p', P, '-u', '/'],
      ['-s', '127.0.0.1', '-p', '0', '-u', '/'],
      ['-s', '127.0.0.1', '-p', '65536', '-u', '/'],
      ['-s', '127.0.0.1', '-p', `${P}x`, '-u', '/'],
      ['-s', '127.0.0.1', '-p', ` ${P}`, '-u', '/'],
      ['-s', '127.0.0.1', '-p', `+${P}`, '-u', '/'],
      ['-s', '127.0.0.1', '-p', '', '-u', '/'],
      ['-s', '127.0.0.1', '-p', '-1', '-u', '/'],
      [...ok, '-t', '-1'],
      [...ok, '-t', ''],
      [...ok, '-t', ' '],
      [...ok, '-t', ' 5'],
      [...ok, '-t', '\t5'],
      [...ok, '-t', '5 '],
      [...ok, '-t', '+5'],
      [...ok, '-t', '99999999999'],
      [...ok, '-t', '4294967296'],
      [...ok, '-m', 'x'],
      [...ok, '-m', '-1'],
      [...ok, '-m', ''],
      [...ok, '-m', '0'],
      [...ok, '-m', ' 0'],
      [...ok, '-P', '2'],
      [...ok, '-P', '1.0c'],
      [...ok, '-P', '1.0C'],
      [...ok, '-P', '1.1'],
      [...ok, '-P', '1.0'],
      [...ok, '-P', '1.1c'],
      [...ok, '-p'],
      [...ok, '-V'],
      ['-v', '-v'],
      ['-p'],
    ];
  };

  it('curated vectors', async () => {
    for (const args of curated()) await compare(args);
  }, 120_000);

  it('random vectors', async () => {
    const P = String(closed);
    const token = fc.constantFrom(
      '-s', '127.0.0.1', '--server', '--server=127.0.0.1', '-s127.0.0.1', 'bad',
      '-p', P, `-p${P}`, '--port', `--port=${P}`, '0', '-u', '/', '/x', '--url', '-u/x',
      '-v', '--verbose', '-S', '--use-ssl', '-I', '--use-sni', '-V', 'vh', '--use-virtualhost', '--use',
      '-t', '1', '-t0', '--timeout', ' 2', '-m', '0', '--fwmark=0', '-P', '1.1', '1.0c', '--protocol',
      '-h', '--help', '-x', '-vx', '--', '-', 'extra', '--bogus', '--v', '--p', '--s',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 10 }), async (args) => {
        await compare(args);
      }),
      { numRuns: 60 },
    );
  }, 300_000);
});

describe('genhash extensions (where keepalived only prints an error)', () => {
  it('--hash sha256 / -H sha1 print that digest', async () => {
    const base = ['-s', '127.0.0.1', '-p', String(servers.httpPort), '-u', '/small'];
    const sha256 = createHash('sha256').update('hello world\n').digest('hex');
    const sha1 = createHash('sha1').update('hello world\n').digest('hex');
    expect((await runLvsd(built.js, [...base, '--hash', 'sha256'])).stdout.toString()).toBe(`${sha256}\n`);
    expect((await runLvsd(built.js, [...base, '-H', 'sha1'])).stdout.toString()).toBe(`${sha1}\n`);
    const bad = await runLvsd(built.js, [...base, '--hash', 'crc32']);
    expect([bad.code, bad.stderr.toString().split('\n')[0]]).toEqual([1, "invalid hash 'crc32'"]);
  });
});
