// Runs inside a test namespace (ip netns exec) and drives src/net/ for the netns tests:
// one JSON request per stdin line, one JSON reply per stdout line; link events and
// announcement sends are pushed as {event} lines stamped with wall-clock ms (sub-ms).
import { createInterface } from 'node:readline';
import { openAddressTable } from '../../../src/net/vips.js';
import { LinkMonitor } from '../../../src/net/links.js';
import { openFrameSender, type FrameSender } from '../../../src/net/packet-socket.js';
import { gratuitousArp, unsolicitedNa } from '../../../src/net/announce/frames.js';
import { Announcer, type AnnounceVip } from '../../../src/net/announce/announcer.js';
import { DEFAULT_ANNOUNCE, type AnnounceParams } from '../../../src/net/announce/scheduler.js';
import { openVmacLinks, type VmacSpec } from '../../../src/net/vmac.js';
import { forwardsIpv6 } from '../../../src/net/announce/router-flag.js';
import { openRouteTable, type Route, type Rule } from '../../../src/net/routes.js';
import { ipToBytes, macToBytes, bytesToMac, familyOf } from '../../../src/net/ip.js';
import type { Vip } from '../../../src/net/vip.js';
import { RtnlSocket } from '../../../src/net/rtnl/socket.js';
import { setLinkUpRequest } from '../../../src/net/rtnl/link-msg.js';

const wall = (): number => performance.timeOrigin + performance.now();
const out = (o: unknown): void => { process.stdout.write(`${JSON.stringify(o)}\n`); };

const table = openAddressTable();
const vmacs = openVmacLinks();
const routes = openRouteTable();
const senders = new Map<number, FrameSender>();
const senderFor = (ifindex: number): FrameSender => {
  let s = senders.get(ifindex);
  if (!s) { s = openFrameSender(ifindex); senders.set(ifindex, s); }
  return s;
};
let monitor: LinkMonitor | undefined;
let announcer: Announcer | undefined;

interface Req { id: number; op: string; [k: string]: unknown }

