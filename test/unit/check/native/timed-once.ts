// One attempt of a probe on a timed engine (tests): registered at once, its first result
// taken, not re-armed, unregistered.
import type { TimedChecks } from '../../../../src/check/native/timed-checks.js';
import type { CheckResult, TimedProbe } from '../../../../src/check/types.js';

export function timedOnce(timed: TimedChecks, probe: TimedProbe, step = 0, timeoutMs = 10_000): Promise<CheckResult> {
  const target = probe.timedTarget();
  if (target === null) throw new Error('the probe has no timed target');
  return new Promise<CheckResult>((resolve, reject) => {
    let slot = -1;
    const timer = setTimeout(() => {
      timed.unregister(slot);
      reject(new Error('no result from the timed engine'));
    }, timeoutMs);
    slot = timed.register(
      {
        nextStep: step,
        timedRecord(kind, a, b, _lat, data) {
          const r = probe.timedRecord(kind, a, b, data, step);
          if (r === null) return -1;
          clearTimeout(timer);
          timed.unregister(slot);
          resolve(r);
          return -1;
        },
      },
      target,
      0,
      1_000_000,
    );
  });
}
