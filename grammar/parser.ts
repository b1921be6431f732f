// Schema-driven parser: reads logical lines from the preprocessor and builds the raw config
// object directly (no parse tree is kept), reporting problems as keepalived's process_stream()
// and keyword handlers would — but with file:line:col, and all of them, not just the first.
import { keepShape } from './shape-keeper.js';
import { generalArray } from './general-array.js';
import { ErrClass, type Diagnostic, type Pos } from './diagnostics.js';
import { splitWordsInto } from './lexer.js';
import { ConfigReader, sameTextAt, INC_R, INC_M, INC_W, INC_B, keywordHash, type LogicalLine } from './reader.js';
import { NO_VALUE, type BlockSpec, type ConvertCtx, type KeywordSpec, type ValueType, type Word } from './schema/types.js';
import { BlockCacheBuilder, pushRange, RECORD_END, RECORD_START, RECORD_STRIDE, type BlockCache, type HeaderRecord, type ReusePolicy } from './reuse.js';

const STRIDE = RECORD_STRIDE, START = RECORD_START, END = RECORD_END;

export type RawObject = Record<string, unknown>;
/** Packed positions of a block's keywords (`$` = the block keyword), kept beside the object. */
export type Positions = Record<string, number>;

const FILE_SHIFT = 2 ** 40;
const LINE_SHIFT = 2 ** 16;
/**
 * The arithmetic is on doubles from the first position on (the + 0.5 terms, taken off again as
 * PACK_BIAS): with small integers V8 would deoptimise the parser at line 32,768, where
 * line * 2^16 first leaves them.
 */
const PACK_BIAS = FILE_SHIFT / 2 + LINE_SHIFT / 2;
const pack = (fileId: number, line: number, col: number) => (fileId + 0.5) * FILE_SHIFT + (line + 0.5) * LINE_SHIFT + Math.min(Math.max(col, 0), 65535);

export interface ParseOptions {
  configId?: string;
  /** -e/--all-config: start with include_check set to everything */
  allConfig?: boolean;
  /** record where each keyword was (default true); off for the fast first pass */
  positions?: boolean;
  /**
   * Keep the blocks the policy names (ParseResult.blocks), and hand back the objects of
   * `previous` for blocks whose text is the same (see grammar/reuse.ts). Ignored with positions.
   */
  reuse?: { policy: ReusePolicy; previous?: BlockCache };
  /** called once the main file is read (a reload's timing marks; includes are read later, as met) */
  onRead?: () => void;
}

export interface ParseResult {
  root: RawObject;
  diagnostics: Diagnostic[];
  files: string[];
  /** packed positions of an object's keywords */
  at(obj: object): Positions | undefined;
  /** decode a packed position */
  pos(packed: number): Pos;
  /** the kept blocks (with ParseOptions.reuse) */
  blocks?: BlockCache;
  /** blocks of `previous` handed back */
  reused: number;
  /** block headers of `previous` replayed (ReusePolicy.headers) */
  reusedHeaders: number;
  /** logical lines the parser was handed (a reload's work: what reuse did not skip) */
  linesRead: number;
  /**
   * A block was handed back under a parent whose settings differ from last time: the model
   * checks could treat it differently, so this result must not be used (parse again without
   * `previous`). Nothing was checked, so no previous object was changed.
   */
  reuseFailed: boolean;
  /**
   * False when no object of the result holds a value of `keyword`: known for the deny keywords of
   * ParseOptions.reuse's policy (a reused block never holds one, and this parse stored none), so
   * the checks may skip walking every real server for them. True when it is not known.
   */
  mayHold(keyword: string): boolean;
  /**
   * For a block (a virtual_server) that got kept blocks of ParseOptions.reuse back, all from one
   * block of the previous parse: that block's object (checked, in the previous model), and the
   * kept keywords' blocks read anew inside this one (changed or added), in order. Everything else
   * of the kept keywords inside it is handed back, unchanged (see config/load.ts).
   */
  reuseOf(block: object): ReuseInfo | undefined;
  /**
   * Keeps `value` with a block holding kept blocks (a virtual_server), for the next parse that
   * reuses this one's blocks: its reuseOf(...).note there. What a check found of the block as
   * it let it through (the virtual_server checks' aggregate of its real servers); one value per
   * block. Kept only when the blocks are (ParseOptions.reuse).
   */
  note(block: object, value: unknown): void;
}

/** ParseResult.reuseOf's answer */
export interface ReuseInfo {
  /** the previous parse's block (checked, in the previous model) */
  readonly previous: RawObject;
  /** the kept keywords' blocks read anew inside this one, in order */
  readonly fresh: readonly RawObject[];
  /** what the previous load noted for `previous` (ParseResult.note), or undefined */
  readonly note: unknown;
}

/** a block holding kept blocks, as settled: its number in the cache, what it got back */
interface ParentEntry extends ReuseInfo {
  readonly idx: number;
}

interface Frame {
  spec: BlockSpec | null; // null: a value block of data lines
  /** the block's tables, looked up once per block, not per line (null for a value block) */
  info: BlockInfo | null;
  kw: KeywordSpec | null;
  obj: RawObject;
  items: unknown[] | null;
  needBob: boolean;
  /** the words of the block's keyword line (see headOf) */
  head: string | null;
  /** head is null and this is set: the line is src[headStart, headEnd), sliced when a message needs it */
  headSrc: string | null;
  headStart: number;
  headEnd: number;
  /** positions of the object's keywords: field, packed, field, packed... (null: not tracked) */
  pos: Array<string | number> | null;
  /** keywords seen in this block that an `after` or `onceMessage` rule asks about -> first word */
  seen: Map<string, string> | null;
  /** value blocks: items this occurrence added, for LineSpec.emptyMessage (duplicateMessage is
   * judged by the config checks, which know the owning instance for keepalived's wording) */
  added: number;
  /** packed position of the keyword that opened the block (value blocks report empty ones there) */
  at: number;
  /** a block being kept (ParseOptions.reuse): offset of its keyword line, else -1 */
  recStart: number;
  /** the file text recStart is in, and the line, counters and diagnostics when it opened */
  recSrc: string;
  recLine: number;
  recIrr: number;
  recGen: number;
  recDeny: number;
  recDiag: number;
  /**
   * A block whose leading lines are recorded (ReusePolicy.headers): offset of its keyword line
   * until the first kept block inside it starts (see endHeader), else -1; its text, line, counters
   */
  hdrStart: number;
  hdrSrc: string;
  hdrLine: number;
  hdrIrr: number;
  /** (beyondCount when it opened) */
  hdrGen: number;
  hdrDiag: number;
  /** parent number (BlockCacheBuilder.parent) once a kept block is directly inside, else -1 */
  sigIdx: number;
  /** the parent signature the blocks handed back inside this one had (hasExpect: some were) */
  expect: string | null;
  hasExpect: boolean;
  /** the previous parse's parent of the blocks handed back inside this one (null: more than one) */
  prevParent: RawObject | null | undefined;
  /** its number in the previous cache (while prevParent is one) */
  prevParentIdx: number;
  /** the kept keywords' blocks read anew inside this one, when some were handed back */
  fresh: RawObject[] | null;
  /**
   * The header this block was opened with (replayHeader), while every line after it was a kept
   * block: its parent signature is the header's (HeaderRecord.sig). Null once another line stored
   * something in the block, or took the general path in it.
   */
  replayed: HeaderRecord | null;
}

