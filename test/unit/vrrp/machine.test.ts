import { describe, expect, it } from 'vitest';
import { VrrpMachine, type Action, type MachineEvent } from '../../../src/vrrp/machine.js';
import { defaultMachineParams, type MachineParams } from '../../../src/vrrp/types.js';

const mk = (over: Partial<MachineParams> = {}): VrrpMachine =>
  new VrrpMachine(defaultMachineParams({ vrid: 1, primaryAddress: '10.0.0.2', ...over }));
const adv = (priority: number, src = '10.0.0.9', advertIntervalMs = 1000): MachineEvent =>
  ({ type: 'advert', src, priority, advertIntervalMs });
const types = (a: Action[]): string[] => a.map((x) => (x.type === 'become' ? `become:${x.state}` : x.type));
const timerAt = (a: Action[]): number | null | undefined => {
  const t = a.filter((x) => x.type === 'set-timer').pop();
  return t && t.type === 'set-timer' ? t.at : undefined;
};
const sent = (a: Action[]): number[] => a.flatMap((x) => (x.type === 'send-advert' ? [x.priority] : []));
/** Becoming MASTER: an advert at `priority` before the VIPs and GARP, then the advert timer at `timer`. */
function expectTakeover(a: Action[], priority: number, timer: number): void {
  expect(types(a)).toEqual(['become:MASTER', 'send-advert', 'add-vips', 'send-garp', 'set-timer']);
  expect(sent(a)).toEqual([priority]);
  expect(timerAt(a)).toBe(timer);
}

function backup(over: Partial<MachineParams> = {}, now = 0): VrrpMachine {
  const m = mk(over);
  m.handle({ type: 'start' }, now);
  expect(m.state).toBe('BACKUP');
  return m;
}
function master(over: Partial<MachineParams> = {}): VrrpMachine {
  const m = backup(over);
  m.handle({ type: 'timer' }, m.deadline ?? 0);
  expect(m.state).toBe('MASTER');
  return m;
}

describe('start', () => {
  it('non-owner starts as BACKUP with Master_Down_Interval', () => {
    const m = mk();
    const a = m.handle({ type: 'start' }, 1000);
    expect(types(a)).toEqual(['become:BACKUP', 'set-timer']);
    expect(timerAt(a)).toBe(1000 + 3609.375);
  });
  it('address owner (255) goes straight to MASTER: advert, VIPs, GARP, advert timer', () => {
    const m = mk({ priority: 255 });
    const a = m.handle({ type: 'start' }, 0);
    expectTakeover(a, 255, 1000);
  });
  it('interface down at start -> FAULT, unless dont_track_primary', () => {
    const m = mk();
    m.handle({ type: 'interface', up: false }, 0);
    expect(types(m.handle({ type: 'start' }, 0))).toEqual(['become:FAULT']);
    const d = mk({ dontTrackPrimary: true });
    d.handle({ type: 'interface', up: false }, 0);
    d.handle({ type: 'start' }, 0);
    expect(d.state).toBe('BACKUP');
  });
  it('a weight-0 tracked item that starts down -> FAULT', () => {
    const m = mk({ tracked: [{ id: 'chk', weight: 0, initiallyUp: false }] });
    m.handle({ type: 'start' }, 0);
    expect(m.state).toBe('FAULT');
    expect(m.deadline).toBeNull();
  });
  it('events before start change nothing but are remembered', () => {
    const m = mk({ tracked: [{ id: 's', weight: -20 }] });
    expect(types(m.handle({ type: 'track', id: 's', up: false }, 0))).toEqual(['priority']);
    expect(m.handle({ type: 'timer' }, 99999)).toEqual([]);
    expect(m.handle(adv(200), 0)).toEqual([]);
    expect(m.handle({ type: 'shutdown' }, 0)).toEqual([]);
    expect(m.state).toBe('INIT');
    m.handle({ type: 'start' }, 0);
    expect(m.effectivePriority).toBe(80);
  });
});

