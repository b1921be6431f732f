import { describe, expect, it } from 'vitest';
import { SlotTable } from '../../../../src/check/native/slot-table.js';

describe('SlotTable', () => {
  it('hands out new slots, then reuses released ones last-released first', () => {
    const t = new SlotTable<string>();
    for (const o of ['a', 'b', 'c']) t.set(t.next(), o);
    expect(t.made()).toBe(3);
    t.release(0);
    t.release(2);
    expect(t.next()).toBe(2);
    t.set(2, 'd');
    expect(t.next()).toBe(0);
    t.set(0, 'e');
    expect([t.get(0), t.get(1), t.get(2)]).toEqual(['e', 'b', 'd']);
    expect(t.next()).toBe(3);
    expect(t.made()).toBe(3);
  });

  it('a slot that is not set stays next (a failed start takes nothing)', () => {
    const t = new SlotTable<string>();
    t.set(t.next(), 'a');
    t.release(0);
    expect(t.next()).toBe(0);
    expect(t.next()).toBe(0);
  });

  it('slots released while a batch is reported are reusable only after it', () => {
    const t = new SlotTable<string>();
    t.set(t.next(), 'a');
    t.set(t.next(), 'b');
    const during: number[] = [];
    t.reportBatch((n) => {
      expect(n).toBe(7);
      t.release(0);
      during.push(t.next());
      expect(t.get(0)).toBeUndefined();
    }, 7);
    expect(during).toEqual([2]);
    expect(t.next()).toBe(0);
  });

  it('frees deferred slots even when the report throws', () => {
    const t = new SlotTable<string>();
    t.set(t.next(), 'a');
    expect(() =>
      t.reportBatch(() => {
        t.release(0);
        throw new Error('bug');
      }, 1),
    ).toThrow('bug');
    expect(t.next()).toBe(0);
  });
});