interface Defaults {
  /** object holding the scalar defaults; new block objects start as a copy of it */
  template: RawObject;
  /** the template has no field (a new block object is a plain {}) */
  empty: boolean;
  /** defaults that are objects or arrays: copied into each block when it closes, if absent */
  structured: Array<[string, unknown]>;
}

/**
 * The fast lane: a simple line (see LogicalLine.simple) whose keyword needs nothing but its words
 * converted and stored — no order rule, once-only or deprecation message, warning — is handled
 * straight from the reader's word offsets. Anything else, and any value that does not parse,
 * takes the general path, which reports exactly as before.
 */
const enum Fast { None = 0, Value = 1, Flag = 2, Block = 3, Convert = 4, ConvertBlock = 5, ArgsBlock = 6 }
interface FastEntry {
  /** the spelling (name or alias) */
  word: string;
  kw: KeywordSpec;
  how: Fast;
  /** model field the keyword writes */
  field: string;
  /** the block it opens (Block, ConvertBlock, ArgsBlock) */
  block: BlockSpec | null;
  /** infoOf(block), filled in on first use */
  info: BlockInfo | null;
  /** what `policy` says of the keyword (kept, denied), remembered: no set lookup per line */
  policy: ReusePolicy | null;
  keep: boolean;
  deny: boolean;
  /** its blocks' leading lines are recorded and replayed (ReusePolicy.headers) */
  header: boolean;
}

/** What the parser needs of a block spec, built once per spec. */
interface BlockInfo {
  /** keyword table (names and aliases) */
  keywords: Map<string, KeywordSpec>;
  /** keyword names whose presence later keywords ask about */
  watched: Set<string>;
  /** keyword hash -> fast-lane entry (null where two spellings share a hash: general path) */
  fast: Map<number, FastEntry | null>;
  defaults: Defaults;
  /** a new object of this block, its scalar defaults filled in (see newObjectMaker) */
  newObject(): RawObject;
}

/**
 * The maker of one kind of block object. Its objects are plain objects (their prototype is
 * Object.prototype), but made by a constructor of their own: V8 sizes them by the first ones
 * made, so a block's keywords sit in the object itself, not in a second property store that
 * grows as keywords are added (fewer objects for the GC at 100,000 real servers).
 */
function newObjectMaker(defaults: Defaults): () => RawObject {
  const Block = function (): void { /* fields are added by the parser */ } as unknown as { new (): RawObject; prototype: object };
  Block.prototype = Object.prototype;
  const template = defaults.template;
  return defaults.empty ? () => new Block() : () => Object.assign(new Block(), template);
}

function fastHow(kw: KeywordSpec, watched: Set<string>): Fast {
  if (kw.unknownToKeepalived || kw.deprecated || kw.after || kw.onceMessage || kw.lines || kw.merge) return Fast.None;
  if (watched.has(kw.name) || kw.support.status === 'accepted' || kw.name === 'include_check') return Fast.None;
  if (kw.convert) return kw.block ? Fast.ConvertBlock : Fast.Convert;
  const args = kw.args ?? NO_ARGS;
  if (kw.block) return args.length === 0 ? Fast.Block : args.some((a) => a.rest) ? Fast.None : Fast.ArgsBlock;
  if (kw.flag) return args.length === 0 ? Fast.Flag : Fast.None;
  if (args.length === 1 && args[0].name === 'value' && !args[0].rest) return Fast.Value;
  return Fast.None;
}

const infoCache = new WeakMap<BlockSpec, BlockInfo>();
/** (small on purpose: the table is built once by buildInfo, out of the way of V8's optimiser) */
function infoOf(spec: BlockSpec): BlockInfo {
  return infoCache.get(spec) ?? buildInfo(spec);
}

function buildInfo(spec: BlockSpec): BlockInfo {
  const keywords = new Map<string, KeywordSpec>();
  const watched = new Set<string>();
  const defaults: Defaults = { template: {}, empty: true, structured: [] };
  for (const k of spec.keywords) {
    keywords.set(k.name, k);
    for (const a of k.aliases ?? []) keywords.set(a, k);
    if (k.onceMessage) watched.add(k.name);
    if (k.after) watched.add(k.after.keyword);
    if (k.default === undefined) continue;
    const field = k.field ?? k.name;
    if (k.default !== null && typeof k.default === 'object') defaults.structured.push([field, k.default]);
    else {
      defaults.template[field] = k.default;
      defaults.empty = false;
    }
  }
  const fast = new Map<number, FastEntry | null>();
  for (const kw of spec.keywords) {
    const how = fastHow(kw, watched);
    for (const word of [kw.name, ...(kw.aliases ?? [])]) {
      const h = keywordHash(word);
      fast.set(h, fast.has(h) ? null : { word, kw, how, field: kw.field ?? kw.name, block: kw.block ?? null, info: null, policy: null, keep: false, deny: false, header: false });
    }
  }
  const info: BlockInfo = { keywords, watched, fast, defaults, newObject: newObjectMaker(defaults) };
  infoCache.set(spec, info);
  return info;
}

/** A word of the fast lane read by its type, or NO_VALUE where parse() does not accept it. */
function valueAt(type: ValueType, src: string, start: number, end: number): unknown {
  if (type.at !== undefined) {
    const v = type.at(src, start, end);
    if (v !== NO_VALUE) return v;
  }
  const r = type.parse(src.slice(start, end));
  return r.ok ? r.value : NO_VALUE;
}

/** Keyword (or alias) of a block. */
export function lookupKeyword(spec: BlockSpec, word: string): KeywordSpec | undefined {
  return infoOf(spec).keywords.get(word);
}

