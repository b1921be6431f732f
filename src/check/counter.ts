// Retry counting of the single-step checkers (TCP_CHECK, UDP_CHECK, DNS_CHECK, MISC_CHECK),
// after keepalived 2.2.7's epilogs. A checker starts with its retry counter full, so the very
// first failure counts at once; later a failure only counts after `retry` retries spaced by
// delay_before_retry. Where the checkers differ is what happens while already down:
//  - 'tcp':      keeps retrying `retry` times before each delay_loop (check_tcp.c)
//  - 'while-up': no retries once down, just delay_loop (check_dns.c, check_misc.c)
//  - 'udp':      retries at delay_before_retry for as long as it stays down (check_udp.c,
//                check_ping.c)
//  - 'smtp':     as 'tcp', but the counter starts empty at every delay_loop round, the first
//                one included, so even the first failure is retried (check_smtp.c)
import { decisionOf, type CheckerMachine, type CheckerTiming, type Decision } from './machine.js';

export type RetryMode = 'tcp' | 'while-up' | 'udp' | 'smtp';

export class RetryCounter implements CheckerMachine {
  up: boolean;
  hasRun = false;
  retryIt: number;
  readonly step = 0;

  constructor(
    private readonly timing: CheckerTiming,
    private readonly mode: RetryMode,
    alpha: boolean,
  ) {
    this.up = !alpha;
    this.retryIt = mode === 'smtp' ? 0 : timing.retry;
  }

  private mayRetry(): boolean {
    const live = this.up || !this.hasRun;
    switch (this.mode) {
      case 'tcp':
      case 'smtp':
        return this.retryIt < this.timing.retry;
      case 'while-up':
        return live && this.retryIt < this.timing.retry;
      case 'udp':
        return !live || this.retryIt < this.timing.retry;
    }
  }

  /**
   * The next success would change nothing: up, run, no retry counted (it would return the
   * delay_loop decision with no event and leave this state as it is). The timed engine's quiet
   * path settles such successes without calling onResult (native/timed-checks.ts).
   */
  get settled(): boolean {
    return this.up && this.hasRun && this.retryIt === 0;
  }

  onResult(ok: boolean): Decision {
    const first = !this.hasRun;
    this.hasRun = true;
    if (ok) {
      this.retryIt = 0;
      let event: Decision['event'] = null;
      if (!this.up) {
        this.up = true;
        event = 'up';
      }
      return decisionOf(this.timing.delayLoopUs, event, false);
    }
    if (this.mayRetry()) {
      this.retryIt++;
      // keepalived logs a retried failure of a live checker only with log_all_failures
      const loud = this.timing.logAllFailures === true && (this.up || first);
      return decisionOf(this.timing.delayBeforeRetryUs, null, !loud);
    }
    this.retryIt = 0;
    let event: Decision['event'] = null;
    if (this.up) {
      this.up = false;
      event = 'down';
    } else if (first) event = 'down-initial';
    return decisionOf(this.timing.delayLoopUs, event, event === null);
  }
}
