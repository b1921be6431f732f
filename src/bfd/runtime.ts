// Every bfd_instance of a config, running: one receiving socket per address family on port
// 3784, one sending socket and one BfdSession per instance. Packets are decoded, refused ones
// counted by reason; the rest go to the session named by Your Discriminator, or, while that
// is 0, to the session whose neighbour sent them. Emits 'up' and 'down' per instance.
import { EventEmitter } from 'node:events';
import { realClock, type Clock } from '../check/scheduler.js';
import { decodeControl, DIAG, DropCounter, encodeControl, type BfdDropReason, type BfdState } from './packet.js';
import { BfdSession } from './session.js';
import type { BfdInstanceSpec } from './from-model.js';
import { udpBfdSockets, type BfdListener, type BfdSender, type BfdSockets, type Family, type Received } from './udp-socket.js';

export interface BfdLogger {
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
}

export interface BfdRuntimeOptions {
  log?: BfdLogger;
  clock?: Clock;
  sockets?: BfdSockets;
  random?: () => number;
  /** How a session's detection expiry waits for packets already received (default: setImmediate; at once with an injected clock). */
  defer?: (fn: () => void) => void;
}

export interface BfdChange {
  name: string;
  from: BfdState;
  to: BfdState;
  /** Local diagnostic (RFC 5880 4.1). */
  diag: number;
}

export interface BfdInstanceStatus {
  name: string;
  state: BfdState;
  up: boolean;
  diag: number;
  localDiscr: number;
  remoteDiscr: number;
  txIntervalUs: number;
  detectTimeUs: number;
  received: number;
  sent: number;
  /** States entered since the instance first ran (kept across a restart by a changed config). */
  transitions: Record<BfdState, number>;
  /** Refused packets this instance's neighbour sent (by source address or discriminator), by reason. */
  drops: Partial<Record<BfdDropReason, number>>;
}

/** What an instance has seen over its runs (counters survive a restart by reload). */
interface Counts {
  transitions: Record<BfdState, number>;
  drops: Partial<Record<BfdDropReason, number>>;
}

interface Running {
  spec: BfdInstanceSpec;
  session: BfdSession;
  sender: BfdSender;
}

type Events = { up: [BfdChange]; down: [BfdChange] };

export class BfdRuntime extends EventEmitter<Events> {
  readonly drops = new DropCounter();
  private readonly byName = new Map<string, Running>();
  private readonly byDiscr = new Map<number, Running>();
  private readonly counts = new Map<string, Counts>();
  private readonly receivers = new Map<Family, BfdListener>();
  private stopped = false;

  private constructor(private readonly o: BfdRuntimeOptions) {
    super();
  }

  static async start(specs: BfdInstanceSpec[], o: BfdRuntimeOptions = {}): Promise<BfdRuntime> {
    const rt = new BfdRuntime(o);
    try {
      await rt.boot(specs);
    } catch (e) {
      await rt.stop(false);
      throw e;
    }
    return rt;
  }

