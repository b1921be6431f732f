// vrrp_sync_group: member instances move together. One member going MASTER takes the rest
// with it, one stepping down to BACKUP brings the others down, and a FAULT in any member
// holds every member in FAULT until all are healthy again.
import type { Action, MachineEvent, VrrpMachine } from './machine.js';
import type { VrrpState } from './types.js';

export interface MemberAction {
  instance: string;
  action: Action;
}

export class SyncGroup {
  readonly name: string;
  readonly members: VrrpMachine[];
  state: VrrpState = 'INIT';

  constructor(name: string, members: VrrpMachine[]) {
    this.name = name;
    this.members = members;
    for (const m of members) m.syncGate = (me) => this.canGoMaster(me);
  }

  /** Only go MASTER when the whole group wants to: prefer BACKUP to avoid thrashing. */
  private canGoMaster(me: VrrpMachine): boolean {
    if (this.state === 'MASTER') return true;
    return this.members.every((o) => o === me || o.state === 'MASTER' || o.wantMaster);
  }

  private member(name: string): VrrpMachine {
    const m = this.members.find((x) => x.p.name === name);
    if (!m) throw new Error(`${name} is not in sync group ${this.name}`);
    return m;
  }

  handle(instance: string, ev: MachineEvent, now: number): MemberAction[] {
    const m = this.member(instance);
    const out: MemberAction[] = m.handle(ev, now).map((action) => ({ instance, action }));
    this.propagate(out, now);
    return out;
  }

  /** Events for every member at once (start, shutdown). */
  handleAll(ev: MachineEvent, now: number): MemberAction[] {
    const out: MemberAction[] = [];
    for (const m of this.members) out.push(...m.handle(ev, now).map((action) => ({ instance: m.p.name, action })));
    this.propagate(out, now);
    return out;
  }

  private propagate(out: MemberAction[], now: number): void {
    let seen = 0;
    // Each round can only move members toward the group state; bounded by the member count.
    for (let round = 0; round <= this.members.length * 3; round++) {
      const anyFault = this.members.some((m) => m.ownFault());
      const fresh = out.slice(seen);
      seen = out.length;
      const before = out.length;
      for (const m of this.members) {
        if (m.heldFault !== anyFault) this.add(out, m, m.setHeldFault(anyFault, now));
      }
      if (anyFault) {
        this.state = 'FAULT';
      } else {
        const wentMaster = fresh.some((a) => a.action.type === 'become' && a.action.state === 'MASTER');
        const leftMaster = fresh.some((a) => a.action.type === 'become' && a.action.from === 'MASTER' && a.action.state === 'BACKUP');
        if (wentMaster && this.state !== 'MASTER') {
          this.state = 'MASTER';
          for (const m of this.members) if (m.state === 'BACKUP') this.add(out, m, m.forceMaster(now));
        } else if (leftMaster && this.state === 'MASTER') {
          this.state = 'BACKUP';
          for (const m of this.members) if (m.state === 'MASTER') this.add(out, m, m.forceBackup(now));
        } else if (this.members.every((m) => m.state === 'INIT')) {
          this.state = 'INIT';
        } else if (this.state === 'FAULT' || this.state === 'INIT') {
          this.state = this.members.some((m) => m.state === 'MASTER') ? 'MASTER' : 'BACKUP';
        }
      }
      if (out.length === before && seen === out.length) return;
    }
  }

  private add(out: MemberAction[], m: VrrpMachine, actions: Action[]): void {
    for (const action of actions) out.push({ instance: m.p.name, action });
  }
}
