// The indexed-heap core against a plain model: any sequence of add/remove/take/finish gives
// the same starts, in the same order, as a sort of (due, order of scheduling).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SchedulerCore } from '../../../src/check/scheduler-core.js';

class Model {
  sched = new Map<number, { due: number; seq: number }>();
  running = new Map<number, number>();
  removed = new Set<number>();
  seq = 0;
  constructor(readonly max: number) {}
  add(id: number, due: number): void {
    this.sched.set(id, { due, seq: this.seq++ });
  }
  remove(id: number): void {
    this.sched.delete(id);
    if (this.running.has(id)) this.removed.add(id);
  }
  take(now: number): number[] {
    const ready = [...this.sched].filter(([, e]) => e.due <= now).sort((a, b) => a[1].due - b[1].due || a[1].seq - b[1].seq);
    const out: number[] = [];
    for (const [id, e] of ready) {
      if (this.running.size >= this.max) break;
      this.sched.delete(id);
      this.running.set(id, e.due);
      out.push(id);
    }
    return out;
  }
  finish(id: number, now: number, delay: number): number | undefined {
    const due = this.running.get(id) as number;
    this.running.delete(id);
    if (this.removed.delete(id)) return undefined;
    const next = Math.max(now, due + delay);
    this.add(id, next);
    return next;
  }
}

const op = fc.oneof(
  fc.record({ k: fc.constant('add' as const), id: fc.integer({ min: 0, max: 12 }), due: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ k: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ k: fc.constant('take' as const), dt: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ k: fc.constant('finish' as const), pick: fc.nat(), delay: fc.integer({ min: 0, max: 30 }) }),
);

describe('SchedulerCore against a model', () => {
  it('same starts and due times for any operation sequence', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 120 }), (max, ops) => {
        const core = new SchedulerCore(max);
        const model = new Model(max);
        let now = 0;
        for (const o of ops) {
          if (o.k === 'add') {
            if (model.running.has(o.id)) continue; // adding a running check is refused by both
            core.add(o.id, o.due);
            model.add(o.id, o.due);
          } else if (o.k === 'remove') {
            core.remove(o.id);
            model.remove(o.id);
          } else if (o.k === 'take') {
            now += o.dt;
            expect(core.take(now)).toEqual(model.take(now));
          } else {
            const ids = [...model.running.keys()];
            if (ids.length === 0) continue;
            const id = ids[o.pick % ids.length];
            expect(core.finish(id, now, o.delay)).toEqual(model.finish(id, now, o.delay));
          }
          expect(core.runningCount).toBe(model.running.size);
          expect(core.scheduledCount).toBe(model.sched.size);
        }
      }),
      { numRuns: 400 },
    );
  });
});