describe('BACKUP', () => {
  it('takes over when the down timer fires, advert before VIPs and GARP', () => {
    const m = backup();
    const a = m.handle({ type: 'timer' }, 3609.375);
    expectTakeover(a, 100, 4609.375);
  });
  it('ignores a timer event before the deadline', () => {
    const m = backup();
    expect(m.handle({ type: 'timer' }, 3609)).toEqual([]);
    expect(m.state).toBe('BACKUP');
  });
  it('higher and equal priority adverts restart the down timer', () => {
    for (const p of [100, 150, 254]) {
      const m = backup();
      const a = m.handle(adv(p), 2000);
      expect(timerAt(a)).toBe(5609.375);
      expect(m.lastMasterAddress).toBe('10.0.0.9');
    }
  });
  it('a lower priority advert is ignored when preempting: the timer runs out', () => {
    const m = backup();
    expect(m.handle(adv(50), 2000)).toEqual([]);
    expect(m.deadline).toBe(3609.375);
    m.handle({ type: 'timer' }, 3609.375);
    expect(m.state).toBe('MASTER');
  });
  it('nopreempt: a lower priority master is accepted', () => {
    const m = backup({ preempt: false });
    expect(timerAt(m.handle(adv(50), 2000))).toBe(5609.375);
  });
  it('priority 0 advert: take over after Skew_Time only', () => {
    const m = backup();
    expect(timerAt(m.handle(adv(0), 2000))).toBe(2609.375);
    const hi = backup({ priority: 250 });
    expect(timerAt(hi.handle(adv(0), 2000))).toBe(2000 + 23.437);
  });
  it('preempt_delay: lower adverts are honoured for the delay, then ignored', () => {
    const m = backup({ preemptDelayMs: 5000 });
    expect(timerAt(m.handle(adv(50), 1000))).toBe(4609.375);
    expect(m.preemptTime).toBe(6000);
    m.handle(adv(50), 2000);
    expect(m.preemptTime).toBe(6000); // not restarted
    m.handle(adv(50), 5999);
    expect(m.deadline).toBe(5999 + 3609.375);
    expect(m.handle(adv(50), 6000)).toEqual([]); // delay over: ignored
    m.handle({ type: 'timer' }, 5999 + 3609.375);
    expect(m.state).toBe('MASTER');
  });
  it('preempt_delay: a higher advert cancels a running delay', () => {
    const m = backup({ preemptDelayMs: 5000 });
    m.handle(adv(50), 1000);
    m.handle(adv(150), 2000);
    expect(m.preemptTime).toBeNull();
  });
  it('v3 learns Master_Adver_Interval from the master and scales the skew', () => {
    const m = backup({ version: 3, advertIntervalMs: 1000 });
    const a = m.handle(adv(200, '10.0.0.9', 100), 0);
    expect(m.masterAdverIntMs).toBe(100);
    expect(timerAt(a)).toBe(300 + 60.937);
  });
  it('v2 keeps its own interval', () => {
    const m = backup();
    m.handle(adv(200, '10.0.0.9', 3000), 0);
    expect(m.masterAdverIntMs).toBe(1000);
  });
});

describe('MASTER', () => {
  it('sends an advert every interval', () => {
    const m = master();
    const t0 = m.deadline ?? 0;
    const a = m.handle({ type: 'timer' }, t0);
    expect(types(a)).toEqual(['send-advert', 'set-timer']);
    expect(timerAt(a)).toBe(t0 + 1000);
  });
  it('answers a lower priority advert with its own (forces a new election)', () => {
    const m = master();
    expect(types(m.handle(adv(50), 5000))).toEqual(['send-advert']);
    expect(m.state).toBe('MASTER');
  });
  it('lower_prio_no_advert: stays silent', () => {
    const m = master({ lowerPrioNoAdvert: true });
    expect(m.handle(adv(50), 5000)).toEqual([]);
  });
  it('steps down on a higher priority advert: VIPs removed, down timer armed', () => {
    const m = master();
    const a = m.handle(adv(150), 5000);
    expect(types(a)).toEqual(['become:BACKUP', 'del-vips', 'set-timer']);
    expect(timerAt(a)).toBe(5000 + 3609.375);
    expect(sent(a)).toEqual([]);
  });
  it('higher_prio_send_advert: sends one advert before stepping down', () => {
    const m = master({ higherPrioSendAdvert: true });
    const a = m.handle(adv(150), 5000);
    expect(types(a)).toEqual(['send-advert', 'become:BACKUP', 'del-vips', 'set-timer']);
  });
  it('equal priority: the higher primary address wins', () => {
    const lose = master({ primaryAddress: '10.0.0.2' });
    lose.handle(adv(100, '10.0.0.10'), 5000);
    expect(lose.state).toBe('BACKUP');
    const win = master({ primaryAddress: '10.0.0.20' });
    expect(types(win.handle(adv(100, '10.0.0.10'), 5000))).toEqual(['send-advert']);
    expect(win.state).toBe('MASTER');
  });
  it('equal priority from our own address is ignored', () => {
    const m = master();
    expect(m.handle(adv(100, '10.0.0.2'), 5000)).toEqual([]);
  });
  it('priority 0 advert: answers at once and stays MASTER', () => {
    const m = master();
    expect(types(m.handle(adv(0), 5000))).toEqual(['send-advert']);
    expect(m.state).toBe('MASTER');
  });
  it('two address owners: ours drops to 254 and the higher address keeps MASTER', () => {
    const m = mk({ priority: 255 });
    m.handle({ type: 'start' }, 0);
    const a = m.handle(adv(255, '10.0.0.9'), 100);
    expect(m.effectivePriority).toBe(254);
    expect(types(a)).toEqual(['priority', 'become:BACKUP', 'del-vips', 'set-timer']);
  });
  it('v3: stepping down adopts the new master interval', () => {
    const m = master({ version: 3 });
    m.handle(adv(200, '10.0.0.9', 200), 5000);
    expect(m.masterAdverIntMs).toBe(200);
    expect(m.deadline).toBe(5000 + 600 + 121.875);
  });
  it('becoming master again restores our own interval', () => {
    const m = master({ version: 3 });
    m.handle(adv(200, '10.0.0.9', 200), 5000);
    m.handle({ type: 'timer' }, m.deadline ?? 0);
    expect(m.state).toBe('MASTER');
    expect(m.masterAdverIntMs).toBe(1000);
  });
});

