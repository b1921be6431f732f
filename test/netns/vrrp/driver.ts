// Test-only process wiring one VRRP instance: state machine + advert I/O + raw-socket
// transport, real timers. Runs inside a network namespace (bundled by harness.ts). Prints
// one JSON object per line: ready, rx, become, drop, exit. SIGTERM = graceful shutdown.
import { VrrpMachine, type Action } from '../../../src/vrrp/machine.js';
import { AdvertIo } from '../../../src/vrrp/advert-io.js';
import { openTransport } from '../../../src/vrrp/transport.js';
import { authKey, type AuthType } from '../../../src/vrrp/packet.js';
import type { MachineParams, WireParams } from '../../../src/vrrp/types.js';

export interface DriverConfig {
  machine: MachineParams;
  wire: Omit<WireParams, 'auth'> & { authType: AuthType; authPass: string };
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as DriverConfig;
const wire: WireParams = { ...cfg.wire, auth: { type: cfg.wire.authType, key: authKey(cfg.wire.authPass) } };
const machine = new VrrpMachine(cfg.machine);
const io = new AdvertIo(wire, cfg.machine.advertIntervalMs);
const transport = openTransport({
  family: wire.family, interfaceName: wire.interfaceName, sourceAddress: wire.sourceAddress,
  multicast: wire.unicastPeers.length === 0, ah: wire.auth.type === 'ah',
});
const t0 = performance.now();
const now = (): number => performance.now() - t0;
let timer: NodeJS.Timeout | null = null;
const pending = new Set<Promise<void>>();

function out(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ t: Date.now(), ...o })}\n`);
}

function apply(actions: Action[]): void {
  for (const a of actions) {
    switch (a.type) {
      case 'send-advert':
        for (const { dst, pkt } of io.build(a.priority)) {
          const p = transport.send(pkt, dst).catch((e: unknown) => out({ ev: 'send-error', error: String(e) }));
          pending.add(p);
          void p.finally(() => pending.delete(p));
        }
        break;
      case 'set-timer':
        if (timer) clearTimeout(timer);
        timer = null;
        if (a.at !== null) {
          timer = setTimeout(() => { timer = null; apply(machine.handle({ type: 'timer' }, Math.max(now(), a.at ?? 0))); },
            Math.max(0, a.at - now()));
        }
        break;
      case 'become':
        out({ ev: 'become', state: a.state, from: a.from, priority: machine.effectivePriority });
        break;
      default:
        break; // VIPs and GARP are a later step's business
    }
  }
}

transport.onError((e) => out({ ev: 'socket-error', error: String(e) }));
transport.onPacket((rx) => {
  const r = io.receive(rx);
  if (!r.ok) { out({ ev: 'drop', reason: r.reason, detail: r.detail }); return; }
  out({ ev: 'rx', src: r.event.src, priority: r.event.priority });
  apply(machine.handle(r.event, now()));
});

async function stop(): Promise<void> {
  apply(machine.handle({ type: 'shutdown' }, now()));
  await Promise.all([...pending]);
  out({ ev: 'exit', drops: io.drops, received: io.received });
  transport.close();
  process.exit(0);
}
process.on('SIGTERM', () => { void stop(); });
process.on('SIGINT', () => { void stop(); });
out({ ev: 'ready' });
apply(machine.handle({ type: 'start' }, now()));
