// V8 controls for the daemon's quiet moments. One full garbage collection on demand (after the start-up
// rehearsal and after a reload): the garbage of a 10,000-server parse is collected then, not by
// a major GC that lands in the middle of the next reload, and RSS reads as what is live. Node
// exposes gc() only with --expose-gc; the flag set at run time gives it to a new context.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFn = (opts?: { type: 'major' | 'minor' }) => void;
let gc: GcFn | null | undefined;

function gcFn(): GcFn | null {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const f: unknown = runInNewContext('gc');
      gc = typeof f === 'function' ? (f as GcFn) : null;
    } catch {
      gc = null;
    }
  }
  return gc;
}

/** Runs a full GC; false when this Node cannot (nothing happens then). */
export function fullGc(): boolean {
  const f = gcFn();
  if (f === null) return false;
  f();
  return true;
}

/** Runs a young-generation GC (a scavenge) only; false when this Node cannot. */
export function minorGc(): boolean {
  const f = gcFn();
  if (f === null) return false;
  f({ type: 'minor' });
  return true;
}

/**
 * Keeps functions' bytecode however long they idle. V8 drops the bytecode (and baseline code) of
 * functions unused over a few major GCs, and a reload hours after start would then run its
 * code cold again; the start-up rehearsal (Daemon.rehearse) is only worth its time if what it
 * compiled stays. The cost is the reload path's bytecode kept resident (a few MB at most).
 */
export function keepBytecode(): void {
  setFlagsFromString('--no-flush-bytecode');
}
