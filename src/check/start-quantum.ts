// How long the timed engine lets due checks wait so they start on one wakeup. Under emulation a
// wakeup of the daemon costs more than the checks it starts (bench/checkers.sh, session 6: TCP
// 200 in the VM 12.0 CPU-s per 60 s at 25 ms, 7.7 at 100 ms; keepalived 10.1), so the quantum
// is as long as MAX allows while a wakeup starts at most TARGET_BATCH checks: a larger burst of
// connects per wakeup would be the thundering herd the spread is there to avoid. A check waits
// one quantum at most for its first start only: delays are kept from due time to due time, so
// whole-second delay_loops stay exact.

/** the quantum's bounds, us */
export const MIN_QUANTUM_US = 25_000;
export const MAX_QUANTUM_US = 100_000;
/** checks one wakeup should start, at most, when the quantum can be shorter */
export const TARGET_BATCH = 256;

/** The quantum (us) for checks starting `perSecond` times a second in all. */
export function startQuantumUs(perSecond: number): number {
  if (!(perSecond > 0)) return MAX_QUANTUM_US;
  const q = Math.floor((TARGET_BATCH / perSecond) * 1e6);
  return Math.min(MAX_QUANTUM_US, Math.max(MIN_QUANTUM_US, q));
}
