// One monotonic clock read per event-loop turn, shared by every check that starts or ends in
// it. Reading the clock is a system call where the clocksource has no vDSO path (an HPET
// guest: several microseconds per read, a trapped device read under emulation), and a check
// used to read it five times. A value is kept until the check phase of the turn that read it:
// while an immediate is pending the poll phase does not block, so a kept value never spans a
// wait for I/O and is at most one turn's own work old.
import { performance } from 'node:perf_hooks';

let monoMs = NaN;
let wallMs = NaN;
let clearing = false;

function clear(): void {
  monoMs = NaN;
  wallMs = NaN;
  clearing = false;
}

function keep(): void {
  if (clearing) return;
  clearing = true;
  // ref'd on purpose: only a ref'd immediate keeps the poll phase from blocking
  setImmediate(clear);
}

/** Monotonic milliseconds (performance.now), read at most once per event-loop turn. */
export function turnNowMs(): number {
  if (monoMs !== monoMs) {
    monoMs = performance.now();
    keep();
  }
  return monoMs;
}

/** Monotonic microseconds, as turnNowMs. */
export function turnNowUs(): number {
  return turnNowMs() * 1000;
}

/** Wall-clock milliseconds since the epoch (Date.now), read at most once per event-loop turn. */
export function turnWallMs(): number {
  if (wallMs !== wallMs) {
    wallMs = Date.now();
    keep();
  }
  return wallMs;
}
