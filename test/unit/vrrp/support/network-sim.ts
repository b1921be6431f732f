// A pure discrete-event simulation of VRRP routers on one LAN: each router is a VrrpMachine,
// adverts travel with a delay and may be lost or blocked per direction. Test-only.
import { VrrpMachine, type Action } from '../../../../src/vrrp/machine.js';
import type { MachineParams } from '../../../../src/vrrp/types.js';

type Item =
  | { at: number; seq: number; kind: 'timer'; r: number; gen: number }
  | { at: number; seq: number; kind: 'deliver'; r: number; src: string; priority: number; advertIntervalMs: number }
  | { at: number; seq: number; kind: 'call'; fn: () => void };

/** Small deterministic PRNG (mulberry32) so a failing case replays exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Router {
  params: MachineParams;
  machine: VrrpMachine;
  alive: boolean;
  timerGen: number;
}

export class NetworkSim {
  now = 0;
  readonly routers: Router[];
  /** blocked[i][j]: adverts from i do not reach j. */
  readonly blocked: boolean[][];
  loss = 0;
  delayMin = 0;
  delayMax = 1;
  readonly log: string[] = [];
  /** [start, end) spans with two or more masters. */
  readonly dualMaster: Array<[number, number]> = [];
  private dualSince: number | null = null;
  private queue: Item[] = [];
  private seq = 0;
  private rnd: () => number;
  sent = 0;
  delivered = 0;

  constructor(params: MachineParams[], seed: number) {
    this.rnd = prng(seed);
    this.routers = params.map((p) => ({ params: p, machine: new VrrpMachine(p), alive: false, timerGen: 0 }));
    this.blocked = params.map(() => params.map(() => false));
  }

  at(t: number, fn: () => void): void {
    this.push({ at: t, seq: 0, kind: 'call', fn });
  }

  private push(it: Item): void {
    it.seq = this.seq++;
    // Sorted insert (stable for equal times); queues here stay small.
    let lo = 0, hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const q = this.queue[mid];
      if (q.at < it.at || (q.at === it.at && q.seq < it.seq)) lo = mid + 1; else hi = mid;
    }
    this.queue.splice(lo, 0, it);
  }

  start(r: number): void {
    const rt = this.routers[r];
    rt.machine = new VrrpMachine(rt.params);
    rt.alive = true;
    this.apply(r, rt.machine.handle({ type: 'start' }, this.now));
  }

  /** kill -9: no priority-0 advert, timers gone. */
  crash(r: number): void {
    const rt = this.routers[r];
    rt.alive = false;
    rt.timerGen++;
    this.log.push(`${this.now.toFixed(3)} r${r} crash`);
    this.observe();
  }

  shutdown(r: number): void {
    const rt = this.routers[r];
    if (!rt.alive) return;
    this.apply(r, rt.machine.handle({ type: 'shutdown' }, this.now));
    rt.alive = false;
    rt.timerGen++;
    this.observe();
  }

  event(r: number, ev: Parameters<VrrpMachine['handle']>[0]): void {
    const rt = this.routers[r];
    if (rt.alive) this.apply(r, rt.machine.handle(ev, this.now));
  }

  private apply(r: number, actions: Action[]): void {
    const rt = this.routers[r];
    for (const a of actions) {
      if (a.type === 'become') this.log.push(`${this.now.toFixed(3)} r${r} ${a.from}->${a.state} prio ${rt.machine.effectivePriority}`);
      if (a.type === 'set-timer') {
        rt.timerGen++;
        if (a.at !== null) this.push({ at: a.at, seq: 0, kind: 'timer', r, gen: rt.timerGen });
      }
      if (a.type === 'send-advert') this.broadcast(r, a.priority);
    }
    this.observe();
  }

  private broadcast(from: number, priority: number): void {
    const src = this.routers[from].params.primaryAddress;
    const advertIntervalMs = this.routers[from].params.advertIntervalMs;
    for (let to = 0; to < this.routers.length; to++) {
      if (to === from) continue;
      this.sent++;
      if (this.blocked[from][to] || this.rnd() < this.loss) continue;
      const delay = this.delayMin + this.rnd() * (this.delayMax - this.delayMin);
      this.push({ at: this.now + delay, seq: 0, kind: 'deliver', r: to, src, priority, advertIntervalMs });
    }
  }

  masters(): number {
    return this.routers.filter((r) => r.alive && r.machine.state === 'MASTER').length;
  }

  private observe(): void {
    const dual = this.masters() >= 2;
    if (dual && this.dualSince === null) this.dualSince = this.now;
    if (!dual && this.dualSince !== null) {
      this.dualMaster.push([this.dualSince, this.now]);
      this.dualSince = null;
    }
  }

  run(until: number, maxSteps = 1_000_000): void {
    let steps = 0;
    while (this.queue.length > 0 && this.queue[0].at <= until) {
      if (++steps > maxSteps) throw new Error(`simulation did not settle in ${maxSteps} steps`);
      const it = this.queue.shift() as Item;
      this.now = it.at;
      if (it.kind === 'call') {
        it.fn();
        this.observe();
      } else if (it.kind === 'timer') {
        const rt = this.routers[it.r];
        if (rt.alive && rt.timerGen === it.gen) this.apply(it.r, rt.machine.handle({ type: 'timer' }, this.now));
      } else {
        const rt = this.routers[it.r];
        if (!rt.alive) continue;
        this.delivered++;
        this.apply(it.r, rt.machine.handle({ type: 'advert', src: it.src, priority: it.priority, advertIntervalMs: it.advertIntervalMs }, this.now));
      }
    }
    this.now = until;
    if (this.dualSince !== null) {
      this.dualMaster.push([this.dualSince, until]);
      this.dualSince = null;
      // Still dual: keep observing from here on if the run continues.
      this.observe();
    }
  }
}
