// Real TCP connections through virtual services lvsd programmed: NAT and DR between
// namespaces (client, director, real servers), and a weight edit that keeps an
// established connection alive.
import { describe, expect, it } from 'vitest';
import { createNetns, type Netns } from './vm/netns.js';
import { withIpvs } from './ipvs/env.js';
import { echoClient, echoServer, link, sysctl, type LineProc } from './ipvs/topology.js';
import { makeDest, makeService } from '../../src/ipvs/model.js';

async function withSpares<T>(n: number, fn: (nss: Netns[]) => Promise<T>): Promise<T> {
  const nss: Netns[] = [];
  try {
    for (let i = 0; i < n; i++) nss.push(createNetns(`ipvst${i}`));
    return await fn(nss);
  } finally {
    for (const ns of nss) ns.destroy();
  }
}

async function ready(p: LineProc): Promise<void> {
  expect(await p.next()).toBe('ready');
}

describe('traffic through IPVS virtual services set by lvsd', () => {
  it('NAT: a client reaches a real server through the VIP', async () => {
    await withIpvs(async ({ ns: director, lvsd, ipvsadm }) => {
      await withSpares(2, async ([client, real]) => {
        const [d0] = link(director, '10.0.1.1/24', client, '10.0.1.2/24');
        link(director, '10.0.2.1/24', real, '10.0.2.2/24');
        director.exec('ip', ['addr', 'add', '10.0.1.100/32', 'dev', d0]);
        real.exec('ip', ['route', 'add', 'default', 'via', '10.0.2.1']);
        sysctl(director, 'net.ipv4.ip_forward', '1');
        const vs = makeService({ addr: '10.0.1.100', port: 80, sched: 'rr' });
        await lvsd.call('addService', vs);
        await lvsd.call('addDest', vs, makeDest({ addr: '10.0.2.2', port: 8080, fwd: 'masq' }));
        const server = echoServer(real, 'real1', 8080);
        let c: LineProc | undefined;
        try {
          await ready(server);
          c = echoClient(client, '10.0.1.100', 80);
          expect(await c.next()).toBe('connected');
          c.send('hello');
          expect(await c.next()).toBe('real1:hello');
          expect(ipvsadm('-L', '-n')).toMatch(/-> 10\.0\.2\.2:8080 +Masq +1 +1 +0/);
        } finally {
          c?.stop();
          server.stop();
        }
      });
    });
  }, 180_000);

  it('DR: the real server answers the client directly', async () => {
    await withIpvs(async ({ ns: director, lvsd, ipvsadm }) => {
      await withSpares(2, async ([client, real]) => {
        const [d0] = link(director, '10.0.1.1/24', client, '10.0.1.2/24');
        link(director, '10.0.2.1/24', real, '10.0.2.2/24');
        // the return path bypasses the director, as in a real DR setup
        const [, c1] = link(real, '10.0.3.2/24', client, '10.0.3.1/24');
        director.exec('ip', ['addr', 'add', '10.0.1.100/32', 'dev', d0]);
        real.exec('ip', ['addr', 'add', '10.0.1.100/32', 'dev', 'lo']);
        real.exec('ip', ['route', 'add', '10.0.1.0/24', 'via', '10.0.3.1']);
        for (const k of ['all', c1]) sysctl(client, `net.ipv4.conf.${k}.rp_filter`, '0');
        sysctl(real, 'net.ipv4.conf.all.arp_ignore', '1');
        const vs = makeService({ addr: '10.0.1.100', port: 80, sched: 'wlc' });
        await lvsd.call('addService', vs);
        await lvsd.call('addDest', vs, makeDest({ addr: '10.0.2.2', port: 80, fwd: 'route' }));
        const server = echoServer(real, 'dr1', 80);
        let c: LineProc | undefined;
        try {
          await ready(server);
          c = echoClient(client, '10.0.1.100', 80);
          expect(await c.next()).toBe('connected');
          c.send('via-dr');
          expect(await c.next()).toBe('dr1:via-dr');
          expect(ipvsadm('-L', '-n')).toMatch(/-> 10\.0\.2\.2:80 +Route +1 +1 +0/);
          // The director does not forward, so the answer can only have come over the direct link.
          expect(director.exec('sysctl', ['-n', 'net.ipv4.ip_forward']).trim()).toBe('0');
          expect(Number(client.exec('cat', [`/sys/class/net/${c1}/statistics/rx_packets`]))).toBeGreaterThan(0);
        } finally {
          c?.stop();
          server.stop();
        }
      });
    });
  }, 180_000);

  it('a weight edit keeps an established connection alive', async () => {
    await withIpvs(async ({ ns: director, lvsd, ipvsadm }) => {
      await withSpares(2, async ([client, real]) => {
        const [d0] = link(director, '10.0.1.1/24', client, '10.0.1.2/24');
        link(director, '10.0.2.1/24', real, '10.0.2.2/24');
        director.exec('ip', ['addr', 'add', '10.0.1.100/32', 'dev', d0]);
        real.exec('ip', ['route', 'add', 'default', 'via', '10.0.2.1']);
        sysctl(director, 'net.ipv4.ip_forward', '1');
        const vs = makeService({ addr: '10.0.1.100', port: 80, sched: 'wrr' });
        const rs = makeDest({ addr: '10.0.2.2', port: 8080, fwd: 'masq', weight: 1 });
        const server = echoServer(real, 'rs', 8080);
        let c: LineProc | undefined;
        try {
          await ready(server);
          let r = await lvsd.call<{ confirmed: boolean }>('applyDesired', [{ service: vs, dests: [rs] }], []);
          expect(r.confirmed).toBe(true);
          c = echoClient(client, '10.0.1.100', 80);
          expect(await c.next()).toBe('connected');
          c.send('before');
          expect(await c.next()).toBe('rs:before');
          for (const weight of [7, 0, 3]) {
            r = await lvsd.call('applyDesired', [{ service: vs, dests: [{ ...rs, weight }] }], []);
            expect(r).toMatchObject({ confirmed: true, ops: [{ op: 'editDest', dest: { weight } }] });
            expect(ipvsadm('-L', '-n')).toMatch(new RegExp(`-> 10\\.0\\.2\\.2:8080 +Masq +${weight} +1 +0`));
            c.send(`after-${weight}`);
            expect(await c.next()).toBe(`rs:after-${weight}`);
          }
        } finally {
          c?.stop();
          server.stop();
        }
      });
    });
  }, 180_000);
});