async function handle(r: Req): Promise<unknown> {
  switch (r.op) {
    case 'ifindex': return table.ifindex(r.name as string);
    case 'add': return table.add(r.vip as Vip);
    case 'remove': return table.remove(r.vip as Vip);
    case 'list': return table.list(r.ifindex as number);
    case 'timeAdds': {
      // Latency of n add + n remove round trips (µs each), for the report.
      const vips = r.vips as Vip[];
      const t0 = performance.now();
      for (const v of vips) await table.add(v);
      const t1 = performance.now();
      for (const v of vips) await table.remove(v);
      const t2 = performance.now();
      return { addUs: ((t1 - t0) * 1000) / vips.length, removeUs: ((t2 - t1) * 1000) / vips.length };
    }
    case 'monitor': {
      monitor = await LinkMonitor.open((r.options as { recvBufferSize?: number } | undefined) ?? {});
      monitor.on('change', (l, prev) => out({ event: 'link', at: wall(), link: { ...l, mac: l.mac ? bytesToMac(l.mac) : undefined }, isNew: !prev }));
      monitor.on('removed', (l) => out({ event: 'removed', at: wall(), link: { ifindex: l.ifindex, name: l.name } }));
      return monitor.all().map((l) => ({ ...l, mac: l.mac ? bytesToMac(l.mac) : undefined }));
    }
    case 'monitorInfo': return {
      resyncs: monitor?.resyncs, reopens: monitor?.reopens, invalid: monitor?.invalid, names: monitor?.all().map((l) => l.name),
      noEnobufs: monitor?.noEnobufs, dropped: monitor?.dropped,
    };
    case 'busy': {
      // Test hook: hold the event loop so the kernel's queue for the monitor overflows.
      const until = Date.now() + (r.ms as number);
      while (Date.now() < until) { /* spin */ }
      return true;
    }
    case 'deafen': {
      // Test hook: leave the link group, as if the kernel had dropped our events.
      const events = (monitor as unknown as { events: { dropMembership(g: number): void; addMembership(g: number): void } }).events;
      if (r.on) events.dropMembership(1); else events.addMembership(1);
      return true;
    }
    case 'resync': await monitor?.resync(); return true;
    case 'killEvents': (monitor as unknown as { events: { close(): void } }).events.close(); return true;
    case 'rcvbuf': return (monitor as unknown as { events: { getRecvBufferSize(): number } }).events.getRecvBufferSize();
    case 'linkState': {
      const l = monitor?.get(r.ifindex as number);
      return l ? { ...l, mac: l.mac ? bytesToMac(l.mac) : undefined } : null;
    }
    case 'sendFrame': {
      const ifindex = r.ifindex as number;
      const mac = macToBytes(r.mac as string);
      const addr = r.address as string;
      const frame = familyOf(addr) === 4 ? gratuitousArp(mac, ipToBytes(addr)) : unsolicitedNa(mac, ipToBytes(addr), Boolean(r.router));
      senderFor(ifindex).send(frame);
      return frame.toString('hex');
    }
    case 'setLink': {
      // Toggles IFF_UP from this process, stamping the time just before the request.
      const rtnl = new RtnlSocket();
      const at = wall();
      try { await rtnl.request(setLinkUpRequest(r.ifindex as number, Boolean(r.up)), 'set link'); } finally { rtnl.close(); }
      return at;
    }
    case 'addRoute': return routes.addRoute(r.route as Route);
    case 'removeRoute': return routes.removeRoute(r.route as Route);
    case 'addRule': return routes.addRule(r.rule as Rule);
    case 'removeRule': return routes.removeRule(r.rule as Rule);
    case 'forwardsIpv6': return forwardsIpv6(r.name as string);
    case 'sendRaw': senderFor(r.ifindex as number).send(Buffer.from(r.hex as string, 'hex')); return true;
    case 'announce': {
      announcer?.stop();
      const vips: AnnounceVip[] = (r.vips as Array<{ key: string; ifindex: number; address: string; mac: string }>).map((v) => ({
        key: v.key, ifindex: v.ifindex, family: familyOf(v.address), address: ipToBytes(v.address), mac: macToBytes(v.mac),
      }));
      announcer = new Announcer(vips, senderFor, {
        params: { ...DEFAULT_ANNOUNCE, ...(r.params as Partial<AnnounceParams>) },
        onSent: (v) => out({ event: 'sent', at: wall(), key: v.key }),
        onError: (v, e) => out({ event: 'sendError', at: wall(), key: v.key, code: (e as Error & { code?: string }).code }),
      });
      announcer.master();
      return { sent: announcer.sent, failed: announcer.failed };
    }
    case 'timeSends': {
      const frame = gratuitousArp(macToBytes(r.mac as string), ipToBytes(r.address as string));
      const sender = senderFor(r.ifindex as number);
      const t0 = performance.now();
      for (let i = 0; i < (r.count as number); i++) sender.send(frame);
      return ((performance.now() - t0) * 1000) / (r.count as number);
    }
    case 'takeover': {
      // What a new master does first: add the VIP, then the first GARP. Stamped before the add.
      const at = wall();
      const v = r.vip as Vip;
      await table.add(v);
      senderFor(v.ifindex).send(gratuitousArp(macToBytes(r.mac as string), ipToBytes(v.address)));
      return { at, done: wall() };
    }
    case 'stopAnnounce': announcer?.stop(); return true;
    case 'vmacCreate': return vmacs.create(r.spec as VmacSpec);
    case 'vmacRemove': return vmacs.remove(r.name as string);
    case 'wall': return wall();
    case 'exit':
      setImmediate(() => {
        announcer?.stop();
        monitor?.close();
        for (const s of senders.values()) s.close();
        table.close();
        vmacs.close();
        routes.close();
        process.exit(0);
      });
      return true;
    default: throw new Error(`unknown op ${r.op}`);
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const r = JSON.parse(line) as Req;
  handle(r).then(
    (value) => out({ id: r.id, ok: true, value }),
    (e: unknown) => {
      const err = e as Error & { errno?: number; code?: string };
      out({ id: r.id, ok: false, error: { message: err.message, errno: err.errno, code: err.code } });
    },
  );
});
process.stdin.on('end', () => process.exit(0));
out({ event: 'ready', at: wall() });
