// Value types of the schema: each parses one word the way keepalived's readers do and
// returns keepalived's complaint (class + message) when the word is not acceptable.
import { ErrClass } from '../diagnostics.js';
import { NO_VALUE, type Parsed, type ValueType } from './types.js';
import { isIP, isIPv4At } from '../ip.js';

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (message: string, cls: ErrClass = ErrClass.InvalidNumber): Parsed<never> => ({ ok: false, cls, message });

const DIGITS = /^[+]?\d+$/;

/**
 * src[start, end) as a number when it is 1 to 9 decimal digits (the common case: "80", "3"),
 * else -1: the fast path of the number readers, without a copy of the word.
 */
function shortDigits(src: string, start: number, end: number): number {
  const n = end - start;
  if (n < 1 || n > 9) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = src.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}
const SIGNED = /^[+-]?\d+$/;

/** Signed integer in [min, max] (keepalived read_int). */
export function int(min: number, max: number): ValueType<number> {
  return {
    name: `INTEGER ${min}..${max}`,
    parse(t) {
      if (!SIGNED.test(t)) return bad(`invalid number '${t}'`);
      const v = Number(t);
      if (v < -2147483648 || v > 2147483647) return bad(`number '${t}' outside integer range`);
      if (v < min || v > max) return bad(`number '${t}' outside range [${min}, ${max}]`);
      return ok(v);
    },
    at(src, start, end) {
      // plain digits (1 to 9 of them: inside the int range); signs and the rest go to parse()
      const d = shortDigits(src, start, end);
      return d >= 0 && d >= min && d <= max ? d : NO_VALUE;
    },
  };
}

/** Unsigned integer in [min, max] (keepalived read_unsigned). */
export function uint(min: number, max: number): ValueType<number> {
  return {
    name: `INTEGER ${min}..${max}`,
    parse(t) {
      // fast path: a short run of digits ("80", "1"), the common case
      const d = shortDigits(t, 0, t.length);
      if (d >= min && d <= max) return ok(d);
      const s = t.trimStart();
      if (s.startsWith('-')) return bad(`negative number '${t}'`);
      if (!DIGITS.test(s)) return bad(`invalid number '${t}'`);
      const v = Number(s);
      if (v > 4294967295) return bad(`number '${t}' outside unsigned integer range`);
      if (v < min || v > max) return bad(`number '${t}' outside range [${min}, ${max}]`);
      return ok(v);
    },
    at(src, start, end) {
      const d = shortDigits(src, start, end);
      return d >= min && d <= max ? d : NO_VALUE;
    },
  };
}

/**
 * Seconds with up to `digits` decimal places, returned in units of 10^-digits s
 * (keepalived read_decimal_unsigned; timers use 6 digits -> microseconds).
 * min/max are in the returned units.
 */
export function decimal(min: number, max: number, digits = 6): ValueType<number> {
  const scale = 10 ** digits;
  const show = (v: number) => `${Math.floor(v / scale)}.${String(v % scale).padStart(digits, '0')}`;
  return {
    name: `SECONDS ${min / scale}..${max / scale}`,
    parse(t) {
      // fast path: a short whole number ("3", "60"), the common case for timers
      const d = shortDigits(t, 0, t.length);
      if (d >= 0) {
        const v = d * scale;
        if (v < min || v > max) return bad(`number '${t}' outside range [${show(min)}, ${show(max)}]`);
        return ok(v);
      }
      if (t.startsWith('-')) return bad(`negative number '${t}'`);
      const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
      if (!m || (m[1] === '' && (m[2] ?? '') === '')) return bad(`invalid number '${t}'`);
      const frac = m[2] ?? '';
      if (frac.length > digits) return bad(`number '${t}' has too many decimal places`);
      const v = Number(m[1] || '0') * scale + Number(frac.padEnd(digits, '0') || '0');
      if (v < min || v > max) return bad(`number '${t}' outside range [${show(min)}, ${show(max)}]`);
      return ok(v);
    },
    at(src, start, end) {
      const d = shortDigits(src, start, end);
      const v = d * scale;
      return d >= 0 && v >= min && v <= max ? v : NO_VALUE;
    },
  };
}

