// The shape of the one keyword schema. Every keyword of keepalived.conf(5) is declared once
// with these types; the parser, validation, `lvsd --dump-conf` and the docs all read it.
import type { ErrClass } from '../diagnostics.js';

/** A word of a config line as the lexer produced it, with its 1-based column. */
export interface Word {
  text: string;
  col: number;
  /** true when the word was written in double quotes */
  quoted: boolean;
}

/** What a value parser returns: the value, or keepalived's complaint about the word. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; cls: ErrClass; message: string };

/** Converts one word into a typed value (int in range, IP address, enum member...). */
export interface ValueType<T = unknown> {
  /** short name used in docs and messages, e.g. "INTEGER 1..255", "IP" */
  readonly name: string;
  parse(text: string): Parsed<T>;
  /**
   * The parser's fast lane: src[start, end) read without a result object (or a copy of a word
   * that is only a number): what parse() gives for that word, or NO_VALUE when parse() would
   * not accept it or this quick reading does not know (the parser then calls parse()).
   */
  at?(src: string, start: number, end: number): T | typeof NO_VALUE;
}

/** ValueType.at: no value read (see there). */
export const NO_VALUE: unique symbol = Symbol('no value');

export interface ArgSpec {
  /** field name in the model object */
  name: string;
  type: ValueType;
  optional?: boolean;
  /** collects this and all remaining words into an array */
  rest?: boolean;
}

/**
 * supported: lvsd implements it.
 * accepted: parsed and validated, then ignored with a warning naming the issue/work that will implement it.
 * ignored: keepalived itself ignores or has deprecated it; accepted silently (keepalived may warn).
 */
export type Support =
  | { status: 'supported' }
  | { status: 'accepted'; later: string }
  | { status: 'ignored'; why: string };

/** Context handed to a keyword's custom converter. */
export interface ConvertCtx {
  /** report a problem at a word (or at the keyword when word is omitted) */
  report(cls: ErrClass, message: string, word?: Word, level?: 'error' | 'warning'): void;
}

/** A data line inside a value block (virtual_ipaddress, track_interface, unicast_peer...). */
export interface LineSpec {
  /** name of one item, for messages and docs */
  name: string;
  /** words of the line -> item; return undefined after ctx.report() to drop the line */
  convert(words: Word[], ctx: ConvertCtx): unknown;
  /** keepalived's complaint (a config error) when the block has no lines */
  emptyMessage?: string;
  /** a valid data line, for docs and tests */
  example?: string;
  /**
   * keepalived's complaint (a config error) when a line's first word repeats among the items of
   * the keyword (across repeated blocks too); the later line is dropped. "duplicate track_script X"
   */
  duplicateMessage?: string;
}

export interface KeywordSpec {
  name: string;
  /** other spellings keepalived accepts for the same keyword (lb_algo for lvs_sched...) */
  aliases?: string[];
  /** model field (defaults to name); aliases write the same field */
  field?: string;
  /** positional arguments after the keyword (also the "name" args of a block keyword) */
  args?: ArgSpec[];
  /**
   * A keyword with no args and this set is a flag: present -> true. keepalived's flags
   * sometimes take an optional true/false word; set flagArg for those.
   */
  flag?: boolean;
  flagArg?: boolean;
  /**
   * custom conversion of the words after the keyword when args cannot express it. On a block
   * keyword (virtual_server) it replaces args: its result is an object whose fields start the
   * block's object.
   */
  convert?(words: Word[], ctx: ConvertCtx): unknown;
  /** the keyword opens a block of keywords */
  block?: BlockSpec;
  /**
   * the keyword opens a block of data lines -> an array of items (see `repeatable`). With args
   * (virtual_server_group NAME) each occurrence gives an object {…args, items: [...]} instead,
   * and `repeatable` collects those objects into an array.
   */
  lines?: LineSpec;
  /**
   * may appear several times; values collect into an array. On a `lines` keyword: a repeated
   * block appends its items to the same array (keepalived does this for most data blocks); a
   * `lines` keyword without it is a one-off (keepalived rejects a second `group` block).
   */
  repeatable?: boolean;
  /** a block keyword that may appear several times and merges into one object (global_defs) */
  merge?: boolean;
  /** default filled in when the keyword is absent (in model units, e.g. microseconds) */
  default?: unknown;
  support: Support;
  /**
   * Set when keepalived 2.2.7 as Debian builds it reports "Unknown keyword" for this keyword
   * although the man page lists it (feature compiled out, or documented but never installed).
   * The text says why; a parser matching `keepalived -t` verdicts treats the keyword as unknown.
   */
  unknownToKeepalived?: string;
  /**
   * Spellings (the name or an alias) keepalived calls deprecated, with how it reacts:
   * 'error' = report_config_error (fails `keepalived -t`), 'log' = a log line only.
   */
  deprecated?: Record<string, { level: 'error' | 'log'; message: string }>;
  /**
   * keepalived accepts the keyword only after another keyword of the same block (sh-port after
   * `lvs_sched sh|mh`, sorry_server_inhibit after sorry_server); otherwise it reports `message`.
   * `values`: the earlier keyword's first word must be one of them.
   */
  after?: { keyword: string; values?: string[]; message: string };
  /**
   * keepalived's complaint (a config error) when this keyword appears again in the same block:
   * "... - ignoring" keeps the first value, "... - replacing" takes the new one. Absent: the last
   * one wins silently (or, with repeatable, all are kept).
   */
  onceMessage?: string;
  /** a valid argument string for docs and tests (derived from the value type when absent) */
  example?: string;
  /** one line for docs and --help-keywords */
  doc: string;
}

export interface BlockSpec {
  /** keyword table of the block, in man page order */
  keywords: KeywordSpec[];
}
