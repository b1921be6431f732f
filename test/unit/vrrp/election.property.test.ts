// Random event sequences (crashes, restarts, shutdowns, partitions, loss, delay, priority
// changes, link faults) on two or three simulated routers. Whatever happened, once the network
// is whole again there are never two masters for longer than one Master_Down_Interval, and
// in the end exactly one live, healthy router is master.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NetworkSim } from './support/network-sim.js';
import { defaultMachineParams, type MachineParams } from '../../../src/vrrp/types.js';
import { masterDownIntervalMs } from '../../../src/vrrp/timers.js';

type Chaos =
  | { t: number; kind: 'block'; from: number; to: number; on: boolean }
  | { t: number; kind: 'crash' | 'restart' | 'shutdown'; r: number }
  | { t: number; kind: 'track' | 'iface'; r: number; up: boolean };

const routerArb = fc.record({
  priority: fc.oneof(fc.integer({ min: 1, max: 254 }), fc.constantFrom(100, 100, 150)),
  preempt: fc.boolean(),
  preemptDelayMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })),
  lowerPrioNoAdvert: fc.boolean(),
  higherPrioSendAdvert: fc.boolean(),
  weight: fc.integer({ min: -60, max: 60 }),
  startAt: fc.integer({ min: 0, max: 4000 }),
});

const scenarioArb = fc.record({
  n: fc.integer({ min: 2, max: 3 }),
  version: fc.constantFrom(2 as const, 3 as const),
  fastV3: fc.boolean(),
  owner: fc.boolean(),
  routers: fc.array(routerArb, { minLength: 3, maxLength: 3 }),
  loss: fc.double({ min: 0, max: 0.9, noNaN: true }),
  delayMaxFactor: fc.double({ min: 0, max: 2, noNaN: true }),
  chaos: fc.array(
    fc.oneof(
      fc.record({ t: fc.integer({ min: 0, max: 30_000 }), kind: fc.constant('block' as const), from: fc.nat(2), to: fc.nat(2), on: fc.boolean() }),
      fc.record({ t: fc.integer({ min: 0, max: 30_000 }), kind: fc.constantFrom('crash' as const, 'restart' as const, 'shutdown' as const), r: fc.nat(2) }),
      fc.record({ t: fc.integer({ min: 0, max: 30_000 }), kind: fc.constantFrom('track' as const, 'iface' as const), r: fc.nat(2), up: fc.boolean() }),
    ),
    { maxLength: 30 },
  ),
  seed: fc.integer(),
});

