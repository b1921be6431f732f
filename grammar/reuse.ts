// Block reuse between two parses of a config (the daemon's reloads): a block whose source text is
// the same as last time is skipped with one string comparison and its previous object is handed
// back, instead of being read line by line and built again.
//
// Only blocks whose meaning is their text alone are kept: every line of the block was a plain
// line (no comment, quote, $definition, @condition, ~SEQ, include: nothing that depends on the
// preprocessor's state or on another file) handled by the parser's fast lane, without a
// diagnostic. What the later model checks need from around the block (its parent's settings) is
// compared through the parent's signature: a parent that differs from last time makes the parse
// fail over to a full one (see ParseResult.reuseFailed).
//
// A policy may also name header keywords (virtual_server, vrrp_instance): such a block's lines
// before its first kept block (or the whole block, when it holds none) are recorded on the same
// terms, with what they gave, and the next parse meeting the same text skips it and opens the
// block with a copy of that (the block object itself is never kept: the checks change it).
//
// The records are numbers in one typed array (and the objects in one array): keeping 100,000
// blocks adds no object per block for the garbage collector (a config test keeps them too).
// They are grouped in segments, blocks that follow one another in one text under one parent,
// with offsets relative to the segment: a reload compares and copies a segment at a time, with
// native string and typed-array operations, never a loop over its blocks in JavaScript (which a
// daemon's first reload would run unoptimised).
import type { RawObject } from './parser.js';
import type { KeywordSpec } from './schema/types.js';
import { generalArray } from './general-array.js';

/** What the caller decides: which blocks may be kept and what their checks depend on. */
export interface ReusePolicy {
  /** keywords whose blocks are kept (e.g. real_server) */
  readonly keywords: ReadonlySet<string>;
  /** keywords that make an enclosing kept block unusable (their checks look beyond the block) */
  readonly deny: ReadonlySet<string>;
  /** a finished block object that may be kept (e.g. one its checks will not change) */
  eligible(obj: RawObject): boolean;
  /** the parent's settings the checks of a kept block read, or null: never reuse under it */
  parentSignature(parent: RawObject): string | null;
  /**
   * keywords (e.g. virtual_server) whose blocks' leading lines, up to the first kept block, are
   * recorded and, where the next parse meets the same text, skipped (see HeaderRecord)
   */
  readonly headers?: ReadonlySet<string>;
}

/**
 * A block's leading lines (its keyword line up to the first kept block inside it, or the whole
 * block when it holds none), recorded when
 * each was a plain source line without a diagnostic: the same text opens the same block again. The
 * block object itself is new each time (the checks change it): `fields` is what those lines gave
 * it, copied into a new one.
 */
export interface HeaderRecord {
  /** its keyword line, line end included (the key it is kept by: its hash is computed once) */
  readonly head: string;
  /** the lines, line ends included */
  readonly text: string;
  /** source lines */
  readonly lines: number;
  /** field, value, field, value... in the order the lines set them (defaults first) */
  readonly fields: readonly unknown[];
  /** the block's keywords later lines' order rules ask about, with their first word (or null) */
  readonly seen: ReadonlyArray<[string, string]> | null;
  /** the whole block, its `}` line included (it holds no kept block: closed when replayed) */
  readonly whole: boolean;
  /**
   * The parent signature (ReusePolicy.parentSignature) of a block opened by this header whose
   * other lines were all kept blocks: the same for every such block, so computed once (undefined
   * until then). A signature reads the parent's own settings, never its kept blocks.
   */
  sig?: string | null;
}

// one record, relative to its segment: start, end (the block's lines, keyword line to `}` line,
// line ends included), line of its start, source lines, length of the keyword line
const START = 0, END = 1, LINE = 2, LINES = 3, HEAD = 4, STRIDE = 5;
/** (for the parser's walk over a segment's records in BlockCache.data) */
export const RECORD_START = START, RECORD_END = END, RECORD_STRIDE = STRIDE;

/** Pushes src[i .. j) onto dst (in chunks: a spread of a huge array would overflow the stack). */
export function pushRange<T>(dst: T[], src: readonly T[], i: number, j: number): void {
  for (let a = i; a < j; a += 8192) dst.push(...src.slice(a, Math.min(j, a + 8192)));
}

interface Segments {
  /** first record of each segment (ascending) */
  first: number[];
  src: number[];
  base: number[];
  parent: number[];
  kw: KeywordSpec[];
}

/** The kept blocks of one parse, in file order. */
export class BlockCache {
  private byHead: Map<string, number> | null = null;
  /** the segment segOf found last (runs are walked in order: the next question is nearly always about it) */
  private lastSeg = 0;
  constructor(
    readonly policy: ReusePolicy,
    /** (for BlockCacheBuilder) the file texts, records and segments */
    readonly srcs: readonly string[],
    readonly data: Int32Array,
    readonly segs: Readonly<Segments>,
    /** the object each block gave (after the model checks of the load that kept it) */
    readonly objs: readonly RawObject[],
    /** the signature of each parent (null: not reusable) */
    private readonly sigs: ReadonlyArray<string | null>,
    /** each parent's object (a model check may keep what it computed for it: ParseResult.reuseOf) */
    private readonly pobjs: readonly RawObject[] = [],
    /** the headers recorded (ReusePolicy.headers), by keyword line (line end included) */
    readonly headers: ReadonlyMap<string, HeaderRecord> = new Map(),
    private readonly order: readonly HeaderRecord[] = [],
    /** what the load's checks noted for each parent (ParseResult.note) */
    private readonly notes: readonly unknown[] = [],
  ) {}

