// HTTP_GET's regex with a bound on its work per match (lvsd's addon, src/check/native/regex.cc:
// V8's backtrack limit). The regex meets a backend's body inside the daemon's one event loop; an
// unbounded exec of a pattern like (a+)+$ on a short body can run for many seconds (the loop
// stops: adverts, checks and reloads with it). PCRE2, keepalived's engine, stops such a match
// at its match limit and keepalived takes that read as no match; so does lvsd, at the limit.
import { addonLoader } from '../../net/native-addon.js';

/**
 * Backtracks one exec may take before it answers "no match": ~25 ms of a 2-core host's time at
 * worst, in the range of PCRE2's default match limit (10,000,000 steps of its own kind); an
 * ordinary pattern on a body never comes near it.
 */
export const REGEX_BACKTRACK_LIMIT = 1_000_000;

interface RegexAddon {
  boundedRegExp(source: string, flags: string, limit: number): RegExp;
}

/** build/Release/lvsd_regex.node ($LVSD_REGEX_ADDON overrides) */
const loader = addonLoader<RegexAddon>('lvsd_regex.node', 'LVSD_REGEX_ADDON');

/** `re` (its source and flags) as a RegExp whose exec gives up, as no match, after `limit` backtracks. */
export function boundedRegExp(re: RegExp, flags: string = re.flags, limit = REGEX_BACKTRACK_LIMIT): RegExp {
  return loader.load().boundedRegExp(re.source, flags, limit);
}
