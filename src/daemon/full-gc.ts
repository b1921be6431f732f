// One full garbage collection on demand, for the daemon's quiet moments (after the start-up
// rehearsal and after a reload): the garbage of a 10,000-server parse is collected then, not by
// a major GC that lands in the middle of the next reload, and RSS reads as what is live. Node
// exposes gc() only with --expose-gc; the flag set at run time gives it to a new context.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/** Runs a full GC; false when this Node cannot (nothing happens then). */
export function fullGc(): boolean {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const f: unknown = runInNewContext('gc');
      gc = typeof f === 'function' ? (f as () => void) : null;
    } catch {
      gc = null;
    }
  }
  if (gc === null) return false;
  gc();
  return true;
}
