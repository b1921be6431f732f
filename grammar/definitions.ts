// $NAME=value parameters of keepalived.conf, with multi-line values, the predefined
// ${_PWD} ${_INSTANCE} ${_RANDOM [min [max]]} ${_HASH} ${_BANG}, and expansion at use time.

interface Def {
  /** value lines; more than one for a multi-line definition */
  lines: string[];
  multiline: boolean;
  /** computed value for the predefined ones */
  fn?: (params: number[]) => string;
  maxParams: number;
}

export interface Expansion {
  changed: boolean;
  /** the line with its references replaced */
  first: string;
  /** further lines from a multi-line definition */
  rest: string[];
  error?: string;
}

const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlnum = (c: number) => isAlpha(c) || (c >= 48 && c <= 57) || c === 95;

export class Definitions {
  private readonly defs = new Map<string, Def>();
  private userDefs = 0;

  constructor(configId: string, cwd: () => string) {
    this.defs.set('_PWD', { lines: [''], multiline: false, maxParams: 0, fn: () => cwd() });
    this.defs.set('_INSTANCE', { lines: [''], multiline: false, maxParams: 0, fn: () => configId });
    this.defs.set('_RANDOM', {
      lines: [''], multiline: false, maxParams: 2,
      fn: ([min = 0, max = 32767]) => String(min + Math.floor(Math.random() * (max - min + 1))),
    });
    this.defs.set('_HASH', { lines: ['#'], multiline: false, maxParams: 0 });
    this.defs.set('_BANG', { lines: ['!'], multiline: false, maxParams: 0 });
  }

  /** true once a line could contain a reference worth expanding */
  get any(): boolean { return this.defs.size > 0; }

  set(name: string, value: string): void {
    const d = this.defs.get(name);
    if (d) { d.lines = [value]; d.multiline = false; d.fn = undefined; }
    else this.defs.set(name, { lines: [value], multiline: false, maxParams: 0 });
  }

  /** `$NAME=value` (blanks allowed before '='); returns null when the line is not a definition. */
  tryDefine(text: string): { name: string; multiline: boolean } | null {
    if (!isAlpha(text.charCodeAt(1)) && text[1] !== '_') return null;
    let p = 2;
    while (p < text.length && text[p] !== '=') {
      if (!isAlnum(text.charCodeAt(p))) break;
      p++;
    }
    const name = text.slice(1, p);
    while (p < text.length && (text[p] === ' ' || text[p] === '\t')) p++;
    if (text[p] !== '=') return null;
    p++;
    while (p < text.length && (text[p] === ' ' || text[p] === '\t')) p++;
    let value = text.slice(p);
    let multiline = false;
    if (value.endsWith('\\')) {
      multiline = true;
      value = value.slice(0, -1).replace(/[ \t]+$/, '');
    }
    const lines = multiline && value === '' ? [] : [value];
    this.defs.set(name, { lines, multiline, maxParams: 0 });
    this.userDefs++;
    return { name, multiline };
  }

  /** Adds a continuation line; returns false when the definition is complete. */
  appendMultiline(name: string, text: string): boolean {
    const d = this.defs.get(name);
    if (!d) return false;
    let more = false;
    let t = text;
    if (t.endsWith('\\')) {
      more = true;
      t = t.slice(0, -1).replace(/[ \t]+$/, '');
    }
    if (t.length > 0) d.lines.push(t);
    if (!more) this.endMultiline(name);
    return more;
  }

  endMultiline(name: string): void {
    const d = this.defs.get(name);
    if (d && d.lines.length === 0) { d.multiline = false; d.lines = ['']; }
    else if (d && d.lines.length === 1) d.multiline = false;
  }

  private find(text: string, at: number): { def: Def; end: number; params: number[] } | null {
    let p = at;
    const braces = text[p] === '{';
    if (braces) p++;
    const c = text.charCodeAt(p);
    if (!isAlpha(c) && c !== 95) return null;
    const nameStart = p;
    while (p < text.length && isAlnum(text.charCodeAt(p))) p++;
    const name = text.slice(nameStart, p);
    let params: number[] = [];
    if (braces) {
      const m = /^((?: |\d)*)\}/.exec(text.slice(p));
      if (!m) return null;
      const raw = m[1];
      if (raw.trim() !== '') {
        if (raw.endsWith(' ')) return null;
        params = raw.trim().split(/ +/).map(Number);
      }
      p += m[0].length;
    } else {
      const n = text[p];
      if (n !== undefined && n !== ' ' && n !== '\t' && n !== ',' && n !== ')') return null;
    }
    const def = this.defs.get(name);
    if (!def) return null;
    if (def.multiline && p !== text.length) return null;
    if (params.length && !def.maxParams) return null;
    return { def, end: p, params };
  }

  /** Replaces $NAME / ${NAME} references; the replacement text is scanned again (recursion). */
  expand(text: string, maxLen: number): Expansion {
    let t = text;
    let changed = false;
    let rest: string[] = [];
    let pos = t.indexOf('$');
    let guard = 0;
    while (pos >= 0 && pos + 1 < t.length) {
      const f = this.find(t, pos + 1);
      if (!f) { pos = t.indexOf('$', pos + 1); continue; }
      if (++guard > 10_000) return { changed, first: t, rest, error: `Parameter substitution on line '${text}' does not terminate` };
      changed = true;
      const value = f.def.fn ? f.def.fn(f.params) : f.def.lines[0] ?? '';
      if (f.def.multiline) rest = f.def.lines.slice(1).concat(rest);
      t = t.slice(0, pos) + value + t.slice(f.end);
      if (t.length >= maxLen) return { changed, first: t.slice(0, maxLen), rest, error: `Parameter substitution on line '${text}' would exceed maximum line length` };
      if (/^[ \t]*~/.test(value)) break;
      pos = t.indexOf('$', pos);
    }
    return { changed, first: t, rest };
  }
}
