// lvsd's requests, byte for byte against what ipvsadm 1.31 sent for the same operation
// (sequence number, port id and the boot-dependent family id left out).
import { describe, expect, it } from 'vitest';
import { encodeGenl } from '../../../src/ipvs/message.js';
import { opRequest, requests, type IpvsRequest } from '../../../src/ipvs/requests.js';
import { makeDest, makeService } from '../../../src/ipvs/model.js';
import {
  AF_INET6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, SVC_F_ONEPACKET, SVC_F_PERSISTENT,
  SVC_F_SCHED_MH_PORT, SVC_F_SCHED_SH_FALLBACK, SVC_F_SCHED_SH_PORT,
} from '../../../src/ipvs/constants.js';
import { lastSent, sent, type CapturedMessage } from './fixture.js';

function bytesOf(r: IpvsRequest): { flags: number; payload: string } {
  const b = encodeGenl({ family: 0x20, cmd: r.cmd, flags: r.flags, seq: 1, pid: 2, attrs: r.attrs });
  expect(b.readUInt32LE(0)).toBe(b.length);
  return { flags: r.flags, payload: b.subarray(16).toString('hex') };
}
const same = (r: IpvsRequest, m: CapturedMessage): void => {
  expect(bytesOf(r)).toEqual({ flags: m.flags, payload: m.payload });
};

const http = makeService({ protocol: IPPROTO_TCP, addr: '10.0.0.1', port: 80, sched: 'rr' });
const v6 = makeService({ protocol: IPPROTO_TCP, addr: '2001:db8::1', port: 443, sched: 'wlc', flags: SVC_F_PERSISTENT, timeout: 120, netmask: 64 });
const fwm5 = makeService({ fwmark: 5, sched: 'mh', flags: SVC_F_SCHED_MH_PORT });

describe('service requests match ipvsadm', () => {
  it('-A -t 10.0.0.1:80 -s rr', () => same(requests.newService(http), lastSent('-A -t 10.0.0.1:80 -s rr')));
  it('-A -u ... -p 600 -M 255.255.255.0 (persistence, IPv4 mask in network order)', () => {
    const s = makeService({ protocol: IPPROTO_UDP, addr: '10.0.0.1', port: 53, sched: 'wrr', flags: SVC_F_PERSISTENT, timeout: 600, netmask: 0xffffff00 });
    same(requests.newService(s), lastSent('-A -u 10.0.0.1:53 -s wrr -p 600 -M 255.255.255.0'));
  });
  it('-A --sctp-service ... -b sh-fallback,sh-port', () => {
    const s = makeService({ protocol: IPPROTO_SCTP, addr: '10.0.0.1', port: 3868, sched: 'sh', flags: SVC_F_SCHED_SH_FALLBACK | SVC_F_SCHED_SH_PORT });
    same(requests.newService(s), lastSent('-A --sctp-service 10.0.0.1:3868 -s sh -b sh-fallback,sh-port'));
  });
  it('-A -f 5 -s mh -b mh-port (fwmark)', () => same(requests.newService(fwm5), lastSent('-A -f 5 -s mh -b mh-port')));
  it('-A -f 6 -6 -s lc -p 300 (IPv6 fwmark)', () => {
    const s = makeService({ fwmark: 6, af: AF_INET6, sched: 'lc', flags: SVC_F_PERSISTENT, timeout: 300 });
    same(requests.newService(s), lastSent('-A -f 6 -6 -s lc -p 300'));
  });
  it('-A -t [2001:db8::1]:443 -p 120 -M 64 (IPv6 prefix in host order)', () =>
    same(requests.newService(v6), lastSent('-A -t [2001:db8::1]:443 -s wlc -p 120 -M 64')));
  it('-A -u ... -o -p 60 --pe sip (one-packet, persistence engine)', () => {
    const s = makeService({ protocol: IPPROTO_UDP, addr: '10.0.0.2', port: 5060, sched: 'rr', flags: SVC_F_PERSISTENT | SVC_F_ONEPACKET, timeout: 60, pe: 'sip' });
    same(requests.newService(s), lastSent('-A -u 10.0.0.2:5060 -s rr -o -p 60 --pe sip'));
  });
  it('-E (edit)', () => same(requests.setService({ ...http, sched: 'wlc' }), lastSent('-E -t 10.0.0.1:80 -s wlc')));
  it('-D (delete names the service by key)', () => same(requests.delService({ ...http, sched: 'wlc' }), lastSent('-D -t 10.0.0.1:80')));
  it('-Z and -Z -u (zero counters)', () => {
    same(requests.zero(), lastSent('-Z'));
    const udp = makeService({ protocol: IPPROTO_UDP, addr: '10.0.0.1', port: 53, sched: 'wrr', flags: SVC_F_PERSISTENT, timeout: 600 });
    same(requests.zero(udp), lastSent('-Z -u 10.0.0.1:53'));
  });
  it('-C (flush)', () => same(requests.flush(), lastSent('-C')));
});

