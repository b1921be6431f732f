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
// The records are numbers in one typed array (and the objects in one array): keeping 100,000
// blocks adds no object per block for the garbage collector (a config test keeps them too).
import type { RawObject } from './parser.js';
import type { KeywordSpec } from './schema/types.js';

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
}

// one record: file text, start, end (the block's lines, keyword line to `}` line, line ends
// included), source lines, length of the keyword line, parent
const SRC = 0, START = 1, END = 2, LINES = 3, HEAD = 4, PARENT = 5, STRIDE = 6;

/** The kept blocks of one parse, in file order. */
export class BlockCache {
  private byHead: Map<string, number> | null = null;
  constructor(
    readonly policy: ReusePolicy,
    /** (for BlockCacheBuilder) the file texts, and the records' numbers */
    readonly srcs: readonly string[],
    readonly data: Int32Array,
    /** the object each block gave (after the model checks of the load that kept it) */
    readonly objs: readonly RawObject[],
    /** the keyword that opened each block */
    readonly kws: readonly KeywordSpec[],
    /** the signature of each parent (null: not reusable) */
    private readonly sigs: ReadonlyArray<string | null>,
  ) {}

  get length(): number { return this.objs.length; }
  /** block i's source text */
  text(i: number): string {
    const d = this.data;
    return this.srcs[d[i * STRIDE + SRC]].slice(d[i * STRIDE + START], d[i * STRIDE + END]);
  }
  /** block i's keyword line, line end included */
  head(i: number): string {
    const d = this.data;
    const start = d[i * STRIDE + START];
    return this.srcs[d[i * STRIDE + SRC]].slice(start, start + d[i * STRIDE + HEAD]);
  }
  lines(i: number): number { return this.data[i * STRIDE + LINES]; }
  size(i: number): number { return this.data[i * STRIDE + END] - this.data[i * STRIDE + START]; }
  start(i: number): number { return this.data[i * STRIDE + START]; }
  /** block i + 1 starts where block i ends, in the same text and under the same parent */
  follows(i: number): boolean {
    const d = this.data;
    const o = i * STRIDE;
    return d[o + END] === d[o + STRIDE + START] && d[o + SRC] === d[o + STRIDE + SRC] && d[o + PARENT] === d[o + STRIDE + PARENT];
  }
  /** the source text of blocks i .. j - 1, which follow one another */
  textOf(i: number, j: number): string {
    const d = this.data;
    return this.srcs[d[i * STRIDE + SRC]].slice(d[i * STRIDE + START], d[(j - 1) * STRIDE + END]);
  }
  headLen(i: number): number { return this.data[i * STRIDE + HEAD]; }
  parentSig(i: number): string | null { return this.sigs[this.data[i * STRIDE + PARENT]] ?? null; }

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

/** Collects the records of one parse. */
export class BlockCacheBuilder {
  private data: Int32Array;
  private readonly srcs: string[] = [];
  private lastSrc = -1;
  private readonly objs: RawObject[] = [];
  private readonly kws: KeywordSpec[] = [];
  private readonly sigs: Array<string | null> = [];
  /**
   * @param expect how many blocks to make room for: a reload passes the previous count, so the
   * array does not grow mid-parse (growing there, a path the first parse optimised away, would
   * send V8 back to unoptimised code for the rest of the reload)
   */
  constructor(private readonly policy: ReusePolicy, expect = 1024) {
    this.data = new Int32Array(STRIDE * Math.max(64, expect + (expect >> 3)));
  }

  /** a new parent; its signature is set when it closes */
  parent(): number {
    this.sigs.push(null);
    return this.sigs.length - 1;
  }
  setSignature(parent: number, sig: string | null): void { this.sigs[parent] = sig; }

  add(src: string, start: number, end: number, lines: number, headLen: number, parent: number, obj: RawObject, kw: KeywordSpec): void {
    // (the same text object as the last record's nearly always: compared by identity first)
    if (this.lastSrc < 0 || this.srcs[this.lastSrc] !== src) {
      this.srcs.push(src);
      this.lastSrc = this.srcs.length - 1;
    }
    const n = this.objs.length;
    if ((n + 1) * STRIDE > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const o = n * STRIDE;
    const d = this.data;
    d[o + SRC] = this.lastSrc;
    d[o + START] = start;
    d[o + END] = end;
    d[o + LINES] = lines;
    d[o + HEAD] = headLen;
    d[o + PARENT] = parent;
    this.objs.push(obj);
    this.kws.push(kw);
  }

  /**
   * Blocks i .. j - 1 of `prev`, which follow one another, found again at `shift` characters
   * from where they were, in `src`, under `parent`: copied a run at a time (a tight loop even
   * before V8 optimises it: a reload runs it once per unchanged block).
   */
  addRun(prev: BlockCache, i: number, j: number, src: string, shift: number, parent: number): void {
    if (this.lastSrc < 0 || this.srcs[this.lastSrc] !== src) {
      this.srcs.push(src);
      this.lastSrc = this.srcs.length - 1;
    }
    const n = this.objs.length;
    const need = (n + j - i) * STRIDE;
    if (need > this.data.length) {
      const grown = new Int32Array(Math.max(need, this.data.length * 2));
      grown.set(this.data);
      this.data = grown;
    }
    const d = this.data;
    d.set(prev.data.subarray(i * STRIDE, j * STRIDE), n * STRIDE);
    const s = this.lastSrc;
    for (let o = n * STRIDE, end = need; o < end; o += STRIDE) {
      d[o + SRC] = s;
      d[o + START] += shift;
      d[o + END] += shift;
      d[o + PARENT] = parent;
    }
    const objs = prev.objs;
    const kws = prev.kws;
    for (let k = i; k < j; k++) {
      this.objs.push(objs[k]);
      this.kws.push(kws[k]);
    }
  }

  build(): BlockCache {
    return new BlockCache(this.policy, this.srcs, this.data.subarray(0, this.objs.length * STRIDE), this.objs, this.kws, this.sigs);
  }
}