describe('FAULT and tracking', () => {
  it('interface down as MASTER: priority-0 advert, VIPs removed, timer off', () => {
    const m = master();
    const a = m.handle({ type: 'interface', up: false }, 5000);
    expect(types(a)).toEqual(['become:FAULT', 'send-advert', 'del-vips', 'set-timer']);
    expect(sent(a)).toEqual([0]);
    expect(timerAt(a)).toBeNull();
  });
  it('interface back up: BACKUP (listen first); the owner goes straight to MASTER', () => {
    const m = master();
    m.handle({ type: 'interface', up: false }, 5000);
    const a = m.handle({ type: 'interface', up: true }, 6000);
    expect(types(a)).toEqual(['become:BACKUP', 'set-timer']);
    const o = mk({ priority: 255 });
    o.handle({ type: 'start' }, 0);
    o.handle({ type: 'interface', up: false }, 10);
    expect(o.handle({ type: 'interface', up: true }, 20).map((x) => x.type)).toContain('add-vips');
  });
  it('dont_track_primary ignores link changes', () => {
    const m = master({ dontTrackPrimary: true });
    expect(m.handle({ type: 'interface', up: false }, 5000)).toEqual([]);
  });
  it('FAULT ignores adverts and timers', () => {
    const m = backup();
    m.handle({ type: 'interface', up: false }, 10);
    expect(m.handle(adv(200), 20)).toEqual([]);
    expect(m.handle({ type: 'timer' }, 1e9)).toEqual([]);
    expect(m.state).toBe('FAULT');
  });
  it('weight-0 item down forces FAULT; back up recovers', () => {
    const m = master({ tracked: [{ id: 'if1', weight: 0 }] });
    m.handle({ type: 'track', id: 'if1', up: false }, 10);
    expect(m.state).toBe('FAULT');
    m.handle({ type: 'track', id: 'if1', up: true }, 20);
    expect(m.state).toBe('BACKUP');
  });
  it('negative weight lowers priority while down; BACKUP deadline follows the new skew', () => {
    const m = backup({ tracked: [{ id: 's', weight: -30 }] });
    const a = m.handle({ type: 'track', id: 's', up: false }, 100);
    expect(a[0]).toEqual({ type: 'priority', priority: 70 });
    // skew 609.375 -> (256-70)/256 s = 726.562
    expect(timerAt(a)).toBe(3609.375 + (726.562 - 609.375));
  });
  it('positive weight raises priority while up', () => {
    const m = backup({ tracked: [{ id: 's', weight: 20 }] });
    expect(m.effectivePriority).toBe(120);
    m.handle({ type: 'track', id: 's', up: false }, 100);
    expect(m.effectivePriority).toBe(100);
  });
  it('reverse inverts the sense', () => {
    const m = backup({ tracked: [{ id: 's', weight: -30, reverse: true }] });
    expect(m.effectivePriority).toBe(70);
    m.handle({ type: 'track', id: 's', up: false }, 0);
    expect(m.effectivePriority).toBe(100);
  });
  it('effective priority is clamped to 1..254 and never moves for the owner', () => {
    expect(backup({ priority: 250, tracked: [{ id: 's', weight: 50 }] }).effectivePriority).toBe(254);
    const low = backup({ priority: 10, tracked: [{ id: 's', weight: -50 }] });
    low.handle({ type: 'track', id: 's', up: false }, 0);
    expect(low.effectivePriority).toBe(1);
    const o = mk({ priority: 255, tracked: [{ id: 's', weight: -50 }] });
    o.handle({ type: 'track', id: 's', up: false }, 0);
    expect(o.effectivePriority).toBe(255);
  });
  it('a lowered master keeps advertising the new priority', () => {
    const m = master({ tracked: [{ id: 's', weight: -60 }] });
    m.handle({ type: 'track', id: 's', up: false }, 100);
    expect(sent(m.handle({ type: 'timer' }, m.deadline ?? 0))).toEqual([40]);
  });
  it('unknown tracked ids are ignored', () => {
    const m = backup();
    expect(m.handle({ type: 'track', id: 'nope', up: false }, 0)).toEqual([]);
  });
});

describe('shutdown', () => {
  it('MASTER: priority-0 advert, VIPs removed, INIT', () => {
    const m = master();
    const a = m.handle({ type: 'shutdown' }, 9000);
    expect(types(a)).toEqual(['become:INIT', 'send-advert', 'del-vips', 'set-timer']);
    expect(sent(a)).toEqual([0]);
  });
  it('BACKUP: quietly to INIT', () => {
    const m = backup();
    expect(types(m.handle({ type: 'shutdown' }, 9000))).toEqual(['become:INIT', 'set-timer']);
  });
});
