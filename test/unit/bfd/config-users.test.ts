// Who may use a bfd_instance (src/config/checks/bfd-users.ts) against the real keepalived 2.2.7
// (`keepalived -t`): for each config, the BFD messages of both (kind, owner, instance; keepalived
// reports a track_bfd at its item's line, lvsd at the keyword, so lines are compared for
// BFD_CHECK only) and the exit verdict; then what is left in lvsd's model.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadResult } from '../../../src/config/load.js';

const KEEPALIVED = '/usr/sbin/keepalived';
const dir = mkdtempSync(join(tmpdir(), 'lvsd-bfd-users-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
function write(text: string): string {
  const f = join(dir, `c${seq++}.conf`);
  writeFileSync(f, text);
  return f;
}

/** BFD messages normalised: "track <owner> <bfd>", "<line> check-missing <rs> <bfd>", "<line> check-twice <rs> <bfd>". */
function bfdMessages(lines: Array<{ line: number | undefined; text: string }>): string[] {
  const out: string[] = [];
  for (const { line, text } of lines) {
    let m = /\((\S+)\) track bfd (\S+) not found/.exec(text);
    if (m) { out.push(`track ${m[1]} ${m[2]}`); continue; }
    m = /\(\[?([\d.:a-f]+?)\]?(?::\w+:\d+)?\) BFD_CHECK - BFD (\S+) not configured/.exec(text);
    if (m) { out.push(`${String(line)} check-missing ${m[1]} ${m[2]}`); continue; }
    m = /\(\[?([\d.:a-f]+?)\]?(?::\w+:\d+)?\) BFD_CHECK - RS already monitoring (\S+)/.exec(text);
    if (m) out.push(`${String(line)} check-twice ${m[1]} ${m[2]}`);
  }
  return out.sort();
}

function keepalived(file: string): { messages: string[]; failed: boolean } {
  if (!existsSync(KEEPALIVED)) throw new Error(`${KEEPALIVED} missing (apt-get install keepalived)`);
  const r = spawnSync(KEEPALIVED, ['-t', '-f', file], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw r.error;
  const lines = `${r.stdout}${r.stderr}`.split('\n').map((t) => {
    const m = /Line (\d+)\)/.exec(t);
    return { line: m ? Number(m[1]) : undefined, text: t };
  });
  return { messages: bfdMessages(lines), failed: r.status !== 0 };
}

function lvsd(file: string): { messages: string[]; failed: boolean; result: LoadResult } {
  const result = loadConfig(file, { system: { hasInterface: (n) => n === 'eth0' } });
  const errs = result.diagnostics.filter((d) => d.level === 'error');
  return { messages: bfdMessages(errs.map((d) => ({ line: d.pos?.line, text: d.message }))), failed: errs.length > 0, result };
}

const VI = (track: string) => `vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    10.79.1.1/32
  }
${track}}
`;
const VS = (reals: string) => `virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
${reals}}
`;
const RS = (addr: string, ...names: string[]) => `  real_server ${addr} 80 {
${names.map((n) => `    BFD_CHECK {\n      name ${n}\n    }\n`).join('')}  }
`;
const BFD = (name: string, nbr: string, extra = '') => `bfd_instance ${name} {\n  neighbor_ip ${nbr}\n${extra}}\n`;

type Obj = Record<string, unknown>;
const trackNames = (r: LoadResult, kind: 'vrrp_instance' | 'vrrp_sync_group'): string[] =>
  ((r.model as Obj)[kind] as Obj[])[0].track_bfd === undefined ? [] : (((r.model as Obj)[kind] as Obj[])[0].track_bfd as Obj[]).map((t) => String(t.name));
const checkNames = (r: LoadResult): string[][] =>
  (((r.model as Obj).virtual_server as Obj[])[0].real_server as Obj[]).map((rs) => {
    const c = rs.BFD_CHECK;
    const list = Array.isArray(c) ? (c as Obj[]) : c === undefined ? [] : [c as Obj];
    return list.map((x) => String(x.name));
  });

describe('bfd_instance users: lvsd -t against keepalived 2.2.7 -t', () => {
  const cases: Array<{ name: string; text: string; tracks?: string[]; checks?: string[][]; group?: string[] }> = [
    {
      name: 'track_bfd of a checker-only instance, BFD_CHECK of a vrrp-only one, unknown names on both sides',
      text: BFD('ONLYCHK', '10.1.1.2', '  checker\n') + BFD('ONLYVRRP', '10.1.1.3', '  vrrp\n') + BFD('ALL', '10.1.1.4')
        + VI('  track_bfd {\n    ONLYCHK\n    NOPE\n    ONLYVRRP\n    ALL\n  }\n')
        + VS(RS('10.0.0.2', 'ONLYVRRP') + RS('10.0.0.3', 'ONLYCHK') + RS('10.0.0.4', 'NOPE2') + RS('10.0.0.5', 'ALL')),
      tracks: ['ONLYVRRP', 'ALL'],
      checks: [[], ['ONLYCHK'], ['NOPE2'], ['ALL']],
    },
    {
      name: 'a BFD_CHECK before its bfd_instance; both vrrp and checker set is for both',
      text: VS(RS('10.0.0.3', 'LATER') + RS('10.0.0.6', 'BOTH')) + BFD('LATER', '10.1.1.2') + BFD('BOTH', '10.1.1.4', '  vrrp\n  checker\n')
        + VI('  track_bfd {\n    BOTH\n  }\n'),
      tracks: ['BOTH'],
      checks: [[], []],
    },
    {
      name: 'the same instance twice in one real server; a sync group tracking a checker-only instance',
      text: BFD('B', '10.1.1.2', '  checker\n') + 'vrrp_sync_group G {\n  group {\n    VI_1\n  }\n  track_bfd {\n    B\n  }\n}\n' + VI('')
        + VS(RS('10.0.0.3', 'B', 'B')),
      group: [],
      checks: [['B']],
    },
    {
      name: 'nothing to say: instances for both, used after their declaration',
      text: BFD('P', '10.1.1.2') + VI('  track_bfd {\n    P\n  }\n') + VS(RS('10.0.0.3', 'P')),
      tracks: ['P'],
      checks: [['P']],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const file = write(c.text);
      const ka = keepalived(file);
      const lv = lvsd(file);
      expect(lv.messages).toEqual(ka.messages);
      // keepalived's verdict is on the whole file; lvsd agrees when every other message agrees too
      expect(lv.failed).toBe(ka.failed);
      if (c.tracks) expect(trackNames(lv.result, 'vrrp_instance')).toEqual(c.tracks);
      if (c.group) expect(trackNames(lv.result, 'vrrp_sync_group')).toEqual(c.group);
      if (c.checks) expect(checkNames(lv.result)).toEqual(c.checks);
    });
  }
  it('the first case has messages at all (the comparison is not vacuous)', () => {
    const ka = keepalived(write(cases[0].text));
    expect(ka.messages.length).toBeGreaterThanOrEqual(4);
  });
});
