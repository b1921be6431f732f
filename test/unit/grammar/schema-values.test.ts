// Value types: keepalived's reader semantics (lib/parser.c read_unsigned/read_int/read_decimal,
// check_true_false) at unit level, and the fast paths equal to the plain definitions.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isIP } from 'node:net';
import { bool, decimal, int, ip, ipPrefix, ipv4, oneOf, oneOfNoCase, path, port, seconds, string, timerUs, uint, wholeSeconds, hexString, multicast } from '../../../grammar/schema/values.js';
import { NO_VALUE, type ValueType } from '../../../grammar/schema/types.js';

const okv = (v: unknown) => ({ ok: true, value: v });

describe('value types read numbers as keepalived does', () => {
  it('uint: range, sign and garbage with keepalived messages', () => {
    const u = uint(1, 255);
    expect(u.parse('1')).toEqual(okv(1));
    expect(u.parse('+7')).toEqual(okv(7));
    expect(u.parse('255')).toEqual(okv(255));
    expect(u.parse('256')).toMatchObject({ ok: false, message: "number '256' outside range [1, 255]" });
    expect(u.parse('-1')).toMatchObject({ ok: false, message: "negative number '-1'" });
    expect(u.parse('1x')).toMatchObject({ ok: false, message: "invalid number '1x'" });
    expect(uint(0, 4294967295).parse('4294967296')).toMatchObject({ ok: false, message: "number '4294967296' outside unsigned integer range" });
  });

  it('int: signed range', () => {
    const i = int(-253, 253);
    expect(i.parse('-253')).toEqual(okv(-253));
    expect(i.parse('-254')).toMatchObject({ ok: false });
    expect(int(-2147483648, 2147483647).parse('2147483648')).toMatchObject({ ok: false, message: "number '2147483648' outside integer range" });
  });

  it('timers: seconds with up to 6 decimals, in microseconds', () => {
    const t = timerUs(10_000, 255_000_000);
    expect(t.parse('1')).toEqual(okv(1_000_000));
    expect(t.parse('0.01')).toEqual(okv(10_000));
    expect(t.parse('.5')).toEqual(okv(500_000));
    expect(t.parse('2.718281')).toEqual(okv(2_718_281));
    expect(t.parse('0.009')).toMatchObject({ ok: false, message: "number '0.009' outside range [0.010000, 255.000000]" });
    expect(t.parse('1.0000001')).toMatchObject({ ok: false, message: "number '1.0000001' has too many decimal places" });
    expect(t.parse('-1')).toMatchObject({ ok: false, message: "negative number '-1'" });
    expect(t.parse('1e3')).toMatchObject({ ok: false });
    expect(seconds(0.01, 255).parse('255')).toEqual(okv(255_000_000));
    expect(wholeSeconds(1, 1000).parse('10')).toEqual(okv(10_000_000));
    expect(wholeSeconds(1, 1000).parse('1.5')).toMatchObject({ ok: false });
  });

  it('booleans and enumerations', () => {
    for (const w of ['true', 'on', 'yes']) expect(bool.parse(w)).toEqual(okv(true));
    for (const w of ['false', 'off', 'no']) expect(bool.parse(w)).toEqual(okv(false));
    expect(bool.parse('True')).toMatchObject({ ok: false });
    expect(oneOf(['NAT', 'DR']).parse('nat')).toMatchObject({ ok: false });
    expect(oneOfNoCase(['TCP', 'UDP']).parse('udp')).toEqual(okv('UDP'));
  });

  it('addresses', () => {
    expect(ip.parse('10.0.0.1')).toEqual(okv({ addr: '10.0.0.1', family: 4 }));
    expect(ip.parse('fe80::1')).toEqual(okv({ addr: 'fe80::1', family: 6 }));
    expect(ip.parse('10.0.0.01')).toMatchObject({ ok: false });
    expect(ipv4.parse('::1')).toMatchObject({ ok: false });
    expect(ipPrefix.parse('10.0.0.0/8')).toEqual(okv({ addr: '10.0.0.0', family: 4, prefix: 8 }));
    expect(ipPrefix.parse('10.0.0.0/33')).toMatchObject({ ok: false });
    expect(multicast(4).parse('224.0.0.18')).toMatchObject({ ok: true });
    expect(multicast(4).parse('10.0.0.1')).toMatchObject({ ok: false });
    expect(hexString(true).parse('01 xX ab')).toMatchObject({ ok: true });
    expect(hexString(false).parse('01 x')).toMatchObject({ ok: false });
  });
});

