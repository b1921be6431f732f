// keepalived matches HTTP_GET's `regex` with PCRE2 over the body's bytes; lvsd matches with a
// JavaScript RegExp over the same bytes (a latin1 string). This module rewrites a PCRE2 pattern
// and its `regex_options` into a RegExp with PCRE2's meaning, so that the answer is the one
// PCRE2 gives (the tests hold it against pcre2test):
// - the pattern is taken as the bytes keepalived sees (UTF-8 from the config file);
// - `.`, `^`, `$`, \s, \h, \v, \R, \A, \z, \Z are written out (PCRE2's newline is LF alone;
//   JavaScript's `.`/`^`/`$`/\s know more line ends and spaces), so no m/s/u flag is used;
// - inline options `(?imnsxU-…)`, `(?i:…)` are scoped as PCRE2 scopes them; caseless inside a
//   partly caseless pattern is written out as [aA];
// - extended, ungreedy, dollar_endonly, allow_empty_class, alt_bsux, alt_circumflex,
//   no_auto_capture, utf (characters as their UTF-8 bytes) are applied; firstline is handed
//   to the caller (a bound on where a match may start: at or before the first LF, as PCRE2
//   documents it; PCRE2 10.42 itself misses some matches that start at that LF);
// - possessive quantifiers and atomic groups become a lookahead capture and its back reference;
//   so does a repeat PCRE2 10.42's optimiser makes possessive where that changes its answer (a
//   `.` repeated before \R, \R before `.`: not with no_auto_possess);
// - a pattern that begins with `.*` is tried where PCRE2 tries it (`start`: linear time).
// What JavaScript cannot do (recursion, conditionals, branch reset, \K, \X, \p, verbs, \G)
// is an error with its offset; so is every pattern PCRE2 itself refuses that this reader meets.
// Options that only steer PCRE2's optimiser or its checks (auto_callout, no_dotstar_anchor,
// no_start_optimize, no_utf_check, never_ucp, alt_verbnames, use_offset_limit) change no
// answer. Left as JavaScript does it: a back reference to a group
// that did not take part matches the empty string (PCRE2's match_unset_backref), caseless
// folding of the whole pattern also folds latin1 letters, ucp (ASCII classes here).

