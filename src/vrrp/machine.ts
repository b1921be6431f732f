// The VRRP state machine of one instance: pure, clock injected (every call carries `now`,
// in ms). Events in, actions out. Structure after FRR vrrpd: one changeState() that does
// everything a transition implies, and a handler table per state.
import { compareAddresses } from './addr.js';
import { masterDownIntervalMs, skewMs } from './timers.js';
import type { MachineParams, VrrpState } from './types.js';

export const PRIO_OWNER = 255;
export const PRIO_STOP = 0;

export type MachineEvent =
  | { type: 'start' }
  /** A validated advert from `src` (its IP source address). */
  | { type: 'advert'; src: string; priority: number; advertIntervalMs: number }
  /** The timer set by the last set-timer action fired (stale or early calls are ignored). */
  | { type: 'timer' }
  /** Link state of the instance's own interface. */
  | { type: 'interface'; up: boolean }
  | { type: 'track'; id: string; up: boolean }
  /** An offset-mode tracked item (track_file): its weighted value, or 'fault'. */
  | { type: 'track-offset'; id: string; offset: number | 'fault' }
  | { type: 'shutdown' };

export type Action =
  | { type: 'become'; state: VrrpState; from: VrrpState }
  | { type: 'send-advert'; priority: number }
  | { type: 'add-vips' }
  | { type: 'del-vips' }
  | { type: 'send-garp' }
  /** Deliver a `timer` event at this time; null cancels. Only the latest one counts. */
  | { type: 'set-timer'; at: number | null }
  | { type: 'priority'; priority: number };

type Handler = (m: VrrpMachine, ev: MachineEvent, now: number) => void;
type Table = Partial<Record<MachineEvent['type'], Handler>>;

export class VrrpMachine {
  readonly p: MachineParams;
  state: VrrpState = 'INIT';
  basePriority: number;
  effectivePriority: number;
  masterAdverIntMs: number;
  /** When the current timer fires (advert due as MASTER, master down as BACKUP). */
  deadline: number | null = null;
  /** keepalived's ms_down_timer: the interval last used for the BACKUP deadline. */
  downTimerMs: number;
  /** preempt_delay: lower-priority adverts are honoured until this time. */
  preemptTime: number | null = null;
  /** Timer expired as BACKUP but a sync group held us back (keepalived wantstate MASTER). */
  wantMaster = false;
  /** Set by a sync group: another member is in FAULT. */
  heldFault = false;
  /** Consulted before BACKUP -> MASTER; a sync group installs it. */
  syncGate: ((m: VrrpMachine) => boolean) | null = null;
  lastMasterAddress: string | null = null;
  interfaceUp = true;
  readonly trackUp = new Map<string, boolean>();
  readonly trackOffset = new Map<string, number | 'fault'>();
  private out: Action[] = [];

  constructor(params: MachineParams) {
    this.p = params;
    this.basePriority = params.priority;
    this.masterAdverIntMs = params.advertIntervalMs;
    for (const t of params.tracked) {
      if (t.mode === 'offset') this.trackOffset.set(t.id, 0);
      else this.trackUp.set(t.id, t.initiallyUp ?? true);
    }
    this.effectivePriority = this.computePriority();
    this.downTimerMs = this.mdi();
  }

  handle(ev: MachineEvent, now: number): Action[] {
    return this.run(() => {
      const h = HANDLERS[this.state][ev.type] ?? COMMON[ev.type];
      if (h) h(this, ev, now);
    });
  }

  /** Reload: a new configured priority (not to or from 255, which changes the owner rules). */
  setBasePriority(priority: number): Action[] {
    return this.run(() => {
      this.basePriority = priority;
      this.updatePriority();
    });
  }

  /** Sync group: move to MASTER now (the group went MASTER). */
  forceMaster(now: number): Action[] {
    return this.run(() => {
      if (this.state === 'BACKUP') this.changeState('MASTER', now);
    });
  }

  /** Sync group: step down to BACKUP (the group went BACKUP). */
  forceBackup(now: number): Action[] {
    return this.run(() => {
      if (this.state === 'MASTER') this.changeState('BACKUP', now);
    });
  }

  /** Sync group: hold in (or release from) FAULT because another member is faulty. */
  setHeldFault(held: boolean, now: number): Action[] {
    return this.run(() => {
      this.heldFault = held;
      this.reviewFault(now);
    });
  }

