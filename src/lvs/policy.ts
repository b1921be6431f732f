// The virtual-server policy, pure: checker state and weight changes in; the desired IPVS rows
// and the notify actions out. It follows keepalived 2.2.7 ipwrapper.c:
//  - a real server is alive while none of its checkers is down;
//  - an alive server is in the service at its weight (configured weight plus what MISC
//    misc_dynamic / FILE_CHECK add, kept within 0..65535); a server that is not alive is
//    removed, or with inhibit_on_failure kept at weight 0 so its connections drain;
//  - quorum: the summed weight of alive servers; lost below quorum - hysteresis (or at 0),
//    regained at quorum + hysteresis. While it is lost and a sorry server is configured, the
//    sorry server is the only server with weight (real servers are removed, or weight 0
//    with inhibit); sorry_server_inhibit keeps the sorry server at weight 0 otherwise.
// desired() is incremental: each real server's destination is kept and recomputed only after
// a change to that server (or to the quorum, which moves them all), so a check result costs
// one destination, not the whole virtual server.
import { destKey } from '../ipvs/model.js';
import type { TableRow } from '../ipvs/reconcile.js';
import type { IpvsDest, IpvsService } from '../ipvs/types.js';
import { destPort, fitsService, toDest, type ServerSpec } from './dest.js';

/** IPVS weights as ipvsadm accepts them. */
export const WEIGHT_MAX = 65535;

export interface ScriptSpec {
  cmd: string;
  user?: string;
  group?: string;
}

export interface RealServerPolicy {
  /** stable name for logs and actions, e.g. "10.0.0.1:80" */
  name: string;
  server: ServerSpec;
  weight: number;
  inhibit: boolean;
  /** ids of the checkers of this server, with whether each starts up (false under alpha) */
  checkers: ReadonlyArray<{ id: string; startsUp: boolean }>;
  notifyUp?: ScriptSpec;
  notifyDown?: ScriptSpec;
}

export interface VirtualServerPolicyConfig {
  name: string;
  services: IpvsService[];
  reals: RealServerPolicy[];
  sorry?: { server: ServerSpec; inhibit: boolean };
  quorum: number;
  hysteresis: number;
  quorumUp?: ScriptSpec;
  quorumDown?: ScriptSpec;
  omega: boolean;
}

export type LvsAction =
  | { kind: 'rs-up' | 'rs-down'; vs: string; rs: string; script?: ScriptSpec }
  | { kind: 'quorum-up' | 'quorum-down'; vs: string; weight: number; threshold: number; script?: ScriptSpec }
  | { kind: 'sorry-in' | 'sorry-out'; vs: string };

interface RsState {
  failed: Set<string>;
  deltas: Map<string, number>;
  alive: boolean;
}

export const clampWeight = (w: number): number => (w < 0 ? 0 : w > WEIGHT_MAX ? WEIGHT_MAX : Math.trunc(w));

export class VirtualServerPolicy {
  quorum = 0;
  hysteresis = 0;
  private rs: RsState[];
  private index = new Map<string, number>();
  quorumUp: boolean;
  /** bumped on every change that may change desired() */
  version = 0;
  /** summed configured weight (clamped) of every real server: bounds the quorum */
  private total: number;
  /** per service, each real server's destination as last computed (undefined: not in the table) */
  private readonly dests: Array<Array<IpvsDest | undefined>>;
  /**
   * Per real server: 1 it is in `staleList`, 2 its destination must be rebuilt even at the same
   * weight (updateReal). Flags and a list rather than Sets: a reload touches one server of each
   * changed virtual server, and a Set's add and clear (a new table) cost more under emulation.
   */
  private readonly marks: Uint8Array;
  /** per service, where each real server's destination sits in the last row (-1: not in it) */
  private readonly pos: Int32Array[];
  /** every real server's destination must be recomputed */
  private staleAll = true;
  /** otherwise these (in the order they changed) */
  private readonly staleList: number[] = [];
  /** per service: a destination address is shared (two servers, or one and the sorry server) */
  private shared: boolean[] | undefined;
  private rows: TableRow[] | undefined;
  private sorryDests: Array<IpvsDest | undefined>;
  /** per real server, its share of the live weight (its effective weight while alive, else 0) */
  private readonly share: number[];
  /** the sum of `share`: kept as servers change, so one change does not re-add them all */
  private live = 0;