  /** the parent of block i (an index for parentNote) */
  parentOf(i: number): number { return this.segs.parent[this.segOf(i)]; }
  /** what the checks of the load that kept this cache noted for a parent */
  parentNote(parent: number): unknown { return this.notes[parent]; }

  /**
   * The headers in the order the parse met them (recorded or replayed; one may be there twice):
   * the next parse meets them in that order, mostly (see the parser's replayHeader).
   */
  get headerOrder(): readonly HeaderRecord[] { return this.order; }

  /** the text segment s is in */
  srcOf(s: number): string { return this.srcs[this.segs.src[s]]; }

  get length(): number { return this.objs.length; }
  /** the segment of block i */
  segOf(i: number): number {
    const f = this.segs.first;
    const s = this.lastSeg;
    if (s < f.length && f[s] <= i && (s + 1 === f.length || f[s + 1] > i)) return s;
    if (s + 1 < f.length && f[s + 1] <= i && (s + 2 === f.length || f[s + 2] > i)) return (this.lastSeg = s + 1);
    let lo = 0;
    let hi = f.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (f[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return (this.lastSeg = lo);
  }
  /** the block after the last one of segment s */
  segEnd(s: number): number { return s + 1 < this.segs.first.length ? this.segs.first[s + 1] : this.length; }
  kw(i: number): KeywordSpec { return this.segs.kw[this.segOf(i)]; }
  parentSig(i: number): string | null { return this.sigs[this.segs.parent[this.segOf(i)]] ?? null; }
  /** the object of block i's parent */
  parentObj(i: number): RawObject | undefined { return this.pobjs[this.segs.parent[this.segOf(i)]]; }
  start(i: number): number { return this.segs.base[this.segOf(i)] + this.data[i * STRIDE + START]; }
  size(i: number): number { return this.data[i * STRIDE + END] - this.data[i * STRIDE + START]; }
  lines(i: number): number { return this.data[i * STRIDE + LINES]; }
  headLen(i: number): number { return this.data[i * STRIDE + HEAD]; }
  /** block i's source text */
  text(i: number): string { return this.textOf(i, i + 1); }
  /** the source text of blocks i .. j - 1 of one segment */
  textOf(i: number, j: number): string {
    const s = this.segOf(i);
    const b = this.segs.base[s];
    return this.srcs[this.segs.src[s]].slice(b + this.data[i * STRIDE + START], b + this.data[(j - 1) * STRIDE + END]);
  }
  /** source lines of blocks i .. j - 1 of one segment */
  linesOf(i: number, j: number): number {
    const d = this.data;
    return d[(j - 1) * STRIDE + LINE] + d[(j - 1) * STRIDE + LINES] - d[i * STRIDE + LINE];
  }
  /** block i's keyword line, line end included */
  head(i: number): string {
    const start = this.start(i);
    return this.srcs[this.segs.src[this.segOf(i)]].slice(start, start + this.headLen(i));
  }

  /** index of a block whose keyword line is `head` (built on the first miss of a sequential match) */
  indexOfHead(head: string): number {
    if (this.byHead === null) {
      const m = new Map<string, number>();
      for (let i = this.length - 1; i >= 0; i--) m.set(this.head(i), i);
      this.byHead = m;
    }
    return this.byHead.get(head) ?? -1;
  }
}

/** pieces joined in one array (a spread of at most 8192 a call: a spread of more can overflow the stack) */
function joinPieces(pieces: readonly RawObject[][]): RawObject[] {
  if (pieces.length <= 8192) return generalArray<RawObject>().concat(...pieces);
  const parts: RawObject[][] = generalArray();
  for (let a = 0; a < pieces.length; a += 8192) parts.push(generalArray<RawObject>().concat(...pieces.slice(a, a + 8192)));
  return joinPieces(parts);
}

/** Collects the records of one parse. */
export class BlockCacheBuilder {
  private data: Int32Array;
  private readonly srcs: string[] = generalArray();
  private lastSrc = -1;
  private readonly segs: Segments = { first: [], src: [], base: [], parent: [], kw: generalArray() };
  /** where the last record ends (absolute), and its line relative to its segment */
  private lastEnd = -1;
  /**
   * The blocks' objects, in pieces joined once by build(): a run's slice of the old cache's, or
   * the blocks read anew one after another (pushes onto a reload's 10,000 grew it ~25 times)
   */
  private readonly pieces: RawObject[][] = generalArray();
  /** the last piece while it is blocks read anew (null after a run) */
  private freshPiece: RawObject[] | null = null;
  /** objects so far */
  private count = 0;
  private readonly sigs: Array<string | null> = generalArray();
  private readonly pobjs: RawObject[] = generalArray();
  private readonly notes: unknown[] = generalArray();
  private readonly headers = new Map<string, HeaderRecord>();
  private readonly order: HeaderRecord[] = generalArray();
  /** the last addRun: its old cache, segment there, and where it ended (a run that goes on joins it) */
  private runFrom: BlockCache | null = null;
  private runSeg = -1;
  private runEnd = -1;
  /**
   * @param expect how many blocks to make room for: a reload passes the previous count, so the
   * array does not grow mid-parse
   */
  constructor(private readonly policy: ReusePolicy, expect = 1024) {
    this.data = new Int32Array(STRIDE * Math.max(64, expect + (expect >> 3)));
  }

  /** a new parent; its signature is set when it closes */
  parent(obj: RawObject): number {
    this.pobjs.push(obj);
    this.sigs.push(null);
    this.notes.push(undefined);
    return this.sigs.length - 1;
  }
  /** what a check of this load noted for a parent (ParseResult.note), for the next load */
  note(parent: number, value: unknown): void { this.notes[parent] = value; }
  setSignature(parent: number, sig: string | null): void { this.sigs[parent] = sig; }
  /** a block's header, by its keyword line (the first of two with the same line is kept), in order met */
  header(rec: HeaderRecord): void {
    if (!this.headers.has(rec.head)) this.headers.set(rec.head, rec);
    this.order.push(rec);
  }

  private srcIndex(src: string): number {
    // (the same text object as the last record's nearly always: compared by identity first)
    if (this.lastSrc < 0 || this.srcs[this.lastSrc] !== src) {
      this.srcs.push(src);
      this.lastSrc = this.srcs.length - 1;
    }
    return this.lastSrc;
  }

  private room(n: number): Int32Array {
    if (n * STRIDE > this.data.length) {
      const grown = new Int32Array(Math.max(n * STRIDE, this.data.length * 2));
      grown.set(this.data);
      this.data = grown;
    }
    return this.data;
  }

  /** a block read in this parse */
  add(src: string, start: number, end: number, lines: number, headLen: number, parent: number, obj: RawObject, kw: KeywordSpec): void {
    this.runFrom = null;
    const si = this.srcIndex(src);
    const g = this.segs;
    const n = this.count;
    const d = this.room(n + 1);
    const last = g.first.length - 1;
    const o = n * STRIDE;
    if (last >= 0 && this.lastEnd === start && g.src[last] === si && g.parent[last] === parent && g.kw[last] === kw) {
      // it follows the last block: same segment
      d[o + LINE] = d[o - STRIDE + LINE] + d[o - STRIDE + LINES];
    } else {
      g.first.push(n);
      g.src.push(si);
      g.base.push(start);
      g.parent.push(parent);
      g.kw.push(kw);
      d[o + LINE] = 0;
    }
    const base = g.base[g.first.length - 1];
    d[o + START] = start - base;
    d[o + END] = end - base;
    d[o + LINES] = lines;
    d[o + HEAD] = headLen;
    this.lastEnd = end;
    if (this.freshPiece === null) this.pieces.push((this.freshPiece = generalArray()));
    this.freshPiece.push(obj);
    this.count = n + 1;
  }

  /**
   * Blocks i .. j - 1 of `prev` (one segment there), found again at `shift` characters from
   * where they were, in `src`, under `parent`: one new segment, its numbers copied as they are.
   */
  addRun(prev: BlockCache, i: number, j: number, src: string, shift: number, parent: number): void {
    const s = prev.segOf(i);
    const g = this.segs;
    const n = this.count;
    const base = prev.segs.base[s] + shift;
    const si = this.srcIndex(src);
    const last = g.first.length - 1;
    // The run that goes on where the last one (of the same old segment, at the same shift) ended
    // joins its segment: its records, relative to that segment's start, hold as they are. (A
    // reload hands a changed virtual server's blocks back in two runs, the first block found
    // alone: without this each reload would add a segment per change, and the next reload's
    // walk over them grows with every reload.)
    const joins = this.runFrom === prev && this.runSeg === s && this.runEnd === i && last >= 0 &&
      g.base[last] === base && g.src[last] === si && g.parent[last] === parent && this.lastEnd === base + prev.data[i * STRIDE + START];
    if (!joins) {
      g.first.push(n);
      g.src.push(si);
      g.base.push(base);
      g.parent.push(parent);
      g.kw.push(prev.segs.kw[s]);
    }
    this.runFrom = prev;
    this.runSeg = s;
    this.runEnd = j;
    const d = this.room(n + j - i);
    d.set(prev.data.subarray(i * STRIDE, j * STRIDE), n * STRIDE);
    this.lastEnd = base + d[(n + j - i - 1) * STRIDE + END];
    this.pieces.push(prev.objs.slice(i, j));
    this.freshPiece = null;
    this.count = n + j - i;
  }

  build(): BlockCache {
    const objs = this.pieces.length === 1 ? this.pieces[0] : joinPieces(this.pieces);
    return new BlockCache(this.policy, this.srcs, this.data.subarray(0, this.count * STRIDE), this.segs, objs, this.sigs, this.pobjs, this.headers, this.order, this.notes);
  }
}