  /** True when this instance on its own (ignoring the sync group) must be in FAULT. */
  ownFault(): boolean {
    if (!this.interfaceUp && !this.p.dontTrackPrimary) return true;
    for (const o of this.trackOffset.values()) if (o === 'fault') return true;
    return this.p.tracked.some((t) => t.mode !== 'offset' && t.weight === 0 && !this.isUp(t.id, t.reverse));
  }

  mdi(): number {
    return masterDownIntervalMs(this.p.version, this.effectivePriority, this.masterAdverIntMs, this.p.downTimerAdverts);
  }

  private run(body: () => void): Action[] {
    this.out = [];
    const before = this.deadline;
    body();
    if (this.deadline !== before) this.emit({ type: 'set-timer', at: this.deadline });
    return this.out;
  }

  emit(a: Action): void {
    this.out.push(a);
  }

  private isUp(id: string, reverse: boolean | undefined): boolean {
    const up = this.trackUp.get(id) ?? true;
    return reverse ? !up : up;
  }

  private computePriority(): number {
    if (this.basePriority === PRIO_OWNER) return PRIO_OWNER;
    let total = this.basePriority;
    for (const o of this.trackOffset.values()) if (o !== 'fault') total += o;
    for (const t of this.p.tracked) {
      if (t.mode === 'offset') continue;
      const up = this.isUp(t.id, t.reverse);
      if (t.weight > 0 && up) total += t.weight;
      else if (t.weight < 0 && !up) total += t.weight;
    }
    return Math.min(PRIO_OWNER - 1, Math.max(1, total));
  }

  /** Recomputes the effective priority; as BACKUP the deadline moves with the new skew. */
  updatePriority(): void {
    const prio = this.computePriority();
    if (prio === this.effectivePriority) return;
    this.effectivePriority = prio;
    this.emit({ type: 'priority', priority: prio });
    const newDown = this.mdi();
    if (this.state === 'BACKUP' && this.deadline !== null) this.deadline += newDown - this.downTimerMs;
    this.downTimerMs = newDown;
  }

  /** Enters or leaves FAULT as the fault conditions now require. */
  reviewFault(now: number): void {
    const faulty = this.ownFault() || this.heldFault;
    if (this.state === 'INIT') return;
    if (faulty && this.state !== 'FAULT') this.changeState('FAULT', now);
    else if (!faulty && this.state === 'FAULT') this.comeUp(now);
  }

  /** Leaving INIT or FAULT: the owner goes straight to MASTER, anyone else listens first. */
  comeUp(now: number): void {
    this.masterAdverIntMs = this.p.advertIntervalMs;
    if (this.basePriority === PRIO_OWNER) this.changeState('MASTER', now);
    else this.changeState('BACKUP', now);
  }

  armDownTimer(now: number, ms: number): void {
    this.downTimerMs = ms;
    this.deadline = now + ms;
  }

  /** The one place a state changes, with everything the change implies. */
  changeState(to: VrrpState, now: number): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.emit({ type: 'become', state: to, from });
    if (from === 'MASTER') {
      // Leaving for FAULT or INIT tells the backups to take over at once (priority 0).
      if (to !== 'BACKUP') this.emit({ type: 'send-advert', priority: PRIO_STOP });
      this.emit({ type: 'del-vips' });
    }
    switch (to) {
      case 'MASTER':
        this.wantMaster = false;
        this.masterAdverIntMs = this.p.advertIntervalMs;
        // Advert first, so a previous master drops the VIPs before our gratuitous ARPs.
        this.emit({ type: 'send-advert', priority: this.effectivePriority });
        this.emit({ type: 'add-vips' });
        this.emit({ type: 'send-garp' });
        this.deadline = now + this.p.advertIntervalMs;
        break;
      case 'BACKUP':
        this.preemptTime = null;
        this.armDownTimer(now, this.mdi());
        break;
      case 'FAULT':
      case 'INIT':
        this.wantMaster = false;
        this.masterAdverIntMs = this.p.advertIntervalMs;
        this.deadline = null;
        break;
    }
  }

  /** Equal-priority tie-break: >0 when the sender's address is higher than ours. */
  compareSender(src: string): number {
    return compareAddresses(this.p.family, src, this.p.primaryAddress);
  }
}

// ---- handlers ----------------------------------------------------------------------

const onInterface: Handler = (m, ev, now) => {
  if (ev.type !== 'interface') return;
  m.interfaceUp = ev.up;
  m.reviewFault(now);
};

