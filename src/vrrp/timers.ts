// VRRP timer arithmetic (RFC 3768 6.1, RFC 5798 6.1), kept in whole microseconds the way
// keepalived computes it so both agree to the microsecond, returned in milliseconds.
import type { VrrpVersion } from './packet.js';

/** Skew_Time: v2 (256 - priority)/256 s; v3 ((256 - priority) * Master_Adver_Interval)/256. */
export function skewMs(version: VrrpVersion, priority: number, masterAdverIntMs: number): number {
  const p = 256 - priority;
  if (version === 2) return Math.floor((p * 1_000_000) / 256) / 1000;
  const cs = Math.floor(masterAdverIntMs / 10);
  return Math.floor((p * cs * 625) / 16) / 1000;
}

/** Master_Down_Interval = downTimerAdverts (3) x Master_Adver_Interval + Skew_Time. */
export function masterDownIntervalMs(version: VrrpVersion, priority: number, masterAdverIntMs: number, downTimerAdverts = 3): number {
  return downTimerAdverts * masterAdverIntMs + skewMs(version, priority, masterAdverIntMs);
}
