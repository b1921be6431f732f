// lvsd's listing text against ipvsadm's own output for the same kernel replies: the
// captured dump messages are decoded by lvsd and formatted; the result must equal what
// ipvsadm printed in the same run.
import { describe, expect, it } from 'vitest';
import { decodeDaemon, decodeDest, decodeInfo, decodeService, decodeTimeouts } from '../../../src/ipvs/codec.js';
import { Cmd, CmdAttr } from '../../../src/ipvs/constants.js';
import { formatDaemons, formatTable, formatTimeouts, largeNum, type ListFormat } from '../../../src/ipvs/format.js';
import { serviceKey } from '../../../src/ipvs/model.js';
import type { IpvsDaemon, IpvsInfo, IpvsTimeouts, IpvsVirtualEntry } from '../../../src/ipvs/types.js';
import { command, replies } from './fixture.js';

interface Decoded {
  info?: IpvsInfo;
  table: IpvsVirtualEntry[];
  timeouts?: IpvsTimeouts;
  daemons: IpvsDaemon[];
}

/** Replays one captured ipvsadm run through lvsd's decoders. */
function decodeRun(cmd: string): Decoded {
  const out: Decoded = { table: [], daemons: [] };
  for (const { cmd: c, attrs, request } of replies(cmd)) {
    if (c === Cmd.GET_INFO) out.info = decodeInfo(attrs);
    else if (c === Cmd.GET_SERVICE) out.table.push({ service: decodeService(attrs.raw(CmdAttr.SERVICE)!), dests: [] });
    else if (c === Cmd.GET_DEST) {
      const key = serviceKey(decodeService(request.raw(CmdAttr.SERVICE)!));
      const target = out.table.find((e) => serviceKey(e.service) === key);
      if (!target) throw new Error(`dest dump for unknown service ${key}`);
      target.dests.push(decodeDest(attrs.raw(CmdAttr.DEST)!, target.service.af));
    } else if (c === Cmd.GET_CONFIG) out.timeouts = decodeTimeouts(attrs);
    else if (c === Cmd.GET_DAEMON) {
      const d = decodeDaemon(attrs.nested(CmdAttr.DAEMON));
      if (d) out.daemons.push(d);
    }
  }
  return out;
}

const cases: Array<[string, ListFormat]> = [
  ['-L -n', {}],
  ['-L -n --stats', { stats: true }],
  ['-L -n --rate', { rate: true }],
  ['-L -n --thresholds', { thresholds: true }],
  ['-L -n --persistent-conn', { persistentConn: true }],
  ['-L -n --tun-info', { tunInfo: true }],
  ['-S -n', { rule: true }],
];

describe('listing text equals ipvsadm for the same kernel replies', () => {
  for (const [cmd, fmt] of cases) {
    it(`ipvsadm ${cmd}`, () => {
      const run = decodeRun(cmd);
      expect(run.table.length).toBeGreaterThan(5);
      expect(formatTable(run.table, fmt, run.info)).toBe(command(cmd).stdout);
    });
  }
  it('ipvsadm -L --timeout', () => {
    const run = decodeRun('-L --timeout');
    expect(run.timeouts).toEqual({ tcp: 900, tcpFin: 120, udp: 300 });
    expect(formatTimeouts(run.timeouts!)).toBe(command('-L --timeout').stdout);
  });
  it('ipvsadm -L --daemon (master with kernel defaults, backup with every option)', () => {
    const run = decodeRun('-L --daemon');
    expect(run.daemons.map((d) => d.state)).toEqual(['master', 'backup']);
    expect(formatDaemons(run.daemons)).toBe(command('-L --daemon').stdout);
  });
  it('decodes the kernel reply fields', () => {
    const run = decodeRun('-L -n');
    expect(run.info).toEqual({ version: 0x010201, connTabSize: 4096 });
    const http = run.table.find((e) => e.service.port === 80)!;
    expect(http.service).toMatchObject({ af: 2, protocol: 6, addr: '10.0.0.1', sched: 'wlc', flags: 0, stats64: true });
    const gue = http.dests.find((d) => d.addr === '192.168.1.13')!;
    expect(gue).toMatchObject({ fwd: 'tunnel', tunType: 'gue', tunPort: 6080, tunFlags: 'csum', weight: 1, port: 80 });
    const thr = http.dests.find((d) => d.addr === '192.168.1.11')!;
    expect(thr).toMatchObject({ fwd: 'route', weight: 0, uThreshold: 100, lThreshold: 10 });
  });
});

describe('number and column formatting', () => {
  it('abbreviates large counters like ipvsadm', () => {
    expect(largeNum(99999999n, false)).toBe(' 99999999');
    expect(largeNum(100000000n, false)).toBe('  100000K');
    expect(largeNum(1234567890n, false)).toBe('    1234M');
    expect(largeNum(123456789012n, false)).toBe('     123G');
    expect(largeNum(123456789012345n, false)).toBe('     123T');
    expect(largeNum(123456789012345n, true)).toBe(' 123456789012345');
    expect(largeNum(7n, true)).toBe('        7');
  });
  it('truncates long IPv4 names and prints fwmark as a signed int', () => {
    const base = decodeRun('-L -n').table;
    const fw = base.find((e) => e.service.fwmark === 5)!;
    const big: IpvsVirtualEntry = { service: { ...fw.service, fwmark: 2882430849 }, dests: [] };
    expect(formatTable([big], {})).toContain('FWM  -1412536447 mh (mh-port)\n');
    expect(formatTable([big], { rule: true })).toBe('-A -f -1412536447 -s mh -b mh-port\n');
  });
});
