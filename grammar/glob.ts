// Shell-style file globbing for `include`, with brace expansion and the bookkeeping keepalived
// needs to choose its error (missing files vs. no wildcard match). Node 20 has no fs.glob.
import { lstatSync, readdirSync, statSync } from './observed-fs.js';
import { join } from 'node:path';

export interface GlobResult {
  /** matched paths, directories marked with a trailing '/' (GLOB_MARK) */
  paths: string[];
  /** a literal path or directory did not exist */
  missing: boolean;
  /** a wildcard was expanded against a directory listing */
  hadWildcards: boolean;
  hadBrace: boolean;
}

const WILD = /[*?[]/;

/** Expands `{a,b}` alternatives (nested allowed, `\{` escapes), in order. */
export function expandBraces(p: string): string[] {
  let depth = 0;
  let open = -1;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') { i++; continue; }
    if (c === '{') { if (depth++ === 0) open = i; }
    else if (c === '}' && depth > 0 && --depth === 0) {
      const inner = p.slice(open + 1, i);
      const parts: string[] = [];
      let d = 0, start = 0;
      for (let j = 0; j < inner.length; j++) {
        const ch = inner[j];
        if (ch === '\\') { j++; continue; }
        if (ch === '{') d++;
        else if (ch === '}') d--;
        else if (ch === ',' && d === 0) { parts.push(inner.slice(start, j)); start = j + 1; }
      }
      parts.push(inner.slice(start));
      if (parts.length < 2) continue; // "{x}" is literal for glob's brace handling
      const pre = p.slice(0, open), post = p.slice(i + 1);
      return parts.flatMap((part) => expandBraces(pre + part + post));
    }
  }
  return [p];
}

function segmentRegex(seg: string): RegExp {
  let re = '^';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '\\' && i + 1 < seg.length) re += seg[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close < 0) { re += '\\['; continue; }
      let body = seg.slice(i + 1, close);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

function isDir(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

function globOne(pattern: string, r: GlobResult): string[] {
  if (!WILD.test(pattern)) {
    const lit = pattern.replace(/\\(.)/g, '$1');
    try { lstatSync(lit); } catch { r.missing = true; return []; }
    return [isDir(lit) ? lit.replace(/\/?$/, '/') : lit];
  }
  const abs = pattern.startsWith('/');
  const segs = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  let bases = [abs ? '/' : '.'];
  for (let i = abs ? 1 : 0; i < segs.length; i++) {
    const seg = segs[i];
    const next: string[] = [];
    if (!WILD.test(seg)) {
      for (const b of bases) next.push(b === '.' && !abs ? seg.replace(/\\(.)/g, '$1') : join(b, seg.replace(/\\(.)/g, '$1')));
    } else {
      r.hadWildcards = true;
      const re = segmentRegex(seg);
      for (const b of bases) {
        let names: string[];
        try { names = readdirSync(b); } catch { r.missing = true; continue; }
        names.sort();
        for (const n of names) {
          if (n.startsWith('.') && !seg.startsWith('.')) continue;
          if (re.test(n)) next.push(b === '.' && !abs ? n : join(b, n));
        }
      }
    }
    bases = next;
  }
  const out: string[] = [];
  for (const b of bases) {
    try { lstatSync(b); } catch { r.missing = true; continue; }
    out.push(isDir(b) ? b.replace(/\/?$/, '/') : b);
  }
  return out;
}

export function glob(pattern: string): GlobResult {
  const r: GlobResult = { paths: [], missing: false, hadWildcards: false, hadBrace: false };
  const pats = expandBraces(pattern);
  r.hadBrace = pats.length > 1 || /(^|[^\\])\{/.test(pattern);
  for (const p of pats) r.paths.push(...globOne(p, r));
  return r;
}