  constructor(readonly cfg: VirtualServerPolicyConfig) {
    this.total = cfg.reals.reduce((s, r) => s + clampWeight(r.weight), 0);
    this.setQuorum();
    this.dests = cfg.services.map(() => new Array<IpvsDest | undefined>(cfg.reals.length));
    this.pos = cfg.services.map(() => new Int32Array(cfg.reals.length));
    this.sorryDests = cfg.services.map(() => undefined);
    this.marks = new Uint8Array(cfg.reals.length);
    this.rs = cfg.reals.map((r, i) => {
      this.index.set(r.name, i);
      const failed = new Set(r.checkers.filter((c) => !c.startsUp).map((c) => c.id));
      return { failed, deltas: new Map(), alive: failed.size === 0 };
    });
    this.share = cfg.reals.map(() => 0);
    for (let i = 0; i < this.rs.length; i++) this.recount(i);
    this.quorumUp = this.liveWeight() >= this.quorum + this.hysteresis;
  }

  /** keepalived lowers an unreachable quorum to the total weight, and hysteresis below quorum */
  private setQuorum(): void {
    this.quorum = Math.min(this.cfg.quorum, this.total);
    this.hysteresis = this.quorum > 0 ? Math.min(this.cfg.hysteresis, this.quorum - 1) : 0;
  }

  /** Something that decides real server `rs`'s entry changed (all of them without `rs`). */
  private touch(rs?: number): void {
    this.version++;
    if (rs === undefined) this.staleAll = true;
    else if (!this.staleAll && (this.marks[rs] & 1) === 0) {
      this.marks[rs] |= 1;
      this.staleList.push(rs);
    }
  }

  /** Actions due at start: keepalived runs quorum_down when it starts without quorum and has a sorry server. */
  start(): LvsAction[] {
    if (this.quorumUp || !this.cfg.sorry) return [];
    return [this.quorumAction(false), { kind: 'sorry-in', vs: this.cfg.name }];
  }

  get sorryActive(): boolean {
    return this.cfg.sorry !== undefined && !this.quorumUp;
  }

  isAlive(rs: number): boolean {
    return this.rs[rs].alive;
  }

  indexOf(rsName: string): number | undefined {
    return this.index.get(rsName);
  }

  effectiveWeight(rs: number): number {
    let w = this.cfg.reals[rs].weight;
    const deltas = this.rs[rs].deltas;
    // (most servers have no contribution: no iterator made for them)
    if (deltas.size !== 0) for (const d of deltas.values()) w += d;
    return clampWeight(w);
  }

  liveWeight(): number {
    return this.live;
  }

  /** Real server `rs`'s share of the live weight after a change to its state, weight or deltas. */
  private recount(rs: number): void {
    const w = this.rs[rs].alive ? this.effectiveWeight(rs) : 0;
    this.live += w - this.share[rs];
    this.share[rs] = w;
  }

  /** A checker of real server `rs` went up or down. */
  checkerState(rs: number, checker: string, up: boolean): LvsAction[] {
    const st = this.rs[rs];
    if (up) st.failed.delete(checker);
    else {
      st.failed.add(checker);
      // a failed checker's weight contribution is dropped (keepalived cur_weight = 0)
      st.deltas.delete(checker);
    }
    this.touch(rs);
    const alive = st.failed.size === 0;
    const flipped = alive !== st.alive;
    st.alive = alive;
    this.recount(rs);
    if (!flipped) return [];
    const r = this.cfg.reals[rs];
    const script = alive ? r.notifyUp : r.notifyDown;
    const out: LvsAction[] = [{ kind: alive ? 'rs-up' : 'rs-down', vs: this.cfg.name, rs: r.name, ...(script ? { script } : {}) }];
    return out.concat(this.updateQuorum());
  }

  /**
   * Reload: this policy replaces `prev` for the same virtual server. The weight contributions
   * of checkers that keep running (`kept`) carry over, and so does the quorum state; the
   * actions returned are the quorum change the new configuration causes, if any.
   */
  adopt(prev: VirtualServerPolicy, kept: (rsName: string, checker: string) => boolean): LvsAction[] {
    this.cfg.reals.forEach((r, i) => {
      const j = prev.index.get(r.name);
      if (j === undefined) return;
      for (const [c, d] of prev.rs[j].deltas) if (kept(r.name, c) && !this.rs[i].failed.has(c)) this.rs[i].deltas.set(c, d);
      this.recount(i);
    });
    this.quorumUp = prev.quorumUp;
    this.touch();
    return this.updateQuorum();
  }

