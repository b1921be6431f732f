// Every state x every kind of event x the flags that change behaviour, against an oracle
// written from RFC 3768/5798 and keepalived's rules, plus invariants on the actions.
import { describe, expect, it } from 'vitest';
import { VrrpMachine, type Action, type MachineEvent } from '../../../src/vrrp/machine.js';
import { defaultMachineParams, type MachineParams, type VrrpState } from '../../../src/vrrp/types.js';

interface Flags { owner: boolean; preempt: boolean; lowerPrioNoAdvert: boolean; higherPrioSendAdvert: boolean; dontTrackPrimary: boolean }
const ME = '10.0.0.5';
const PRIO = 100;

function reach(state: VrrpState, f: Flags): VrrpMachine {
  const p: MachineParams = defaultMachineParams({
    vrid: 9, primaryAddress: ME, priority: f.owner ? 255 : PRIO, preempt: f.preempt,
    lowerPrioNoAdvert: f.lowerPrioNoAdvert, higherPrioSendAdvert: f.higherPrioSendAdvert, dontTrackPrimary: f.dontTrackPrimary,
    tracked: [{ id: 'fatal', weight: 0 }],
  });
  const m = new VrrpMachine(p);
  if (state === 'INIT') return m;
  m.handle({ type: 'start' }, 0);
  if (state === 'MASTER' && m.state !== 'MASTER') m.handle({ type: 'timer' }, m.deadline ?? 0);
  if (state === 'BACKUP' && m.state === 'MASTER') m.handle({ type: 'advert', src: '10.0.0.200', priority: 255, advertIntervalMs: 1000 }, 1);
  if (state === 'FAULT') m.handle({ type: 'track', id: 'fatal', up: false }, 1);
  return m;
}

type Ev = { name: string; ev: (m: VrrpMachine) => MachineEvent; at?: (m: VrrpMachine) => number };
const adv = (name: string, prio: (m: VrrpMachine) => number, src: string): Ev =>
  ({ name, ev: (m) => ({ type: 'advert', src, priority: prio(m), advertIntervalMs: 1000 }) });
const events: Ev[] = [
  { name: 'start', ev: () => ({ type: 'start' }) },
  { name: 'timer-due', ev: () => ({ type: 'timer' }), at: (m) => m.deadline ?? 50_000 },
  { name: 'timer-early', ev: () => ({ type: 'timer' }), at: (m) => (m.deadline ?? 50_000) - 1 },
  adv('advert-0', () => 0, '10.0.0.9'),
  adv('advert-lower', (m) => m.effectivePriority - 1, '10.0.0.9'),
  adv('advert-equal-lower-ip', (m) => m.effectivePriority, '10.0.0.4'),
  adv('advert-equal-higher-ip', (m) => m.effectivePriority, '10.0.0.6'),
  adv('advert-higher', (m) => Math.min(255, m.effectivePriority + 1), '10.0.0.9'),
  { name: 'iface-down', ev: () => ({ type: 'interface', up: false }) },
  { name: 'iface-up', ev: () => ({ type: 'interface', up: true }) },
  { name: 'fatal-down', ev: () => ({ type: 'track', id: 'fatal', up: false }) },
  { name: 'fatal-up', ev: () => ({ type: 'track', id: 'fatal', up: true }) },
  { name: 'shutdown', ev: () => ({ type: 'shutdown' }) },
];

/** Expected state after `ev` in `s` (the machine reached s without faults except FAULT itself). */
function oracle(s: VrrpState, ev: string, f: Flags, m: VrrpMachine): VrrpState {
  const up = f.owner ? 'MASTER' : 'BACKUP';
  if (ev === 'shutdown') return 'INIT';
  if (s === 'INIT') return ev === 'start' ? up : 'INIT';
  if (ev === 'fatal-down' || (ev === 'iface-down' && !f.dontTrackPrimary)) return 'FAULT';
  if (s === 'FAULT') return ev === 'fatal-up' ? up : 'FAULT';
  if (s === 'BACKUP') return ev === 'timer-due' ? 'MASTER' : 'BACKUP';
  // MASTER
  if (ev === 'advert-higher') return 'BACKUP';
  if (ev === 'advert-equal-higher-ip') return 'BACKUP';
  if (ev === 'advert-equal-lower-ip' && m.effectivePriority === 255) return 'BACKUP'; // 255 clash: we drop to 254
  return 'MASTER';
}

const flagSets: Flags[] = [];
for (let i = 0; i < 32; i++) {
  flagSets.push({ owner: !!(i & 1), preempt: !!(i & 2), lowerPrioNoAdvert: !!(i & 4), higherPrioSendAdvert: !!(i & 8), dontTrackPrimary: !!(i & 16) });
}

describe('transition matrix', () => {
  let checked = 0;
  for (const state of ['INIT', 'BACKUP', 'MASTER', 'FAULT'] as VrrpState[]) {
    it(`from ${state}: every event under all 32 flag combinations`, () => {
      for (const f of flagSets) {
        for (const e of events) {
          const m = reach(state, f);
          expect(m.state).toBe(state);
          const vipsBefore = m.state === 'MASTER';
          const expected = oracle(state, e.name, f, m);
          const at = e.at ? e.at(m) : 10_000;
          const acts: Action[] = m.handle(e.ev(m), at);
          const ctx = `${state} + ${e.name} ${JSON.stringify(f)}`;
          expect(m.state, ctx).toBe(expected);
          // A become action is emitted exactly when the state changed, naming it.
          const becomes = acts.filter((a) => a.type === 'become');
          expect(becomes, ctx).toEqual(state === expected ? [] : [{ type: 'become', state: expected, from: state }]);
          // VIPs are held exactly while MASTER.
          const adds = acts.filter((a) => a.type === 'add-vips').length;
          const dels = acts.filter((a) => a.type === 'del-vips').length;
          const vipsAfter = vipsBefore ? dels === 0 : adds === 1;
          expect(vipsAfter, ctx).toBe(expected === 'MASTER');
          expect(adds + dels, ctx).toBeLessThanOrEqual(1);
          // A timer runs exactly in BACKUP and MASTER.
          expect(m.deadline === null, ctx).toBe(expected === 'INIT' || expected === 'FAULT');
          // Priority 0 only when a master leaves for FAULT/INIT; never otherwise.
          const zeros = acts.filter((a) => a.type === 'send-advert' && a.priority === 0).length;
          expect(zeros, ctx).toBe(state === 'MASTER' && (expected === 'FAULT' || expected === 'INIT') ? 1 : 0);
          // Adverts are only sent as MASTER or when leaving it.
          if (state !== 'MASTER' && expected !== 'MASTER') expect(acts.some((a) => a.type === 'send-advert'), ctx).toBe(false);
          // Master answers: lower -> advert unless lower_prio_no_advert; 0 -> always.
          if (state === 'MASTER' && expected === 'MASTER') {
            const sent = acts.filter((a) => a.type === 'send-advert').length;
            if (e.name === 'advert-0' || e.name === 'timer-due') expect(sent, ctx).toBe(1);
            if (e.name === 'advert-lower' || (e.name === 'advert-equal-lower-ip' && !f.owner)) expect(sent, ctx).toBe(f.lowerPrioNoAdvert ? 0 : 1);
          }
          if (state === 'MASTER' && expected === 'BACKUP' && e.name !== 'advert-equal-lower-ip') {
            expect(acts.some((a) => a.type === 'send-advert'), ctx).toBe(f.higherPrioSendAdvert);
          }
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  }
});
