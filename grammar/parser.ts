// Schema-driven parser: reads logical lines from the preprocessor and builds the raw config
// object directly (no parse tree is kept), reporting problems as keepalived's process_stream()
// and keyword handlers would — but with file:line:col, and all of them, not just the first.
import { ErrClass, type Diagnostic, type Pos } from './diagnostics.js';
import { splitWords } from './lexer.js';
import { ConfigReader, INC_R, INC_M, INC_W, INC_B, type LogicalLine } from './reader.js';
import type { BlockSpec, ConvertCtx, KeywordSpec, Word } from './schema/types.js';

export type RawObject = Record<string, unknown>;
/** Packed positions of a block's keywords (`$` = the block keyword), kept beside the object. */
export type Positions = Record<string, number>;

const FILE_SHIFT = 2 ** 40;
const LINE_SHIFT = 2 ** 16;
const pack = (fileId: number, line: number, col: number) => fileId * FILE_SHIFT + line * LINE_SHIFT + Math.min(Math.max(col, 0), 65535);

export interface ParseOptions {
  configId?: string;
  /** -e/--all-config: start with include_check set to everything */
  allConfig?: boolean;
}

export interface ParseResult {
  root: RawObject;
  diagnostics: Diagnostic[];
  files: string[];
  /** packed positions of an object's keywords */
  at(obj: object): Positions | undefined;
  /** decode a packed position */
  pos(packed: number): Pos;
}

interface Frame {
  spec: BlockSpec | null; // null: a value block of data lines
  kw: KeywordSpec | null;
  obj: RawObject;
  items: unknown[] | null;
  needBob: boolean;
  label: string;
}

const lookupCache = new WeakMap<BlockSpec, Map<string, KeywordSpec>>();
/** Keyword (or alias) of a block; the table is built once per block spec. */
export function lookupKeyword(spec: BlockSpec, word: string): KeywordSpec | undefined {
  let m = lookupCache.get(spec);
  if (!m) {
    m = new Map();
    for (const k of spec.keywords) {
      m.set(k.name, k);
      for (const a of k.aliases ?? []) m.set(a, k);
    }
    lookupCache.set(spec, m);
  }
  return m.get(word);
}

const defaultsCache = new WeakMap<BlockSpec, Array<[string, unknown]>>();
function defaultsOf(spec: BlockSpec): Array<[string, unknown]> {
  let d = defaultsCache.get(spec);
  if (!d) {
    d = spec.keywords.filter((k) => k.default !== undefined).map((k) => [k.field ?? k.name, k.default]);
    defaultsCache.set(spec, d);
  }
  return d;
}

function includeCheckFlags(words: Word[], current: number): { flags: number; errors: string[] } {
  const names: Record<string, number> = { read: INC_R, match: INC_M, wildcard_match: INC_W, brace_match: INC_B };
  let flags = current;
  const errors: string[] = [];
  if (words.length === 0) return { flags: INC_R | INC_M | INC_W | INC_B, errors };
  words.forEach((w, i) => {
    const t = w.text;
    const op = t[0] === '-' ? -1 : t[0] === '+' ? 1 : 0;
    const name = op ? t.slice(1) : t;
    if (!op) {
      if (i !== 0) { errors.push(`Duplicate include_check '${t}' specified - ignoring`); return; }
      flags = 0;
    }
    const f = names[name];
    if (f === undefined) { errors.push(`Unknown include_check type '${name}' - ignoring`); return; }
    flags = op < 0 ? flags & ~f : flags | f;
  });
  return { flags, errors };
}

