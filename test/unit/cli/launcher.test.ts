// The `lvsd` bin (bin/lvsd, a POSIX sh launcher): it finds the bundle through npm's symlinks,
// passes every argument unchanged, becomes node (exec: same pid, same exit code, same signal),
// and drops NODE_EXTRA_CA_CERTS only where the arguments cannot start the daemon. Observed
// through probes standing in for the bundle (real node) or for node itself (a sh script on PATH),
// and once with the real bundle built into a scratch package.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from '../../../src/daemon/args.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CA = '/nonexistent/lvsd-test-ca.pem';
let dir = '';
/** scratch package whose dist/bundle/lvsd.cjs is the probe */
let probePkg = '';
/** node_modules/.bin/lvsd -> ../../probe/bin/lvsd, as npm links it */
let linked = '';
/** a directory holding a fake `node` that prints the variable it was given */
let fakeBin = '';
/** scratch package with the real bundle */
let realPkg = '';
/** a config `lvsd -t` accepts on any machine, and one it rejects at 3:14 */
let ok = '';
let bad = '';

interface Probe { argv: string[]; ca: string | null; pid: number; execArgv: string[] }

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvsd-launcher-'));
  probePkg = join(dir, 'probe');
  mkdirSync(join(probePkg, 'bin'), { recursive: true });
  mkdirSync(join(probePkg, 'dist', 'bundle'), { recursive: true });
  copyFileSync(join(ROOT, 'bin', 'lvsd'), join(probePkg, 'bin', 'lvsd'));
  writeFileSync(join(probePkg, 'dist', 'bundle', 'lvsd.cjs'), [
    "require('node:fs').writeSync(1, JSON.stringify({ argv: process.argv.slice(2), ca: process.env.NODE_EXTRA_CA_CERTS ?? null, pid: process.pid, execArgv: process.execArgv }));",
    "if (process.env.PROBE_SIGNAL) process.kill(process.pid, process.env.PROBE_SIGNAL);",
    'else process.exit(Number(process.env.PROBE_EXIT ?? 0));',
  ].join('\n'));
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  linked = join(dir, 'node_modules', '.bin', 'lvsd');
  symlinkSync('../../probe/bin/lvsd', linked);
  fakeBin = join(dir, 'fake');
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, 'node'), '#!/bin/sh\nprintf %s "${NODE_EXTRA_CA_CERTS-unset}"\n');
  chmodSync(join(fakeBin, 'node'), 0o755);

  ok = join(dir, 'ok.conf');
  bad = join(dir, 'bad.conf');
  writeFileSync(ok, 'virtual_server 192.0.2.1 80 {\n  lb_algo rr\n  lb_kind DR\n  protocol TCP\n  real_server 192.0.2.2 80 {\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n}\n');
  writeFileSync(bad, 'virtual_server 192.0.2.1 80 {\n  lb_kind DR\n  delay_loop abc\n}\n');
  realPkg = join(dir, 'real');
  mkdirSync(join(realPkg, 'bin'), { recursive: true });
  copyFileSync(join(ROOT, 'bin', 'lvsd'), join(realPkg, 'bin', 'lvsd'));
  symlinkSync(join(ROOT, 'node_modules'), join(realPkg, 'node_modules'));
  const b = spawnSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs'), `--outdir=${join(realPkg, 'dist', 'bundle')}`], { encoding: 'utf8', timeout: 60_000 });
  if (b.status !== 0) throw new Error(`scripts/bundle.mjs failed: ${b.stderr}`);
}, 90_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

function runProbe(bin: string, argv: string[], env: Record<string, string> = {}) {
  const r = spawnSync(bin, argv, { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: CA, ...env } });
  if (r.error) throw r.error;
  return { probe: JSON.parse(r.stdout) as Probe, status: r.status, signal: r.signal, pid: r.pid };
}

