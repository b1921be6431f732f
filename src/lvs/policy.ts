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
import { destKey } from '../ipvs/model.js';
import type { TableRow } from '../ipvs/reconcile.js';
import type { IpvsDest, IpvsService } from '../ipvs/types.js';
import { fitsService, toDest, type ServerSpec } from './dest.js';

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
  readonly quorum: number;
  readonly hysteresis: number;
  private rs: RsState[];
  private index = new Map<string, number>();
  quorumUp: boolean;
  /** bumped on every change that may change desired() */
  version = 0;

  constructor(readonly cfg: VirtualServerPolicyConfig) {
    // keepalived lowers an unreachable quorum to the total weight, and hysteresis below quorum
    const total = cfg.reals.reduce((s, r) => s + clampWeight(r.weight), 0);
    this.quorum = Math.min(cfg.quorum, total);
    this.hysteresis = this.quorum > 0 ? Math.min(cfg.hysteresis, this.quorum - 1) : 0;
    this.rs = cfg.reals.map((r, i) => {
      this.index.set(r.name, i);
      const failed = new Set(r.checkers.filter((c) => !c.startsUp).map((c) => c.id));
      return { failed, deltas: new Map(), alive: failed.size === 0 };
    });
    this.quorumUp = this.liveWeight() >= this.quorum + this.hysteresis;
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
    for (const d of this.rs[rs].deltas.values()) w += d;
    return clampWeight(w);
  }

  liveWeight(): number {
    let sum = 0;
    for (let i = 0; i < this.rs.length; i++) if (this.rs[i].alive) sum += this.effectiveWeight(i);
    return sum;
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
    this.version++;
    const alive = st.failed.size === 0;
    if (alive === st.alive) return [];
    st.alive = alive;
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
    });
    this.quorumUp = prev.quorumUp;
    this.version++;
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
    this.version++;
    if (delta === 0) st.deltas.delete(checker);
    else st.deltas.set(checker, delta);
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
      const out = [this.quorumAction(true)];
      if (this.cfg.sorry) out.push({ kind: 'sorry-out', vs: this.cfg.name });
      return out;
    }
    if (this.quorumUp && (sum === 0 || sum < threshold)) {
      this.quorumUp = false;
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

  /** The desired IPVS rows of this virtual server. */
  desired(): TableRow[] {
    const sorry = this.cfg.sorry;
    const sorryWeight = sorry ? (this.sorryActive ? 1 : sorry.inhibit ? 0 : undefined) : undefined;
    return this.cfg.services.map((service) => {
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
      return { service, dests: [...dests.values()] };
    });
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
