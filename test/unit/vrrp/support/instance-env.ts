// Recording stand-ins for an Instance's kernel edges (socket, address table, frame sender,
// vmac links), shared by the instance and status suites; the real edges run in test/netns/vrrp/.
import { expect } from 'vitest';
import { Writable } from 'node:stream';
import { Instance, type InstanceEnv } from '../../../../src/vrrp/instance.js';
import { planFromModel } from '../../../../src/vrrp/from-model.js';
import { VridDemux } from '../../../../src/vrrp/demux.js';
import { AdvertIo } from '../../../../src/vrrp/advert-io.js';
import { NO_AUTH, parseIpv4 } from '../../../../src/vrrp/packet.js';
import { Notifier } from '../../../../src/vrrp/notify.js';
import { createLogger } from '../../../../src/daemon/log.js';
import type { ReceivedPacket } from '../../../../src/vrrp/transport.js';
import type { Vip } from '../../../../src/net/vip.js';
import type { Model } from '../../../../src/config/model.js';
import type { VrrpEvent } from '../../../../src/vrrp/events.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Rec {
  log: string[];
  events: Array<Record<string, unknown>>;
  rx: ((rx: ReceivedPacket) => void) | null;
  released: number;
  /** What the instance reported through env.observe. */
  observed: VrrpEvent[];
}

export function env(addrs = ['10.0.0.1']): { env: InstanceEnv; rec: Rec } {
  const rec: Rec = { log: [], events: [], rx: null, released: 0, observed: [] };
  const t0 = performance.now();
  const out = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) rec.events.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const demux = new VridDemux();
  const e: InstanceEnv = {
    now: () => performance.now() - t0,
    acquireSocket: () => ({
      transport: {
        send: async (pkt: Buffer, dst: string) => {
          const p = parseIpv4(pkt);
          rec.log.push(`advert ${dst} prio ${p.ok ? p.raw.priority : '?'}`);
        },
        onPacket: (cb) => { rec.rx = cb; },
        onError: () => undefined,
        close: () => undefined,
      },
      demux,
    }),
    releaseSocket: () => { rec.released++; },
    addresses: {
      add: async (v: Vip) => { await sleep(5); rec.log.push(`add ${v.address}/${v.prefixLength}@${v.ifindex}`); return 'added'; },
      remove: async (v: Vip) => { rec.log.push(`del ${v.address}`); return 'removed'; },
      list: async () => addrs.map((address) => ({ ifindex: 2, family: 4 as const, address, prefixLength: 24, scope: 0, nodad: false })),
      ifindex: async () => 2,
      close: () => undefined,
    },
    routes: {
      addRoute: async (r) => { rec.log.push(`route add ${r.to}/${r.prefixLength ?? ''}`); return 'added'; },
      removeRoute: async (r) => { rec.log.push(`route del ${r.to}/${r.prefixLength ?? ''}`); return 'removed'; },
      addRule: async (r) => { rec.log.push(`rule add ${r.from ?? r.to ?? ''} ${r.table}`); return 'added'; },
      removeRule: async (r) => { rec.log.push(`rule del ${r.from ?? r.to ?? ''} ${r.table}`); return 'removed'; },
      close: () => undefined,
    },
    frameSender: (ifindex) => ({ ifindex, send: (f: Buffer) => { rec.log.push(`garp ${[...f.subarray(28, 32)].join('.')}`); }, close: () => undefined }),
    link: (name) => (name === 'eth0' ? { ifindex: 2, mac: Buffer.from('020000000001', 'hex'), up: true, running: true } : undefined),
    vmacs: { create: async () => ({ ifindex: 3, created: true }), remove: async () => 'removed', close: () => undefined },
    notifier: new Notifier([]),
    log: createLogger({ out }),
    observe: (ev) => { rec.observed.push(ev); },
  };
  // Packets "from the wire" go through the same demux the instance registered with.
  rec.rx = (rx) => demux.dispatch(rx);
  return { env: e, rec };
}

export function spec(extra = ''): ReturnType<typeof planFromModel>['instances'][number] {
  const model = {
    global_defs: { vrrp_garp_master_delay: 0, vrrp_garp_master_repeat: 2 },
    vrrp_instance: [{
      name: 'VI_1', interface: 'eth0', version: 3, virtual_router_id: 7, priority: 100, advert_int: 50_000, preempt_delay: 0,
      virtual_ipaddress: [{ addr: '10.0.0.100', family: 4, prefix: 24 }],
      virtual_ipaddress_excluded: [{ addr: '10.0.0.200', family: 4, prefix: 32 }],
      ...(extra === 'nopreempt' ? { nopreempt: true } : {}),
    }],
  } as unknown as Model;
  return planFromModel(model).instances[0];
}

export function peerAdvert(priority: number): Extract<ReceivedPacket, { family: 4 }> {
  const io = new AdvertIo({
    family: 4, version: 3, vrid: 7, auth: NO_AUTH, addresses: ['10.0.0.100'], interfaceName: 'eth0', sourceAddress: '10.0.0.9',
    unicastPeers: [], checkUnicastSrc: false, unicastChecksum: 'auto', skipCheckAdvAddr: false,
  }, 50);
  return { family: 4, packet: io.build(priority)[0].pkt };
}

export async function until(cond: () => boolean, ms: number): Promise<void> {
  for (let t = 0; t < ms && !cond(); t += 5) await sleep(5);
  expect(cond()).toBe(true);
}

/** An Instance of `sp` on `e`, prepared and started (INIT -> BACKUP); closed again if prepare() fails. */
export async function startInstance(sp: ConstructorParameters<typeof Instance>[0], e: InstanceEnv): Promise<Instance> {
  const inst = new Instance(sp, e);
  try {
    await inst.prepare();
  } catch (err) {
    await inst.close();
    throw err;
  }
  inst.event({ type: 'start' });
  return inst;
}

/** After each test: an instance that ran is shut down (priority 0, VIPs released), then closed. */
export async function stopInstance(inst: Instance | undefined): Promise<void> {
  if (inst?.machine && inst.state !== 'INIT') inst.event({ type: 'shutdown' });
  await inst?.close();
}