  /**
   * Reload: real server `rs` keeps its checkers but its entry settings changed (weight,
   * inhibit, forwarding, thresholds, notify scripts; same address and port). Its state and
   * weight contributions stay; the quorum follows the new total weight.
   */
  updateReal(rs: number, next: RealServerPolicy): LvsAction[] {
    const prev = this.cfg.reals[rs];
    if (prev.name !== next.name) throw new Error(`updateReal: ${next.name} is not ${prev.name}`);
    this.cfg.reals[rs] = next;
    this.recount(rs);
    this.total += clampWeight(next.weight) - clampWeight(prev.weight);
    this.setQuorum();
    this.marks[rs] |= 2; // forwarding or thresholds may differ at the same weight
    if (prev.server.fwd !== next.server.fwd || prev.server.port !== next.server.port) this.shared = undefined;
    this.touch(rs);
    return this.updateQuorum();
  }

  /** A checker that started down failed its first run: keepalived notifies down once. */
  checkerInitialDown(rs: number): LvsAction[] {
    const r = this.cfg.reals[rs];
    if (this.rs[rs].alive) return [];
    return [{ kind: 'rs-down', vs: this.cfg.name, rs: r.name, ...(r.notifyDown ? { script: r.notifyDown } : {}) }];
  }

  /** A checker adds `delta` to the configured weight (0 clears its contribution). */
  checkerWeight(rs: number, checker: string, delta: number): LvsAction[] {
    const st = this.rs[rs];
    if ((st.deltas.get(checker) ?? 0) === delta) return [];
    this.touch(rs);
    if (delta === 0) st.deltas.delete(checker);
    else st.deltas.set(checker, delta);
    this.recount(rs);
    return this.updateQuorum();
  }

  /** MISC_CHECK misc_dynamic: the checker asks for an absolute weight (null: the configured one). */
  checkerDynamicWeight(rs: number, checker: string, weight: number | null): LvsAction[] {
    return this.checkerWeight(rs, checker, weight === null ? 0 : weight - this.cfg.reals[rs].weight);
  }

  private quorumAction(up: boolean): LvsAction {
    const script = up ? this.cfg.quorumUp : this.cfg.quorumDown;
    const threshold = this.quorum + (up ? this.hysteresis : -this.hysteresis);
    return { kind: up ? 'quorum-up' : 'quorum-down', vs: this.cfg.name, weight: this.liveWeight(), threshold, ...(script ? { script } : {}) };
  }

  private updateQuorum(): LvsAction[] {
    const sum = this.liveWeight();
    const threshold = this.quorum + (this.quorumUp ? -this.hysteresis : this.hysteresis);
    if (!this.quorumUp && sum >= threshold) {
      this.quorumUp = true;
      this.touch();
      const out = [this.quorumAction(true)];
      if (this.cfg.sorry) out.push({ kind: 'sorry-out', vs: this.cfg.name });
      return out;
    }
    if (this.quorumUp && (sum === 0 || sum < threshold)) {
      this.quorumUp = false;
      this.touch();
      const out = [this.quorumAction(false)];
      if (this.cfg.sorry) out.push({ kind: 'sorry-in', vs: this.cfg.name });
      return out;
    }
    return [];
  }

  /** Weight of real server `i` in the table, or undefined when it is not in it. */
  private tableWeight(i: number): number | undefined {
    const r = this.cfg.reals[i];
    if (this.sorryActive) return r.inhibit ? 0 : undefined;
    if (this.rs[i].alive) return this.effectiveWeight(i);
    return r.inhibit ? 0 : undefined;
  }

  /**
   * The desired IPVS rows of this virtual server. The same rows (same objects) come back while
   * nothing changed; after a change only the touched servers' destinations are rebuilt.
   */
  desired(): TableRow[] {
    if (this.rows && !this.staleAll && this.staleList.length === 0) return this.rows;
    const sorry = this.cfg.sorry;
    const sorryWeight = sorry ? (this.sorryActive ? 1 : sorry.inhibit ? 0 : undefined) : undefined;
    const shared = this.shared ??= this.findShared();
    const stale = this.staleAll ? true : this.staleList;
    const prevRows = this.rows;
    // a loop, not services.map: no closure per call (a reload calls this for each changed
    // virtual server, under emulation every allocation and call counts)
    const services = this.cfg.services;
    const rows: TableRow[] = [];
    for (let si = 0; si < services.length; si++) {
      const service = services[si];
      rows.push(shared[si] ? { service, dests: this.mergedDests(service, sorryWeight), base: undefined } : this.row(si, service, prevRows?.[si], stale, sorryWeight));
    }
    this.rows = rows;
    // emptied for the next changes (the flags of a server not listed can only be 2 after a
    // touch of all: cleared with the rest)
    if (this.staleAll) this.marks.fill(0);
    else for (const i of this.staleList) this.marks[i] = 0;
    this.staleAll = false;
    this.staleList.length = 0;
    return rows;
  }

