import { describe, expect, it } from 'vitest';
import { SignalQueue } from '../../../src/daemon/signal-queue.js';

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('SignalQueue', () => {
  it('runs jobs one after another, drops everything after a stop, survives a failing job', async () => {
    const errors: string[] = [];
    const q = new SignalQueue((name) => errors.push(name));
    const log: string[] = [];
    const job = (name: string, ms: number) => async () => {
      log.push(`${name}+`);
      await tick(ms);
      log.push(`${name}-`);
    };
    void q.push('HUP1', job('a', 20));
    void q.push('HUP2', async () => { throw new Error('boom'); });
    void q.push('HUP3', job('b', 1));
    const stopped = q.push('TERM', job('stop', 1), true);
    await q.push('HUP4', job('late', 1));
    await stopped;
    expect(log).toEqual(['a+', 'a-', 'b+', 'b-', 'stop+', 'stop-']);
    expect(errors).toEqual(['HUP2']);
    expect(q.dropped).toBe(1);
    expect(q.stopQueued).toBe(true);
  });
});
