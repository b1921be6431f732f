// lvsd's IPVS client against the real kernel: every operation set by lvsd is read back
// both by ipvsadm and by lvsd, and lvsd's list/save text equals ipvsadm's.
import { describe, expect, it } from 'vitest';
import { withIpvs, type IpvsEnv } from './ipvs/env.js';
import { makeDest, makeService } from '../../src/ipvs/model.js';
import {
  AF_INET6, IPPROTO_SCTP, IPPROTO_UDP, SVC_F_ONEPACKET, SVC_F_PERSISTENT, SVC_F_SCHED_MH_FALLBACK,
  SVC_F_SCHED_MH_PORT, SVC_F_SCHED_SH_FALLBACK, SVC_F_SCHED_SH_PORT,
} from '../../src/ipvs/constants.js';
import type { IpvsDestEntry, IpvsService, IpvsServiceEntry } from '../../src/ipvs/types.js';

const LIST_VARIANTS: string[][] = [[], ['--stats'], ['--rate'], ['--thresholds'], ['--persistent-conn'], ['--tun-info'], ['--exact', '--stats'], ['--nosort']];

/** lvsd's list (every variant) and save equal ipvsadm's for the table as it is now. */
async function expectSameText(env: IpvsEnv): Promise<void> {
  for (const v of LIST_VARIANTS) {
    const mine = await env.lvsd.cli('list', '-n', ...v);
    expect(mine.status).toBe(0);
    if (v.includes('--nosort')) {
      // Kernel order is hash order for both; compare as sets of lines.
      expect(mine.stdout.split('\n').sort()).toEqual(env.ipvsadm('-L', '-n', ...v).split('\n').sort());
    } else {
      expect({ v, text: mine.stdout }).toEqual({ v, text: env.ipvsadm('-L', '-n', ...v) });
    }
  }
  const saved = await env.lvsd.cli('save', '-n');
  expect(saved).toEqual({ status: 0, stdout: env.ipvsadm('-S', '-n') });
}

const SERVICES: IpvsService[] = [
  makeService({ addr: '10.0.0.1', port: 80, sched: 'rr' }),
  makeService({ protocol: IPPROTO_UDP, addr: '10.0.0.1', port: 53, sched: 'wrr', flags: SVC_F_PERSISTENT, timeout: 600, netmask: 0xffffff00 }),
  makeService({ protocol: IPPROTO_SCTP, addr: '10.0.0.1', port: 3868, sched: 'sh', flags: SVC_F_SCHED_SH_FALLBACK | SVC_F_SCHED_SH_PORT }),
  makeService({ protocol: IPPROTO_UDP, addr: '10.0.0.2', port: 5060, sched: 'mh', flags: SVC_F_ONEPACKET | SVC_F_SCHED_MH_FALLBACK | SVC_F_SCHED_MH_PORT }),
  makeService({ addr: '2001:db8::1', port: 443, sched: 'wlc', flags: SVC_F_PERSISTENT, timeout: 120, netmask: 64 }),
  makeService({ fwmark: 5, sched: 'lc' }),
  makeService({ fwmark: 6, af: AF_INET6, sched: 'sed', flags: SVC_F_PERSISTENT, timeout: 300 }),
  makeService({ addr: '10.0.0.3', port: 0, sched: 'nq', flags: SVC_F_PERSISTENT, timeout: 30 }),
];

const strip = (s: IpvsServiceEntry): IpvsService => {
  const { stats: _s, stats64: _w, ...rest } = s;
  return rest;
};