const defaultsOf = (spec: BlockSpec): Defaults => infoOf(spec).defaults;

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
  const diagnostics: Diagnostic[] = generalArray();
  const warnedAccepted = new Set<KeywordSpec>();
  const reader = new ConfigReader(file, {
    configId: opts.configId,
    includeCheck: opts.allConfig ? INC_R | INC_M | INC_W | INC_B : 0,
    report: (d) => diagnostics.push(d),
  });
  keepShape('reader', reader);
  opts.onRead?.();
  // Keyword positions cost memory and GC time at 100,000 real servers; the config loader asks
  // for them only when it has a problem to point at (it parses again with them).
  const track = opts.positions !== false;
  const positions = new Map<object, Array<string | number>>();
  const rootObj: RawObject = { ...defaultsOf(root).template };
  const rootPos: Array<string | number> | null = track ? [] : null;
  if (rootPos) positions.set(rootObj, rootPos);
  const frame = (spec: BlockSpec | null, kw: KeywordSpec | null, obj: RawObject, items: unknown[] | null, head: string | null, pos: Array<string | number> | null, at: number): Frame =>
    ({ spec, info: spec ? infoOf(spec) : null, kw, obj, items, needBob: spec !== root, head, headSrc: null, headStart: 0, headEnd: 0, pos, seen: null, added: 0, at,
      recStart: -1, recSrc: '', recLine: 0, recIrr: 0, recGen: 0, recDeny: 0, recDiag: 0, hdrStart: -1, hdrSrc: '', hdrLine: 0, hdrIrr: 0, hdrGen: 0, hdrDiag: 0, sigIdx: -1, expect: null, hasExpect: false, prevParent: undefined, prevParentIdx: -1, fresh: null, replayed: null });
  // Frames the fast lane opens are reused by depth (a frame at depth d is off the stack when the
  // next one at d opens): no frame object per block of 100,000 real servers.
  const framePool: Frame[] = generalArray();
  const stack: Frame[] = [frame(root, null, rootObj, null, null, rootPos, 0)];
  // Block reuse (grammar/reuse.ts): kept records of this parse, the previous parse's, and a cursor
  // into those (blocks usually come back in the same order)
  const policy = !track && opts.reuse ? opts.reuse.policy : null;
  const previous = policy !== null ? opts.reuse?.previous ?? null : null;
  const out = policy !== null ? new BlockCacheBuilder(policy, previous?.length) : null;
  if (out !== null) keepShape('block cache builder', out);
  let cursor = 0;
  // records of `previous` handed back in this parse (one object is never in the model twice)
  const used = previous !== null ? new Uint8Array(previous.length) : null;
  let usedEnd = 0; // (no record at or after it is used)
  let reused = 0;
  let reusedHeaders = 0;
  let headerCursor = 0; // (into previous.headerOrder: the next header expected)
  let reuseFailed = false;
  const denied = policy !== null ? new Set<string>() : null;
  /** ParseResult.reuseOf: blocks that got kept blocks back, and what from */
  const parents = new Map<object, ParentEntry>();
  let adopting = false; // (store() called by adopt(): not a block read anew)
  let recOpen = 0; // kept blocks open (they do not nest in practice)
  let generalCount = 0; // lines that took the general path
  // lines with an effect beyond their block (include_check, a once-per-parse warning, a denied
  // keyword noted for mayHold): a block holding one is never replayed
  let beyondCount = 0;
  let denyCount = 0; // denied keywords seen while a kept block was open
  let skipDepth = 0; // inside the block of an unknown keyword
  let skipPending = false; // an unknown keyword was just seen; a '{' on the next line opens its block

  let line: LogicalLine | null = null;
  const pool: Word[] = []; // the current line's words, reused from line to line
  let nw = 0;
  /** fresh copies of words [from, nw) for code that keeps them */
  const keep = (from: number): Word[] => {
    const out: Word[] = new Array(Math.max(nw - from, 0));
    for (let i = from; i < nw; i++) out[i - from] = { text: pool[i].text, col: pool[i].col, quoted: pool[i].quoted };
    return out;
  };
  const posOf = (l: LogicalLine, col: number): Pos => ({ file: reader.files[l.fileId] ?? file, line: l.line, col: col || 1 });
  const report = (cls: ErrClass, message: string, col: number, keyword?: string, level: 'error' | 'warning' = 'error') => {
    const top = stack[stack.length - 1];
    diagnostics.push({ cls, level, message, pos: line ? posOf(line, col) : undefined, keyword, block: headOf(top) ?? undefined });
  };

  const files = reader.files;
  const decode = (p: number): Pos => {
    const q = p - PACK_BIAS;
    const fileId = Math.floor(q / FILE_SHIFT);
    const rem = q - fileId * FILE_SHIFT;
    return { file: files[fileId] ?? file, line: Math.floor(rem / LINE_SHIFT), col: rem % LINE_SHIFT || 1 };
  };
  const onSplitError = (e: { message: string; col: number }) => report(ErrClass.UnmatchedQuote, e.message, e.col);
  // One converter context for all calls (converters report only while they run, one at a time):
  // no two objects allocated per converted line.
  let ctxKwName = '';
  let ctxKwCol = 0;
  const convertCtx: ConvertCtx = {
    report: (cls, message, w, level) => report(cls, message, w ? w.col : ctxKwCol, ctxKwName, level ?? 'error'),
  };
  const ctxFor = (kw: KeywordSpec, kwCol: number): ConvertCtx => {
    ctxKwName = kw.name;
    ctxKwCol = kwCol;
    return convertCtx;
  };

  /** Parses the words after the keyword (pool[1..nw)) into its value, or FAIL after reporting why. */
  const valueOf = (kw: KeywordSpec): unknown => {
    const kwWord = pool[0];
    if (kw.convert) {
      const v = kw.convert(keep(1), ctxFor(kw, kwWord.col));
      return v === undefined ? FAIL : v;
    }
    const specs = kw.args ?? NO_ARGS;
    const nargs = nw - 1;
    if (kw.flag && specs.length === 0) {
      if (kw.flagArg && nargs > 0) {
        const t = pool[1].text;
        if (t === 'true' || t === 'on' || t === 'yes') return true;
        if (t === 'false' || t === 'off' || t === 'no') return false;
        report(ErrClass.General, `invalid value '${t}' for ${kw.name} - expected true/false`, pool[1].col, kw.name);
        return FAIL;
      }
      return true;
    }
    // Fast path: one `value` argument and nothing more on the line (most keywords).
    if (specs.length === 1 && nargs === 1 && specs[0].name === 'value' && !specs[0].rest) {
      const r = specs[0].type.parse(pool[1].text);
      if (r.ok) return r.value;
      report(r.cls, r.message, pool[1].col, kw.name);
      return FAIL;
    }
    const args = keep(1);
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
    if (!ok) return FAIL;
    if (specs.length === 1 && specs[0].name === 'value') return out.value;
    return out;
  };

  const store = (f: Frame, kw: KeywordSpec, value: unknown, packed: number) => {
    const field = kw.field ?? kw.name;
    const obj = f.obj;
    if (kw.repeatable) {
      const arr = obj[field];
      if (Array.isArray(arr)) arr.push(value);
      else obj[field] = [value];
    } else obj[field] = value;
    if (f.pos) f.pos.push(field, packed);
    if (f.replayed !== null && !(policy as ReusePolicy).keywords.has(kw.name)) f.replayed = null;
    if (denied !== null && (policy as ReusePolicy).deny.has(kw.name)) {
      denied.add(kw.name);
      beyondCount++; // (ParseResult.mayHold: a replayed copy would hold one unnoted)
    }
    if (previous !== null && !adopting && (policy as ReusePolicy).keywords.has(kw.name)) (f.fresh ??= generalArray()).push(value as RawObject);
  };

  const closeFrame = (f: Frame) => {
    if (f.info !== null) {
      const st = f.info.defaults.structured;
      for (let i = 0; i < st.length; i++) if (!(st[i][0] in f.obj)) f.obj[st[i][0]] = cloneDefault(st[i][1]);
    }
  };

  const words = reader.words;
  // String values repeat (`path /health` on 100,000 urls): one copy each, up to a bound.
  const interned = new Map<string, string>();
  const intern = (v: string): string => {
    const had = interned.get(v);
    if (had !== undefined) return had;
    if (interned.size < MAX_INTERNED && v.length <= 64) interned.set(v, v);
    return v;
  };
  /** Words [from, count) of the current simple line, for a converter. */
  const simpleWords = (from: number, l: LogicalLine): Word[] => {
    const b = words.bounds;
    const out: Word[] = new Array(words.count - from);
    for (let i = from; i < words.count; i++) out[i - from] = { text: words.src.slice(b[2 * i], b[2 * i + 1]), col: l.col + b[2 * i] - words.start, quoted: false };
    return out;
  };
  /**
   * Pushes the frame of a block the fast lane opened, its label the keyword line (`word`: the
   * keyword alone). Frames are reused by depth (a frame at depth d is off the stack when the next
   * one at d opens): no frame object per block of 100,000 real servers.
   */
  const openFrame = (block: BlockSpec, info: BlockInfo, kw: KeywordSpec, obj: RawObject, pos: Array<string | number> | null, packed: number, word: string | null): Frame => {
    const depth = stack.length;
    let f = framePool[depth];
    if (f === undefined) {
      f = frame(block, kw, obj, null, null, pos, packed);
      framePool[depth] = f;
    } else {
      f.spec = block;
      f.info = info;
      f.kw = kw;
      f.obj = obj;
      f.items = null;
      f.needBob = true;
      f.pos = pos;
      f.seen = null;
      f.added = 0;
      f.at = packed;
      f.recStart = -1;
      f.hdrStart = -1;
      f.sigIdx = -1;
      f.hasExpect = false;
      f.prevParent = undefined;
      f.prevParentIdx = -1;
      f.fresh = null;
      f.replayed = null;
    }
    if (word !== null) {
      f.head = word;
      f.headSrc = null;
    } else {
      f.head = null;
      f.headSrc = words.src;
      f.headStart = words.start;
      f.headEnd = words.end;
    }
    stack.push(f);
    return f;
  };
  /**
   * The keyword line of a block whose leading lines the previous parse recorded (endHeader): when
   * the text here is that header, byte for byte, it is skipped and the block opened with the
   * fields those lines gave (copies), and what they left for later lines' order rules (`seen`),
   * as reading them would: only plain source lines without a diagnostic or an effect outside the
   * block were recorded, and such a line means its text alone.
   */
  const replayHeader = (top: Frame, e: FastEntry, l: LogicalLine): boolean => {
    const prevCache = previous as BlockCache;
    // (the header the previous parse met next, mostly this one: its text compared, no line
    // sliced and hashed for the lookup by keyword line)
    const order = prevCache.headerOrder;
    let h: HeaderRecord | undefined = headerCursor < order.length ? order[headerCursor] : undefined;
    let at = h !== undefined ? reader.findAt(h.text, true) : -1;
    if (at >= 0) headerCursor++;
    else {
      h = prevCache.headers.get(reader.sourceLine());
      if (h === undefined) return false;
      at = reader.findAt(h.text, true);
      if (at < 0) return false;
      // (in order again from here, when it is a little further on: blocks removed or moved)
      for (let k = headerCursor; k < order.length && k < headerCursor + 8; k++) {
        if (order[k] === h) {
          headerCursor = k + 1;
          break;
        }
      }
    }
    if (h === undefined) return false; // (found above: for the compiler)
    reader.skip(at, h.text.length, h.lines, true, h.whole ? 0 : 1);
    const info = (e.info ??= infoOf(e.block as BlockSpec));
    const obj = info.newObject();
    const fields = h.fields;
    for (let i = 0; i < fields.length; i += 2) {
      const v = fields[i + 1];
      obj[fields[i] as string] = v !== null && typeof v === 'object' ? cloneDefault(v) : v;
    }
    store(top, e.kw, obj, 0);
    if (h.whole) {
      // the whole block, its `}` included: closed as it was
      (out as BlockCacheBuilder).header(h);
      reusedHeaders++;
      return true;
    }
    const f = openFrame(e.block as BlockSpec, info, e.kw, obj, null, pack(l.fileId, l.line, l.col), words.count === 1 ? e.word : null);
    f.needBob = false; // (its `{` was in the header)
    if (h.seen !== null) f.seen = new Map(h.seen);
    f.replayed = h;
    (out as BlockCacheBuilder).header(h);
    reusedHeaders++;
    // its first blocks may follow as they were (a kept keyword of this block, where the cursor is)
    const prev = previous as BlockCache;
    if (cursor < prev.length) {
      const k = prev.kw(cursor);
      if (info.keywords.get(k.name) === k) continueRuns(f, k);
    }
    return true;
  };
  /**
   * The first kept block inside `top` starts at line `l`: top's lines before it are its header,
   * recorded for the next parse when they were all plain source lines (nothing preprocessed,
   * expanded or included), in one text, without a diagnostic or an effect beyond the block
   * (include_check, the once-only 'accepted' warning), and gave fields a copy can stand for (see
   * headerFields).
   */
  const endHeader = (top: Frame, l: LogicalLine): void => {
    const start = top.hdrStart;
    top.hdrStart = -1;
    if (reader.irregular !== top.hdrIrr || beyondCount !== top.hdrGen || diagnostics.length !== top.hdrDiag) return;
    const src = top.hdrSrc;
    if (words.src !== src || l.line <= top.hdrLine) return;
    const fields = headerFields(top.obj);
    if (fields === null) return;
    const head = src.slice(start, src.indexOf('\n', start) + 1);
    const seen = top.seen === null ? null : [...top.seen];
    (out as BlockCacheBuilder).header({ head, text: src.slice(start, reader.lineStart), lines: l.line - top.hdrLine, fields, seen, whole: false });
  };
  /**
   * A block whose header was still being recorded closed (no kept block inside it: a
   * vrrp_instance): the whole block, its `}` line included, recorded on the same terms as a
   * header, its fields as they are once closed (defaults filled in).
   */
  const endWhole = (f: Frame): void => {
    const start = f.hdrStart;
    f.hdrStart = -1;
    if (line === null || reader.irregular !== f.hdrIrr || beyondCount !== f.hdrGen || diagnostics.length !== f.hdrDiag) return;
    const src = f.hdrSrc;
    const end = reader.lineEndIn(src);
    if (end < 0 || src.charCodeAt(end - 1) !== 10) return;
    const fields = headerFields(f.obj);
    if (fields === null) return;
    const head = src.slice(start, src.indexOf('\n', start) + 1);
    (out as BlockCacheBuilder).header({ head, text: src.slice(start, end), lines: line.line - f.hdrLine + 1, fields, seen: null, whole: true });
  };
  /** The fast lane (see Fast): true when the line is done, false to take the general path. */
  const fastLine = (top: Frame, e: FastEntry, l: LogicalLine): boolean => {
    const b = words.bounds;
    const src = words.src;
    // (startsWith, a builtin: faster than a loop of our own while this still runs unoptimised)
    if (b[1] - b[0] !== e.word.length || !src.startsWith(e.word, b[0])) return false;
    const kw = e.kw;
    const n = words.count;
    if (policy !== null && e.policy !== policy) {
      e.policy = policy;
      e.keep = policy.keywords.has(kw.name);
      e.deny = policy.deny.has(kw.name);
      e.header = policy.headers?.has(kw.name) ?? false;
    }
    if (recOpen !== 0 && e.deny) denyCount++;
    switch (e.how) {
      case Fast.Value: {
        if (n !== 2) return false;
        const v = valueAt((kw.args as NonNullable<KeywordSpec['args']>)[0].type, src, b[2], b[3]);
        if (v === NO_VALUE) return false;
        store(top, kw, typeof v === 'string' ? intern(v) : v, top.pos ? pack(l.fileId, l.line, l.col) : 0);
        return true;
      }
      case Fast.Flag:
        if (n !== 1) return false;
        store(top, kw, true, top.pos ? pack(l.fileId, l.line, l.col) : 0);
        return true;
      case Fast.Convert: {
        // a converter reports its own problems: only the line's words differ from the general path
        const v = (kw.convert as NonNullable<KeywordSpec['convert']>)(simpleWords(1, l), ctxFor(kw, l.col));
        if (v !== undefined) store(top, kw, v, top.pos ? pack(l.fileId, l.line, l.col) : 0);
        return true;
      }
      case Fast.Block:
      case Fast.ConvertBlock:
      case Fast.ArgsBlock: {
        if (e.how === Fast.Block && n !== 1) return false;
        if (e.header && previous !== null && replayHeader(top, e, l)) return true;
        const diag0 = diagnostics.length; // (a converter's warning about the keyword line)
        let nvals = -1;
        if (e.how === Fast.ArgsBlock) {
          // `real_server IP PORT {`: every argument parses, none missing or extra (else the
          // general path, which reports)
          const specs = kw.args as NonNullable<KeywordSpec['args']>;
          if (n - 1 > specs.length) return false;
          nvals = 0;
          for (let i = 0; i < specs.length; i++) {
            if (i + 1 >= n) {
              if (!specs[i].optional) return false;
              break;
            }
            const v = valueAt(specs[i].type, src, b[2 * i + 2], b[2 * i + 3]);
            if (v === NO_VALUE) return false;
            argVals[nvals++] = v;
          }
        }
        const keep = policy !== null && e.keep;
        if (keep && top.hdrStart >= 0) endHeader(top, l);
        if (keep && previous !== null && reuseAt(top, kw)) {
          for (let i = 0; i < nvals; i++) argVals[i] = undefined;
          return true;
        }
        const packed = pack(l.fileId, l.line, l.col);
        const block = e.block as BlockSpec;
        const info = (e.info ??= infoOf(block));
        const obj: RawObject = info.newObject();
        let pos: Array<string | number> | null = null;
        if (track) {
          pos = ['$', packed];
          positions.set(obj, pos);
        }
        if (e.how === Fast.ConvertBlock) {
          const v = (kw.convert as NonNullable<KeywordSpec['convert']>)(simpleWords(1, l), ctxFor(kw, l.col));
          if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(obj, v);
        } else if (nvals >= 0) {
          // what the general path's Object.assign of {arg: value...} (or `value`) gives
          const specs = kw.args as NonNullable<KeywordSpec['args']>;
          if (specs.length === 1 && specs[0].name === 'value') obj.value = argVals[0];
          else for (let i = 0; i < nvals; i++) obj[specs[i].name] = argVals[i];
          for (let i = 0; i < nvals; i++) argVals[i] = undefined;
        }
        store(top, kw, obj, packed);
        const f = openFrame(block, info, kw, obj, pos, packed, n === 1 ? e.word : null);
        if (keep) {
          f.recStart = reader.lineStart;
          f.recSrc = src;
          f.recLine = l.line;
          f.recIrr = reader.irregular;
          f.recGen = generalCount;
          f.recDeny = denyCount;
          f.recDiag = diagnostics.length;
          recOpen++;
        }
        if (policy !== null && e.header) {
          f.hdrStart = reader.lineStart;
          f.hdrSrc = src;
          f.hdrLine = l.line;
          f.hdrIrr = reader.irregular;
          f.hdrGen = beyondCount;
          f.hdrDiag = diag0;
        }
        return true;
      }
      default:
        return false;
    }
  };
  /** where block i of the previous parse is at the keyword line just read (reader.findAt), else -1 */
  const blockAt = (prev: BlockCache, i: number): number => {
    const from = prev.start(i);
    return reader.textAt(prev.srcOf(prev.segOf(i)), from, from + prev.size(i), true);
  };
  /**
   * The kept block whose keyword line (`kw`, in `top`) was just read: when the previous parse had
   * a block of the same text here, its object is stored instead and the text skipped, and so are
   * the blocks of the previous parse that follow it in both texts.
   */
  const reuseAt = (top: Frame, kw: KeywordSpec): boolean => {
    const prev = previous as BlockCache;
    const n = prev.length;
    let i = cursor;
    let at = i < n && prev.kw(i) === kw && usable(i) ? blockAt(prev, i) : -1;
    if (at < 0) {
      if (i < n && reader.sourceLine() === prev.head(i)) {
        cursor = i + 1; // the same block, changed: read it
        return false;
      }
      i = prev.indexOfHead(reader.sourceLine());
      if (i < 0 || prev.kw(i) !== kw || !usable(i)) return false;
      at = blockAt(prev, i);
      if (at < 0) return false;
    }
    reader.skip(at, prev.size(i), prev.lines(i), true);
    adopt(top, kw, i, i + 1, reader.currentText(), at);
    continueRuns(top, kw);
    return true;
  };
  /**
   * The blocks of the previous parse from `cursor` on, where the next lines to read are their
   * text: handed back into `top`, a segment at a time: the rest of the old segment compared
   * whole, else its longest matching part found by halving over its blocks, each compare only
   * of blocks not matched yet: ~8 compares per 100 blocks with one changed, the text compared
   * about twice (galloping, 1, 2, 4... blocks then halving the step, took ~14).
   * Called where a run may start: after a block found (reuseAt), after a kept block read anew
   * closed, after a header replayed; nothing is read when the text differs.
   */
  const continueRuns = (top: Frame, kw: KeywordSpec): void => {
    const prev = previous as BlockCache;
    const n = prev.length;
    const src = reader.currentText();
    const u = used as Uint8Array;
    for (;;) {
      const i = cursor;
      if (i >= n || prev.kw(i) !== kw || !usable(i)) return;
      let j = prev.segEnd(prev.segOf(i));
      // (a used record in the segment ends it; only those below usedEnd are looked at: a scan to
      // the array's end per run was ~1 MB of bytes per reload at 10,000 blocks)
      if (usedEnd > i) {
        const taken = u.subarray(i, Math.min(j, usedEnd)).indexOf(1);
        if (taken >= 0) j = i + taken;
      }
      const seg = prev.segOf(i);
      const old = prev.srcOf(seg);
      // the whole rest first, one compare for an unchanged run, the most common; else the longest
      // matching part by halving over the blocks, each compare only of blocks not matched yet
      const d = prev.data;
      const base = prev.segs.base[seg];
      const from = base + d[i * STRIDE + START];
      // (where the next line starts, asked once for the run's compares: reader.textAt's answer
      // for each, without its checks of the reader's state and its walk to the current file)
      const start = reader.nextTextAt();
      if (start < 0) return;
      let ok = i; // blocks i .. ok - 1 are found
      if (sameTextAt(src, start, old, from, base + d[(j - 1) * STRIDE + END])) ok = j;
      else {
        let hi = j; // (blocks i .. hi - 1 do not all match)
        let done = from; // where block ok starts (blocks i .. ok - 1 matched)
        while (hi - ok > 1) {
          const mid = (ok + hi) >> 1;
          const to = base + d[(mid - 1) * STRIDE + END];
          if (sameTextAt(src, start + done - from, old, done, to)) {
            ok = mid;
            done = to;
          } else hi = mid;
        }
      }
      if (ok === i) return;
      reader.skip(start, prev.start(ok - 1) + prev.size(ok - 1) - prev.start(i), prev.linesOf(i, ok), false);
      adopt(top, kw, i, ok, src, start);
      if (ok < j) return;
    }
  };
  /** block i of the previous parse may be handed back (not yet, and its parent was settled) */
  const usable = (i: number): boolean => (used as Uint8Array)[i] === 0 && (previous as BlockCache).parentSig(i) !== null;
  const parentOf = (f: Frame): number => (f.sigIdx >= 0 ? f.sigIdx : (f.sigIdx = (out as BlockCacheBuilder).parent(f.obj)));
  /** blocks i .. j - 1 of the previous parse, found at `start` in `src`: their objects stored in top, and kept */
  const adopt = (top: Frame, kw: KeywordSpec, i: number, j: number, src: string, start: number): void => {
    const prev = previous as BlockCache;
    const sig = prev.parentSig(i); // (blocks that follow one another share their parent)
    if (!top.hasExpect) {
      top.hasExpect = true;
      top.expect = sig;
    } else if (top.expect !== sig) reuseFailed = true; // (one parent cannot match both)
    const objs = prev.objs;
    const pp = prev.parentObj(i);
    top.prevParent = top.prevParent === undefined || top.prevParent === pp ? pp ?? null : null;
    top.prevParentIdx = prev.parentOf(i);
    adopting = true;
    const field = kw.field ?? kw.name;
    const list = kw.repeatable ? top.obj[field] : null;
    if (Array.isArray(list)) pushRange(list, objs, i, j);
    else if (list === undefined && top.pos === null && !(policy as ReusePolicy).deny.has(kw.name)) {
      // the block's first ones: its list is one slice of them (what store() would make and grow
      // a block at a time; a kept keyword is not denied and changes no replayed header)
      top.obj[field] = objs.slice(i, j);
    } else for (let k = i; k < j; k++) store(top, kw, objs[k], 0);
    adopting = false;
    (used as Uint8Array).fill(1, i, j);
    if (j > usedEnd) usedEnd = j;
    (out as BlockCacheBuilder).addRun(prev, i, j, src, start - prev.start(i), parentOf(top));
    reused += j - i;
    cursor = j;
  };
  /** A kept block just closed: recorded when its meaning is its text alone (see grammar/reuse.ts). */
  const keepBlock = (f: Frame, parent: Frame): void => {
    recOpen--;
    const p = policy as ReusePolicy;
    if (reader.irregular !== f.recIrr || generalCount !== f.recGen || denyCount !== f.recDeny || diagnostics.length !== f.recDiag) return;
    if (line === null || !p.eligible(f.obj)) return;
    const src = f.recSrc;
    const end = reader.lineEndIn(src);
    if (end < 0 || src.charCodeAt(end - 1) !== 10) return;
    const headLen = src.indexOf('\n', f.recStart) - f.recStart + 1;
    (out as BlockCacheBuilder).add(src, f.recStart, end, line.line - f.recLine + 1, headLen, parentOf(parent), f.obj, f.kw as KeywordSpec);
  };
  /** A block holding kept blocks closed: its signature for them, checked against the reused ones'. */
  const settleParent = (f: Frame): void => {
    const h = f.replayed;
    let sig: string | null;
    if (h === null) sig = (policy as ReusePolicy).parentSignature(f.obj);
    else if (h.sig !== undefined) sig = h.sig;
    else sig = h.sig = (policy as ReusePolicy).parentSignature(f.obj);
    (out as BlockCacheBuilder).setSignature(f.sigIdx, sig);
    if (f.hasExpect && f.expect !== sig) reuseFailed = true;
    const pp = f.prevParent;
    const note = pp ? (previous as BlockCache).parentNote(f.prevParentIdx) : undefined;
    parents.set(f.obj, { previous: pp ?? NO_PARENT, fresh: f.fresh ?? NO_FRESH, note, idx: f.sigIdx });
  };
  /** `}` of the innermost open block. */
  const closeTop = (top: Frame) => {
    closeFrame(top);
    if (top.hdrStart >= 0) endWhole(top);
    stack.pop();
    if (top.recStart >= 0) {
      const parent = stack[stack.length - 1];
      keepBlock(top, parent);
      // (the next lines may be the previous parse's next blocks: the run after a changed one)
      if (previous !== null && skipDepth === 0) continueRuns(parent, top.kw as KeywordSpec);
    }
    if (top.sigIdx >= 0) settleParent(top);
    const empty = top.kw?.lines?.emptyMessage;
    if (empty && top.added === 0) {
      diagnostics.push({ cls: ErrClass.General, level: 'error', message: empty, pos: decode(top.at), keyword: top.kw?.name, block: headOf(stack[stack.length - 1]) ?? undefined });
    }
  };
  /** Everything but the fast lane and lone braces: words split, keyword rules, blocks, values. */
  const generalLine = (l: LogicalLine): void => {
    generalCount++;
    nw = splitWordsInto(reader.lineText(l), l.col, pool, onSplitError);
    if (nw === 0) return;
    const w0 = pool[0];
    const t0 = w0.text;

    if (skipPending) {
      skipPending = false;
      if (t0 === '{' && !w0.quoted) { skipDepth = 1; return; }
    }
    if (skipDepth > 0) {
      if (!w0.quoted && t0 === '{') skipDepth++;
      else if (!w0.quoted && t0 === '}') skipDepth--;
      return;
    }

    const top = stack[stack.length - 1];
    const level = stack.length - 1;
    top.replayed = null; // (a general line may change the block without store: merge, value blocks)
    if (top.needBob) {
      top.needBob = false;
      if (t0 === '{' && !w0.quoted) return;
      if (top.spec) report(ErrClass.MissingBob, "Missing '{' at beginning of configuration block", w0.col, top.kw?.name);
      else report(ErrClass.General, `'{' missing from beginning of block ${top.kw?.name}`, w0.col, top.kw?.name, 'warning');
    } else if (t0 === '{' && !w0.quoted) {
      report(ErrClass.UnexpectedBob, "Unexpected '{' - ignoring", w0.col);
      return;
    }
    if (t0 === '}' && !w0.quoted) {
      if (level > 0) closeTop(top);
      return; // (at the top level the reader already reported "Extra '}' found" here)
    }

    // A line inside a value block (virtual_ipaddress { ... }).
    if (!top.spec) {
      const conv = top.kw?.lines;
      if (conv && top.items) {
        const v = conv.convert(keep(0), ctxFor(top.kw as KeywordSpec, w0.col));
        if (v !== undefined) {
          top.items.push(v);
          top.added++;
        }
      }
      return;
    }

    const kw = (top.info as BlockInfo).keywords.get(t0);
    if (!kw || kw.unknownToKeepalived) {
      report(ErrClass.UnknownKeyword, `Unknown keyword '${t0}'${kw ? ` (${kw.unknownToKeepalived})` : ''}`, w0.col, t0);
      skipPending = true;
      return;
    }
    const packed = pack(l.fileId, l.line, w0.col);
    const dep = kw.deprecated?.[t0];
    if (dep) report(dep.level === 'error' ? ErrClass.Deprecated : ErrClass.Ok, dep.message, w0.col, t0, dep.level === 'error' ? 'error' : 'warning');
    if (kw.after) {
      const prev = top.seen?.get(kw.after.keyword);
      if (prev === undefined || (kw.after.values && !kw.after.values.includes(prev))) {
        report(ErrClass.General, kw.after.message, w0.col, kw.name);
        return;
      }
    }
    if (kw.onceMessage && top.seen?.has(kw.name)) {
      report(ErrClass.General, kw.onceMessage, w0.col, kw.name);
      if (!kw.onceMessage.endsWith('- replacing')) {
        if (kw.block || kw.lines) skipPending = true;
        return;
      }
    }
    const watched = (top.info as BlockInfo).watched;
    if (watched.size > 0 && watched.has(kw.name)) (top.seen ??= new Map()).set(kw.name, nw > 1 ? pool[1].text : '');
    if (kw.support.status === 'accepted' || kw.name === 'include_check') beyondCount++;
    if (kw.support.status === 'accepted' && !warnedAccepted.has(kw)) {
      warnedAccepted.add(kw);
      report(ErrClass.Ok, `'${kw.name}' is accepted but not implemented yet (${kw.support.later})`, w0.col, kw.name, 'warning');
    }
    if (kw.name === 'include_check') {
      const r = includeCheckFlags(keep(1), reader.includeCheckFlags);
      reader.setIncludeCheck(r.flags);
      for (const e of r.errors) report(ErrClass.General, e, w0.col, kw.name);
    }

    if (kw.block) {
      const field = kw.field ?? kw.name;
      let obj: RawObject;
      let pos: Array<string | number> | null = null;
      const existing = obj0(top.obj[field]);
      if (kw.merge && existing) {
        obj = existing;
        pos = positions.get(obj) ?? null;
      } else {
        obj = infoOf(kw.block).newObject();
        if (track) {
          pos = ['$', packed];
          positions.set(obj, pos);
        }
        if (kw.args?.length || kw.convert) {
          const v = valueOf(kw);
          if (v !== FAIL) {
            const single = !kw.convert && kw.args?.length === 1 && kw.args[0].name === 'value';
            if (single) obj.value = v;
            else if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(obj, v);
          }
        }
        store(top, kw, obj, packed);
      }
      stack.push(frame(kw.block, kw, obj, null, l.text, pos, packed));
      return;
    }
    if (kw.lines) {
      const field = kw.field ?? kw.name;
      if (kw.args?.length) {
        // virtual_server_group NAME { ... } -> { name, items: [...] }, one object per occurrence
        const v = valueOf(kw);
        const items: unknown[] = [];
        const obj: RawObject = v !== FAIL && v && typeof v === 'object' ? { ...(v as RawObject), items } : { items };
        if (v !== FAIL && kw.args.length === 1 && kw.args[0].name === 'value') obj.value = v;
        store(top, kw, obj, packed);
        stack.push(frame(null, kw, obj, items, l.text, top.pos, packed));
        return;
      }
      if (nw > 1) report(ErrClass.General, `Block ${t0} has extra parameters ${pool[1].text} ...`, pool[1].col, kw.name);
      const prev = top.obj[field];
      if (kw.repeatable && Array.isArray(prev)) {
        stack.push(frame(null, kw, top.obj, prev, l.text, top.pos, packed));
        return;
      }
      const items: unknown[] = [];
      top.obj[field] = items;
      if (top.pos) top.pos.push(field, packed);
      stack.push(frame(null, kw, top.obj, items, l.text, top.pos, packed));
      return;
    }
    const v = valueOf(kw);
    if (v !== FAIL) store(top, kw, v, packed);
  };
  let linesRead = 0;
  while ((line = reader.next()) !== null) {
    linesRead++;
    if (skipDepth === 0 && !skipPending) {
      if (line.simple) {
        const top = stack[stack.length - 1];
        const e = top.info !== null && !top.needBob ? top.info.fast.get(words.hash0) : undefined;
        if (e && e.how !== Fast.None && fastLine(top, e, line)) continue;
      } else if (line.text.length === 1) {
        // a brace line where one is expected: what the general path below does, without splitting
        const top = stack[stack.length - 1];
        const c = line.text.charCodeAt(0);
        if (c === 123 /* { */ && top.needBob) {
          top.needBob = false;
          continue;
        }
        if (c === 125 /* } */ && !top.needBob && stack.length > 1) {
          closeTop(top);
          continue;
        }
      }
    }
    generalLine(line);
  }
  line = null;

  // Point a missing '}' at the outermost block still open at the end of the input.
  const unclosed = stack.length > 1 ? stack[1] : undefined;
  while (stack.length > 1) {
    const f = stack.pop() as Frame;
    closeFrame(f);
    if (f.sigIdx >= 0) settleParent(f);
  }
  closeFrame(stack[0]);
  if (reader.openBlocks > 0) {
    diagnostics.push({
      cls: ErrClass.MissingEob, level: 'error', message: `There are ${reader.openBlocks} missing '}'s or extra '{'s`,
      pos: unclosed ? decode(unclosed.at) : undefined, block: unclosed ? headOf(unclosed) ?? undefined : undefined,
    });
  }
  const result: ParseResult = {
    root: rootObj,
    diagnostics,
    files,
    // (a field either way: one shape for every result, see shape-keeper.ts)
    blocks: out !== null ? out.build() : undefined,
    reused,
    reusedHeaders,
    linesRead,
    reuseFailed,
    reuseOf: (o) => {
      const e = parents.get(o);
      return e === undefined || e.previous === NO_PARENT ? undefined : e;
    },
    note: (o, value) => {
      const e = parents.get(o);
      if (e !== undefined) (out as BlockCacheBuilder).note(e.idx, value);
    },
    mayHold: (kw) => denied === null || denied.has(kw) || !(policy as ReusePolicy).deny.has(kw),
    at: (o) => {
      // (without positions the map is empty: no lookup, which would give every object an identity hash)
      if (!track) return undefined;
      const a = positions.get(o);
      if (!a) return undefined;
      const rec: Positions = {};
      for (let i = 0; i < a.length; i += 2) if (!((a[i] as string) in rec)) rec[a[i] as string] = a[i + 1] as number;
      return rec;
    },
    pos: decode,
  };
  keepShape('parse result', result);
  return result;
}

