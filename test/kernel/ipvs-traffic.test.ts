// Real TCP connections through virtual services lvsd programmed: NAT and DR between
// namespaces (client, director, real servers), and a weight edit that keeps an
// established connection alive.
import { describe, expect, it } from 'vitest';
import { createNetns, type Netns } from './vm/netns.js';
import { withIpvs, type IpvsEnv } from './ipvs/env.js';
import { echoClient, echoServer, link, sysctl, type LineProc } from './ipvs/topology.js';
import { makeDest, makeService } from '../../src/ipvs/model.js';

const VIP = '10.0.1.100';

interface Lab extends IpvsEnv {
  client: Netns;
  real: Netns;
  /** the director's interface towards the client */
  d0: string;
}

/**
 * A director (lvsd's namespace) between a client (10.0.1.0/24, where the VIP is) and a real
 * server (10.0.2.0/24); namespaces removed after `fn`, even when it fails.
 */
async function withLab<T>(fn: (lab: Lab) => Promise<T>): Promise<T> {
  return withIpvs(async (env) => {
    const nss: Netns[] = [];
    try {
      for (let i = 0; i < 2; i++) nss.push(createNetns(`ipvst${i}`));
      const [client, real] = nss;
      const [d0] = link(env.ns, '10.0.1.1/24', client, '10.0.1.2/24');
      link(env.ns, '10.0.2.1/24', real, '10.0.2.2/24');
      env.ns.exec('ip', ['addr', 'add', `${VIP}/32`, 'dev', d0]);
      return await fn({ ...env, client, real, d0 });
    } finally {
      for (const ns of nss) ns.destroy();
    }
  });
}

/** NAT: the real server answers through the director, which forwards. */
function natRouting({ ns: director, real }: Lab): void {
  real.exec('ip', ['route', 'add', 'default', 'via', '10.0.2.1']);
  sysctl(director, 'net.ipv4.ip_forward', '1');
}

/**
 * An echo server `name` on the real server and a client connected to VIP:80: one round trip
 * ("<name>:<line>"), then `more` with the open client; both stopped after.
 */
async function echoThroughVip(lab: Lab, name: string, port: number, line: string, more?: (c: LineProc) => Promise<void>): Promise<void> {
  const server = echoServer(lab.real, name, port);
  let c: LineProc | undefined;
  try {
    expect(await server.next()).toBe('ready');
    c = echoClient(lab.client, VIP, 80);
    expect(await c.next()).toBe('connected');
    c.send(line);
    expect(await c.next()).toBe(`${name}:${line}`);
    await more?.(c);
  } finally {
    c?.stop();
    server.stop();
  }
}

describe('traffic through IPVS virtual services set by lvsd', () => {
  it('NAT: a client reaches a real server through the VIP', async () => {
    await withLab(async (lab) => {
      natRouting(lab);
      const vs = makeService({ addr: VIP, port: 80, sched: 'rr' });
      await lab.lvsd.call('addService', vs);
      await lab.lvsd.call('addDest', vs, makeDest({ addr: '10.0.2.2', port: 8080, fwd: 'masq' }));
      await echoThroughVip(lab, 'real1', 8080, 'hello', async () => {
        expect(lab.ipvsadm('-L', '-n')).toMatch(/-> 10\.0\.2\.2:8080 +Masq +1 +1 +0/);
      });
    });
  }, 180_000);

  it('DR: the real server answers the client directly', async () => {
    await withLab(async (lab) => {
      const { ns: director, client, real } = lab;
      // the return path bypasses the director, as in a real DR setup
      const [, c1] = link(real, '10.0.3.2/24', client, '10.0.3.1/24');
      real.exec('ip', ['addr', 'add', `${VIP}/32`, 'dev', 'lo']);
      real.exec('ip', ['route', 'add', '10.0.1.0/24', 'via', '10.0.3.1']);
      for (const k of ['all', c1]) sysctl(client, `net.ipv4.conf.${k}.rp_filter`, '0');
      sysctl(real, 'net.ipv4.conf.all.arp_ignore', '1');
      const vs = makeService({ addr: VIP, port: 80, sched: 'wlc' });
      await lab.lvsd.call('addService', vs);
      await lab.lvsd.call('addDest', vs, makeDest({ addr: '10.0.2.2', port: 80, fwd: 'route' }));
      await echoThroughVip(lab, 'dr1', 80, 'via-dr', async () => {
        expect(lab.ipvsadm('-L', '-n')).toMatch(/-> 10\.0\.2\.2:80 +Route +1 +1 +0/);
        // The director does not forward, so the answer can only have come over the direct link.
        expect(director.exec('sysctl', ['-n', 'net.ipv4.ip_forward']).trim()).toBe('0');
        expect(Number(client.exec('cat', [`/sys/class/net/${c1}/statistics/rx_packets`]))).toBeGreaterThan(0);
      });
    });
  }, 180_000);

  it('a weight edit keeps an established connection alive', async () => {
    await withLab(async (lab) => {
      natRouting(lab);
      const vs = makeService({ addr: VIP, port: 80, sched: 'wrr' });
      const rs = makeDest({ addr: '10.0.2.2', port: 8080, fwd: 'masq', weight: 1 });
      const r = await lab.lvsd.call<{ confirmed: boolean }>('applyDesired', [{ service: vs, dests: [rs] }], []);
      expect(r.confirmed).toBe(true);
      await echoThroughVip(lab, 'rs', 8080, 'before', async (c) => {
        for (const weight of [7, 0, 3]) {
          const edit = await lab.lvsd.call('applyDesired', [{ service: vs, dests: [{ ...rs, weight }] }], []);
          expect(edit).toMatchObject({ confirmed: true, ops: [{ op: 'editDest', dest: { weight } }] });
          expect(lab.ipvsadm('-L', '-n')).toMatch(new RegExp(`-> 10\\.0\\.2\\.2:8080 +Masq +${weight} +1 +0`));
          c.send(`after-${weight}`);
          expect(await c.next()).toBe(`rs:after-${weight}`);
        }
      });
    });
  }, 180_000);
});
