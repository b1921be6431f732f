import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseIpvsadmArgs, parseRestore, parseSavedDestLine, tokenize, RestoreError } from '../../../src/ipvs/restore.js';
import { formatTable } from '../../../src/ipvs/format.js';
import { serviceKey } from '../../../src/ipvs/model.js';
import { requests } from '../../../src/ipvs/requests.js';
import { encodeGenl } from '../../../src/ipvs/message.js';
import { zeroStats, type IpvsVirtualEntry } from '../../../src/ipvs/types.js';
import { command, lastSent } from './fixture.js';

/** Builds the table a restore would create, then prints it as `ipvsadm -S -n`. */
function tableFrom(text: string): IpvsVirtualEntry[] {
  const rows = new Map<string, IpvsVirtualEntry>();
  for (const { command: c } of parseRestore(text)) {
    if (c.kind === 'addService') rows.set(serviceKey(c.service), { service: { ...c.service, stats: zeroStats(), stats64: true }, dests: [] });
    else if (c.kind === 'addDest') {
      rows.get(serviceKey(c.service))!.dests.push({ ...c.dest, activeConns: 0, inactConns: 0, persistConns: 0, stats: zeroStats(), stats64: true });
    } else throw new Error(`unexpected ${c.kind}`);
  }
  return [...rows.values()];
}

