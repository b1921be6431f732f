// Line-level lexing of keepalived.conf: comment removal and word splitting.
// keepalived's language is line oriented (one keyword per line), so the lexer works on one
// line at a time and never builds a token stream for the whole file.
import type { Word } from './schema/types.js';

const SP = 32, TAB = 9, QUOTE = 34, BSLASH = 92, BANG = 33, HASH = 35;

export interface Decommented {
  /** the line without leading/trailing blanks and comment */
  text: string;
  /** number of leading blank characters removed (for column mapping) */
  lead: number;
  /** the line ended in a backslash (multi-line definition continues) */
  cont: boolean;
  /** an opening double quote had no partner */
  unterminatedQuote: boolean;
}

const isBlank = (c: number) => c === SP || c === TAB;

/**
 * Removes a `!` or `#` comment (outside double quotes), leading and trailing blanks, and
 * the backslash of `\!` / `\#` escapes, as keepalived does before it looks at a line.
 */
export function decomment(raw: string): Decommented {
  let lead = 0;
  while (lead < raw.length && isBlank(raw.charCodeAt(lead))) lead++;
  let s = lead === 0 ? raw : raw.slice(lead);
  let quote = false;
  let cont = false;
  let skip = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      if (skip < 0) quote = !quote;
    } else if (c === BSLASH) {
      if (i + 1 < s.length) {
        const n = s.charCodeAt(i + 1);
        if (!quote && (n === HASH || n === BANG)) {
          s = s.slice(0, i) + s.slice(i + 1); // drop the escape; the char stays literal
        } else {
          i++;
        }
        continue;
      }
      s = s.slice(0, i);
      cont = true;
      break;
    } else if (!quote && skip < 0 && (c === BANG || c === HASH)) {
      skip = i;
    }
  }
  if (skip >= 0) s = s.slice(0, skip);
  let end = s.length;
  while (end > 0 && isBlank(s.charCodeAt(end - 1))) end--;
  if (end !== s.length) s = s.slice(0, end);
  if (cont) s += '\\';
  return { text: s, lead, cont, unterminatedQuote: quote };
}

/** True when the line has nothing decomment() would change except surrounding blanks. */
export function isPlainLine(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === BANG || c === HASH || c === QUOTE || c === BSLASH) return false;
  }
  return true;
}

/** Error found while splitting a line into words. */
export interface SplitError {
  message: string;
  col: number;
}

/**
 * Splits a decommented line into words: blanks separate words, `"..."` is one word without
 * its quotes, and a word also ends where a quote starts (keepalived's alloc_strvec).
 * `col0` is the 1-based column of text[0] in the source line.
 */
export function splitWords(text: string, col0: number, onError?: (e: SplitError) => void): Word[] {
  const words: Word[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    while (i < n && (c === SP || c === TAB || c === 10 || c === 13 || c === 11 || c === 12)) c = text.charCodeAt(++i);
    if (i >= n) break;
    if (c === QUOTE) {
      const close = text.indexOf('"', i + 1);
      if (close < 0) {
        onError?.({ message: `Unmatched quote: '${text}'`, col: col0 + i });
        break;
      }
      words.push({ text: text.slice(i + 1, close), col: col0 + i, quoted: true });
      i = close + 1;
      continue;
    }
    const start = i;
    while (i < n) {
      c = text.charCodeAt(i);
      if (c === SP || c === TAB || c === QUOTE || c === 10 || c === 13 || c === 11 || c === 12) break;
      i++;
    }
    words.push({ text: text.slice(start, i), col: col0 + start, quoted: false });
  }
  return words;
}

/**
 * Splits a script command line the way keepalived's alloc_strvec_quoted_escaped does:
 * single or double quotes group, backslash escapes (\n, \t, \xHH, \0oo, \cX, ...).
 */
export function splitQuotedEscaped(text: string): { words: string[]; error?: string } {
  const words: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i])) i++;
    if (i >= n) break;
    let out = '';
    let q = '';
    for (; i < n; i++) {
      const ch = text[i];
      if (ch === '\\') {
        i++;
        if (i >= n) return { words, error: `Missing escape char at end: '${text}'` };
        const e = text[i];
        if (e === 'x' && /[0-9a-fA-F]/.test(text[i + 1] ?? '')) {
          let v = 0;
          while (i + 1 < n && /[0-9a-fA-F]/.test(text[i + 1])) v = ((v << 4) | parseInt(text[++i], 16)) & 0xff;
          out += String.fromCharCode(v);
        } else if (e === 'c' && i + 1 < n) {
          out += String.fromCharCode(text.charCodeAt(++i) & 0x1f);
        } else if (e >= '0' && e <= '7') {
          let v = e.charCodeAt(0) - 48;
          for (let k = 0; k < 2 && i + 1 < n && text[i + 1] >= '0' && text[i + 1] <= '7'; k++) v = ((v << 3) + text.charCodeAt(++i) - 48) & 0xff;
          out += String.fromCharCode(v);
        } else {
          const map: Record<string, string> = { a: '\x07', b: '\b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
          out += map[e] ?? e;
        }
        continue;
      }
      if (q) {
        if (ch === q) { q = ''; continue; }
        out += ch;
        continue;
      }
      if (ch === '"' || ch === "'") { q = ch; continue; }
      if (/\s/.test(ch)) break;
      out += ch;
    }
    if (q) return { words, error: `String '${text}': missing terminating ${q}` };
    words.push(out);
  }
  return { words };
}
