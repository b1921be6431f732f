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

/** Error found while splitting a line into words. */
export interface SplitError {
  message: string;
  col: number;
}

/**
 * Splits a decommented line into words: blanks separate words, `"..."` is one word without
 * its quotes, and a word also ends where a quote starts (keepalived's alloc_strvec).
 * `col0` is the 1-based column of text[0] in the source line (0: unknown, from an expansion).
 * Words are written into `out`, reusing its Word objects; returns how many there are.
 */
export function splitWordsInto(text: string, col0: number, out: Word[], onError?: (e: SplitError) => void): number {
  const n = text.length;
  let count = 0;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    while (i < n && (c === SP || c === TAB || (c >= 9 && c <= 13))) c = text.charCodeAt(++i);
    if (i >= n) break;
    let start: number, end: number, next: number;
    const quoted = c === QUOTE;
    if (quoted) {
      const close = text.indexOf('"', i + 1);
      if (close < 0) {
        onError?.({ message: `Unmatched quote: '${text}'`, col: col0 ? col0 + i : 0 });
        break;
      }
      start = i + 1;
      end = close;
      next = close + 1;
    } else {
      start = i;
      while (i < n) {
        c = text.charCodeAt(i);
        if (c === SP || c === TAB || c === QUOTE || (c >= 9 && c <= 13)) break;
        i++;
      }
      end = next = i;
    }
    const w = out[count];
    const wordText = start === 0 && end === n ? text : text.slice(start, end);
    const col = col0 ? col0 + (quoted ? start - 1 : start) : 0;
    if (w === undefined) out.push({ text: wordText, col, quoted });
    else { w.text = wordText; w.col = col; w.quoted = quoted; }
    count++;
    i = next;
  }
  return count;
}

/** splitWordsInto with a fresh array (for callers that keep the words). */
export function splitWords(text: string, col0: number, onError?: (e: SplitError) => void): Word[] {
  const out: Word[] = [];
  const n = splitWordsInto(text, col0, out, onError);
  out.length = n;
  return out;
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