describe('restore parsing', () => {
  it('re-reads ipvsadm -S -n output into the same table (save -> restore -> save)', () => {
    const saved = command('-S -n').stdout;
    expect(formatTable(tableFrom(saved), { rule: true })).toBe(saved);
  });
  it('parses each captured ipvsadm command line into the request ipvsadm sent', () => {
    const lines = [
      '-A -t 10.0.0.1:80 -s rr', '-A -u 10.0.0.1:53 -s wrr -p 600 -M 255.255.255.0',
      '-A --sctp-service 10.0.0.1:3868 -s sh -b sh-fallback,sh-port', '-A -f 5 -s mh -b mh-port', '-A -f 6 -6 -s lc -p 300',
      '-A -t [2001:db8::1]:443 -s wlc -p 120 -M 64', '-A -u 10.0.0.2:5060 -s rr -o -p 60 --pe sip', '-E -t 10.0.0.1:80 -s wlc',
      '-a -t 10.0.0.1:80 -r 192.168.1.10:8080 -m -w 3', '-a -t 10.0.0.1:80 -r 192.168.1.11 -g -w 0 -x 100 -y 10',
      '-a -t 10.0.0.1:80 -r 192.168.1.12 -i', '-a -t 10.0.0.1:80 -r 192.168.1.13 -i --tun-type gue --tun-port 6080 --tun-csum',
      '-a -t 10.0.0.1:80 -r 192.168.1.14 -i --tun-type gre --tun-csum', '-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -m -w 5',
      '-a -f 5 -r 192.168.1.20 -g', '-e -t 10.0.0.1:80 -r 192.168.1.10:8080 -m -w 7', '--set 900 120 300',
      '--start-daemon master --mcast-interface lo --syncid 7',
      '--start-daemon backup --mcast-interface lo --syncid 8 --sync-maxlen 1400 --mcast-group 239.1.2.3 --mcast-port 8849 --mcast-ttl 2',
      '--stop-daemon master', '-d -t 10.0.0.1:80 -r 192.168.1.10:8080', '-Z', '-Z -u 10.0.0.1:53', '-D -t 10.0.0.1:80', '-C',
    ];
    for (const line of lines) {
      const c = parseIpvsadmArgs(tokenize(line));
      const r = c.kind === 'addService' ? requests.newService(c.service)
        : c.kind === 'editService' ? requests.setService(c.service)
        : c.kind === 'deleteService' ? requests.delService(c.service)
        : c.kind === 'addDest' ? requests.newDest(c.service, c.dest)
        : c.kind === 'editDest' ? requests.setDest(c.service, c.dest)
        : c.kind === 'deleteDest' ? requests.delDest(c.service, c.dest)
        : c.kind === 'timeouts' ? requests.setTimeouts(c.timeouts)
        : c.kind === 'startDaemon' ? requests.startDaemon(c.daemon)
        : c.kind === 'stopDaemon' ? requests.stopDaemon(c.daemon)
        : c.kind === 'zero' ? requests.zero(c.service)
        : requests.flush();
      const bytes = encodeGenl({ family: 0x20, cmd: r.cmd, flags: r.flags, seq: 0, pid: 0, attrs: r.attrs }).subarray(16).toString('hex');
      expect({ line, bytes }).toEqual({ line, bytes: lastSent(line).payload });
    }
  });
  it('ignores the word ipvsadm, blank lines and comments', () => {
    const p = parseRestore('# saved\n\nipvsadm -A -t 10.0.0.1:80 -s rr\n  -a -t 10.0.0.1:80 -r 10.1.1.1:80 -m  \n');
    expect(p.map((l) => [l.line, l.command.kind])).toEqual([[3, 'addService'], [4, 'addDest']]);
  });
  it('names the first bad line and why', () => {
    expect(() => parseRestore('-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.1.1 -w 70000\n')).toThrow(/line 2: illegal weight specified/);
    const bad: Array<[string, RegExp]> = [
      ['-A -t 10.0.0.1:0', /Zero port/],
      ['-A -t 10.0.0.1:80 -o', /One-Packet/],
      ['-A -t 10.0.0.1:80 -s rr -b sh-port', /incompatible scheduler flag/],
      ['-a -t 10.0.0.1:80 -r 2001:db8::2 -m', /Different address family/],
      ['-a -t 10.0.0.1:80 -r 10.1.1.1 -m --tun-type gre', /Tunnel options conflict/],
      ['-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue', /tun-port/],
      ['-L -n', /not a table change/],
      ['-A -t nothost:80', /illegal virtual server/],
      ['--set 1 2', /3 timeout values/],
      ['-A -q', /invalid option/],
    ];
    for (const [line, re] of bad) {
      expect(() => parseRestore(line)).toThrow(RestoreError);
      expect(() => parseRestore(line)).toThrow(re);
    }
  });
  it('applies ipvsadm defaults: DR, weight 1, service port for DR/tunnel, -p default 300', () => {
    const c = parseIpvsadmArgs(tokenize('-a -t 10.0.0.1:80 -r 10.1.1.1:8080 -g'));
    expect(c).toMatchObject({ kind: 'addDest', dest: { fwd: 'route', weight: 1, port: 80 } });
    const m = parseIpvsadmArgs(tokenize('-a -t 10.0.0.1:80 -r 10.1.1.1:8080 -m'));
    expect(m).toMatchObject({ dest: { fwd: 'masq', port: 8080 } });
    expect(parseIpvsadmArgs(tokenize('-A -t 10.0.0.1:0 -p'))).toMatchObject({ service: { timeout: 300, flags: 1, sched: 'wlc' } });
  });

  it('the saved-destination fast path returns what the general parser returns, or leaves the line to it', () => {
    const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
    const addrs = ['10.0.0.1:80', '10.0.0.1', '10.0.0.1:0', '10.0.0.1:65535', '10.0.0.1:65536', '010.0.0.1:80', '10.0.0.1:08080',
      '[2001:db8::1]:443', '[2001:DB8:0::1]:80', '[2001:db8::1]', '2001:db8::2', 'ipvsadm', 'host:80', '1.2.3.4:-1', '1.2.3:80', ':80'];
    const line = fc.tuple(pick(['-a', '-e', '-d', '-A']), pick(['-t', '-u', '--sctp-service', '-f']), pick(addrs), pick(['-r', '-x']),
      pick(addrs), pick(['-m', '-g', '-i', '-w']), pick(['-w', '-x']), pick(['0', '1', '007', '65535', '65536', '99999', '123456', '+1', '-1']),
      pick([' ', '  ', '\t']))
      .map(([c, p, v, r, d, m, w, n, sep]) => [c, p, v, r, d, m, w, n].join(sep));
    // lines of the saved form, with every address and number variant
    const saved = fc.tuple(pick(['-a', '-e']), pick(['-t', '-u']), pick(addrs), pick(addrs), pick(['-m', '-g', '-i']),
      pick(['0', '1', '007', '65535', '65536', '99999', '123456']))
      .map(([c, p, v, d, m, n]) => `${c} ${p} ${v} -r ${d} ${m} -w ${n}`);
    let fast = 0;
    fc.assert(fc.property(fc.oneof(line, saved), (l) => {
      const t = l.trim();
      let general: unknown;
      try {
        general = parseIpvsadmArgs(tokenize(t));
      } catch (e) {
        general = e instanceof Error ? e.message : e;
      }
      const f = parseSavedDestLine(t);
      if (f) {
        fast++;
        expect(f).toEqual(general);
      }
      // through parseRestore: the same command, or the general parser's error for the line
      let whole: unknown;
      try {
        whole = parseRestore(l)[0].command;
      } catch (e) {
        whole = e instanceof RestoreError ? e.message.replace(/^line 1: /, '').replace(`: ${t}`, '') : e;
      }
      expect(whole).toEqual(general);
    }), { numRuns: 3000 });
    expect(fast).toBeGreaterThan(50);
    expect(parseSavedDestLine('-a -t 10.0.0.1:80 -r 172.16.0.1:8080 -m -w 1')).toMatchObject({ kind: 'addDest', dest: { port: 8080, weight: 1 } });
    expect(parseSavedDestLine('-a -t 10.0.0.1:80 -r 172.16.0.1:8080 -m -w 1 -x 5')).toBeUndefined();
  });
});