  /** True while the named instance's session is Up (unknown names: false). */
  isUp(name: string): boolean {
    return this.byName.get(name)?.session.state === 'Up';
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  status(): BfdInstanceStatus[] {
    return [...this.byName.values()].map(({ spec, session: s }) => {
      const c = this.countsOf(spec.name);
      return {
        name: spec.name, state: s.state, up: s.state === 'Up', diag: s.diag, localDiscr: s.localDiscr, remoteDiscr: s.remoteDiscr,
        txIntervalUs: s.txIntervalUs, detectTimeUs: s.detectTimeUs, received: s.received, sent: s.sent,
        transitions: { ...c.transitions }, drops: { ...c.drops },
      };
    });
  }

  private countsOf(name: string): Counts {
    let c = this.counts.get(name);
    if (!c) {
      c = { transitions: { AdminDown: 0, Down: 0, Init: 0, Up: 0 }, drops: {} };
      this.counts.set(name, c);
    }
    return c;
  }

  /** Counts a refused packet, and against the instance it came from when that is known. */
  private drop(reason: BfdDropReason, r: Running | undefined): void {
    this.drops.add(reason);
    if (!r) return;
    const d = this.countsOf(r.spec.name).drops;
    d[reason] = (d[reason] ?? 0) + 1;
  }

  /** The instance whose neighbour is `address` (the first, as for a packet without Your Discriminator). */
  private byNeighbor(address: string): Running | undefined {
    for (const x of this.byName.values()) if (sameAddr(x.spec.neighbor, address)) return x;
    return undefined;
  }

  private async boot(specs: BfdInstanceSpec[]): Promise<void> {
    await this.update(specs);
  }

  /**
   * Runs `specs`: an instance whose spec is unchanged keeps its session; a removed or changed
   * one sends AdminDown and is closed (a changed one then starts again, Down). Returns the
   * names closed (changed ones included). Receive sockets of a family no longer used stay open.
   */
  async update(specs: BfdInstanceSpec[]): Promise<string[]> {
    const sockets = this.o.sockets ?? udpBfdSockets;
    const want = new Map(specs.map((s) => [s.name, s]));
    const closed: string[] = [];
    const senders: BfdSender[] = [];
    for (const name of [...this.counts.keys()]) if (!want.has(name)) this.counts.delete(name);
    for (const [name, r] of this.byName) {
      const w = want.get(name);
      if (w && JSON.stringify(w) === JSON.stringify(r.spec)) continue;
      r.session.adminDown();
      r.session.stop();
      senders.push(r.sender);
      this.byName.delete(name);
      this.byDiscr.delete(r.session.localDiscr);
      closed.push(name);
    }
    if (senders.length > 0) {
      // Let the AdminDown datagrams leave before their sockets close.
      await new Promise((res) => setImmediate(res));
      for (const x of senders) x.close();
    }
    for (const f of new Set<Family>(specs.map((s) => s.family))) {
      if (this.receivers.has(f)) continue;
      // max_hops 255 everywhere: no TTL check, so no raw socket (decided when the family's socket opens)
      const ttl = specs.some((s) => s.family === f && s.maxHops !== 255);
      const l = await sockets.listen(f, (r) => this.onPacket(r), (e) => this.o.log?.warn({ event: 'bfd.socket-error', err: e.message }, 'BFD receive socket error'), { ttl });
      this.receivers.set(f, l);
      if (!l.ttl && ttl) {
        this.o.log?.warn({ event: 'bfd.no-ttl-check', family: f }, `BFD: the TTL of received IPv${f} packets cannot be seen here, max_hops is not checked`);
      }
    }
    const fresh: Running[] = [];
    for (const spec of specs) {
      if (this.byName.has(spec.name)) continue;
      const sender = await sockets.sender({
        family: spec.family, neighbor: spec.neighbor, ttl: spec.ttl, ...(spec.source ? { source: spec.source } : {}),
        onError: (e) => this.o.log?.warn({ event: 'bfd.send-error', instance: spec.name, err: e.message }, `(${spec.name}) Error sending packet`),
      });
      const session = new BfdSession(
        { minRxUs: spec.minRxUs, minTxUs: spec.minTxUs, idleTxUs: spec.idleTxUs, multiplier: spec.multiplier, passive: spec.passive },
        {
          clock: this.o.clock ?? realClock,
          random: this.o.random ?? Math.random,
          localDiscr: this.newDiscr(),
          send: (p) => sender.send(encodeControl(p)),
          onChange: (c) => this.onChange(run, c),
          defer: this.o.defer ?? (this.o.clock ? (f) => f() : (f) => { setImmediate(f); }),
        },
      );
      const run: Running = { spec, session, sender };
      this.byName.set(spec.name, run);
      this.byDiscr.set(session.localDiscr, run);
      fresh.push(run);
    }
    for (const r of fresh) r.session.start();
    return closed;
  }

  private newDiscr(): number {
    const rnd = this.o.random ?? Math.random;
    // bounded: with a few sessions among 2^32 values a clash is rare, a run of 1000 means a broken random source
    for (let i = 0; i < 1000; i++) {
      const d = 1 + Math.floor(rnd() * 0xfffffffe);
      if (!this.byDiscr.has(d)) return d;
    }
    throw new Error('BFD: no free local discriminator');
  }

  private onChange(r: Running, c: { from: BfdState; to: BfdState; diag: number }): void {
    const ev: BfdChange = { name: r.spec.name, ...c };
    this.countsOf(r.spec.name).transitions[c.to]++;
    const s = r.session;
    // On expiry, how long the neighbour had been silent (keepalived logs the same "Expired after").
    const silentMs = c.diag === DIAG.detectExpired && s.lastRxUs >= 0 ? Math.round(((this.o.clock ?? realClock).nowUs() - s.lastRxUs) / 100) / 10 : undefined;
    this.o.log?.info({ event: 'bfd.transition', instance: r.spec.name, from: c.from, to: c.to, diag: c.diag, ...(silentMs !== undefined ? { silentMs, detectMs: s.detectTimeUs / 1000 } : {}) },
      `(${r.spec.name}) Entering ${c.to} state`);
    if (c.to === 'Up') this.emit('up', ev);
    // As keepalived and RFC 5882 3.2: a neighbour taken AdminDown is not a path failure; AdminDown here is our own stop.
    else if (c.from === 'Up' && c.to === 'Down' && r.session.remoteState !== 'AdminDown') this.emit('down', ev);
  }

  private onPacket(rx: Received): void {
    const d = decodeControl(rx.data);
    if (!d.ok) {
      this.drop(d.reason, this.byNeighbor(rx.address));
      return;
    }
    const p = d.packet;
    const r = p.yourDiscr !== 0 ? this.byDiscr.get(p.yourDiscr) : this.byNeighbor(rx.address);
    if (!r) {
      // a stale discriminator from a known neighbour (e.g. after our restart) still names who sent it
      this.drop('no-session', this.byNeighbor(rx.address));
      return;
    }
    // RFC 5881 5 (GTSM) as keepalived extends it: at most max_hops below the configured TTL; 255 turns it off.
    if (rx.ttl !== undefined && r.spec.maxHops !== 255 && rx.ttl + r.spec.maxHops < r.spec.ttl) {
      this.drop('ttl', r);
      return;
    }
    if (r.session.state === 'AdminDown') {
      this.drop('admin-down', r);
      return;
    }
    r.session.receive(p);
  }

  /** Sends AdminDown on every session (unless `adminDown` is false), then closes the sockets. */
  async stop(adminDown = true): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const r of this.byName.values()) {
      if (adminDown) r.session.adminDown();
      r.session.stop();
    }
    // Let the AdminDown datagrams leave before the sockets close.
    await new Promise((res) => setImmediate(res));
    for (const r of this.byName.values()) r.sender.close();
    for (const l of this.receivers.values()) l.close();
  }
}

/** dgram reports IPv4-mapped and zone-suffixed forms; compare the plain address. */
function sameAddr(configured: string, seen: string): boolean {
  const s = seen.replace(/^::ffff:(?=\d+\.)/i, '').replace(/%.*$/, '').toLowerCase();
  return s === configured.toLowerCase();
}