describe('IPVS services set by lvsd', { timeout: 180_000 }, () => {
  it('round-trip: every protocol, IPv6, fwmark, persistence, netmask, scheduler flags, one-packet', async () => {
    await withIpvs(async (env) => {
      for (const s of SERVICES) await env.lvsd.call('addService', s);
      const back = await env.lvsd.call<IpvsServiceEntry[]>('services');
      const key = (s: IpvsService) => `${s.fwmark}/${s.af}/${s.protocol}/${s.addr}/${s.port}`;
      expect(back.map(strip).sort((a, b) => key(a).localeCompare(key(b))))
        .toEqual([...SERVICES].sort((a, b) => key(a).localeCompare(key(b))));
      expect(env.ipvsadm('-S', '-n')).toBe([
        '-A -t 10.0.0.1:80 -s rr',
        '-A -t 10.0.0.3:0 -s nq -p 30',
        '-A -u 10.0.0.1:53 -s wrr -p 600 -M 255.255.255.0',
        '-A -u 10.0.0.2:5060 -s mh -o -b mh-fallback,mh-port',
        '-A --sctp-service 10.0.0.1:3868 -s sh -b sh-fallback,sh-port',
        '-A -t [2001:db8::1]:443 -s wlc -p 120 -M 64',
        '-A -f 5 -s lc',
        '-A -f 6 -6 -s sed -p 300',
        '',
      ].join('\n'));
      await expectSameText(env);
    });
  });

  it('every scheduler the kernel offers is accepted and listed', async () => {
    await withIpvs(async (env) => {
      const scheds = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];
      for (const [i, sched] of scheds.entries()) await env.lvsd.call('addService', makeService({ addr: '10.0.1.1', port: 1000 + i, sched }));
      const back = await env.lvsd.call<IpvsServiceEntry[]>('services');
      expect(back.map((s) => s.sched).sort()).toEqual([...scheds].sort());
      await expectSameText(env);
    });
  });

  it('edit and delete; errors keep the errno and name the service', async () => {
    await withIpvs(async (env) => {
      const s = SERVICES[0];
      await env.lvsd.call('addService', s);
      await env.lvsd.call('editService', { ...s, sched: 'wlc', flags: SVC_F_PERSISTENT, timeout: 60 });
      expect(env.ipvsadm('-S', '-n')).toBe('-A -t 10.0.0.1:80 -s wlc -p 60\n');
      const dup = env.lvsd.call('addService', s);
      await expect(dup).rejects.toMatchObject({ errno: 17, code: 'EEXIST' });
      await expect(dup).rejects.toThrow(/addService service TCP 10\.0\.0\.1:80: EEXIST/);
      await expect(env.lvsd.call('addService', { ...SERVICES[0], port: 81, sched: 'nosuch' })).rejects.toMatchObject({ code: 'ENOENT' });
      await env.lvsd.call('deleteService', s);
      expect(env.ipvsadm('-S', '-n')).toBe('');
      await expect(env.lvsd.call('deleteService', s)).rejects.toMatchObject({ code: 'ESRCH' });
    });
  });
});

describe('IPVS destinations set by lvsd', { timeout: 180_000 }, () => {
  const web = SERVICES[0];
  const v6 = SERVICES[4];
  const fwm = SERVICES[5];
  it('round-trip: NAT, DR, ipip, gue, gre, thresholds, IPv6, fwmark; edit and delete', async () => {
    await withIpvs(async (env) => {
      for (const s of [web, v6, fwm]) await env.lvsd.call('addService', s);
      const dests = [
        makeDest({ addr: '192.168.1.10', port: 8080, fwd: 'masq', weight: 3 }),
        makeDest({ addr: '192.168.1.11', port: 80, fwd: 'route', weight: 0, uThreshold: 100, lThreshold: 10 }),
        makeDest({ addr: '192.168.1.12', port: 80, fwd: 'tunnel' }),
        makeDest({ addr: '192.168.1.13', port: 80, fwd: 'tunnel', tunType: 'gue', tunPort: 6080, tunFlags: 'csum' }),
        makeDest({ addr: '192.168.1.14', port: 80, fwd: 'tunnel', tunType: 'gre', tunFlags: 'csum' }),
        makeDest({ addr: '192.168.1.15', port: 80, fwd: 'tunnel', tunType: 'gue', tunPort: 5555, tunFlags: 'remcsum' }),
      ];
      for (const d of dests) await env.lvsd.call('addDest', web, d);
      await env.lvsd.call('addDest', v6, makeDest({ addr: '2001:db8::10', port: 443, fwd: 'masq', weight: 5 }));
      await env.lvsd.call('addDest', fwm, makeDest({ addr: '192.168.1.20', port: 0, fwd: 'route', weight: 2 }));
      const back = await env.lvsd.call<IpvsDestEntry[]>('dests', web);
      const pick = (d: IpvsDestEntry) => {
        const { activeConns: _a, inactConns: _i, persistConns: _p, stats: _s, stats64: _w, ...rest } = d;
        return rest;
      };
      expect(back.map(pick).sort((a, b) => a.addr.localeCompare(b.addr))).toEqual(dests);
      await expectSameText(env);
      expect(env.ipvsadm('-L', '-n', '--tun-info')).toContain('  -> 192.168.1.15:80              Tunnel  gue:5555:r+c  1');

      await env.lvsd.call('editDest', web, { ...dests[0], weight: 9, uThreshold: 50 });
      await env.lvsd.call('deleteDest', web, dests[2]);
      const save = env.ipvsadm('-S', '-n');
      expect(save).toContain('-a -t 10.0.0.1:80 -r 192.168.1.10:8080 -m -w 9\n');
      expect(save).not.toContain('192.168.1.12');
      expect(env.ipvsadm('-L', '-n', '--thresholds')).toMatch(/-> 192\.168\.1\.10:8080 +50 +0 +0 +0/);
      await expect(env.lvsd.call('deleteDest', web, dests[2])).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(env.lvsd.call('addDest', web, dests[1])).rejects.toMatchObject({ code: 'EEXIST' });
      await expectSameText(env);
    });
  });
});

