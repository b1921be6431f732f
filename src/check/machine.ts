// The decision a checker's counting machine makes after each attempt: when to run next,
// which URL (step) to run, and whether the checker changed state.

/**
 * 'up' / 'down': the checker changed state (or confirmed it on its first run).
 * 'down-initial': a checker that started down (alpha) failed its first run; keepalived runs
 * the real server's notify_down then, without a state change.
 */
export type CheckerEvent = 'up' | 'down' | 'down-initial' | null;

export interface Decision {
  /** microseconds until the next attempt */
  delayUs: number;
  event: CheckerEvent;
  /** this failure is logged only with log_all_failures (a retry will follow or it is already down) */
  quietFailure: boolean;
}

export interface CheckerTiming {
  retry: number;
  /** microseconds */
  delayLoopUs: number;
  /** microseconds */
  delayBeforeRetryUs: number;
  /** log_all_failures: a failure of an up checker that only counts a retry is logged too */
  logAllFailures?: boolean;
}

/** A pure counting machine: results in, decisions out. */
export interface CheckerMachine {
  readonly up: boolean;
  readonly hasRun: boolean;
  /** the step (URL index) the next attempt must run */
  readonly step: number;
  onResult(ok: boolean): Decision;
  /** true: the next success would change nothing (RetryCounter); absent: never assumed */
  readonly settled?: boolean;
}

const EVENTS: readonly CheckerEvent[] = [null, 'up', 'down', 'down-initial'];
/** per delay: the 8 decisions (4 events x quiet), frozen and shared */
const decisions = new Map<number, Decision[]>();

/**
 * The decision (delayUs, event, quietFailure) as a shared frozen object: the same few repeat at
 * every check, and a new object per result was garbage at thousands of checks a second.
 */
export function decisionOf(delayUs: number, event: CheckerEvent, quietFailure: boolean): Decision {
  let row = decisions.get(delayUs);
  if (row === undefined) {
    // bounded: delays come from the configuration (a few distinct ones)
    if (decisions.size >= 4096) return { delayUs, event, quietFailure };
    row = [];
    for (const ev of EVENTS) for (const q of [false, true]) row.push(Object.freeze({ delayUs, event: ev, quietFailure: q }));
    decisions.set(delayUs, row);
  }
  return row[EVENTS.indexOf(event) * 2 + (quietFailure ? 1 : 0)];
}