/** A timer in seconds with microsecond resolution (keepalived read_timer). */
export function seconds(minS: number, maxS: number): ValueType<number> {
  return { ...decimal(Math.round(minS * 1e6), Math.round(maxS * 1e6), 6), name: `SECONDS ${minS}..${maxS}` };
}

/** on/true/yes or off/false/no (keepalived check_true_false). */
export const bool: ValueType<boolean> = {
  name: 'true|false',
  parse(t) {
    if (t === 'true' || t === 'on' || t === 'yes') return ok(true);
    if (t === 'false' || t === 'off' || t === 'no') return ok(false);
    return bad(`invalid boolean '${t}'`, ErrClass.General);
  },
};

export const string: ValueType<string> = { name: 'STRING', parse: (t) => ok(t), at: (src, start, end) => src.slice(start, end) };

/** One of a fixed set of words; `map` lets aliases map to one canonical value. */
export function oneOf<T extends string>(values: readonly T[], map: Record<string, T> = {}, what = 'value'): ValueType<T> {
  const set = new Set<string>(values);
  return {
    name: values.join('|'),
    parse(t) {
      if (set.has(t)) return ok(t as T);
      const m = map[t];
      if (m !== undefined) return ok(m);
      return bad(`invalid ${what} '${t}'`, ErrClass.General);
    },
  };
}

/** Same as oneOf but case-insensitive, returning the canonical spelling. */
export function oneOfNoCase<T extends string>(values: readonly T[], what = 'value'): ValueType<T> {
  const byLower = new Map(values.map((v) => [v.toLowerCase(), v] as const));
  return {
    name: values.join('|'),
    parse(t) {
      const v = byLower.get(t.toLowerCase());
      return v !== undefined ? ok(v) : bad(`invalid ${what} '${t}'`, ErrClass.General);
    },
  };
}

export type Family = 4 | 6;
export interface IpAddr { addr: string; family: Family }
export interface IpPrefix extends IpAddr { prefix: number }


/** The fast lane of ip and ipv4: a dotted quad read in place (IPv6 and the rest: parse()). */
const ipv4At = (src: string, start: number, end: number): IpAddr | typeof NO_VALUE =>
  isIPv4At(src, start, end) ? { addr: src.slice(start, end), family: 4 } : NO_VALUE;

export const ip: ValueType<IpAddr> = {
  name: 'IP',
  parse(t) {
    const f = isIP(t);
    return f ? ok({ addr: t, family: f as Family }) : bad(`invalid IP address '${t}'`, ErrClass.General);
  },
  at: ipv4At,
};
export const ipv4: ValueType<IpAddr> = {
  name: 'IPv4',
  parse: (t) => (isIP(t) === 4 ? ok({ addr: t, family: 4 as Family }) : bad(`invalid IPv4 address '${t}'`, ErrClass.General)),
  at: ipv4At,
};

/** IP with optional /prefix; prefix defaults to the full length. */
export const ipPrefix: ValueType<IpPrefix> = {
  name: 'IP[/PREFIX]',
  parse(t) {
    const slash = t.indexOf('/');
    const a = slash < 0 ? t : t.slice(0, slash);
    const f = isIP(a);
    if (!f) return bad(`invalid IP address '${t}'`, ErrClass.General);
    const max = f === 4 ? 32 : 128;
    if (slash < 0) return ok({ addr: a, family: f as Family, prefix: max });
    const p = t.slice(slash + 1);
    if (!/^\d+$/.test(p) || Number(p) > max) return bad(`invalid prefix length in '${t}'`, ErrClass.General);
    return ok({ addr: a, family: f as Family, prefix: Number(p) });
  },
};

export const port: ValueType<number> = { ...uint(0, 65535), name: 'PORT' };

/** A file system path; existence is checked later where keepalived checks it. */
export const path: ValueType<string> = { name: 'PATH', parse: (t) => ok(t), at: (src, start, end) => src.slice(start, end) };