// Fixed seed for reproducible CI; VRRP_PROP_SEED / VRRP_PROP_RUNS explore further.
const SEED = Number(process.env.VRRP_PROP_SEED ?? 20261126);
const RUNS = Number(process.env.VRRP_PROP_RUNS ?? 1000);

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * r0 (priority 200) and r1 (100) on VRID 1, both started at 0. Packets arrive at once unless
 * `instantDelivery` is false (the simulator's random delays).
 */
function twoRouters(
  seed: number,
  o: { r0?: Partial<MachineParams>; r1?: Partial<MachineParams>; instantDelivery?: boolean } = {},
): NetworkSim {
  const p = (i: number, priority: number, more: Partial<MachineParams> = {}): MachineParams =>
    defaultMachineParams({ name: `r${i}`, vrid: 1, primaryAddress: `10.0.0.${i + 1}`, priority, ...more });
  const sim = new NetworkSim([p(0, 200, o.r0), p(1, 100, o.r1)], seed);
  if (o.instantDelivery !== false) sim.delayMax = 0;
  sim.at(0, () => { sim.start(0); sim.start(1); });
  return sim;
}

function simulate(s: Scenario): { sim: NetworkSim; healAt: number; bound: number; endAt: number } {
  const interval = s.version === 3 && s.fastV3 ? 100 : 1000;
  const scale = interval / 1000; // chaos times are in units of a 1 s interval
  const params: MachineParams[] = s.routers.slice(0, s.n).map((r, i) => defaultMachineParams({
    name: `r${i}`, vrid: 7, version: s.version, advertIntervalMs: interval,
    primaryAddress: `10.0.0.${i + 1}`,
    // At most one address owner: two owners are a configuration error.
    priority: s.owner && i === 0 ? 255 : r.priority,
    preempt: r.preempt, preemptDelayMs: r.preemptDelayMs * scale,
    lowerPrioNoAdvert: r.lowerPrioNoAdvert, higherPrioSendAdvert: r.higherPrioSendAdvert,
    tracked: [{ id: 'script', weight: r.weight }],
  }));
  const sim = new NetworkSim(params, s.seed);
  sim.loss = s.loss;
  sim.delayMax = s.delayMaxFactor * interval;
  params.forEach((_, i) => sim.at(s.routers[i].startAt * scale, () => sim.start(i)));
  for (const c of s.chaos as Chaos[]) {
    const t = c.t * scale;
    if (c.kind === 'block') {
      if (c.from < s.n && c.to < s.n) sim.at(t, () => { sim.blocked[c.from][c.to] = c.on; });
      continue;
    }
    if (c.r >= s.n) continue;
    const r = c.r;
    if (c.kind === 'crash') sim.at(t, () => { if (sim.routers[r].alive) sim.crash(r); });
    else if (c.kind === 'shutdown') sim.at(t, () => sim.shutdown(r));
    else if (c.kind === 'restart') sim.at(t, () => { if (!sim.routers[r].alive) sim.start(r); });
    else if (c.kind === 'track') { const up = c.up; sim.at(t, () => sim.event(r, { type: 'track', id: 'script', up })); }
    else if (c.kind === 'iface') { const up = c.up; sim.at(t, () => sim.event(r, { type: 'interface', up })); }
  }
  const healAt = 31_000 * scale;
  // Network whole again: every link up, no loss, LAN delays (well under Skew_Time).
  sim.at(healAt, () => {
    for (const row of sim.blocked) row.fill(false);
    sim.loss = 0;
    sim.delayMin = 0;
    sim.delayMax = 1 * scale;
    for (let i = 0; i < s.n; i++) sim.event(i, { type: 'interface', up: true });
  });
  const bound = masterDownIntervalMs(s.version, 1, interval);
  const endAt = healAt + 40 * interval;
  sim.run(endAt);
  return { sim, healAt, bound, endAt };
}

describe('election under random faults (fast-check)', () => {
  it('never two masters for longer than Master_Down_Interval once the network is whole; one master at the end', () => {
    let dualBeforeHeal = 0;
    let runs = 0;
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { sim, healAt, bound } = simulate(s);
        runs++;
        for (const [from, to] of sim.dualMaster) {
          if (from < healAt) dualBeforeHeal++;
          // A split brain may begin before or after healing (e.g. a preempting router); from
          // the moment the network is whole it must end within one Master_Down_Interval.
          if (to - Math.max(from, healAt) > bound) {
            throw new Error(`two masters from ${from} to ${to} (heal ${healAt}, bound ${bound})\n${sim.log.slice(-30).join('\n')}`);
          }
        }
        const live = sim.routers.filter((r) => r.alive && r.machine.state !== 'FAULT').length;
        expect(sim.masters()).toBe(live > 0 ? 1 : 0);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(runs).toBe(RUNS);
    // The generator does produce split brain before healing (the property is not vacuous).
    expect(dualBeforeHeal).toBeGreaterThan(10);
  });

  it('the simulator itself: a partition makes two masters, healing resolves it in one exchange', () => {
    const sim = twoRouters(1, { instantDelivery: false });
    sim.at(10_000, () => { sim.blocked[0][1] = true; });
    sim.at(20_000, () => { sim.blocked[0][1] = false; });
    sim.run(30_000);
    expect(sim.dualMaster.length).toBe(1);
    const [from, to] = sim.dualMaster[0];
    // r0 is master from 3 218.75 (3 s + skew of 200), adverts every second; the last one r1
    // hears leaves at 9 218.75, and r1 gives up 3 609.375 ms (its Master_Down_Interval) later.
    expect(from).toBeGreaterThanOrEqual(12_828.125);
    expect(from).toBeLessThan(12_829.125);
    expect(to).toBeGreaterThanOrEqual(20_000);
    expect(to).toBeLessThan(21_002);
    expect(sim.routers[0].machine.state).toBe('MASTER');
  });

  it('crash of the master: the backup takes over after exactly its Master_Down_Interval', () => {
    const sim = twoRouters(2);
    sim.at(10_500, () => sim.crash(0));
    sim.run(20_000);
    const takeover = sim.log.find((l) => l.includes('r1 BACKUP->MASTER'));
    expect(takeover).toBeDefined();
    // r0 became master at 3 s + skew(200) = 3 218.75 and advertised every second after.
    const lastAdvert = 3218.75 + Math.floor((10_500 - 3218.75) / 1000) * 1000;
    expect(Number(takeover?.split(' ')[0])).toBeCloseTo(lastAdvert + 3609.375, 3);
  });

  it('a failing script lowers the master by its weight and the peer takes over; recovery preempts back', () => {
    const sim = twoRouters(4, { r0: { priority: 150, tracked: [{ id: 'chk', weight: -60 }] }, r1: { priority: 120 } });
    sim.at(10_000, () => sim.event(0, { type: 'track', id: 'chk', up: false }));
    sim.at(20_000, () => sim.event(0, { type: 'track', id: 'chk', up: true }));
    sim.run(30_000);
    const transitions = sim.log.filter((l) => /->/.test(l)).map((l) => l.split(' ').slice(1, 3).join(' '));
    expect(transitions).toEqual([
      'r0 INIT->BACKUP', 'r1 INIT->BACKUP', 'r0 BACKUP->MASTER', // 150 wins
      'r1 BACKUP->MASTER', 'r0 MASTER->BACKUP', // 90 < 120: r1 preempts after its down interval
      'r0 BACKUP->MASTER', 'r1 MASTER->BACKUP', // back to 150: r0 preempts
    ]);
    const t = (s: string): number => Number(sim.log.filter((l) => l.includes(s)).pop()?.split(' ')[0]);
    // r1 ignores the lowered master's adverts (preempt) and takes over one down interval after
    // the last advert it honoured (r0 master at 3 000 + skew(150) = 3 414.062, adverts each second).
    expect(t('r1 BACKUP->MASTER')).toBeCloseTo(9414.062 + 3000 + 531.25, 2);
    // Recovered to 150, r0 ignores r1's 120 adverts and takes over after its own down interval.
    expect(t('r0 BACKUP->MASTER')).toBeGreaterThan(20_000);
    expect(t('r0 BACKUP->MASTER')).toBeLessThan(20_000 + 1000 + 3414.062);
  });

  it('graceful shutdown of the master: takeover after Skew_Time only', () => {
    const sim = twoRouters(3);
    sim.at(10_500, () => sim.shutdown(0));
    sim.run(20_000);
    const takeover = sim.log.find((l) => l.includes('r1 BACKUP->MASTER'));
    expect(Number(takeover?.split(' ')[0])).toBeCloseTo(10_500 + 609.375, 3);
  });
});
