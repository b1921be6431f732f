// The identity walk of a reload in place: which of a virtual server's real servers the parser
// handed back as the very objects that run (unchanged) and which are new objects.
import type { RealServer } from '../config/model.js';

/**
 * The first index from `i` on (below `n`) where `olds` and `reals` hold different objects; `n`
 * when none does. Object.is, not ===: V8's optimised === of two objects checks each side's map
 * (a load from each server object, a cache miss per server of a 10,000-server model, where the
 * pointers alone say it), and Object.is of the same pointer answers without reading the object.
 * A function of its own, so that no inlined compare of the changed servers can deoptimise it
 * (a 'wrong map' there sent its caller's walk back to the interpreter for the rest of a reload).
 */
export function nextRenewed(olds: readonly RealServer[], reals: readonly RealServer[], i: number, n: number): number {
  while (i < n && Object.is(olds[i], reals[i])) i++;
  return i;
}