  /**
   * Service `si`'s row. Every row has a `base` field, set or not: one hidden class for the rows
   * whatever their path (a row patched by the last reload is the next one's `prev`: code that had
   * only met rows of the other shape deoptimised there, a second SIGHUP's lvs step under emulation).
   */
  private row(si: number, service: IpvsService, prev: TableRow | undefined, stale: readonly number[] | true, sorryWeight: number | undefined): TableRow {
    const cache = this.dests[si];
    const pos = this.pos[si];
    if (stale !== true && prev) {
      // Only some servers changed, and (unless one entered or left) each keeps its place: the
      // last row with those entries replaced. The sorry entry moves only with the quorum (stale: all).
      let patched: IpvsDest[] | undefined;
      let at: number[] | undefined;
      let moved = false;
      for (const i of stale) {
        const before = cache[i];
        this.refresh(cache, service, i);
        const after = cache[i];
        if (before === after) continue;
        if (!before || !after) moved = true;
        else {
          (patched ??= prev.dests.slice())[pos[i]] = after;
          (at ??= []).push(pos[i]);
        }
      }
      // base: the reconciler compares only the replaced entries with a table holding prev's
      if (!moved) return patched && at ? { service, dests: patched, base: { dests: prev.dests, at } } : prev;
    } else if (stale === true) for (let i = 0; i < cache.length; i++) this.refresh(cache, service, i);
    const dests: IpvsDest[] = [];
    for (let i = 0; i < cache.length; i++) {
      const d = cache[i];
      pos[i] = d ? dests.length : -1;
      if (d) dests.push(d);
    }
    const sorry = this.cfg.sorry;
    if (sorry && sorryWeight !== undefined && fitsService(sorry.server, service)) {
      let d = this.sorryDests[si];
      if (!d || d.weight !== sorryWeight) this.sorryDests[si] = d = toDest(sorry.server, service, sorryWeight);
      dests.push(d);
    }
    return { service, dests, base: undefined };
  }

  /** Real server i's destination in `service`, rebuilt only when its weight changed. */
  private refresh(cache: Array<IpvsDest | undefined>, service: IpvsService, i: number): void {
    const w = this.tableWeight(i);
    const s = this.cfg.reals[i].server;
    if (w === undefined || !fitsService(s, service)) cache[i] = undefined;
    else if (cache[i]?.weight !== w || (this.marks[i] & 2) !== 0) cache[i] = toDest(s, service, w);
  }

  /** Per service: whether two entries would land on one destination (rare; merged the slow way). */
  private findShared(): boolean[] {
    const sorry = this.cfg.sorry;
    return this.cfg.services.map((service) => {
      const seen = new Set<string>();
      const servers = sorry ? [...this.cfg.reals.map((r) => r.server), sorry.server] : this.cfg.reals.map((r) => r.server);
      for (const s of servers) {
        if (!fitsService(s, service)) continue;
        const k = `${s.addr}/${destPort(s, service)}`;
        if (seen.has(k)) return true;
        seen.add(k);
      }
      return false;
    });
  }

  /** One service's destinations when some share an address: the highest weight wins, and the sorry server while active. */
  private mergedDests(service: IpvsService, sorryWeight: number | undefined): IpvsDest[] {
    const sorry = this.cfg.sorry;
    const dests = new Map<string, IpvsDest>();
    for (let i = 0; i < this.cfg.reals.length; i++) {
      const w = this.tableWeight(i);
      const s = this.cfg.reals[i].server;
      if (w === undefined || !fitsService(s, service)) continue;
      const d = toDest(s, service, w);
      const k = destKey(d);
      const prev = dests.get(k);
      if (!prev || prev.weight < d.weight) dests.set(k, d);
    }
    if (sorry && sorryWeight !== undefined && fitsService(sorry.server, service)) {
      const d = toDest(sorry.server, service, sorryWeight);
      const k = destKey(d);
      // a sorry server that is also a real server: the active role decides its entry
      if (!dests.has(k) || this.sorryActive) dests.set(k, d);
    }
    return [...dests.values()];
  }

  /**
   * Shutdown: with omega, keepalived runs notify_down of every alive real server and the
   * quorum_down script; without it, nothing.
   */
  shutdown(): LvsAction[] {
    if (!this.cfg.omega) return [];
    const out: LvsAction[] = [];
    this.cfg.reals.forEach((r, i) => {
      if (this.rs[i].alive) out.push({ kind: 'rs-down', vs: this.cfg.name, rs: r.name, ...(r.notifyDown ? { script: r.notifyDown } : {}) });
    });
    if (this.quorumUp) out.push(this.quorumAction(false));
    return out;
  }
}
