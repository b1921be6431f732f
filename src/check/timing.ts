// Timer and retry values of one checker, inherited as keepalived 2.2.7 does (check_data.c):
// checker, else real server, else virtual server, else the checker type's default.
import { checkerTypeDefaults } from '../../grammar/schema/checkers.js';
import type { Checker, RealServer, VirtualServer } from '../config/model.js';
import type { CheckerTiming } from './machine.js';

export interface ResolvedTiming extends CheckerTiming {
  /** microseconds */
  connectTimeoutUs: number;
  /** upper bound of the random first delay, microseconds */
  warmupUs: number;
  alpha: boolean;
  logAllFailures: boolean;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

export function resolveTiming(
  kind: string,
  checker: Checker,
  rs: RealServer,
  vs: VirtualServer,
  globalLogAllFailures = false,
): ResolvedTiming {
  const type = checkerTypeDefaults[kind] ?? { retry: 1, delay_before_retry: 1_000_000 };
  const delayLoopUs = num(checker.delay_loop) ?? num(rs.delay_loop) ?? num(vs.delay_loop) ?? 60_000_000;
  const retry = num(checker.retry) ?? num(rs.retry) ?? num(vs.retry) ?? type.retry;
  const typeBefore = type.delay_before_retry === 'delay_loop' ? delayLoopUs : type.delay_before_retry;
  const delayBeforeRetryUs = num(checker.delay_before_retry) ?? num(rs.delay_before_retry) ?? num(vs.delay_before_retry) ?? typeBefore;
  const connectTimeoutUs = num(checker.connect_timeout) ?? num(rs.connect_timeout) ?? num(vs.connect_timeout) ?? 5_000_000;
  const warmupUs = num(checker.warmup) ?? num(rs.warmup) ?? num(vs.warmup) ?? delayLoopUs;
  const alpha = bool(checker.alpha) ?? bool(rs.alpha) ?? vs.alpha === true;
  const logAllFailures = bool(checker.log_all_failures) ?? globalLogAllFailures;
  return shared({ retry, delayLoopUs, delayBeforeRetryUs, connectTimeoutUs, warmupUs, alpha, logAllFailures });
}

// Thousands of checkers usually share a handful of timings: one frozen object per distinct one.
const interned = new Map<string, Readonly<ResolvedTiming>>();

function shared(t: ResolvedTiming): ResolvedTiming {
  const key = `${t.retry}|${t.delayLoopUs}|${t.delayBeforeRetryUs}|${t.connectTimeoutUs}|${t.warmupUs}|${t.alpha}|${t.logAllFailures}`;
  let v = interned.get(key);
  if (!v) {
    // bounded: a config with more distinct timings than this just stops sharing the rest
    if (interned.size >= 4096) return t;
    v = Object.freeze(t);
    interned.set(key, v);
  }
  return v;
}