export function parseConfig(file: string, root: BlockSpec, opts: ParseOptions = {}): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const warnedAccepted = new Set<KeywordSpec>();
  const reader = new ConfigReader(file, {
    configId: opts.configId,
    includeCheck: opts.allConfig ? INC_R | INC_M | INC_W | INC_B : 0,
    report: (d) => diagnostics.push(d),
  });
  const positions = new WeakMap<object, Positions>();
  const rootObj: RawObject = {};
  positions.set(rootObj, {});
  const stack: Frame[] = [{ spec: root, kw: null, obj: rootObj, items: null, needBob: false, label: '' }];
  let skipDepth = 0; // inside the block of an unknown keyword
  let skipPending = false; // an unknown keyword was just seen; a '{' on the next line opens its block

  let line: LogicalLine | null = null;
  let words: Word[] = [];
  const posOf = (l: LogicalLine, col: number): Pos => ({ file: reader.files[l.fileId] ?? file, line: l.line, col: col || 1 });
  const report = (cls: ErrClass, message: string, col: number, keyword?: string, level: 'error' | 'warning' = 'error') => {
    const top = stack[stack.length - 1];
    diagnostics.push({ cls, level, message, pos: line ? posOf(line, col) : undefined, keyword, block: top.label || undefined });
  };

  const ctxFor = (kw: KeywordSpec, kwWord: Word): ConvertCtx => ({
    report: (cls, message, w, level) => report(cls, message, (w ?? kwWord).col, kw.name, level ?? 'error'),
  });

  /** Parses the words after a keyword into its value; undefined when nothing valid was given. */
  const valueOf = (kw: KeywordSpec, kwWord: Word, args: Word[]): { ok: boolean; value: unknown } => {
    if (kw.convert) {
      const v = kw.convert(args, ctxFor(kw, kwWord));
      return { ok: v !== undefined, value: v };
    }
    const specs = kw.args ?? [];
    if (kw.flag && specs.length === 0) {
      if (kw.flagArg && args.length > 0) {
        const t = args[0].text;
        if (t === 'true' || t === 'on' || t === 'yes') return { ok: true, value: true };
        if (t === 'false' || t === 'off' || t === 'no') return { ok: true, value: false };
        report(ErrClass.General, `invalid value '${t}' for ${kw.name} - expected true/false`, args[0].col, kw.name);
        return { ok: false, value: undefined };
      }
      return { ok: true, value: true };
    }
    const out: Record<string, unknown> = {};
    let ok = true;
    let i = 0;
    for (const a of specs) {
      if (a.rest) {
        const vals: unknown[] = [];
        for (; i < args.length; i++) {
          const r = a.type.parse(args[i].text);
          if (r.ok) vals.push(r.value);
          else { report(r.cls, r.message, args[i].col, kw.name); ok = false; }
        }
        if (vals.length === 0 && !a.optional) {
          report(ErrClass.MissingParameter, `Configuration line starting \`${kwWord.text}\` is missing a parameter after keyword \`${kwWord.text}\` at word position ${i + 2}`, kwWord.col, kw.name);
          ok = false;
        }
        out[a.name] = vals;
        continue;
      }
      const w = args[i];
      if (!w) {
        if (!a.optional) {
          const prev = i === 0 ? kwWord.text : args[i - 1].text;
          report(ErrClass.MissingParameter, `Configuration line starting \`${kwWord.text}\` is missing a parameter after keyword \`${prev}\` at word position ${i + 2}`, kwWord.col, kw.name);
          ok = false;
        }
        break;
      }
      i++;
      const r = a.type.parse(w.text);
      if (r.ok) out[a.name] = r.value;
      else { report(r.cls, r.message, w.col, kw.name); ok = false; }
    }
    if (i < args.length && !specs.some((a) => a.rest)) {
      report(ErrClass.General, `extra parameter '${args[i].text}' ignored`, args[i].col, kw.name, 'warning');
    }
    if (!ok) return { ok: false, value: undefined };
    if (specs.length === 1 && specs[0].name === 'value') return { ok: true, value: out.value };
    return { ok: true, value: out };
  };

  const store = (obj: RawObject, kw: KeywordSpec, value: unknown, packed: number) => {
    const field = kw.field ?? kw.name;
    if (kw.repeatable) {
      const arr = obj[field];
      if (Array.isArray(arr)) arr.push(value);
      else obj[field] = [value];
    } else obj[field] = value;
    const at = positions.get(obj);
    if (at && !(field in at)) at[field] = packed;
  };

  const closeFrame = (f: Frame) => {
    if (f.spec) {
      for (const [field, def] of defaultsOf(f.spec)) if (!(field in f.obj)) f.obj[field] = def;
    }
  };

  while ((line = reader.next()) !== null) {
    words = splitWords(line.text, line.col, (e) => report(ErrClass.UnmatchedQuote, e.message, e.col));
    if (words.length === 0) continue;
    const w0 = words[0];
    const t0 = w0.text;

    if (skipPending) {
      skipPending = false;
      if (t0 === '{' && !w0.quoted) { skipDepth = 1; continue; }
    }
    if (skipDepth > 0) {
      if (!w0.quoted && t0 === '{') skipDepth++;
      else if (!w0.quoted && t0 === '}') skipDepth--;
      continue;
    }

    const top = stack[stack.length - 1];
    const level = stack.length - 1;
    if (top.needBob) {
      top.needBob = false;
      if (t0 === '{' && !w0.quoted) continue;
      if (top.spec) report(ErrClass.MissingBob, "Missing '{' at beginning of configuration block", w0.col, top.kw?.name);
      else report(ErrClass.General, `'{' missing from beginning of block ${top.kw?.name}`, w0.col, top.kw?.name, 'warning');
    } else if (t0 === '{' && !w0.quoted) {
      report(ErrClass.UnexpectedBob, "Unexpected '{' - ignoring", w0.col);
      continue;
    }
    if (t0 === '}' && !w0.quoted) {
      if (level > 0) {
        closeFrame(top);
        stack.pop();
        continue;
      }
      continue; // the reader already reported "Extra '}' found" here
    }

    // A line inside a value block (virtual_ipaddress { ... }).
    if (!top.spec) {
      const conv = top.kw?.lines;
      if (conv && top.items) {
        const v = conv.convert(words, ctxFor(top.kw as KeywordSpec, w0));
        if (v !== undefined) top.items.push(v);
      }
      continue;
    }

    const kw = lookupKeyword(top.spec, t0);
    if (!kw) {
      report(ErrClass.UnknownKeyword, `Unknown keyword '${t0}'`, w0.col, t0);
      skipPending = true;
      continue;
    }
    const packed = pack(line.fileId, line.line, w0.col);
    if (kw.support.status === 'accepted' && !warnedAccepted.has(kw)) {
      warnedAccepted.add(kw);
      report(ErrClass.Ok, `'${kw.name}' is accepted but not implemented yet (${kw.support.later})`, w0.col, kw.name, 'warning');
    }
    const args = words.length > 1 ? words.slice(1) : [];

    if (kw.name === 'include_check') {
      const r = includeCheckFlags(args, reader.includeCheckFlags);
      reader.setIncludeCheck(r.flags);
      for (const e of r.errors) report(ErrClass.General, e, w0.col, kw.name);
    }

    if (kw.block) {
      const field = kw.field ?? kw.name;
      let obj: RawObject;
      const existing = obj0(top.obj[field]);
      if (kw.merge && existing) obj = existing;
      else {
        obj = {};
        positions.set(obj, { $: packed });
        if (kw.args?.length || kw.convert) {
          const v = valueOf(kw, w0, args);
          if (v.ok && v.value && typeof v.value === 'object') Object.assign(obj, v.value);
          else if (v.ok && kw.args?.length === 1) obj[kw.args[0].name] = v.value;
        }
        store(top.obj, kw, obj, packed);
      }
      stack.push({ spec: kw.block, kw, obj, items: null, needBob: true, label: blockLabel(kw, args) });
      continue;
    }
    if (kw.lines) {
      if (args.length && !kw.args?.length) report(ErrClass.General, `Block ${t0} has extra parameters ${args[0].text} ...`, args[0].col, kw.name);
      const items: unknown[] = [];
      const field = kw.field ?? kw.name;
      const prev = top.obj[field];
      if (kw.repeatable && Array.isArray(prev)) {
        stack.push({ spec: null, kw, obj: top.obj, items: prev, needBob: true, label: blockLabel(kw, args) });
        continue;
      }
      top.obj[field] = items;
      const at = positions.get(top.obj);
      if (at && !(field in at)) at[field] = packed;
      stack.push({ spec: null, kw, obj: top.obj, items, needBob: true, label: blockLabel(kw, args) });
      continue;
    }
    const v = valueOf(kw, w0, args);
    if (v.ok) store(top.obj, kw, v.value, packed);
  }
  line = null;

  while (stack.length > 1) closeFrame(stack.pop() as Frame);
  closeFrame(stack[0]);
  if (reader.openBlocks > 0) {
    diagnostics.push({ cls: ErrClass.MissingEob, level: 'error', message: `There are ${reader.openBlocks} missing '}'s or extra '{'s` });
  }
  const files = reader.files;
  return {
    root: rootObj,
    diagnostics,
    files,
    at: (o) => positions.get(o),
    pos: (p) => {
      const fileId = Math.floor(p / FILE_SHIFT);
      const rem = p - fileId * FILE_SHIFT;
      return { file: files[fileId] ?? file, line: Math.floor(rem / LINE_SHIFT), col: rem % LINE_SHIFT };
    },
  };
}

function obj0(v: unknown): RawObject | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as RawObject) : undefined;
}

function blockLabel(kw: KeywordSpec, args: Word[]): string {
  return args.length ? `${kw.name} ${args.map((a) => a.text).join(' ')}` : kw.name;
}