/** The label of a block: its keyword line. */
function headOf(f: Frame): string | null {
  if (f.head === null && f.headSrc !== null) {
    f.head = f.headSrc.slice(f.headStart, f.headEnd);
    f.headSrc = null;
  }
  return f.head;
}

/** Copy of a structured default (plain arrays and objects of scalars), so blocks never share one. */
function cloneDefault(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cloneDefault);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k in v as Record<string, unknown>) o[k] = cloneDefault((v as Record<string, unknown>)[k]);
    return o;
  }
  return v;
}

/** a scalar (no object, function or symbol) */
const scalar = (v: unknown): boolean => v === null || (typeof v !== 'object' && typeof v !== 'function' && typeof v !== 'symbol');

/**
 * A header's fields as [name, value, ...] (copies), when each value is a scalar or plain arrays
 * and objects of them: what cloneDefault copies whole, so a replayed block shares nothing with
 * the one the checks went on to change. Else null (not recorded).
 */
function headerFields(obj: RawObject): unknown[] | null {
  const out: unknown[] = [];
  for (const k in obj) {
    const v = obj[k];
    if (!plainData(v, 4)) return null;
    out.push(k, cloneDefault(v));
  }
  return out;
}

/** a scalar, or plain arrays and objects of them, `depth` levels deep at most */
function plainData(v: unknown, depth: number): boolean {
  if (scalar(v)) return true;
  if (depth === 0) return false;
  if (Array.isArray(v)) return v.every((x) => plainData(x, depth - 1));
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const x in v as RawObject) if (!plainData((v as RawObject)[x], depth - 1)) return false;
  return true;
}

function obj0(v: unknown): RawObject | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as RawObject) : undefined;
}

const NO_ARGS: NonNullable<KeywordSpec['args']> = [];
/** (ParentEntry.previous of a block that got nothing back) */
const NO_PARENT: RawObject = Object.freeze({});
const NO_FRESH: readonly RawObject[] = Object.freeze([]);
/** the fast lane's argument values of one block line (reused: no array per line) */
const argVals: unknown[] = new Array<unknown>(8).fill(undefined);
const MAX_INTERNED = 4096;
const FAIL = Symbol('invalid');