describe('timeouts, sync daemons, flush and zero', { timeout: 180_000 }, () => {
  it('timeouts set by lvsd show in ipvsadm -L --timeout', async () => {
    await withIpvs(async (env) => {
      await env.lvsd.call('setTimeouts', { tcp: 901, tcpFin: 121, udp: 301 });
      expect(env.ipvsadm('-L', '--timeout')).toBe('Timeout (tcp tcpfin udp): 901 121 301\n');
      expect(await env.lvsd.call('timeouts')).toEqual({ tcp: 901, tcpFin: 121, udp: 301 });
      expect((await env.lvsd.cli('list', '--timeout')).stdout).toBe(env.ipvsadm('-L', '--timeout'));
    });
  });

  it('sync daemon start/stop shows in ipvsadm -L --daemon', async () => {
    await withIpvs(async (env) => {
      await env.lvsd.call('startDaemon', { state: 'master', mcastIfn: 'lo', syncId: 7 });
      await env.lvsd.call('startDaemon', { state: 'backup', mcastIfn: 'lo', syncId: 8, syncMaxlen: 1400, mcastGroup: '239.1.2.3', mcastPort: 8849, mcastTtl: 2 });
      const text = env.ipvsadm('-L', '--daemon');
      expect(text).toMatch(/^master sync daemon \(mcast=lo, syncid=7, maxlen=\d+, group=224\.0\.0\.81, port=8848, ttl=1\)\n/);
      expect(text).toContain('backup sync daemon (mcast=lo, syncid=8, maxlen=1400, group=239.1.2.3, port=8849, ttl=2)\n');
      expect((await env.lvsd.cli('list', '--daemon')).stdout).toBe(text);
      await expect(env.lvsd.call('startDaemon', { state: 'master', mcastIfn: 'lo', syncId: 7 })).rejects.toMatchObject({ code: 'EEXIST' });
      await env.lvsd.call('stopDaemon', { state: 'master', mcastIfn: '', syncId: 0 });
      expect(env.ipvsadm('-L', '--daemon')).toBe('backup sync daemon (mcast=lo, syncid=8, maxlen=1400, group=239.1.2.3, port=8849, ttl=2)\n');
      await env.lvsd.call('stopDaemon', { state: 'backup', mcastIfn: '', syncId: 0 });
      expect(env.ipvsadm('-L', '--daemon')).toBe('');
      expect(await env.lvsd.call('daemons')).toEqual([]);
    });
  });

  it('flush empties the table; zero is accepted for all and for one service', async () => {
    await withIpvs(async (env) => {
      env.ipvsadm('-A', '-t', '10.0.0.1:80');
      env.ipvsadm('-a', '-t', '10.0.0.1:80', '-r', '10.1.1.1', '-m');
      await env.lvsd.call('zero', SERVICES[0]);
      await env.lvsd.call('zero');
      expect(await env.lvsd.call('table')).toHaveLength(1);
      await env.lvsd.call('flush');
      expect(env.ipvsadm('-S', '-n')).toBe('');
      const info = await env.lvsd.call<{ version: number; connTabSize: number }>('info');
      expect(info.version).toBe(0x010201);
    });
  });
});