/** Interface name: non-empty, at most 15 bytes (IFNAMSIZ - 1). */
export const ifname: ValueType<string> = {
  name: 'INTERFACE',
  parse: (t) => (t.length > 0 && t.length < 16 ? ok(t) : bad(`invalid interface name '${t}'`, ErrClass.General)),
};

export const mac: ValueType<string> = {
  name: 'MAC',
  parse: (t) => (/^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i.test(t) ? ok(t.toLowerCase()) : bad(`invalid MAC address '${t}'`, ErrClass.General)),
};

// ---- additions for the keyword tables (schema helper) ----

/**
 * A timer read the way keepalived's read_timer / read_decimal_unsigned(…, 6) do: seconds with up
 * to 6 decimals, returned in microseconds; minUs/maxUs in microseconds (keepalived's bounds).
 */
export function timerUs(minUs: number, maxUs: number, name?: string): ValueType<number> {
  const fmt = (us: number) => String(us / 1e6);
  const shown = name ?? (maxUs >= Number.MAX_SAFE_INTEGER ? `SECONDS >= ${fmt(minUs)}` : `SECONDS ${fmt(minUs)}..${fmt(maxUs)}`);
  return { ...decimal(minUs, maxUs, 6), name: shown };
}

/** keepalived's TIMER_MAXIMUM (ULONG_MAX - 1 µs) is beyond a double's integers; this is the usable top. */
export const TIMER_MAX_US = Number.MAX_SAFE_INTEGER;
export const UINT_MAX = 4294967295;
export const INT_MAX = 2147483647;
export const INT_MIN = -2147483648;

/** Hex data as keepalived's read_hex_str reads it: hex digits, spaces allowed; `wildcard` allows x/X nibbles. */
export function hexString(wildcard: boolean): ValueType<string> {
  const re = wildcard ? /^[0-9a-fA-FxX\s]+$/ : /^[0-9a-fA-F\s]+$/;
  return {
    name: wildcard ? 'HEX_STR (x = any nibble)' : 'HEX_STR',
    parse: (t) => (re.test(t) && /\S/.test(t) ? ok(t) : bad(`invalid hex string '${t}'`, ErrClass.General)),
  };
}

/** IPv4 or IPv6 multicast address (vrrp_mcast_group4/6, mcast_dst_ip, lvs_sync_daemon group). */
export function multicast(family?: Family): ValueType<IpAddr> {
  return {
    name: family === 4 ? 'IPv4 MULTICAST' : family === 6 ? 'IPv6 MULTICAST' : 'MULTICAST IP',
    parse(t) {
      const f = isIP(t);
      if (!f) return bad(`invalid IP address '${t}'`, ErrClass.General);
      if (family && f !== family) return bad(`'${t}' is not IPv${family}`, ErrClass.General);
      const isMc = f === 4 ? Number(t.split('.')[0]) >= 224 && Number(t.split('.')[0]) <= 239 : /^ff/i.test(t);
      return isMc ? ok({ addr: t, family: f as Family }) : bad(`'${t}' is not multicast`, ErrClass.General);
    },
  };
}

/** A non-empty word of at most `max` bytes (names keepalived copies into fixed buffers). */
export function name(max: number, what = 'name'): ValueType<string> {
  return {
    name: 'STRING',
    parse: (t) =>
      t.length === 0 ? bad(`${what} missing`, ErrClass.General) : Buffer.byteLength(t) > max ? bad(`${what} '${t}' too long`, ErrClass.General) : ok(t),
  };
}

/**
 * Whole seconds read as keepalived's read_unsigned does, returned in microseconds so every
 * duration of the model has one unit (keepalived multiplies these by TIMER_HZ itself).
 */
export function wholeSeconds(minS: number, maxS: number): ValueType<number> {
  const u = uint(minS, maxS);
  return {
    name: `SECONDS ${minS}..${maxS} (whole)`,
    parse(t) {
      const r = u.parse(t);
      return r.ok ? ok(r.value * 1e6) : r;
    },
  };
}
