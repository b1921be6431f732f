// docker/ cannot be built here (no Docker engine, no ip_vs in this kernel), so this replays
// what docker/Dockerfile does, driven by the Dockerfile itself: stage 1's COPY list must be
// enough to compile dist/; stage 2's COPY list plus `npm pkg delete scripts.prepare` and
// `npm ci --omit=dev` must give a tree whose lvsd starts, loads both addons and accepts the
// lab's director configs (in a netns with an eth0, as in the container), which keepalived -t
// accepts too. compose.yaml must point at those configs and agree on the addresses.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const DOCKER = join(ROOT, 'docker');
const tmp = mkdtempSync(join(tmpdir(), 'lvsd-image-'));
const buildDir = join(tmp, 'build');
const runDir = join(tmp, 'run');
const ns = `lvsdk-${process.pid % 100000}`;

interface Stage { from: string; copies: string[][]; runs: string[] }

/** FROM / COPY / RUN of each stage (continuation lines joined); COPY --from is skipped. */
function stages(): Stage[] {
  const text = readFileSync(join(DOCKER, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const out: Stage[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const [op, ...rest] = line.split(/\s+/);
    if (op === 'FROM') out.push({ from: rest[0] ?? '', copies: [], runs: [] });
    const cur = out[out.length - 1];
    if (!cur) continue;
    if (op === 'COPY' && !rest[0]?.startsWith('--from')) cur.copies.push(rest.slice(0, -1));
    if (op === 'RUN') cur.runs.push(rest.join(' '));
  }
  return out;
}

function run(cmd: string, args: string[], cwd: string, timeout = 240_000): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout });
  return { status: r.status, out: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}

/** What the stage's `ln -s /opt/lvsd/X /usr/local/bin/NAME` points at, relative to /opt/lvsd. */
function linkTarget(stage: Stage, name: string): string {
  const m = new RegExp(`ln -s /opt/lvsd/(\\S+) /usr/local/bin/${name}(?:\\s|$)`).exec(stage.runs.join('\n'));
  if (!m?.[1]) throw new Error(`the runtime stage links no /usr/local/bin/${name}`);
  return m[1];
}

/** the runtime stage's `lvsd` command: what /usr/local/bin/lvsd points at, in the replayed tree */
let lvsdBin = '';

function copyInto(dir: string, copies: string[][]): void {
  for (const srcs of copies) for (const s of srcs) cpSync(join(ROOT, s), join(dir, s), { recursive: true });
}

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('needs root (netns for lvsd -t / keepalived -t)');
  const [build, runtime] = stages();
  if (!build || !runtime) throw new Error('docker/Dockerfile should have two stages');
  // stage 1: its COPY list alone is enough for what its `npm ci` runs after the install, the
  // prepare script (tsc, then the bundle); dev dependencies from the repository's node_modules
  copyInto(buildDir, build.copies);
  symlinkSync(join(ROOT, 'node_modules'), join(buildDir, 'node_modules'));
  const prepare = run('npm', ['run', 'prepare'], buildDir, 600_000);
  if (prepare.status !== 0) throw new Error(`stage 1 prepare failed:\n${prepare.out}`);
  // stage 2: production install, then dist/ from stage 1
  copyInto(runDir, runtime.copies);
  for (const [cmd, args] of [['npm', ['pkg', 'delete', 'scripts.prepare']], ['npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund']]] as const) {
    const r = run(cmd, [...args], runDir);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.out}`);
  }
  cpSync(join(buildDir, 'dist'), join(runDir, 'dist'), { recursive: true });
  lvsdBin = join(runDir, linkTarget(runtime, 'lvsd'));
  spawnSync('ip', ['netns', 'del', ns]);
  for (const args of [['netns', 'add', ns], ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1'], ['-n', ns, 'link', 'set', 'eth0', 'up'], ['-n', ns, 'addr', 'add', '172.28.0.11/24', 'dev', 'eth0']]) {
    const r = run('ip', args, tmp, 10_000);
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.out}`);
  }
}, 300_000);

afterAll(() => {
  spawnSync('ip', ['netns', 'del', ns]);
  rmSync(tmp, { recursive: true, force: true });
});

