import { describe, expect, it } from 'vitest';
import { compilePcre, PcreError } from '../../../../src/check/http/pcre-regex.js';
import { StreamRegex } from '../../../../src/check/http-get.js';
import { pcre2test, type PcreCase } from './pcre2test.js';

/** lvsd's answer for a body (latin1 bytes), as the checker matches it; null: refused */
function ours(pattern: string, options: readonly string[], subject: string): boolean | null {
  let r;
  try {
    r = compilePcre(pattern, options);
  } catch (e) {
    if (e instanceof PcreError) return null;
    throw e;
  }
  const s = new StreamRegex(r.re, 0, Number.POSITIVE_INFINITY, r.firstLine, r.start);
  s.body(Buffer.from(subject, 'latin1'));
  return s.end();
}

const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

// [pattern, options, [subject, PCRE2's answer]...] (null: PCRE2 refuses the pattern)
const TABLE: Array<[string, string[], Array<[string, boolean]> | null]> = [
  ['a.b', [], [['a\rb', true], ['a\nb', false]]],
  ['a.b', ['dotall'], [['a\nb', true]]],
  ['ok$', [], [['ok\n', true], ['ok\n\n', false], ['ok', true]]],
  ['ok$', ['dollar_endonly'], [['ok\n', false], ['ok', true]]],
  ['^x$', ['multiline'], [['a\nx\nb', true], ['a\rx', false]]],
  ['^', ['multiline'], [['a\n', true]]],
  ['\\n^', ['multiline'], [['a\n', false], ['a\nb', true]]],
  ['\\n^', ['multiline', 'alt_circumflex'], [['a\n', true]]],
  ['a\\sb', [], [['a\xa0b', false], ['a\x0bb', true], ['a b', true]]],
  ['a\\Sb', [], [['a\xa0b', true], ['a\tb', false]]],
  ['a b # comment', ['extended'], [['ab', true], ['a b', false]]],
  ['^(?>a+)b', ['ungreedy'], [['aab', false]]],
  ['^(?>a+)b', [], [['aab', true]]],
  ['^(?>a+?)b', [], [['aab', false]]],
  ['a++a', [], [['aaa', false]]],
  ['a+a', [], [['aaa', true]]],
  ['^(?:ab|a)*+b', [], [['abab', false], ['ababb', true]]],
  ['[]a]', [], [[']', true], ['a', true], ['b', false]]],
  ['[]a]', ['allow_empty_class'], [['a]', false]]],
  ['[^]x', ['allow_empty_class'], [['\nx', true]]],
  ['\\x41\\u0041', ['alt_bsux'], [['AA', true]]],
  ['\\x{41}', [], [['A', true]]],
  ['\\x{141}', [], null],
  ['x', ['firstline'], [['ab\nx', false], ['abx\n', true], ['\nx', false], ['ab', false]]],
  ['\\n', ['firstline'], [['\n', true], ['a\n', true]]],
  ['a(?<=a)+b(?=c)?d(?!x){0}', [], [['abd', true], ['ab', false]]],
  ['(?i)a(?-i)b', [], [['AB', false], ['Ab', true]]],
  ['a(?i:b)c', [], [['aBc', true], ['ABc', false], ['aBC', false]]],
  ['(a(?i)b|c)', [], [['C', true], ['aB', true]]],
  ['[a-c]x', ['caseless'], [['Bx', true], ['dX', false]]],
  ['(?i)[a-c]x', [], [['BX', true]]],
  ['(?i)[^a]', [], [['A', false], ['b', true]]],
  ['é', [], [[utf8('é'), true], ['é', false]]],
  ['^.$', ['utf'], [[utf8('é'), true]]],
  ['^.$', [], [[utf8('é'), false]]],
  ['(*UTF)^.$', [], [[utf8('é'), true]]],
  ['(*UTF)x', ['never_utf'], null],
  ['a\\Rb', [], [['a\r\nb', true], ['a\x85b', true], ['ab', false]]],
  ['(a)\\1', [], [['aa', true], ['ab', false]]],
  ['(?<n>a)\\k<n>', [], [['aa', true]]],
  ['(?>x)(a)\\1', [], [['xaa', true], ['xab', false]]],
  ['(a)(?>b)++\\1', [], [['abba', true], ['abbb', false]]],
  ['(a)\\g{-1}', [], [['aa', true]]],
  ['\\Q.*\\E', [], [['a.*', true], ['ab', false]]],
  ['\\101', [], [['A', true]]],
  ['ab', ['caseless'], [['AB', true]]],
  ['(a)(?<n>b)\\1', ['no_auto_capture'], [['abb', true], ['aba', false]]],
  ['[[:digit:]]x', [], [['5x', true], ['ax', false]]],
  ['a\\hb', [], [['a\tb', true], ['a\nb', false]]],
  ['a\\vb', [], [['a\nb', true], ['a\tb', false]]],
  ['\\Aa', [], [['ab', true], ['ba', false]]],
  ['a\\z', [], [['a\n', false], ['ba', true]]],
  ['a\\Z', [], [['a\n', true]]],
  ['a\\N', [], [['a\r', true], ['a\n', false]]],
  ['a\\b', [], [['a b', true], ['ab', false]]],
  ['a{2}b{1,}c{0,1}', [], [['aabbc', true], ['abc', false]]],
  ['a{,2}', [], [['a{,2}', true], ['aa', false]]],
  ['(?#note)a', [], [['a', true]]],
  // PCRE2 makes a repeat of `.` possessive before \R and of \R before `.` (it takes them for a
  // pair that cannot overlap): the same here
  ['.*\\R', [], [['a\rb', false], ['a\nb', true]]],
  ['a.+?\\R', [], [['xa\rb', false], ['xab\n', true]]],
  ['.*(?i)(\\R)+', [], [['a\rb', false]]],
  ['.*(\\R)?b', [], [['a\rb', true]]],
  ['.*(\\R|x)', [], [['a\rb', true]]],
  ['.*\\R{0,2}b', [], [['a\rb', true]]],
  ['(?:.)*\\R', [], [['a\rb', true]]],
  ['.*\\R', ['no_auto_possess'], [['a\rb', true]]],
  ['(*NO_AUTO_POSSESS).*\\R', [], [['a\rb', true]]],
  ['(?s).*\\R', [], [['a\rb', true]]],
  ['\\R?.', [], [['\r', false], ['\rx', true]]],
  ['\\R*\\N', [], [['\r', false]]],
  ['\\R*(?s).', [], [['\r', true]]],
  // .* first: tried where PCRE2's dotstar anchor tries it, same answers
  ['.*b', [], [['a\nxb', true], ['ab\n', true], ['a\n', false]]],
  ['.*?^b', ['multiline'], [['a\nb', true], ['ab', false]]],
  ['.*\\bb', [], [['a b', true], ['ab', false]]],
  ['(?s).*a\\z', [], [['b\na', true], ['a\nb', false]]],
  ['a(', [], null],
  ['a{2,1}', [], null],
  ['\\k<nope>(a)', [], null],
  ['*a', [], null],
  ['a)', [], null],
  ['[a', [], null],
  ['\\y', [], null],
  ['[z-a]', [], null],
];