// The definitions the fast paths must equal.
function refDecimal(t: string, min: number, max: number): number | 'bad' {
  if (t.startsWith('-')) return 'bad';
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return 'bad';
  const frac = m[2] ?? '';
  if (frac.length > 6) return 'bad';
  const v = Number(m[1] || '0') * 1e6 + Number(frac.padEnd(6, '0') || '0');
  return v < min || v > max ? 'bad' : v;
}

describe('fast paths equal their definitions', () => {
  const quadish = fc.array(fc.oneof(fc.constantFrom('0', '1', '9', '25', '255', '256', '00', '01', '300', '1000', ''), fc.nat(999).map(String)), { minLength: 1, maxLength: 6 }).map((p) => p.join('.'));
  const anyText = fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', ':', 'a', 'f', '-', ' ', '/', '+'), maxLength: 18 });

  it('ip.parse accepts exactly what net.isIP accepts, with its family', () => {
    fc.assert(
      fc.property(fc.oneof(quadish, anyText, fc.ipV4(), fc.ipV6()), (t) => {
        const r = ip.parse(t);
        const f = isIP(t);
        expect(r.ok).toBe(f !== 0);
        if (r.ok) expect(r.value.family).toBe(f);
      }),
      { numRuns: 20_000 },
    );
  });

  it('the parser fast lane (at) reads a word in place exactly as parse() reads it, or leaves it to parse()', () => {
    const types: Array<[string, ValueType]> = [
      ['uint(1,255)', uint(1, 255)], ['int', int(-253, 253)], ['port', port], ['decimal', decimal(10_000, 255_000_000, 6)],
      ['timerUs', timerUs(0, 4_000_000_000)], ['seconds', seconds(0.01, 255)], ['ip', ip], ['ipv4', ipv4], ['string', string], ['path', path],
    ];
    expect(types.every(([, t]) => typeof t.at === 'function')).toBe(true);
    const word = fc.oneof(quadish, anyText, fc.ipV4(), fc.nat(5_000_000_000).map(String), fc.string({ unit: fc.constantFrom('0', '1', '3', '9', '.', '-', '+', 'x'), maxLength: 12 }));
    fc.assert(
      fc.property(word, fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), (w, before, after) => {
        // the word inside a longer line, as the reader hands it over (offsets into the file text)
        const src = before + w + after;
        for (const [name, t] of types) {
          const r = t.parse(w);
          const v = (t.at as NonNullable<ValueType['at']>)(src, before.length, before.length + w.length);
          if (v === NO_VALUE) continue; // parse() decides (and reports)
          expect(r.ok, `${name} '${w}'`).toBe(true);
          if (r.ok) expect(v, `${name} '${w}'`).toEqual(r.value);
        }
      }),
      { numRuns: 20_000 },
    );
    // and the common words take the fast lane
    expect(uint(1, 255).at?.('x 80 y', 2, 4)).toBe(80);
    expect(timerUs(0, 10_000_000).at?.('retry 3', 6, 7)).toBe(3_000_000);
    expect(ip.at?.('real_server 10.1.2.3 80', 12, 20)).toEqual({ addr: '10.1.2.3', family: 4 });
  });

  it('timers read every word as the plain decimal reader does', () => {
    const words = fc.string({ unit: fc.constantFrom('0', '1', '3', '9', '.', '-', 'x', '+'), maxLength: 12 });
    fc.assert(
      fc.property(words, fc.nat(5_000_000), fc.nat(5_000_000), (t, a, b) => {
        const [lo, hi] = a <= b ? [a, b * 1000] : [b, a * 1000];
        const r = decimal(lo, hi, 6).parse(t);
        const want = refDecimal(t, lo, hi);
        expect(r.ok ? r.value : 'bad').toBe(want);
      }),
      { numRuns: 20_000 },
    );
  });
});
