// The check-latency histogram's bucket bounds, one list: the timed engine counts its quiet
// successes into them in C (handed over at createTimed) and the metrics render them in seconds.

/** Upper bounds in microseconds, increasing: 1 ms (a local TCP connect) to 10 s (a slow HTTP check). */
export const CHECK_LATENCY_BOUNDS_US: readonly number[] = [1e3, 2.5e3, 5e3, 1e4, 2.5e4, 5e4, 1e5, 2.5e5, 5e5, 1e6, 2.5e6, 5e6, 1e7];

/** The same bounds in seconds (Prometheus `le`); us / 1e6 of these integers is the shortest decimal. */
export const CHECK_LATENCY_BOUNDS_S: readonly number[] = CHECK_LATENCY_BOUNDS_US.map((us) => us / 1e6);