describe('PCRE2 patterns as lvsd matches them (held against pcre2test)', () => {
  it('gives PCRE2\'s answer for each option and construct', () => {
    const cases: PcreCase[] = TABLE.map(([pattern, options, subjects]) => ({ pattern, options, subjects: (subjects ?? [['', false]]).map(([s]) => s) }));
    const oracle = pcre2test(cases);
    TABLE.forEach(([pattern, options, subjects], k) => {
      const label = `/${pattern}/${options.join(',')}`;
      // the table states PCRE2's answer; pcre2test must agree with it, and lvsd with both
      expect(oracle[k], label).toEqual(subjects === null ? null : subjects.map(([, v]) => v));
      if (subjects === null) expect(ours(pattern, options, ''), label).toBeNull();
      else for (const [s, v] of subjects) expect(ours(pattern, options, s), `${label} on ${JSON.stringify(s)}`).toBe(v);
    });
  });

  it('a pattern that begins with .* is tried where PCRE2 tries it: linear in the body', () => {
    expect(compilePcre('.*foo', []).start).toBe('line');
    expect(compilePcre('.*?foo', ['caseless']).start).toBe('line');
    expect(compilePcre('.*foo', ['dotall']).start).toBe('search');
    expect(compilePcre('(?s).*foo', []).start).toBe('search');
    for (const p of ['a.*foo', '.*a|b', '(.*)x\\1', '.*(a)\\1', '.+foo', '.*+foo', '(?>.*)foo', '.{2}foo']) expect(compilePcre(p, []).start, p).toBeNull();
    expect(compilePcre('.*foo', ['utf']).start).toBeNull(); // (a dot is a group with utf)
    // one 64 KB line without a match: every start position tried by .* took 3.4 s in V8
    const line = Buffer.alloc(65536, 'x');
    const t0 = performance.now();
    for (const [p, o] of [['.*foo.*bar', []], ['.*foo', ['dotall']]] as const) {
      const r = compilePcre(p, o);
      const s = new StreamRegex(r.re, 0, Number.POSITIVE_INFINITY, false, r.start);
      s.body(line);
      s.body(Buffer.from('\nfoo bar'));
      expect(s.end(), p).toBe(true);
      s.body(line);
      expect(s.end(), p).toBe(false);
    }
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('refuses with its offset what JavaScript cannot match as PCRE2 does', () => {
    const refused: Array<[string, RegExp]> = [
      ['(a)(?1)', /recursion and subroutine calls are not supported at offset 3/],
      ['(?|a)', /branch reset/],
      ['(a)?(?(1)a|b)', /conditional/],
      ['a\\Kb', /\\K is not supported at offset 1/],
      ['\\p{L}', /\\p is not supported/],
      ['(*ACCEPT)a', /VERB/],
      ['(*NOTEMPTY)a?', /VERB/],
      ['(*CRLF)a$', /VERB/],
      ['(a)(?i)\\1', /caseless back reference/],
      ['(?<n>a)(?<n>b)', /same name/],
    ];
    for (const [p, msg] of refused) expect(() => compilePcre(p, []), p).toThrow(msg);
    // and PCRE2 itself takes them (they are refused here, not wrong there) but for the last
    expect(pcre2test(refused.slice(0, -1).map(([pattern]) => ({ pattern, options: [], subjects: ['a'] }))).every((a) => a !== null)).toBe(true);
  });

  it('gives PCRE2\'s answer for random patterns over random bodies (400 patterns, 5 bodies each)', () => {
    let seed = Number(process.env.PCRE_SEED ?? 0x5eed1234);
    const rnd = (n: number): number => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const pick = <T,>(xs: readonly T[]): T => xs[rnd(xs.length)];
    const LIT = ['a', 'b', 'A', 'B', 'x', '-', '\\n', '\\r', '\\t', ' ', '\\.', '_', '0'];
    const CLS = ['a', 'b', 'A', 'a-c', 'B-D', '\\d', '\\s', '\\w', '\\n', '-', '[:alpha:]', '[:space:]', '\\x41', '\\h', '\\v', ']'];
    const ESC = ['\\s', '\\S', '\\h', '\\H', '\\v', '\\V', '\\R', '\\N', '\\d', '\\D', '\\w', '\\W', '\\x41', '\\x{62}', '\\t', '\\Qa.\\E', '\\u0041', '\\101', '\\cA'];
    const ANCHOR = ['^', '$', '\\A', '\\z', '\\Z', '\\b', '\\B'];
    const QUANT = ['*', '+', '?', '{1,2}', '{2}', '{0,}'];
    const SUFFIX = ['', '', '?', '+'];
    const GROUP = ['(', '(?:', '(?>', '(?i:', '(?-i:', '(?s:', '(?m:', '(?=', '(?!', '(?U:', '(?x:'];
    // (firstline is in the table only: PCRE2 10.42 misses some matches that start at the first
    // LF, where its documentation and lvsd take them)
    const OPTIONS = ['caseless', 'multiline', 'dotall', 'extended', 'ungreedy', 'dollar_endonly', 'alt_circumflex', 'no_auto_capture', 'allow_empty_class', 'alt_bsux'];
    const seq = (depth: number, solid: boolean): string => {
      let s = '';
      const n = 1 + rnd(4);
      for (let k = 0; k < n; k++) s += item(depth, solid);
      return s;
    };
    const alt = (depth: number, solid = false): string => (rnd(4) === 0 ? seq(depth, solid) + '|' + seq(depth, solid) : seq(depth, solid));
    // `solid`: inside a repeated group no branch may match the empty string (PCRE2 ends a
    // loop at an empty iteration, JavaScript backtracks out of it: a known difference)
    function item(depth: number, solid: boolean): string {
      const r = rnd(20);
      let atom: string;
      let quantifiable = true;
      if (r < 7) atom = pick(LIT);
      else if (r < 9) atom = '.';
      else if (r < 11) {
        let members = '';
        for (let k = 0, n = 1 + rnd(3); k < n; k++) members += pick(CLS);
        atom = '[' + (rnd(3) === 0 ? '^' : '') + members + ']';
      } else if (r < 13) atom = pick(ESC);
      else if (r < 15 && !solid) {
        atom = pick(ANCHOR);
        quantifiable = false;
      } else if (r < 18 && depth < 2) {
        const repeated = rnd(3) === 0;
        const open = pick(repeated || solid ? GROUP.filter((g) => g !== '(?=' && g !== '(?!') : GROUP);
        atom = open + alt(depth + 1, solid || repeated) + ')';
        if (repeated) return atom + pick(QUANT) + pick(SUFFIX);
        quantifiable = false;
      } else if (r < 19 && !solid) {
        atom = pick(['(?i)', '(?-i)', '(?s)', '(?m)']);
        quantifiable = false;
      } else if (!solid) atom = '(?<=' + pick(['a', 'b', '\\n', 'x']) + ')';
      else atom = pick(LIT);
      if (quantifiable && !atom.startsWith('(?<=') && rnd(3) === 0) atom += solid ? pick(['+', '{1,2}', '{2}']) + pick(SUFFIX) : pick(QUANT) + pick(SUFFIX);
      return atom;
    }
    const BODY = ['a', 'b', 'A', 'B', 'x', ' ', '\n', '\r', '\t', '-', '_', '0', '.', '\xa0', '\x85', '\x0b'];
    const body = (): string => {
      let s = '';
      for (let k = 0, n = rnd(9); k < n; k++) s += pick(BODY);
      return s;
    };
    const cases: PcreCase[] = [];
    for (let k = 0; k < 400; k++) {
      const options = OPTIONS.filter(() => rnd(5) === 0);
      // one in four begins with .* (its match starts are those PCRE2's dotstar anchor tries)
      const lead = pick(['', '', '', '', '', '.*', '.*?', '(?s).*']);
      cases.push({ pattern: lead + alt(0), options, subjects: [body(), body(), body(), body(), body()] });
    }
    const oracle = pcre2test(cases);
    const wrong: string[] = [];
    let compared = 0;
    cases.forEach((c, k) => {
      const want = oracle[k];
      c.subjects.forEach((s, j) => {
        const got = ours(c.pattern, c.options, s);
        const expected = want === null ? null : want[j];
        compared++;
        if (got !== expected) wrong.push(`/${c.pattern}/${c.options.join(',')} on ${JSON.stringify(s)}: PCRE2 ${String(expected)}, lvsd ${String(got)}`);
      });
    });
    expect(compared).toBe(2000);
    expect(oracle.filter((a) => a !== null).length).toBeGreaterThan(300); // most patterns compile: the comparison means something
    expect(wrong).toEqual([]);
  });
});