describe('destination requests match ipvsadm', () => {
  it('-a ... -m -w 3 (NAT)', () =>
    same(requests.newDest(http, makeDest({ addr: '192.168.1.10', port: 8080, fwd: 'masq', weight: 3 })),
      lastSent('-a -t 10.0.0.1:80 -r 192.168.1.10:8080 -m -w 3')));
  it('-a ... -g -w 0 -x 100 -y 10 (DR with thresholds)', () =>
    same(requests.newDest(http, makeDest({ addr: '192.168.1.11', port: 80, fwd: 'route', weight: 0, uThreshold: 100, lThreshold: 10 })),
      lastSent('-a -t 10.0.0.1:80 -r 192.168.1.11 -g -w 0 -x 100 -y 10')));
  it('-a ... -i (ipip)', () =>
    same(requests.newDest(http, makeDest({ addr: '192.168.1.12', port: 80, fwd: 'tunnel' })), lastSent('-a -t 10.0.0.1:80 -r 192.168.1.12 -i')));
  it('-a ... --tun-type gue --tun-port 6080 --tun-csum', () =>
    same(requests.newDest(http, makeDest({ addr: '192.168.1.13', port: 80, fwd: 'tunnel', tunType: 'gue', tunPort: 6080, tunFlags: 'csum' })),
      lastSent('-a -t 10.0.0.1:80 -r 192.168.1.13 -i --tun-type gue --tun-port 6080 --tun-csum')));
  it('-a ... --tun-type gre --tun-csum', () =>
    same(requests.newDest(http, makeDest({ addr: '192.168.1.14', port: 80, fwd: 'tunnel', tunType: 'gre', tunFlags: 'csum' })),
      lastSent('-a -t 10.0.0.1:80 -r 192.168.1.14 -i --tun-type gre --tun-csum')));
  it('-a IPv6 NAT', () =>
    same(requests.newDest(v6, makeDest({ addr: '2001:db8::10', port: 443, fwd: 'masq', weight: 5 })),
      lastSent('-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -m -w 5')));
  it('-a to a fwmark service', () =>
    same(requests.newDest(fwm5, makeDest({ addr: '192.168.1.20', port: 0, fwd: 'route' })), lastSent('-a -f 5 -r 192.168.1.20 -g')));
  it('-e (edit weight)', () =>
    same(requests.setDest(http, makeDest({ addr: '192.168.1.10', port: 8080, fwd: 'masq', weight: 7 })),
      lastSent('-e -t 10.0.0.1:80 -r 192.168.1.10:8080 -m -w 7')));
  it('-d (delete)', () =>
    same(requests.delDest(http, makeDest({ addr: '192.168.1.10', port: 8080 })), lastSent('-d -t 10.0.0.1:80 -r 192.168.1.10:8080')));
});

describe("reconcile's operations (the batch path) send the same requests", () => {
  const d = makeDest({ addr: '192.168.1.10', port: 8080, fwd: 'masq', weight: 7 });
  it.each([
    ['-A -t 10.0.0.1:80 -s rr', { op: 'addService', service: http } as const],
    ['-E -t 10.0.0.1:80 -s wlc', { op: 'editService', service: { ...http, sched: 'wlc' } } as const],
    ['-D -t 10.0.0.1:80', { op: 'deleteService', service: http } as const],
    ['-a -t 10.0.0.1:80 -r 192.168.1.10:8080 -m -w 3', { op: 'addDest', service: http, dest: { ...d, weight: 3 } } as const],
    ['-e -t 10.0.0.1:80 -r 192.168.1.10:8080 -m -w 7', { op: 'editDest', service: http, dest: d } as const],
    ['-d -t 10.0.0.1:80 -r 192.168.1.10:8080', { op: 'deleteDest', service: http, dest: makeDest({ addr: '192.168.1.10', port: 8080 }) } as const],
  ])('as ipvsadm %s', (cmd, o) => same(opRequest(o), lastSent(cmd)));
});

describe('config, daemon and dump requests match ipvsadm', () => {
  it('--set 900 120 300', () => same(requests.setTimeouts({ tcp: 900, tcpFin: 120, udp: 300 }), lastSent('--set 900 120 300')));
  it('-L --timeout', () => same(requests.getTimeouts(), lastSent('-L --timeout')));
  it('--start-daemon master', () =>
    same(requests.startDaemon({ state: 'master', mcastIfn: 'lo', syncId: 7 }), lastSent('--start-daemon master --mcast-interface lo --syncid 7')));
  it('--start-daemon backup with maxlen, group, port, ttl', () =>
    same(requests.startDaemon({ state: 'backup', mcastIfn: 'lo', syncId: 8, syncMaxlen: 1400, mcastGroup: '239.1.2.3', mcastPort: 8849, mcastTtl: 2 }),
      lastSent('--start-daemon backup --mcast-interface lo --syncid 8 --sync-maxlen 1400 --mcast-group 239.1.2.3 --mcast-port 8849 --mcast-ttl 2')));
  it('--stop-daemon master / backup', () => {
    same(requests.stopDaemon({ state: 'master', mcastIfn: '', syncId: 0 }), lastSent('--stop-daemon master'));
    same(requests.stopDaemon({ state: 'backup', mcastIfn: '', syncId: 0 }), lastSent('--stop-daemon backup'));
  });
  it('-L --daemon', () => same(requests.dumpDaemons(), lastSent('-L --daemon')));
  it('-L -n: info, service dump, destination dump per service', () => {
    const s = sent('-L -n');
    same(requests.getInfo(), s[0]);
    same(requests.dumpServices(), s[1]);
    same(requests.dumpDests(http), s[2]);
    same(requests.dumpDests(fwm5), s.find((m) => m.payload.length === 2 * 24)!);
    same(requests.dumpDests(v6), s.find((m) => m.payload.includes('20010db8'))!);
  });
});