export class PcreError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at offset ${offset}`);
  }
}

export interface PcreRegex {
  readonly re: RegExp;
  /** firstline: a match must start at or before the subject's first LF */
  readonly firstLine: boolean;
  /**
   * Where a match can start, when the pattern begins with `.*` (see `leadingDotStar`):
   * 'line' at the search's start or after an LF, 'search' only at the search's start; null: anywhere.
   */
  readonly start: MatchStart;
}

/**
 * A pattern that begins with `.*` (each of its top-level alternatives: here, one, and no back
 * reference anywhere) matches from the search's start or from no later position but a line
 * start, whenever it matches at all: the `.*` absorbs whatever lies between (any character with
 * dotall: then only the search's start). PCRE2 uses this (its "dotstar anchor") and scans such
 * a pattern in linear time; JavaScript tries every position, and `.*foo` over a 64 KB line took
 * 3.4 s. The answer (whether, and the leftmost start) is the same either way.
 */
export type MatchStart = 'line' | 'search' | null;

interface Opts {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  xx: boolean;
  U: boolean;
  n: boolean;
}

/** a capture group of the output: one of the pattern's, or one made for an atomic group */
interface Group {
  name?: string;
  /** the pattern's number (0: made here) */
  orig: number;
}
type Token = string | { open: Group } | { ref: Group | number | string; at: number };

interface Frame {
  saved: Opts;
  /** index of the group's opening token */
  start: number;
  atomic: boolean;
  /** a lookahead or lookbehind */
  assertion: boolean;
}

const SPACE = ' \t\n\v\f\r';
const ESC_SPECIAL = new Set('\\^$.|?*+()[]{}/-'.split(''));
const hex2 = (b: number): string => '\\x' + b.toString(16).padStart(2, '0');
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const isLetter = (b: number): boolean => (b >= 65 && b <= 90) || (b >= 97 && b <= 122);
const otherCase = (b: number): number => (b >= 97 ? b - 32 : b + 32);

const POSIX: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', space: '\\t-\\r ', blank: ' \\t',
  upper: 'A-Z', lower: 'a-z', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9a-fA-F', word: '\\w',
  cntrl: '\\x00-\\x1f\\x7f', graph: '!-~', print: ' -~', ascii: '\\x00-\\x7f',
};
const POSIX_NEGATED: Record<string, string> = { digit: '\\D', word: '\\W', space: '\\x00-\\x08\\x0e-\\x1f!-\\xff' };

/** Options that change no answer here (see the head of the file). */
const NO_EFFECT = new Set(['auto_callout', 'no_dotstar_anchor', 'no_start_optimize', 'no_utf_check', 'never_ucp', 'alt_verbnames', 'use_offset_limit', 'ucp', 'dupnames', 'match_unset_backref']);

/** Where the group opened at p[i] closes, and whether it has a `|` of its own; null: unclosed. */
function groupEnd(p: string, i: number): { end: number; alternation: boolean } | null {
  let depth = 1;
  let alternation = false;
  for (let j = i + 1; j < p.length; j++) {
    const c = p[j];
    if (c === '\\') j++;
    else if (c === '[') {
      // a class: a ] first (after ^) is a member; [:name:] inside it holds a ]
      let k = j + 1;
      if (p[k] === '^') k++;
      if (p[k] === ']') k++;
      while (k < p.length && p[k] !== ']') {
        if (p[k] === '\\') k++;
        else if (p[k] === '[' && p[k + 1] === ':') {
          const e = p.indexOf(':]', k + 2);
          if (e > 0) k = e + 1;
        }
        k++;
      }
      j = k;
    } else if (c === '(') depth++;
    else if (c === ')') {
      if (--depth === 0) return { end: j, alternation };
    } else if (c === '|' && depth === 1) alternation = true;
  }
  return null;
}

class Reader {
  private i = 0;
  private readonly out: Token[] = [];
  private opts: Opts;
  private readonly frames: Frame[] = [];
  /** token index where the last repeatable item starts, or -1 */
  private atom = -1;
  /** that item is an assertion group */
  private atomAssertion = false;
  private groups = 0;
  private readonly names = new Map<string, Group>();
  private readonly byNumber = new Map<number, Group>();
  /** inline options turned caseless on or off somewhere */
  caselessScoped = false;
  caselessBackref = false;
  /** a `|` outside every group */
  private topAlternation = false;
  /** token index of the last `.` (not dotall) or \N, and of the last \R (see quantifier) */
  private lastDot = -1;
  private lastR = -1;
  firstLine: boolean;

  constructor(
    /** the pattern's bytes, one char each */
    private readonly p: string,
    /** the options (a start-of-pattern (*UTF) adds utf) */
    private readonly o: Set<string>,
    /** write caseless letters out ([aA]) instead of the i flag */
    private readonly expandCase: boolean,
  ) {
    this.opts = { i: o.has('caseless'), m: o.has('multiline'), s: o.has('dotall'), x: o.has('extended'), xx: false, U: o.has('ungreedy'), n: o.has('no_auto_capture') };
    this.firstLine = o.has('firstline');
  }

  private get utf(): boolean {
    return this.o.has('utf');
  }
  private fail(message: string, at = this.i): never {
    throw new PcreError(message, at);
  }
  private push(t: Token, repeatable: boolean): void {
    this.atom = repeatable ? this.out.length : -1;
    this.atomAssertion = false;
    this.out.push(t);
  }

  read(): string {
    this.startVerbs();
    const p = this.p;
    while (this.i < p.length) {
      const c = p[this.i];
      if (this.opts.x && (SPACE.includes(c) || c === '#')) {
        this.skipSpace();
        continue;
      }
      if (this.quantifier()) continue;
      this.i++;
      switch (c) {
        case '\\': this.escape(); break;
        case '[': this.klass(); break;
        case '(': this.open(); break;
        case ')': this.close(); break;
        case '|':
          if (this.frames.length === 0) this.topAlternation = true;
          this.push('|', false);
          break;
        case '.':
          this.push(this.dot(), true);
          if (!this.opts.s) this.lastDot = this.atom;
          break;
        case '^': this.push(this.circumflex(), false); break;
        case '$': this.push(this.dollar(), false); break;
        default: this.literal(c.charCodeAt(0));
      }
    }
    if (this.frames.length > 0) this.fail('missing closing parenthesis');
    return this.render();
  }

  private skipSpace(): void {
    const p = this.p;
    while (this.i < p.length) {
      if (SPACE.includes(p[this.i])) this.i++;
      else if (p[this.i] === '#') {
        while (this.i < p.length && p[this.i] !== '\n') this.i++;
      } else break;
    }
  }

  /** (*UTF) and the like, at the very start */
  private startVerbs(): void {
    const p = this.p;
    for (;;) {
      const m = /^\(\*([A-Z_]+)(=\d+)?\)/.exec(p.slice(this.i));
      if (!m) return;
      const verb = m[1];
      if (verb === 'UTF') {
        if (this.o.has('never_utf')) this.fail('using UTF is disabled by the application');
        this.o.add('utf');
      } else if (verb === 'NO_AUTO_POSSESS') {
        this.o.add('no_auto_possess');
      } else if (verb === 'LF' || verb === 'UCP' || verb === 'BSR_UNICODE' || verb.startsWith('NO_') || verb.startsWith('LIMIT_')) {
        // LF and BSR_UNICODE are the defaults; the rest steer limits and the optimiser (others,
        // such as NOTEMPTY or another newline, change answers: refused below as verbs)
      } else return; // not a start-of-pattern option: read as a verb (refused there)
      this.i += m[0].length;
    }
  }

  // --- quantifiers -----------------------------------------------------------------------

  private quantifier(): boolean {
    const p = this.p;
    const c = p[this.i];
    let q: string;
    let len: number;
    if (c === '*' || c === '+' || c === '?') {
      q = c;
      len = 1;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(this.i, this.i + 24));
      if (!m) return false; // a literal brace
      if (m[3] !== undefined && m[3] !== '' && Number(m[3]) < Number(m[1])) this.fail('numbers out of order in {} quantifier', this.i + m[0].length - 1);
      if (Number(m[1]) > 65535 || (m[3] !== undefined && m[3] !== '' && Number(m[3]) > 65535)) this.fail('number too big in {} quantifier');
      q = m[0];
      len = m[0].length;
    } else return false;
    if (this.atom < 0) this.fail('quantifier does not follow a repeatable item');
    this.i += len;
    if (this.atomAssertion) {
      // PCRE2 takes a repeated assertion once, or as optional when it may repeat zero times
      // (JavaScript refuses a quantified lookbehind)
      if (p[this.i] === '?' || p[this.i] === '+') this.i++;
      this.out.splice(this.atom, 0, '(?:');
      this.out.push(q === '*' || q === '?' || q.startsWith('{0') ? ')?' : ')');
      this.atom = -1;
      return true;
    }
    if (this.opts.x) this.skipSpace(); // (a space may stand before the suffix)
    let lazy = this.opts.U;
    let possessive = false;
    if (p[this.i] === '?') {
      lazy = !lazy;
      this.i++;
    } else if (p[this.i] === '+') {
      possessive = true;
      this.i++;
    }
    const start = this.atom;
    // PCRE2 (10.42) makes a repeat possessive when what follows cannot match what it repeats,
    // and takes `.` (not dotall) and \R for such a pair, though both match CR, VT, FF and NEL:
    // `.*\R` never matches "a\rb" there. Written out the same way here (greedy and lazy alike)
    if (!possessive && !this.o.has('no_auto_possess') && ((start === this.lastDot && this.nextItem() === 'R') || (start === this.lastR && this.nextItem() === 'dot'))) possessive = true;
    if (possessive) {
      this.out.push(q);
      this.atomic(start);
    } else this.out.push(lazy ? q + '?' : q);
    this.atom = -1; // a quantifier of a quantifier is an error (the suffixes are read above)
    return true;
  }

  /**
   * What the pattern holds next (from this.i, the reader not moved), as PCRE2 sees it there: `\R`,
   * or a `.` without dotall or `\N` ('dot'), that must match once (no ?, * or {0,…} after it),
   * also as the first item of a group opened there that must match once and has no `|` of its
   * own; past option settings and (extended) spaces and comments.
   */
  private nextItem(): 'R' | 'dot' | 'other' {
    const p = this.p;
    const optional = (j: number): boolean => p[j] === '?' || p[j] === '*' || /^\{0+(,\d*)?\}/.test(p.slice(j, j + 24));
    let i = this.i;
    let dotall = this.opts.s;
    let x = this.opts.x;
    for (let n = 0; n < 64 && i < p.length; n++) {
      const c = p[i];
      if (x && (SPACE.includes(c) || c === '#')) {
        if (c === '#') while (i < p.length && p[i] !== '\n') i++;
        else i++;
        continue;
      }
      if (c === '.') return dotall || optional(i + 1) ? 'other' : 'dot';
      if (c === '\\') {
        const kind = p[i + 1] === 'R' ? 'R' : p[i + 1] === 'N' && p[i + 2] !== '{' ? 'dot' : 'other';
        return optional(i + 2) ? 'other' : kind;
      }
      if (c !== '(') return 'other';
      // (  (?:  (?<name>  (?'name'  (?P<name>  (?flags:  open a group; (?flags) sets options
      const m = /^\((?:\?(?:<[A-Za-z_]\w*>|'[A-Za-z_]\w*'|P<[A-Za-z_]\w*>|:|(\^)?([imnsxUJ]*)(?:-([imnsxUJ]*))?[:)]))?/.exec(p.slice(i, i + 40));
      if (m === null || (p[i + 1] === '?' && m[0].length === 1)) return 'other';
      if (!m[0].endsWith(')')) {
        const g = groupEnd(p, i);
        if (g === null || g.alternation || optional(g.end + 1)) return 'other';
      }
      if (m[1] !== undefined) dotall = x = false;
      if (m[2]?.includes('s')) dotall = true;
      if (m[2]?.includes('x')) x = true;
      if (m[3]?.includes('s')) dotall = false;
      if (m[3]?.includes('x')) x = false;
      i += m[0].length;
    }
    return 'other';
  }

  /** the tokens from `start` on become (?:(?=(…))\k): matched once, never backtracked into */
  private atomic(start: number): void {
    const g: Group = { orig: 0 };
    this.out.splice(start, 0, '(?:(?=', { open: g });
    this.out.push('))', { ref: g, at: this.i }, ')');
  }

  // --- groups ------------------------------------------------------------------------------

  private open(): void {
    const p = this.p;
    const at = this.i - 1;
    const saved = { ...this.opts };
    const frame = (atomic = false, assertion = false): void => {
      this.frames.push({ saved, start: this.out.length, atomic, assertion });
    };
    if (p[this.i] === '*') this.fail('(*VERB) is not supported', at);
    if (p[this.i] !== '?') {
      frame();
      this.atom = -1;
      if (this.opts.n) this.out.push('(?:');
      else this.capture(undefined);
      return;
    }
    this.i++;
    const rest = p.slice(this.i, this.i + 40);
    const named = /^(?:<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)'|P<([A-Za-z_]\w*)>)/.exec(rest);
    if (named) {
      this.i += named[0].length;
      frame();
      this.capture(named[1] ?? named[2] ?? named[3]);
      return;
    }
    const backref = /^P=([A-Za-z_]\w*)\)/.exec(rest);
    if (backref) {
      this.i += backref[0].length;
      this.backref(backref[1], at);
      return;
    }
    const c = p[this.i];
    if (c === '#') {
      const end = p.indexOf(')', this.i);
      if (end < 0) this.fail('missing ) at end of (?# comment', at);
      this.i = end + 1;
      return;
    }
    if (c === ':' || c === '>' || c === '=' || c === '!' || (c === '<' && (p[this.i + 1] === '=' || p[this.i + 1] === '!'))) {
      const open = c === '<' ? '(?' + c + p[this.i + 1] : c === '>' ? '' : '(?' + c;
      this.i += c === '<' ? 2 : 1;
      frame(c === '>', c !== ':' && c !== '>');
      this.out.push(c === '>' ? '(?:' : open);
      this.atom = -1;
      return;
    }
    const flags = /^(\^)?([imnsxUJ]*)(?:-([imnsxUJ]*))?([:)])/.exec(rest);
    if (flags) {
      this.i += flags[0].length;
      const next = { ...this.opts };
      if (flags[1]) Object.assign(next, { i: false, m: false, n: false, s: false, x: false, xx: false, U: false });
      this.setFlags(next, flags[2], true);
      if (flags[3] !== undefined) this.setFlags(next, flags[3], false);
      if (next.i !== this.opts.i) this.caselessScoped = true;
      if (flags[4] === ':') {
        frame();
        this.out.push('(?:');
      }
      this.atom = -1; // nothing to repeat after an option setting
      this.opts = next; // (?i) lasts to the end of the enclosing group; (?i: to its own end
      return;
    }
    if (c === '|') this.fail('branch reset groups (?| are not supported', at);
    if (c === '(') this.fail('conditional groups are not supported', at);
    if (c === 'R' || c === '&' || c === '+' || c === '-' || isDigit(c) || (c === 'P' && p[this.i + 1] === '>')) this.fail('recursion and subroutine calls are not supported', at);
    if (c === 'C') this.fail('callouts are not supported', at);
    this.fail('unrecognized character after (? or (?-', this.i);
  }

  private setFlags(o: Opts, letters: string, on: boolean): void {
    for (let k = 0; k < letters.length; k++) {
      const f = letters[k];
      if (f === 'x' && letters[k + 1] === 'x') {
        o.x = on;
        o.xx = on;
        k++;
      } else if (f === 'x') {
        o.x = on;
        if (!on) o.xx = false;
      } else if (f === 'i' || f === 'm' || f === 's' || f === 'n' || f === 'U') o[f] = on;
      // J (dupnames) changes what may be written, not what matches
    }
  }

  private capture(name: string | undefined): void {
    const g: Group = { orig: ++this.groups, ...(name !== undefined ? { name } : {}) };
    if (name !== undefined) {
      if (this.names.has(name)) this.fail('two named subpatterns have the same name (dupnames is not supported)');
      this.names.set(name, g);
    }
    this.byNumber.set(g.orig, g);
    this.out.push({ open: g });
    this.atom = -1;
  }

  private close(): void {
    const f = this.frames.pop();
    if (!f) this.fail('unmatched closing parenthesis', this.i - 1);
    this.opts = f.saved;
    const start = f.start; // the group's opening token
    this.out.push(')');
    if (f.atomic) this.atomic(start);
    this.atom = start;
    this.atomAssertion = f.assertion;
  }

  // --- atoms --------------------------------------------------------------------------------

  private dot(): string {
    if (this.utf) return this.opts.s ? '(?:[\\x00-\\x7f\\xc0-\\xff][\\x80-\\xbf]*)' : '(?:[\\x00-\\x09\\x0b-\\x7f\\xc0-\\xff][\\x80-\\xbf]*)';
    return this.opts.s ? '[^]' : '[^\\n]';
  }

  private circumflex(): string {
    if (!this.opts.m) return '(?<![^])';
    // after an LF, but not after one that ends the subject (unless alt_circumflex)
    return this.o.has('alt_circumflex') ? '(?:(?<![^])|(?<=\\n))' : '(?:(?<![^])|(?<=\\n)(?=[^]))';
  }

  private dollar(): string {
    if (this.opts.m) return '(?=\\n|(?![^]))';
    return this.o.has('dollar_endonly') ? '(?![^])' : '(?=\\n?(?![^]))';
  }

  private literal(b: number): void {
    if (this.utf && b >= 0xc0) {
      // one character: its lead byte and continuation bytes, repeated as one
      let s = hex2(b);
      while (this.i < this.p.length && (this.p.charCodeAt(this.i) & 0xc0) === 0x80) s += hex2(this.p.charCodeAt(this.i++));
      this.push('(?:' + s + ')', true);
      return;
    }
    this.push(this.litText(b), true);
  }

  private litText(b: number): string {
    if (this.opts.i && this.expandCase && isLetter(b)) return '[' + String.fromCharCode(b, otherCase(b)) + ']';
    return this.one(b);
  }

  /** one byte as RegExp source (outside a class) */
  private one(b: number): string {
    const ch = String.fromCharCode(b);
    if (b < 0x20 || b >= 0x7f) return hex2(b);
    return ESC_SPECIAL.has(ch) ? '\\' + ch : ch;
  }

  /** a code point read from an escape, as the bytes it stands for */
  private codePoint(cp: number, at: number): void {
    if (cp < 0x80 || (!this.utf && cp < 0x100)) {
      this.push(this.litText(cp), true);
      return;
    }
    if (!this.utf) this.fail('character code point value in \\x{} or \\o{} is too large', at);
    const bytes = Buffer.from(String.fromCodePoint(cp), 'utf8');
    this.push('(?:' + [...bytes].map(hex2).join('') + ')', true);
  }

  // --- escapes ------------------------------------------------------------------------------

  /** \x.., \o{..}, \0.., \c., \a \e \f \n \r \t: the code point, or undefined */
  private charEscape(c: string, at: number): number | undefined {
    const p = this.p;
    switch (c) {
      case 'a': return 7;
      case 'e': return 0x1b;
      case 'f': return 12;
      case 'n': return 10;
      case 'r': return 13;
      case 't': return 9;
      case 'x': {
        if (this.o.has('alt_bsux')) {
          if (isHex(p[this.i]) && isHex(p[this.i + 1])) {
            this.i += 2;
            return parseInt(p.slice(this.i - 2, this.i), 16);
          }
          return 0x78; // a plain x
        }
        if (p[this.i] === '{') {
          const end = p.indexOf('}', this.i);
          const digits = end < 0 ? '' : p.slice(this.i + 1, end);
          if (!/^[0-9a-fA-F]{1,8}$/.test(digits)) this.fail('\\x{ is not followed by hexadecimal digits and }', at);
          this.i = end + 1;
          return parseInt(digits, 16);
        }
        let digits = '';
        while (digits.length < 2 && isHex(p[this.i])) digits += p[this.i++];
        return digits === '' ? 0 : parseInt(digits, 16);
      }
      case 'o': {
        const end = p.indexOf('}', this.i);
        const digits = p[this.i] === '{' && end > 0 ? p.slice(this.i + 1, end) : '';
        if (!/^[0-7]{1,11}$/.test(digits)) this.fail('\\o{ is not followed by octal digits and }', at);
        this.i = end + 1;
        return parseInt(digits, 8);
      }
      case '0': {
        let digits = '0';
        while (digits.length < 3 && isOctal(p[this.i])) digits += p[this.i++];
        return parseInt(digits, 8);
      }
      case 'c': {
        const x = p[this.i++];
        if (x === undefined || x.charCodeAt(0) > 126) this.fail('\\c at end of pattern or not followed by a printable character', at);
        return x.toUpperCase().charCodeAt(0) ^ 0x40;
      }
      case 'u':
        if (this.o.has('alt_bsux')) {
          if (/^[0-9a-fA-F]{4}/.test(p.slice(this.i, this.i + 4))) {
            this.i += 4;
            return parseInt(p.slice(this.i - 4, this.i), 16);
          }
          return 0x75;
        }
        return undefined;
      default: return undefined;
    }
  }

  private escape(): void {
    const p = this.p;
    const at = this.i - 1;
    const c = p[this.i++];
    if (c === undefined) this.fail('\\ at end of pattern', at);
    const cp = this.charEscape(c, at);
    if (cp !== undefined) return this.codePoint(cp, at);
    switch (c) {
      case 'd': case 'D': case 'w': case 'W': this.push('\\' + c, true); return;
      case 's': this.push('[\\t-\\r ]', true); return;
      case 'S': this.push('[^\\t-\\r ]', true); return;
      case 'h': this.push('[\\t \\xa0]', true); return;
      case 'H': this.push('[^\\t \\xa0]', true); return;
      case 'v': this.push('[\\n-\\r\\x85]', true); return;
      case 'V': this.push('[^\\n-\\r\\x85]', true); return;
      case 'R': {
        // atomic in PCRE2: a CRLF is one line end, never CR then LF
        const start = this.out.length;
        this.out.push('(?:\\r\\n|[\\n-\\r\\x85])');
        this.atomic(start);
        this.atom = start;
        this.lastR = start;
        this.atomAssertion = false;
        return;
      }
      case 'N':
        if (p[this.i] === '{' && !/^\{\d+(,\d*)?\}/.test(p.slice(this.i, this.i + 24))) this.fail('\\N{name} is not supported', at);
        this.push('[^\\n]', true);
        this.lastDot = this.atom;
        return;
      case 'b': case 'B': this.push('\\' + c, false); return;
      case 'A': this.push('(?<![^])', false); return;
      case 'z': this.push('(?![^])', false); return;
      case 'Z': this.push('(?=\\n?(?![^]))', false); return;
      case 'C':
        if (this.o.has('never_backslash_c')) this.fail('using \\C is disabled by the application', at);
        this.push('[^]', true);
        return;
      case 'Q': {
        const end = p.indexOf('\\E', this.i);
        const text = end < 0 ? p.slice(this.i) : p.slice(this.i, end);
        this.i = end < 0 ? p.length : end + 2;
        for (let k = 0; k < text.length; k++) this.push(this.litText(text.charCodeAt(k)), true);
        return;
      }
      case 'E': return; // an \E without \Q
      case 'g': return this.gRef(at);
      case 'k': {
        const m = /^(?:<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)'|\{([A-Za-z_]\w*)\})/.exec(p.slice(this.i, this.i + 40));
        if (!m) this.fail('\\k is not followed by a braced, angle-bracketed, or quoted name', at);
        this.i += m[0].length;
        return this.backref(m[1] ?? m[2] ?? m[3] ?? '', at);
      }
      case 'G': case 'K': case 'X': case 'p': case 'P':
        this.fail(`\\${c} is not supported`, at);
    }
    if (c >= '1' && c <= '9') {
      let digits = c;
      while (isDigit(p[this.i])) digits += p[this.i++];
      const n = Number(digits);
      // PCRE2: a back reference below 10, from 8 or 9, or with that many groups before it
      if (n < 10 || c === '8' || c === '9' || n <= this.groups) return this.backref(n, at);
      // otherwise up to three octal digits, then literal digits
      this.i -= digits.length;
      let oct = '';
      while (oct.length < 3 && isOctal(p[this.i])) oct += p[this.i++];
      return this.codePoint(parseInt(oct, 8), at);
    }
    if (/[A-Za-z0-9]/.test(c)) this.fail('unrecognized character follows \\', at + 1);
    this.literal(c.charCodeAt(0));
  }

  private gRef(at: number): void {
    const p = this.p;
    const m = /^(?:\{(-?\d+|[A-Za-z_]\w*)\}|(-?\d+))/.exec(p.slice(this.i, this.i + 40));
    if (!m) {
      if (p[this.i] === '<' || p[this.i] === "'") this.fail('subroutine calls (\\g<...>) are not supported', at);
      this.fail('a numbered reference must not be zero', at);
    }
    this.i += m[0].length;
    const v = m[1] ?? m[2] ?? '';
    if (/^-?\d+$/.test(v)) {
      let n = Number(v);
      if (n < 0) n = this.groups + 1 + n;
      if (n <= 0) this.fail('a relative value of zero is not allowed', at);
      return this.backref(n, at);
    }
    this.backref(v, at);
  }

  private backref(ref: number | string, at: number): void {
    if (this.opts.i) this.caselessBackref = true;
    // wrapped: a digit after it must not extend the number
    this.push('(?:', true);
    this.out.push({ ref, at }, ')');
  }

  // --- classes ------------------------------------------------------------------------------

  private klass(): void {
    const p = this.p;
    const at = this.i - 1;
    if (/^([:.=])\^?[A-Za-z]*\1\]/.test(p.slice(this.i, this.i + 16))) this.fail('POSIX named classes are supported only within a class', this.i);
    let negate = false;
    if (p[this.i] === '^') {
      negate = true;
      this.i++;
    }
    if (p[this.i] === ']' && this.o.has('allow_empty_class')) {
      this.i++;
      this.push(negate ? '[^]' : '(?!)', true);
      return;
    }
    const parts: string[] = [];
    const caseless = this.opts.i && this.expandCase;
    for (let first = true; ; first = false) {
      if (this.i >= p.length) this.fail('missing terminating ] for character class', at);
      if (p[this.i] === ']' && !first) {
        this.i++;
        break;
      }
      if (this.opts.xx && (p[this.i] === ' ' || p[this.i] === '\t')) {
        this.i++;
        continue;
      }
      const lo = this.classItem(parts, caseless);
      const dashRange = p[this.i] === '-' && this.i + 1 < p.length && p[this.i + 1] !== ']';
      if (lo === undefined) {
        if (dashRange && p[this.i - 1] !== 'E') this.fail('invalid range in character class', this.i); // a set cannot start a range
        continue;
      }
      if (dashRange) {
        const dash = this.i++;
        const hi = this.classItem(null, caseless);
        if (hi === undefined) this.fail('invalid range in character class', dash);
        if (hi < lo) this.fail('range out of order in character class', dash);
        parts.push(this.classText(lo) + '-' + this.classText(hi));
        if (caseless) for (let x = lo; x <= hi; x++) if (isLetter(x)) parts.push(this.classText(otherCase(x)));
        continue;
      }
      this.classByte(parts, lo, caseless);
    }
    this.push('[' + (negate ? '^' : '') + parts.join('') + ']', true);
  }

  /**
   * One member of a class: a single byte is returned (the caller adds it, or makes it a range's
   * end); a set (\d, [:alpha:], \Q..\E) is added to `parts` and undefined returned. With `parts`
   * null (a range's end) a set is an error.
   */
  private classItem(parts: string[] | null, caseless: boolean): number | undefined {
    const p = this.p;
    const at = this.i;
    const c = p[this.i++];
    const set = (text: string): undefined => {
      if (parts === null) this.fail('invalid range in character class', at);
      parts.push(text);
      return undefined;
    };
    if (c === '[' && (p[this.i] === '.' || p[this.i] === '=') && /^([.=])[^\]]*\1\]/.test(p.slice(this.i, this.i + 16))) this.fail('POSIX collating elements are not supported', at);
    if (c === '[' && p[this.i] === ':') {
      const m = /^:(\^?)([a-z]+):\]/.exec(p.slice(this.i, this.i + 16));
      if (m) {
        this.i += m[0].length;
        const text = m[1] ? POSIX_NEGATED[m[2]] : POSIX[m[2]];
        if (text === undefined) this.fail(m[1] && POSIX[m[2]] ? `[:^${m[2]}:] is not supported` : 'unknown POSIX class name', at);
        return set(caseless && (m[2] === 'upper' || m[2] === 'lower') ? 'a-zA-Z' : text);
      }
    }
    let b: number;
    if (c === '\\') {
      const e = p[this.i++];
      if (e === undefined) this.fail('\\ at end of pattern', at);
      const cp = e === 'b' ? 8 : this.charEscape(e, at);
      if (cp !== undefined) b = cp;
      else if (e === 'd' || e === 'D' || e === 'w' || e === 'W') return set('\\' + e);
      else if (e === 's') return set('\\t-\\r ');
      else if (e === 'h') return set('\\t \\xa0');
      else if (e === 'v') return set('\\n-\\r\\x85');
      else if (e === 'N' || e === 'R' || e === 'X' || e === 'B') this.fail(`escape sequence \\${e} is invalid in character class`, at);
      else if (e === 'S' || e === 'H' || e === 'V' || e === 'p' || e === 'P') this.fail(`\\${e} in a character class is not supported`, at);
      else if (e === 'Q' || e === 'E') {
        const end = e === 'E' ? this.i : p.indexOf('\\E', this.i);
        const text = end < 0 ? p.slice(this.i) : p.slice(this.i, end);
        this.i = end < 0 ? p.length : e === 'E' ? end : end + 2;
        if (text.length > 0 && parts === null) this.fail('invalid range in character class', at);
        for (let k = 0; k < text.length; k++) this.classByte(parts ?? [], text.charCodeAt(k), caseless);
        return undefined;
      } else if (/[A-Za-z0-9]/.test(e)) this.fail('unrecognized character follows \\', at + 1);
      else b = e.charCodeAt(0);
    } else b = c.charCodeAt(0);
    if (b > 0xff || (this.utf && b >= 0x80)) this.fail('characters beyond ASCII in a class with utf are not supported', at);
    return b;
  }

  private classByte(parts: string[], b: number, caseless: boolean): void {
    parts.push(this.classText(b));
    if (caseless && isLetter(b)) parts.push(this.classText(otherCase(b)));
  }

  private classText(b: number): string {
    if (b < 0x20 || b >= 0x7f) return hex2(b);
    const ch = String.fromCharCode(b);
    return ch === '\\' || ch === ']' || ch === '[' || ch === '^' || ch === '-' ? '\\' + ch : ch;
  }

  // --- output -------------------------------------------------------------------------------

  /** MatchStart of the pattern read: a leading greedy or lazy `.*` on its own (not utf) */
  leadingDotStar(): MatchStart {
    const o = this.out;
    if (this.topAlternation || (o[1] !== '*' && o[1] !== '*?') || o.some((t) => typeof t === 'object' && 'ref' in t)) return null;
    return o[0] === '[^\\n]' ? 'line' : o[0] === '[^]' ? 'search' : null;
  }

  private render(): string {
    // JavaScript numbers capture groups by where they open, the made ones included
    const number = new Map<Group, number>();
    for (const t of this.out) if (typeof t === 'object' && 'open' in t) number.set(t.open, number.size + 1);
    let s = '';
    for (const t of this.out) {
      if (typeof t === 'string') s += t;
      else if ('open' in t) s += t.open.name !== undefined ? `(?<${t.open.name}>` : '(';
      else {
        const g = typeof t.ref === 'object' ? t.ref : typeof t.ref === 'number' ? this.byNumber.get(t.ref) : this.names.get(t.ref);
        if (g === undefined) this.fail(typeof t.ref === 'string' ? 'reference to non-existent subpattern name' : 'reference to non-existent subpattern', t.at);
        s += '\\' + String(number.get(g));
      }
    }
    return s;
  }
}

const OPTION_WORDS = new Set(['allow_empty_class', 'alt_bsux', 'caseless', 'dollar_endonly', 'dotall', 'extended', 'firstline', 'multiline', 'no_auto_capture', 'ungreedy', 'utf', 'alt_circumflex', 'never_utf', 'never_backslash_c', 'no_auto_possess', ...NO_EFFECT]);

const compiled = new Map<string, PcreRegex>();

/**
 * The RegExp that answers as PCRE2 would for `pattern` with `regex_options` (keepalived's
 * option names), over a body read as latin1. Throws PcreError. Compiled once per pattern and
 * options (keepalived also shares its compiled regexes).
 */
export function compilePcre(pattern: string, options: readonly string[]): PcreRegex {
  const key = options.join(' ') + '\n' + pattern;
  const hit = compiled.get(key);
  if (hit) return hit;
  for (const o of options) if (!OPTION_WORDS.has(o)) throw new PcreError(`unknown regex option '${o}'`, 0);
  const bytes = Buffer.from(pattern, 'utf8').toString('latin1');
  let r = new Reader(bytes, new Set(options), false);
  let source = r.read();
  const scoped = r.caselessScoped;
  if (scoped) {
    // caseless in a part of the pattern: written out letter by letter, no i flag
    if (r.caselessBackref) throw new PcreError('a caseless back reference in a partly caseless pattern is not supported', 0);
    r = new Reader(bytes, new Set(options), true);
    source = r.read();
  }
  let re: RegExp;
  try {
    re = new RegExp(source, !scoped && options.includes('caseless') ? 'i' : '');
  } catch (e) {
    throw new PcreError(`not supported here: ${e instanceof Error ? e.message : String(e)}`, 0);
  }
  const result: PcreRegex = { re, firstLine: r.firstLine, start: r.leadingDotStar() };
  if (compiled.size >= 4096) compiled.clear(); // reloads that keep changing patterns: bounded
  compiled.set(key, result);
  return result;
}
