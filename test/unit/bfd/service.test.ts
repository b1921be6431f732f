// The daemon's BFD service: runs the model's instances, keeps them over an unchanged reload,
// restarts a changed set (reporting the Up ones down), splits events by vrrp/checker.
import { describe, expect, it } from 'vitest';
import { BfdService } from '../../../src/bfd/service.js';
import { encodeControl } from '../../../src/bfd/packet.js';
import type { BfdSockets, Received } from '../../../src/bfd/udp-socket.js';
import type { Model } from '../../../src/config/model.js';
import { fakeClock } from '../check/fake-clock.js';

const quiet = { info: () => undefined, warn: () => undefined };

function model(extra: Record<string, unknown> = {}): Model {
  return { bfd_instance: [
    { name: 'V', neighbor_ip: { addr: '10.0.0.2', family: 4 }, vrrp: true, ...extra },
    { name: 'C', neighbor_ip: { addr: '10.0.0.3', family: 4 }, checker: true },
  ] } as unknown as Model;
}

describe('BFD service', () => {
  it('keeps sessions over an unchanged apply, restarts only a changed one, routes events to vrrp/checker views', async () => {
    const listeners: Array<(r: Received) => void> = [];
    let senders = 0;
    let listenClosed = 0;
    const adminDownTo: string[] = [];
    const sockets: BfdSockets = {
      async listen(_f, on) { listeners.push(on); return { ttl: true, close: () => void listenClosed++ }; },
      async sender(o) {
        senders++;
        return { port: 49152, send: (d) => { if (d[1] >> 6 === 0) adminDownTo.push(o.neighbor); }, close: () => undefined };
      },
    };
    const svc = new BfdService({ log: quiet, sockets, clock: fakeClock(0).clock });
    const seen: string[] = [];
    svc.vrrp.on('up', (c) => seen.push(`vrrp up ${c.name}`));
    svc.vrrp.on('down', (c) => seen.push(`vrrp down ${c.name}`));
    svc.checker.on('up', (c) => seen.push(`checker up ${c.name}`));
    svc.checker.on('down', (c) => seen.push(`checker down ${c.name}`));
    expect(await svc.apply(model())).toBe(true);
    expect(senders).toBe(2);
    const up = (addr: string, name: string) => {
      const mine = svc.status().find((s) => s.name === name)!.localDiscr;
      const data = encodeControl({ diag: 0, state: 'Init', poll: false, final: false, cpi: false, demand: false, detectMult: 3, myDiscr: 77, yourDiscr: mine, desiredMinTxUs: 1e6, requiredMinRxUs: 1e5, requiredMinEchoRxUs: 0 });
      for (const l of listeners) l({ data, address: addr, port: 50000 });
    };
    up('10.0.0.2', 'V');
    up('10.0.0.3', 'C');
    expect(seen).toEqual(['vrrp up V', 'checker up C']);
    expect(svc.vrrp.isUp('V')).toBe(true);
    expect(await svc.apply(model())).toBe(false);
    expect(senders).toBe(2);
    expect(svc.isUp('V')).toBe(true);
    seen.length = 0;
    expect(await svc.apply(model({ multiplier: 4 }))).toBe(true);
    expect(senders).toBe(3);
    expect(seen).toEqual(['vrrp down V']);
    expect(adminDownTo).toEqual(['10.0.0.2']);
    expect(svc.isUp('V')).toBe(false);
    expect(svc.isUp('C')).toBe(true);
    expect(svc.status().map((s) => s.name).sort()).toEqual(['C', 'V']);
    expect(listeners).toHaveLength(1);
    expect(await svc.apply({} as Model)).toBe(true);
    expect(seen).toEqual(['vrrp down V', 'checker down C']);
    expect(svc.status()).toEqual([]);
    expect(listenClosed).toBe(1);
    await svc.stop();
  });
});