const onTrack: Handler = (m, ev, now) => {
  if (ev.type !== 'track' || !m.trackUp.has(ev.id)) return;
  m.trackUp.set(ev.id, ev.up);
  m.updatePriority();
  m.reviewFault(now);
};

const onTrackOffset: Handler = (m, ev, now) => {
  if (ev.type !== 'track-offset' || !m.trackOffset.has(ev.id)) return;
  m.trackOffset.set(ev.id, ev.offset);
  m.updatePriority();
  if (m.state !== 'INIT') m.reviewFault(now);
};

const onShutdown: Handler = (m, _ev, now) => m.changeState('INIT', now);

/** Handlers every state shares unless its own table overrides them. */
const COMMON: Table = { interface: onInterface, track: onTrack, 'track-offset': onTrackOffset, shutdown: onShutdown };

const INIT: Table = {
  start: (m, _ev, now) => {
    if (m.ownFault() || m.heldFault) m.changeState('FAULT', now);
    else m.comeUp(now);
  },
  // Before start only record status; the transition happens at start.
  interface: (m, ev) => { if (ev.type === 'interface') m.interfaceUp = ev.up; },
  track: (m, ev) => {
    if (ev.type !== 'track' || !m.trackUp.has(ev.id)) return;
    m.trackUp.set(ev.id, ev.up);
    m.updatePriority();
  },
  shutdown: () => undefined,
};

const BACKUP: Table = {
  timer: (m, _ev, now) => {
    if (m.deadline === null || now < m.deadline) return;
    if (m.syncGate && !m.syncGate(m)) {
      // The group is not ready to follow; wait one more interval (keepalived does the same).
      m.wantMaster = true;
      m.armDownTimer(now, m.mdi());
      return;
    }
    m.changeState('MASTER', now);
  },
  advert: (m, ev, now) => {
    if (ev.type !== 'advert') return;
    if (ev.priority === PRIO_STOP) {
      // The master is leaving: take over after Skew_Time only.
      m.armDownTimer(now, skewMs(m.p.version, m.effectivePriority, m.masterAdverIntMs));
      return;
    }
    const delaying = m.p.preemptDelayMs > 0 && (m.preemptTime === null || m.preemptTime > now);
    if (!m.p.preempt || ev.priority >= m.effectivePriority || delaying) {
      if (m.p.version === 3) m.masterAdverIntMs = ev.advertIntervalMs;
      m.lastMasterAddress = ev.src;
      m.wantMaster = false;
      m.armDownTimer(now, m.mdi());
      if (m.p.preemptDelayMs > 0) {
        if (ev.priority >= m.effectivePriority) m.preemptTime = null;
        else if (m.preemptTime === null) m.preemptTime = now + m.p.preemptDelayMs;
      }
    }
    // Otherwise a lower-priority master: ignore it and let the down timer run out (preempt).
  },
};

const MASTER: Table = {
  timer: (m, _ev, now) => {
    if (m.deadline === null || now < m.deadline) return;
    m.emit({ type: 'send-advert', priority: m.effectivePriority });
    m.deadline = now + m.p.advertIntervalMs;
  },
  advert: (m, ev, now) => {
    if (ev.type !== 'advert') return;
    const cmp = m.compareSender(ev.src);
    const mine = m.effectivePriority;
    if (ev.priority === PRIO_STOP ||
        (m.p.higherPrioSendAdvert && (ev.priority > mine || (ev.priority === mine && cmp > 0)))) {
      m.emit({ type: 'send-advert', priority: mine });
      if (ev.priority === PRIO_STOP) return;
    }
    if (ev.priority === mine && cmp !== 0 && mine === PRIO_OWNER) {
      // Two address owners: a configuration error; keepalived steps down to 254, so do we.
      m.basePriority = PRIO_OWNER - 1;
      m.updatePriority();
    }
    const prio = m.effectivePriority;
    if (ev.priority < prio || (ev.priority === prio && cmp < 0)) {
      if (!m.p.lowerPrioNoAdvert) m.emit({ type: 'send-advert', priority: prio });
      return;
    }
    if (ev.priority > prio || (ev.priority === prio && cmp > 0)) {
      m.changeState('BACKUP', now);
      if (m.p.version === 3) m.masterAdverIntMs = ev.advertIntervalMs;
      m.lastMasterAddress = ev.src;
      m.armDownTimer(now, m.mdi());
    }
    // Equal priority from our own address: ignored (keepalived logs a warning).
  },
};

const FAULT: Table = {};

const HANDLERS: Record<VrrpState, Table> = { INIT, BACKUP, MASTER, FAULT };
