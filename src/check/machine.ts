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
}

/** A pure counting machine: results in, decisions out. */
export interface CheckerMachine {
  readonly up: boolean;
  readonly hasRun: boolean;
  /** the step (URL index) the next attempt must run */
  readonly step: number;
  onResult(ok: boolean): Decision;
}
