// What every health checker shares: the probe edge (one network or process attempt) and
// the result it reports. Counting (retries, up/down) is done by the pure machines, not here.
import type { TimedTarget } from './native/timed-checks.js';

/** One attempt's outcome. */
export interface CheckResult {
  ok: boolean;
  /** short reason for logs, e.g. "connection refused", "status 503" */
  reason: string;
  /**
   * MISC_CHECK with misc_dynamic: the weight the exit status asks for (status - 2), or null
   * for exit 0 (back to the configured weight). Absent when the attempt says nothing about it.
   */
  weight?: number | null;
}

/**
 * One attempt against a real server. `step` selects the URL of HTTP_GET/SSL_GET (0 for the
 * others). The probe must settle by itself within its timeout and must settle promptly,
 * with ok=false, when `signal` aborts.
 */
export interface Probe extends Partial<TimedProbe> {
  run(step: number, signal: AbortSignal): Promise<CheckResult>;
  /**
   * run() without a promise, for the probes the scheduler runs thousands of times a second:
   * `done` is called exactly once, possibly before start returns.
   */
  start?(step: number, signal: AbortSignal, done: (r: CheckResult) => void): void;
}

/**
 * A probe the timed engine can run (native/timed-checks.ts): TCP_CHECK and plain HTTP_GET.
 * timedTarget() is asked once (a TypeError: an address the engine cannot take; the check then
 * runs on the scheduler); timedRecord() turns each record of an attempt into its result when
 * the attempt ended with it (null: not yet). `step`: the url of the attempt.
 */
export interface TimedProbe {
  timedTarget(): TimedTarget | null;
  timedRecord(kind: number, a: number, b: number, data: Buffer, step: number): CheckResult | null;
}

/** run() of a probe that has start(): one promise around the callback attempt. */
export function runViaStart(p: Required<Pick<Probe, 'start'>>, step: number, signal: AbortSignal): Promise<CheckResult> {
  return new Promise((resolve) => p.start(step, signal, resolve));
}

/** Checker kinds lvsd runs. */
export type CheckerKind = 'TCP_CHECK' | 'HTTP_GET' | 'SSL_GET' | 'MISC_CHECK' | 'DNS_CHECK' | 'UDP_CHECK' | 'FILE_CHECK' | 'SMTP_CHECK' | 'PING_CHECK' | 'BFD_CHECK';

/** Where a checker connects (connect_ip/connect_port/bindto/bind_port/bind_if/fwmark resolved). */
export interface ConnectTarget {
  addr: string;
  family: 4 | 6;
  port: number;
  bindAddr?: string;
  bindPort?: number;
  bindIf?: string;
  fwmark?: number;
  /** microseconds */
  timeoutUs: number;
}
