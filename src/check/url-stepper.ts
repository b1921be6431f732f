// URL stepping and retry counting of HTTP_GET / SSL_GET, after keepalived 2.2.7 check_http.c
// (epilog/timeout_epilog). Each attempt fetches one URL; URLs of a cycle are delay_loop apart
// (fast_recovery: back to back while the checker is down with no failing URL known). A URL
// failing `retry` + 1 times in a row (delay_before_retry apart) takes the checker down and is
// then retried alone, at max(delay_before_retry, delay_loop), until it answers; then the
// whole list is checked again.
import { decisionOf, type CheckerMachine, type CheckerTiming, type Decision } from './machine.js';

export class UrlStepper implements CheckerMachine {
  up: boolean;
  hasRun = false;
  retryIt: number;
  /** index of the URL to fetch next */
  urlIt = 0;
  /** the URL that took the checker down, while it still fails */
  failedUrl: number | null = null;

  constructor(
    private readonly timing: CheckerTiming,
    private readonly urls: number,
    private readonly fastRecovery: boolean,
    alpha: boolean,
  ) {
    if (urls < 1) throw new Error('HTTP checker needs at least one url');
    this.up = !alpha;
    this.retryIt = timing.retry;
  }

  get step(): number {
    return this.urlIt;
  }

  onResult(ok: boolean): Decision {
    const t = this.timing;
    let event: Decision['event'] = null;
    let quietFailure = false;
    let method: 'new' | 'retry' | 'failed';
    if (ok) method = 'new';
    else if (this.up || !this.hasRun) {
      this.hasRun = true;
      method = 'retry';
    } else method = 'failed';

    let lastUrlDone = false;
    if (method === 'new') {
      lastUrlDone = this.urlIt === this.urls - 1;
      if (!lastUrlDone) this.urlIt++;
      this.retryIt = 0;
    } else if (method === 'retry') this.retryIt++;

    if (method === 'new' && lastUrlDone && this.failedUrl === null) {
      if (!this.up || !this.hasRun) {
        if (!this.up) event = 'up';
        this.up = true;
        this.hasRun = true;
      }
      this.urlIt = 0;
      this.retryIt = 0;
    } else if (method === 'retry' && this.retryIt > t.retry) {
      if (this.up) {
        this.up = false;
        event = 'down';
      }
      this.failedUrl = this.urlIt;
    } else if (method === 'new' && this.failedUrl !== null) {
      // the failing URL answers again: start over with the whole list
      this.failedUrl = null;
      this.urlIt = 0;
      this.retryIt = 0;
    }
    if (lastUrlDone && method === 'new' && this.urlIt !== 0) this.urlIt = 0;
    // a retried failure of a live checker is logged only with log_all_failures
    if (!ok && event === null) quietFailure = !(method === 'retry' && t.logAllFailures === true);

    let delayUs: number;
    if (method === 'new') {
      delayUs = t.delayLoopUs;
      if (!this.hasRun) this.retryIt = t.retry;
    } else if (this.failedUrl !== null) delayUs = Math.max(t.delayBeforeRetryUs, t.delayLoopUs);
    else delayUs = t.delayBeforeRetryUs;

    if (this.fastRecovery && (!this.hasRun || (!this.up && this.failedUrl === null))) delayUs = 0;
    return decisionOf(delayUs, event, quietFailure);
  }
}
