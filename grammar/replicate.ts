// ~SEQ(var, [start,] [step,] end), ~SEQx (hex values) and ~LST(...) line replication.
import type { Definitions } from './definitions.js';
import type { LogicalLine } from './reader.js';

const MAX_REPEATS = 1_000_000;

export interface Replicator {
  origin: LogicalLine;
  step(defs: Definitions): { text: string; done: boolean };
}

/** strtol(s, &end, 0): optional sign, 0x hex, leading-0 octal, else decimal. */
function strtol(s: string, at: number): { v: number; end: number } {
  let p = at;
  while (s[p] === ' ' || s[p] === '\t') p++;
  let sign = 1;
  if (s[p] === '+' || s[p] === '-') { if (s[p] === '-') sign = -1; p++; }
  let base = 10;
  if (s[p] === '0' && (s[p + 1] === 'x' || s[p + 1] === 'X') && /[0-9a-fA-F]/.test(s[p + 2] ?? '')) { base = 16; p += 2; }
  else if (s[p] === '0') base = 8;
  const re = base === 16 ? /[0-9a-fA-F]/ : base === 8 ? /[0-7]/ : /[0-9]/;
  const start = p;
  while (p < s.length && re.test(s[p])) p++;
  if (p === start) return { v: 0, end: at };
  return { v: sign * parseInt(s.slice(start, p), base), end: p };
}

export function parseSeq(buf: string, defs: Definitions): Omit<Replicator, 'origin'> | string | null {
  let p = 4;
  let hex = false;
  if (buf[p] === 'x') { hex = true; p++; }
  while (buf[p] === ' ' || buf[p] === '\t') p++;
  if (buf[p++] !== '(') return null;
  while (buf[p] === ' ' || buf[p] === '\t') p++;
  const varStart = p;
  while (p < buf.length && !' \t,)'.includes(buf[p])) p++;
  const name = buf.slice(varStart, p);
  while (buf[p] === ' ' || buf[p] === '\t') p++;
  if (p >= buf.length || buf[p] === ')' || name === '') return `Invalid ~SEQ definition '${buf}'`;
  p++;
  const close = buf.indexOf(')', p);
  if (close < 0) return `Invalid ~SEQ definition '${buf}'`;
  const argText = defs.expand(buf.slice(p, close + 1), 4096);
  if (argText.rest.length) return `~SEQ parameter is multiline definition '${buf}'`;
  const a = argText.first;
  let start: number, step: number, end: number;
  const one = strtol(a, 0);
  let q = one.end;
  while (a[q] === ' ' || a[q] === '\t') q++;
  if (a[q] === ')') {
    end = one.v; step = end < 1 ? -1 : 1; start = end < 0 ? -1 : 1;
  } else {
    if (a[q] !== ',') return `Invalid ~SEQ definition '${buf}'`;
    const two = strtol(a, q + 1);
    q = two.end;
    while (a[q] === ' ' || a[q] === '\t') q++;
    if (a[q] === ')') {
      start = one.v; end = two.v; step = start <= end ? 1 : -1;
    } else {
      if (a[q] !== ',') return `Invalid ~SEQ definition '${buf}'`;
      const three = strtol(a, q + 1);
      q = three.end;
      while (a[q] === ' ' || a[q] === '\t') q++;
      if (a[q] !== ')') return `Invalid ~SEQ definition '${buf}'`;
      start = one.v; step = two.v; end = three.v;
      if (!step || (start < end && step < 0) || (start > end && step > 0)) return `Invalid ~SEQ values '${buf}'`;
    }
  }
  if (hex && (start < 0 || end < 0)) return `~SEQx is only valid for positive numbers '${buf}'`;
  // keepalived would replicate for ever; a million lines is far beyond any real config
  if (Math.floor(Math.abs(end - start) / Math.abs(step)) + 1 > MAX_REPEATS) return `~SEQ would repeat more than ${MAX_REPEATS} times '${buf}'`;
  let t = close + 1;
  while (buf[t] === ' ' || buf[t] === '\t') t++;
  const text = buf.slice(t);
  let next = start;
  return {
    step(d) {
      d.set(name, hex ? next.toString(16) : String(next));
      next += step;
      return { text, done: (step > 0 && next > end) || (step < 0 && next < end) };
    },
  };
}

/** ~LST(var, v1, v2, ...) or ~LST({a, b}, {1, 2}, {3, 4}) text */
export function parseLst(buf: string): Omit<Replicator, 'origin'> | string | null {
  let p = 4;
  const ws = () => { while (buf[p] === ' ' || buf[p] === '\t') p++; };
  ws();
  if (buf[p++] !== '(') return null;
  ws();
  const names: string[] = [];
  let endChar = ',';
  if (buf[p] === '{') { endChar = '}'; p++; ws(); }
  for (;;) {
    const s = p;
    while (p < buf.length && !' \t,}'.includes(buf[p])) p++;
    names.push(buf.slice(s, p));
    ws();
    if (buf[p] === endChar) break;
    if (buf[p] !== ',') return null;
    p++; ws();
  }
  if (buf[p] === '}') { p++; ws(); }
  if (buf[p++] !== ',') return null;
  ws();
  const sets: string[][] = [];
  for (;;) {
    let ec = ',';
    if (buf[p] === '{') { ec = '}'; p++; ws(); }
    const vals: string[] = [];
    for (;;) {
      const s = p;
      while (p < buf.length && !' \t,})'.includes(buf[p])) p++;
      vals.push(buf.slice(s, p));
      ws();
      if (buf[p] === ec || (buf[p] === ')' && ec === ',')) break;
      if (buf[p] !== ',') return null;
      p++; ws();
      if (vals.length >= names.length) return `~LST specification has too many values '${buf}'`;
    }
    while (vals.length < names.length) vals.push('');
    sets.push(vals);
    if (buf[p] === '}' && ec === '}') { p++; ws(); }
    if (buf[p] === ')') break;
    if (buf[p] !== ',') return null;
    p++; ws();
  }
  if (!names.length || !sets.length) return null;
  p++; ws();
  const text = buf.slice(p);
  let i = 0;
  return {
    step(d) {
      const set = sets[i++];
      names.forEach((n, k) => d.set(n, set[k] ?? ''));
      return { text, done: i >= sets.length };
    },
  };
}
