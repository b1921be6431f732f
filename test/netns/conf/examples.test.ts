// Every example in conf/ is accepted by lvsd -t and by real keepalived -t, for both
// directors' config ids, in a namespace that has the interfaces the examples name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');
const ns = `lvsd-conf-${process.pid}`;
const confs = readdirSync(join(root, 'conf')).filter((f) => f.endsWith('.conf')).sort();

function inNs(cmd: string, args: string[]) {
  return spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', timeout: 60_000 });
}

beforeAll(() => {
  execFileSync('ip', ['netns', 'add', ns]);
  for (const [a, b] of [['eth0', 'peer0'], ['eth1', 'peer1']]) {
    execFileSync('ip', ['-n', ns, 'link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    execFileSync('ip', ['-n', ns, 'link', 'set', a, 'up']);
  }
});
afterAll(() => {
  spawnSync('ip', ['netns', 'del', ns]);
});

describe('conf/ examples', () => {
  it('has the setups the README promises', () => {
    expect(confs).toEqual(expect.arrayContaining(['keepalived.conf', 'nat-two-directors.conf', 'dr-two-directors.conf', 'tun.conf', 'fwmark-http-https.conf', 'sorry-server.conf', 'sync-daemon.conf']));
  });
  for (const f of confs) {
    for (const id of ['lb1', 'lb2']) {
      it(`${f} (-i ${id}) passes keepalived -t and lvsd -t`, () => {
        const file = join(root, 'conf', f);
        const k = inNs('keepalived', ['-t', '-f', file, '-i', id, '-l', '-n']);
        const l = inNs('node', [join(root, 'dist/src/cli/lvsd.js'), '-t', '-f', file, '-i', id]);
        expect({ code: k.status, err: k.stderr }).toEqual({ code: 0, err: '' });
        expect({ code: l.status, err: l.stderr.split('\n').filter((s) => s.includes('error')).join('\n') }).toEqual({ code: 0, err: '' });
      });
    }
  }
});
