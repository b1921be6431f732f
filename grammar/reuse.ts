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

/** One kept block: its source text from the start of its keyword line to the end of its `}` line. */
export interface BlockRecord {
  /** the block's lines, each with its line end (a slice of the source it was last read from) */
  text: string;
  /** length of the keyword line, line end included */
  headLen: number;
  /** source lines in text */
  lines: number;
  /** the object the block gave (after the model checks of the load that kept it) */
  obj: RawObject;
  /** the keyword that opened it (a block is handed back only where the same keyword opens one) */
  kw: KeywordSpec;
  /** the parent's signature when the block was read (set when the parent closes); null: not reusable */
  parentSig: string | null;
  /** BlockCache.gen of the parse whose file text `text` slices (old texts are let go, see adopt) */
  gen: number;
}

/** The kept blocks of one parse, in file order. */
export class BlockCache {
  private byHead: Map<string, number> | null = null;
  /**
   * @param gen counts the parses a chain of caches went through: a record handed on from an older
   * one still holds that parse's file text in memory, so records older than a few parses are
   * copied from the new text instead (at most MAX_AGE + 1 file texts are kept)
   */
  constructor(readonly records: readonly BlockRecord[], readonly policy: ReusePolicy, readonly gen: number) {}

  /** index of a record whose keyword line is `head` (built on the first miss of a sequential match) */
  indexOfHead(head: string): number {
    if (this.byHead === null) {
      const m = new Map<string, number>();
      for (let i = this.records.length - 1; i >= 0; i--) {
        const r = this.records[i];
        m.set(r.text.slice(0, r.headLen), i);
      }
      this.byHead = m;
    }
    return this.byHead.get(head) ?? -1;
  }
}

/** parses a record's text may stay a slice of an older file text */
export const MAX_AGE = 2;
