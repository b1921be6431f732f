// BFD_CHECK: a real server's checker follows a bfd_instance (keepalived check/check_bfd.c). It
// starts up, or failed with alpha, and then changes only on the BFD process's events: Up, or
// Down after having been Up. No probe runs and none of the timing options apply.
import type { Checker, Model } from '../config/model.js';
import { RetryCounter } from './counter.js';
import type { ResolvedTiming } from './timing.js';

/** Where BFD states come from (the BFD service). */
export interface BfdEvents {
  on(event: 'up' | 'down', fn: (c: { name: string }) => void): unknown;
  off(event: 'up' | 'down', fn: (c: { name: string }) => void): unknown;
}

/**
 * The bfd_instance a BFD_CHECK block names, or undefined when it names none the checkers hear
 * (unknown, or `vrrp` only): keepalived skips such a checker.
 */
export function bfdCheckName(c: Checker, model: Model): string | undefined {
  if (typeof c.name !== 'string') return undefined;
  const list: unknown = (model as Record<string, unknown>).bfd_instance;
  const known = Array.isArray(list) && list.some((b: unknown) => {
    if (typeof b !== 'object' || b === null) return false;
    const o = b as Record<string, unknown>;
    return o.name === c.name && (o.vrrp !== true || o.checker === true);
  });
  return known ? c.name : undefined;
}

/** The counting machine: only its initial state matters (up unless alpha). */
export function bfdCheckMachine(timing: ResolvedTiming): RetryCounter {
  return new RetryCounter({ ...timing, retry: 0 }, 'tcp', timing.alpha);
}

/** Calls `onState` with each up/down event of `name`; returns the unsubscribe. */
export function followBfd(events: BfdEvents, name: string, onState: (up: boolean) => void): () => void {
  const up = (c: { name: string }): void => { if (c.name === name) onState(true); };
  const down = (c: { name: string }): void => { if (c.name === name) onState(false); };
  events.on('up', up);
  events.on('down', down);
  return () => {
    events.off('up', up);
    events.off('down', down);
  };
}