/** what the launcher hands node for NODE_EXTRA_CA_CERTS (through the fake node on PATH) */
function caSeen(argv: string[]): string {
  const r = spawnSync(join(probePkg, 'bin', 'lvsd'), argv, {
    encoding: 'utf8', timeout: 10_000, env: { PATH: `${fakeBin}:/usr/bin:/bin`, NODE_EXTRA_CA_CERTS: CA },
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`launcher exited ${String(r.status)}: ${r.stderr}`);
  return r.stdout;
}

describe('bin/lvsd launcher', () => {
  it('passes every argument unchanged, through npm-style symlinks', () => {
    const argv = ['-t', '', 'a b', '*', '$HOME', 'x\ny', '--', '-f', "it's", '"q"', '\\'];
    const twice = join(dir, 'lvsd-again');
    symlinkSync(linked, twice);
    for (const bin of [join(probePkg, 'bin', 'lvsd'), linked, twice]) {
      const r = runProbe(bin, argv);
      expect(r.probe.argv).toEqual(argv);
      expect(r.status).toBe(0);
    }
  });

  it('keeps the exit code and becomes node (same pid, the signal reaches the caller)', () => {
    for (const code of [0, 1, 5, 6, 77]) expect(runProbe(linked, ['-t'], { PROBE_EXIT: String(code) }).status).toBe(code);
    const r = runProbe(linked, ['-n'], { PROBE_SIGNAL: 'SIGTERM' });
    expect(r.signal).toBe('SIGTERM');
    expect(r.probe.pid).toBe(r.pid);
  });

  it('drops NODE_EXTRA_CA_CERTS for runs that open no TLS connection, keeps it for the daemon', () => {
    const drop = [['-t'], ['-t', '-f', 'k.conf'], ['-nt'], ['-lDt', '-f', 'k.conf'], ['--config-test'], ['--config-test=/tmp/log'],
      ['--config-t'], ['-d', '-t'], ['-v'], ['--version'], ['-h'], ['--help'], ['--signum=STOP'], ['ipvs', 'list', '-n'], ['status', '--json'], ['-tfoo']];
    const keep = [[], ['-n', '-l', '-f', 'k.conf'], ['-d', '-f', 'k.conf'], ['-f', '-t'], ['-ft'], ['--use-file', '-t'], ['-i', '-v'],
      ['-n', '--status-socket', '-t'], ['-f', 'k.conf', 'ipvs'], ['-Mt']];
    for (const a of drop) expect(runProbe(linked, a).probe.ca, a.join(' ')).toBeNull();
    for (const a of keep) expect(runProbe(linked, a).probe.ca, a.join(' ')).toBe(CA);
    // node options: a floor under the young generation for a config test and the daemon; the
    // short commands run node as it is
    for (const a of [['-t', '-f', 'k.conf'], ['--config-test=/tmp/log'], ['-n', '-f', 'k.conf'], []]) expect(runProbe(linked, a).probe.execArgv, a.join(' ')).toEqual(['--min-semi-space-size=16']);
    for (const a of [['ipvs', 'list'], ['-v'], ['status'], ['--signum=STOP']]) expect(runProbe(linked, a).probe.execArgv, a.join(' ')).toEqual([]);
  });

  it('drops the variable exactly when src/daemon/args.ts parses a run that starts no daemon', () => {
    const tokens = ['-t', '-f', '-n', '-l', '-d', '-v', '-h', '-x', '-nt', '-ft', '-tlog', '-fk', '-Mt', '-M', '-i', '-ti', '-it', '--config-test',
      '--config-test=l', '--config-t', '--conf', '--config-id', '--use-file', '--use-file=-t', '--vrrp', '--vrrp_pid', '--version', '--v', '--he',
      '--help=x', '--signum', '--signum=STOP', '--dump-conf', '--status-socket', '--metrics-listen=1', '-S', '-s', '-q', '--nope', '--', '-', '',
      'k.conf', 'ipvs', 'status'];
    fc.assert(fc.property(fc.array(fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: 4 })), { maxLength: 5 }), (argv) => {
      const dropped = caSeen(argv) === 'unset';
      if (argv[0] === 'ipvs' || argv[0] === 'status') return dropped;
      let o;
      try {
        o = parseArgs(argv);
      } catch {
        return true; // an argument error ends the run before the daemon: either way is right
      }
      return dropped === (o.configTest || o.version || o.help || o.signum !== undefined);
    }), { numRuns: 300 });
  });

  it('runs the real bundle: lvsd -t exit codes and file:line:col', () => {
    const bin = join(realPkg, 'bin', 'lvsd');
    const run = (...argv: string[]) => spawnSync(bin, argv, { encoding: 'utf8', timeout: 30_000 });
    const good = run('-t', '-f', ok);
    expect(good.status, good.stderr).toBe(0);
    const r = run('-t', '-f', bad);
    expect(r.status).toBe(5);
    expect(r.stderr).toContain(`${bad}:3:14: error: `);
    expect(run('--version').stdout).toMatch(/^lvsd v\d/);
    expect(run('-q').status).toBe(2);
    // `node bin/lvsd` (the file is JavaScript too) runs the same command line
    const viaNode = spawnSync(process.execPath, [bin, '-t', '-f', bad], { encoding: 'utf8', timeout: 30_000 });
    expect(viaNode.status).toBe(5);
    expect(viaNode.stderr).toBe(r.stderr);
  });

  it('gives a config test the V8 flag its code cache was made under (the cache is accepted)', () => {
    const env = { ...process.env, LVSD_CODE_CACHE_REPORT: '1' };
    const viaLauncher = spawnSync(join(realPkg, 'bin', 'lvsd'), ['-t', '-f', ok], { encoding: 'utf8', timeout: 30_000, env });
    expect(viaLauncher.stderr).toMatch(/^lvsd: code cache accepted: config-test-[0-9a-f]{12}\.cjs\.semi\.cache\n$/);
    const plain = spawnSync(process.execPath, [join(realPkg, 'dist', 'bundle', 'lvsd.cjs'), '--config-test', '-f', ok], { encoding: 'utf8', timeout: 30_000, env });
    expect(plain.stderr).toMatch(/^lvsd: code cache accepted: config-test-[0-9a-f]{12}\.cjs\.cache\n$/);
  });
});