describe('docker/Dockerfile install steps', () => {
  it('the Dockerfile does what this test replays', () => {
    const [build, runtime] = stages();
    expect(build?.from).toMatch(/^node:20-bookworm/);
    expect(runtime?.from).toMatch(/^node:20-bookworm/);
    expect(build?.runs.join('\n')).toMatch(/npm ci\b/);
    expect(runtime?.runs.join('\n')).toMatch(/npm pkg delete scripts\.prepare && npm ci --omit=dev/);
    expect(readFileSync(join(DOCKER, 'Dockerfile'), 'utf8')).toMatch(/^COPY --from=build \/src\/dist \.\/dist$/m);
  });

  it('the production tree has no dev dependency and its addons built', () => {
    for (const dev of ['typescript', 'vitest', 'esbuild', 'fast-check']) expect([dev, existsSync(join(runDir, 'node_modules', dev))]).toEqual([dev, false]);
    for (const dep of ['pino', 'netlink', 'raw-socket', 'undici']) expect([dep, existsSync(join(runDir, 'node_modules', dep))]).toEqual([dep, true]);
    const r = run(process.execPath, ['-e', "require('./build/Release/lvsd_packet.node'); const s = require('./build/Release/lvsd_syslog.node'); s.close(s.open()); require('./build/Release/lvsd_probe.node'); const r = require('./build/Release/lvsd_regex.node'); if (r.boundedRegExp('a+', 'g', 10).exec('baa')[0] !== 'aa') throw new Error('regex'); const t = require('./build/Release/lvsd_text.node'); if (t.read('package.json')[1] !== require('fs').readFileSync('package.json', 'latin1')) throw new Error('text'); require('raw-socket'); console.log('loaded')"], runDir, 30_000);
    expect(r).toEqual({ status: 0, out: 'loaded\n' });
  });

  it("lvsd --version runs from the production tree, as the image's /usr/local/bin/lvsd", () => {
    expect(lvsdBin).toBe(join(runDir, 'bin/lvsd'));
    const r = run(lvsdBin, ['--version'], runDir, 30_000);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^lvsd v\d+\.\d+\.\d+/);
  });

  for (const conf of ['director1.conf', 'director2.conf']) {
    it(`${conf}: lvsd -t (production tree) and keepalived -t accept it`, () => {
      const file = join(DOCKER, conf);
      const l = run('ip', ['netns', 'exec', ns, lvsdBin, '-t', '-f', file], runDir, 60_000);
      expect(l).toEqual({ status: 0, out: '' });
      const k = run('ip', ['netns', 'exec', ns, '/usr/sbin/keepalived', '-t', '-f', file], tmp, 30_000);
      expect([k.status, k.out]).toEqual([0, expect.not.stringMatching(/error|unknown/i) as unknown]);
    });
  }
});

describe('docker/compose.yaml', () => {
  const compose = readFileSync(join(DOCKER, 'compose.yaml'), 'utf8');
  it("the directors' command line is one lvsd accepts (checked with -t on the lab config)", () => {
    const cmd = /\n  command: (\[.*\])\n  restart/.exec(compose)?.[1];
    const argv = JSON.parse(cmd ?? 'null') as string[];
    expect(argv).toContain('--metrics-listen=0.0.0.0:9650');
    const withFile = argv.map((a) => (a === '/etc/keepalived/keepalived.conf' ? join(DOCKER, 'director1.conf') : a));
    const l = run('ip', ['netns', 'exec', ns, lvsdBin, ...withFile, '-t'], runDir, 60_000);
    expect(l).toEqual({ status: 0, out: '' });
  });
  it('mounts the director configs that exist and builds from docker/Dockerfile', () => {
    const mounts = [...compose.matchAll(/"\.\/(director\d\.conf):\/etc\/keepalived\/keepalived\.conf:ro"/g)].map((m) => m[1]);
    expect(mounts).toEqual(['director1.conf', 'director2.conf']);
    for (const m of mounts) expect(existsSync(join(DOCKER, m ?? ''))).toBe(true);
    expect(compose).toMatch(/dockerfile: docker\/Dockerfile/);
    expect(compose).toMatch(/cap_add: \[NET_ADMIN, NET_RAW\]/);
  });
  it('addresses agree between compose.yaml and the director configs', () => {
    const d1 = readFileSync(join(DOCKER, 'director1.conf'), 'utf8');
    const vip = /virtual_ipaddress \{\s+(\d+\.\d+\.\d+\.\d+)\//.exec(d1)?.[1];
    expect(vip).toBe('172.28.0.100');
    expect(d1).toMatch(/virtual_server 172\.28\.0\.100 80/);
    const rs = [...d1.matchAll(/real_server (\S+) 80/g)].map((m) => m[1]);
    const addr = (svc: string): string | undefined => new RegExp(`\\n  ${svc}:[\\s\\S]*?ipv4_address: (\\S+) `).exec(compose)?.[1];
    expect(rs).toEqual([addr('rs1'), addr('rs2')]);
    for (const svc of ['rs1', 'rs2']) expect(compose).toMatch(new RegExp(`ip addr add ${vip}/32 dev lo[\\s\\S]*?ipv4_address: ${addr(svc)}`));
    expect(compose).toMatch(new RegExp(`http://${vip}/`));
    expect(compose).toMatch(/subnet: 172\.28\.0\.0\/24/);
  });
});
