// The preprocessor: turns config files into the logical lines the parser sees, as keepalived's
// read_line() does — include files (with globs), @conditional lines, $definitions (also
// multi-line), ~SEQ/~SEQx/~LST replication, and `{` / `}` split onto lines of their own.
// It streams: one line at a time, nothing is kept but the current file's text.
import { keepShape } from './shape-keeper.js';
import { generalArray } from './general-array.js';
import { readFileSync, statSync, accessSync, constants, hostname } from './observed-fs.js';
import { isAscii } from 'node:buffer';
import { dirname, resolve } from 'node:path';
import { ErrClass, type Diagnostic } from './diagnostics.js';
import { decomment } from './lexer.js';
import { glob } from './glob.js';
import { knownLatin1 } from './latin1.js';
import { Definitions } from './definitions.js';
import { parseSeq, parseLst, type Replicator } from './replicate.js';

/** include flags of keepalived: which failures are errors */
export const INC_R = 1, INC_M = 2, INC_W = 4, INC_B = 8;

interface OpenFile {
  path: string;
  text: string;
  pos: number;
  lineNo: number;
  /** index into the files table, for positions */
  id: number;
}

interface IncludeFrame {
  type: number;
  savedCheck: number;
  pending: string[];
  current?: OpenFile;
}

export interface ReaderOptions {
  /** the -i/--config-id value; keepalived defaults to the short host name */
  configId?: string;
  /** initial include_check flags (-e/--all-config sets all) */
  includeCheck?: number;
  report(d: Diagnostic): void;
  /** hook so tests can observe which files were read */
  onFile?(path: string): void;
}

/** One logical line handed to the parser. */
export interface LogicalLine {
  text: string;
  fileId: number;
  line: number;
  /** 1-based column of text[0] in the source line; 0 when the text came from an expansion */
  col: number;
  /** how many multi-line definitions this line came out of (bounds self-including definitions) */
  depth?: number;
  /**
   * A plain source line the preprocessor leaves as it is (no comment, quote, backslash, `$`,
   * `@`, `~`, include or brace but a final ` {`): its words were already found by the reader
   * scan, in ConfigReader.words (offsets into ConfigReader.src), so the parser can look the
   * keyword up without splitting the line again.
   */
  simple?: boolean;
}

/** Word offsets of the current simple line: start0, end0, start1, end1, ... */
export interface SimpleWords {
  /** the text the offsets index (the current file) */
  src: string;
  bounds: Int32Array;
  count: number;
  /** keywordHash of the first word */
  hash0: number;
  /** the line's text is src[start, end) (LogicalLine.text is '' until lineText() is called) */
  start: number;
  end: number;
}

/** Hash of a keyword, the same over src[start, end) as over a whole string (see keywordHash). */
export function keywordHashAt(src: string, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + src.charCodeAt(i)) | 0;
  return h;
}
export const keywordHash = (word: string): number => keywordHashAt(word, 0, word.length);

const MAX_SIMPLE_WORDS = 32;

const MAX_LINE = 64 * 1024;

/** A file's text; pure ASCII (nearly every config) is copied as latin1, without UTF-8 decoding. */
function readText(p: string): string {
  const b = readFileSync(p);
  // (a text made with the bytes says they are ASCII: no scan of them again)
  const made = knownLatin1(b);
  if (made !== undefined) return made;
  return isAscii(b) ? b.toString('latin1') : b.toString('utf8');
}

/** The `{` at i ends a word-separated ` {` (a blank before it, and something before that). */
function inWordBefore(text: string, i: number, a: number): boolean {
  if (i <= a) return false;
  const p = text.charCodeAt(i - 1);
  return p === 32 || p === 9;
}
const MAX_EXPANSIONS = 10_000;
/** a multi-line definition that (indirectly) contains itself would never end */
const MAX_DEFINITION_DEPTH = 32;

export class ConfigReader {
  readonly files: string[] = [];
  private readonly stack: IncludeFrame[] = [];
  private readonly active = new Set<string>();
  private includeCheck = 0;
  private readonly cur: LogicalLine = { text: '', fileId: 0, line: 0, col: 0, simple: false };
  /** the words of the line last returned, when it is `simple` */
  readonly words: SimpleWords = { src: '', bounds: new Int32Array(2 * MAX_SIMPLE_WORDS), count: 0, hash0: 0, start: 0, end: 0 };
  // the rest of a line after a brace, read next (kept as fields: nothing to allocate)
  private hasResidue = false;
  private resText = '';
  private resFileId = 0;
  private resLine = 0;
  private resCol = 0;
  private resDepth: number | undefined = undefined;
  // (general arrays: hot code asks their length while they are empty, see general-array.ts)
  private readonly queue: LogicalLine[] = generalArray(); // lines of a multi-line definition being expanded
  private readonly seqs: Replicator[] = generalArray();
  private multilineSeqDepth = 0;
  private readonly defs: Definitions;
  private multiDef: string | null = null; // name of the multi-line definition being collected
  private depth = 0;
  readonly configId: string;
  /** offset of the last source line read in its file's text (see findAt) */
  lineStart = 0;
  /**
   * Lines that were not plain source lines (preprocessed, expanded, replicated, collected into a
   * definition): a block read without any has a meaning that is its text alone.
   */
  irregular = 0;

  constructor(mainFile: string, private readonly opts: ReaderOptions) {
    this.configId = opts.configId ?? hostname().split('.')[0];
    this.includeCheck = opts.includeCheck ?? 0;
    this.defs = new Definitions(this.configId, () => this.currentDir());
    if (!this.openGlob(mainFile, INC_R | INC_M | INC_W, process.cwd())) {
      this.fileError(INC_R, 'Failed to open configuration file', undefined, true);
    }
  }

  /** Remaining unbalanced '{' at end of input (keepalived reports them as missing '}'). */
  get openBlocks(): number { return this.depth; }

  setIncludeCheck(flags: number): void { this.includeCheck = flags; }
  get includeCheckFlags(): number { return this.includeCheck; }

  private currentDir(): string {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i].current;
      if (f) return dirname(f.path);
    }
    return process.cwd();
  }

  private currentFile(): OpenFile | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i].current;
      if (f) return f;
    }
    return undefined;
  }

  report(cls: ErrClass, message: string, line?: LogicalLine, level: 'error' | 'warning' = 'error'): void {
    const f = line ? { id: line.fileId, lineNo: line.line } : this.currentFile();
    const file = line ? this.files[line.fileId] : (f as OpenFile | undefined)?.path;
    const lineNo = line ? line.line : (f as OpenFile | undefined)?.lineNo;
    this.opts.report({
      cls,
      level,
      message,
      pos: file !== undefined && lineNo !== undefined ? { file, line: lineNo, col: line?.col || 1 } : undefined,
    });
  }

  /** keepalived's file_config_error: an error only when the include type (or include_check) says so. */
  private fileError(errType: number, message: string, includeType?: number, always = false): void {
    const type = includeType ?? this.stack[this.stack.length - 1]?.type ?? 0;
    const isError = always || ((this.includeCheck | type) & errType) !== 0;
    this.report(ErrClass.FileNotFound, message, undefined, isError ? 'error' : 'warning');
  }

  private openGlob(pattern: string, type: number, baseDir: string): boolean {
    const abs = resolve(baseDir, pattern);
    const g = glob(pattern.startsWith('/') ? pattern : abs);
    const check = this.includeCheck | type;
    if (g.paths.length === 0) {
      if (g.missing) this.fileError(g.hadBrace ? INC_B : INC_M, `Config files missing '${pattern}'.`, type);
      else if (g.hadWildcards && check & INC_W) this.fileError(INC_W, `No config files matched '${pattern}'.`, type);
      return false;
    }
    if (g.missing) {
      this.fileError(INC_B, `Some config files missing: "${pattern}".`, type);
      if (check & INC_B) return false;
    }
    // (`current` from the start: one shape for every frame; see shape-keeper.ts)
    const frame: IncludeFrame = { type, savedCheck: this.includeCheck, pending: g.paths, current: undefined };
    keepShape('include frame', frame);
    this.stack.push(frame);
    if (!this.openNext(frame)) {
      this.stack.pop();
      return false;
    }
    return true;
  }

  private openNext(frame: IncludeFrame): boolean {
    while (frame.pending.length) {
      const p = frame.pending.shift() as string;
      if (p.endsWith('/')) {
        this.fileError(INC_R, `Configuration file '${p}' is a directory - skipping`, frame.type);
        continue;
      }
      let text: string;
      try {
        const st = statSync(p);
        if (!st.isFile() || (st.mode & 0o111) !== 0) {
          this.fileError(INC_R, `Configuration file '${p}' is not a regular non-executable file - skipping`, frame.type);
          continue;
        }
        accessSync(p, constants.R_OK);
        text = readText(p);
      } catch (e) {
        this.fileError(INC_R, `Configuration file '${p}' open problem (${(e as Error).message}) - skipping`, frame.type);
        continue;
      }
      const real = resolve(p);
      if (this.active.has(real)) {
        this.report(ErrClass.Fatal, `include cycle: '${real}' includes itself (via ${[...this.active].join(' -> ')})`);
        continue;
      }
      this.active.add(real);
      this.opts.onFile?.(real);
      this.files.push(real);
      frame.current = { path: real, text, pos: 0, lineNo: 0, id: this.files.length - 1 };
      keepShape('open file', frame.current);
      return true;
    }
    return false;
  }

  private closeCurrent(frame: IncludeFrame): void {
    if (frame.current) this.active.delete(frame.current.path);
    frame.current = undefined;
  }

  /**
   * Reads the next raw, decommented, non-empty source line into `out`; false at the end of
   * all files. Plain lines (no comment, quote or backslash) take a fast path.
   */
  private nextSourceLine(out: LogicalLine): boolean {
    for (;;) {
      const frame = this.stack[this.stack.length - 1];
      if (!frame) return false;
      const f = frame.current;
      if (!f || f.pos >= f.text.length) {
        this.closeCurrent(frame);
        if (!this.openNext(frame)) {
          this.includeCheck = frame.savedCheck;
          this.stack.pop();
        }
        continue;
      }
      const text = f.text;
      const len = text.length;
      const lineStart = f.pos;
      this.lineStart = lineStart;
      let a = lineStart;
      while (a < len && (text.charCodeAt(a) === 32 || text.charCodeAt(a) === 9)) a++;
      // One scan, up to the newline (found here, not by a separate indexOf per line): is the
      // line plain (no comment, quote, backslash), and is it simple (see LogicalLine.simple)?
      // A simple line's word offsets and keyword hash come out of it too.
      // (a line collected into a multi-line definition keeps its brace: not simple)
      let plain = true;
      let simple = this.multiDef === null;
      let nb = 0;
      let h = 0;
      let inWord = false;
      let nl = -1;
      const bounds = this.words.bounds;
      let i = a;
      for (; i < len; i++) {
        const c = text.charCodeAt(i);
        if (c > 36 && c !== 92 && c !== 123 && c !== 125) {
          // the common case: a character of a word
          if (!inWord) {
            if (nb === 2 * MAX_SIMPLE_WORDS) simple = false;
            else if (simple) bounds[nb++] = i;
            inWord = true;
          }
          if (nb === 1) h = (Math.imul(h, 31) + c) | 0;
          continue;
        }
        if (c === 32 || (c >= 9 && c <= 13)) {
          if (c === 10) {
            nl = i;
            break;
          }
          if (inWord) {
            inWord = false;
            if (simple) bounds[nb++] = i;
          }
          continue;
        }
        if (c === 33 || c === 35 || c === 34 || c === 92) { plain = false; break; }
        if (c === 123 && inWordBefore(text, i, a)) {
          // a final ` {` (only carriage returns after it): split off below
          let j = i + 1;
          while (j < len && text.charCodeAt(j) === 13) j++;
          if (j === len || text.charCodeAt(j) === 10) {
            nl = j;
            break;
          }
        }
        if (c === 36 || c === 123 || c === 125) { simple = false; continue; }
        // other control characters are part of a word
        if (!inWord) {
          if (nb === 2 * MAX_SIMPLE_WORDS) simple = false;
          else if (simple) bounds[nb++] = i;
          inWord = true;
        }
        if (nb === 1) h = (Math.imul(h, 31) + c) | 0;
      }
      if (nl < 0) nl = plain ? len : text.indexOf('\n', i);
      if (nl < 0) nl = len;
      let b = nl;
      f.pos = nl + 1;
      f.lineNo++;
      while (b > lineStart && text.charCodeAt(b - 1) === 13) b--;
      if (b === lineStart) {
        if (this.multiDef !== null) this.defs.endMultiline(this.multiDef), (this.multiDef = null);
        continue;
      }
      if (plain) {
        if (inWord && simple) bounds[nb++] = b;
        while (b > a && (text.charCodeAt(b - 1) === 32 || text.charCodeAt(b - 1) === 9)) b--;
        if (a === b) continue;
        const c0 = text.charCodeAt(a);
        if (simple && (nb === 0 || c0 === 64 || c0 === 126 || (c0 === 105 && text.startsWith('include', a)))) simple = false;
        out.fileId = f.id;
        out.line = f.lineNo;
        out.col = a - lineStart + 1;
        out.simple = simple;
        if (!simple) {
          out.text = text.slice(a, b);
          return true;
        }
        const w = this.words;
        w.src = text;
        w.count = nb >> 1;
        w.hash0 = h;
        if (text.charCodeAt(b - 1) === 123) {
          // `keyword {`: the brace is the next line, as splitBraces would make it
          this.hasResidue = true;
          this.resText = '{';
          this.resFileId = f.id;
          this.resLine = f.lineNo;
          this.resCol = b - 1 - lineStart + 1;
          this.resDepth = undefined;
          b--;
          while (b > a && (text.charCodeAt(b - 1) === 32 || text.charCodeAt(b - 1) === 9)) b--;
        }
        w.start = a;
        w.end = b;
        out.text = '';
        return true;
      }
      const d = decomment(text.slice(lineStart, b));
      out.simple = false;
      out.text = d.text;
      out.fileId = f.id;
      out.line = f.lineNo;
      out.col = d.lead + 1;
      if (d.unterminatedQuote) this.report(ErrClass.General, `Unterminated quote '${d.text}'`, out);
      if (d.text.length === 0) continue;
      return true;
    }
  }

  /**
   * Where text starts when the current file has exactly it at the current line (atHead false:
   * the next line to read; atHead true: the simple line just returned, a block's keyword line,
   * whose final `{` may still be pending), else -1. Nothing the preprocessor holds may be pending.
   * See skip() to move past it. `after`: text is looked for that many characters further on (the
   * rest of a run whose start was found already); the answer is still where the run starts.
   */
  findAt(text: string, atHead: boolean, after = 0): number {
    if (this.queue.length !== 0 || this.seqs.length !== 0 || this.multiDef !== null) return -1;
    if (this.hasResidue && !(atHead && this.resText === '{')) return -1;
    const f = this.currentFile();
    if (f === undefined) return -1;
    const start = atHead ? this.lineStart : f.pos;
    const end = start + after + text.length;
    // (a slice compared whole: faster in V8 than startsWith at an offset)
    return end > f.text.length || f.text.slice(start + after, end) !== text ? -1 : start;
  }

  /**
   * findAt for old[oldStart, oldEnd) (a text of an earlier parse), compared by sameTextAt.
   */
  textAt(old: string, oldStart: number, oldEnd: number, atHead: boolean, after = 0): number {
    if (this.queue.length !== 0 || this.seqs.length !== 0 || this.multiDef !== null) return -1;
    if (this.hasResidue && !(atHead && this.resText === '{')) return -1;
    const f = this.currentFile();
    if (f === undefined) return -1;
    const start = atHead ? this.lineStart : f.pos;
    return sameTextAt(f.text, start + after, old, oldStart, oldEnd) ? start : -1;
  }

  /**
   * Where the next line to read starts in currentText(), when textAt(..., false) may find a text
   * there (nothing the preprocessor holds is pending), else -1: textAt(old, from, to, false) is
   * this when currentText() has old[from, to) here.
   */
  nextTextAt(): number {
    if (this.queue.length !== 0 || this.seqs.length !== 0 || this.multiDef !== null || this.hasResidue) return -1;
    const f = this.currentFile();
    return f === undefined ? -1 : f.pos;
  }

  /**
   * Moves past `length` characters, `lines` source lines, found by findAt() at `start`; `opens`:
   * the blocks the text opens and leaves open (a block's header: its `}` is read later).
   */
  skip(start: number, length: number, lines: number, atHead: boolean, opens = 0): void {
    const f = this.currentFile() as OpenFile;
    f.pos = start + length;
    f.lineNo += lines - (atHead ? 1 : 0);
    this.hasResidue = false;
    this.depth += opens;
  }

  /** The text of the file being read ('' after the last one). */
  currentText(): string {
    return this.currentFile()?.text ?? '';
  }

  /** The last source line read, its line end included. */
  sourceLine(): string {
    const f = this.currentFile();
    return f === undefined ? '' : f.text.slice(this.lineStart, f.pos);
  }

  /**
   * Where the line just read ends (after its line end) in `src`, when that line was a whole source
   * line of the file whose text is `src` (nothing left of it to read), else -1.
   */
  lineEndIn(src: string): number {
    if (this.hasResidue || this.queue.length !== 0 || this.seqs.length !== 0) return -1;
    const f = this.currentFile();
    if (f === undefined || f.text !== src || f.pos > src.length) return -1;
    return f.pos;
  }

  /** Sets the text of a simple line (the reader leaves it empty until someone needs it). */
  lineText(line: LogicalLine): string {
    if (line.simple && line.text === '') line.text = this.words.src.slice(this.words.start, this.words.end);
    return line.text;
  }

  /**
   * The next logical line for the parser, or null at the end. A simple line's text is ''
   * until lineText() is called. The same object is returned
   * every time (its fields change): callers copy what they keep.
   */
  next(): LogicalLine | null {
    const line = this.cur;
    for (;;) {
      line.depth = undefined;
      line.simple = false;
      if (this.hasResidue) {
        this.hasResidue = false;
        line.text = this.resText;
        line.fileId = this.resFileId;
        line.line = this.resLine;
        line.col = this.resCol;
        line.depth = this.resDepth;
      } else if (this.seqs.length > this.multilineSeqDepth) {
        this.irregular++;
        const seq = this.seqs[this.seqs.length - 1];
        const r = seq.step(this.defs);
        if (r.done) this.seqs.pop();
        line.text = r.text;
        line.fileId = seq.origin.fileId;
        line.line = seq.origin.line;
        line.col = 0;
      } else if (this.queue.length) {
        this.irregular++;
        const q = this.queue.shift() as LogicalLine;
        line.text = q.text;
        line.fileId = q.fileId;
        line.line = q.line;
        line.col = q.col;
        line.depth = q.depth;
        if (this.queue.length === 0) this.multilineSeqDepth = 0;
      } else if (!this.nextSourceLine(line)) {
        return null;
      }

      // Collecting a multi-line $DEFINITION: lines go into it, not to the parser.
      if (this.multiDef !== null) {
        this.irregular++;
        this.multiDef = this.defs.appendMultiline(this.multiDef, line.text) ? this.multiDef : null;
        continue;
      }

      if (line.simple) return line; // nothing for the preprocessor; a final brace is already split off
      if (line.text.length === 1) {
        // `{` or `}` alone: nothing to preprocess or split, only the depth to count
        const c = line.text.charCodeAt(0);
        if (c === 123) {
          this.depth++;
          return line;
        }
        if (c === 125) {
          if (this.depth-- < 1) {
            this.report(ErrClass.UnexpectedEob, "Extra '}' found", line);
            this.depth = 0;
          }
          return line;
        }
      }
      this.irregular++;
      if (!this.preprocess(line)) continue;
      if (this.handleInclude(line)) continue;
      this.splitBraces(line);
      return line;
    }
  }

  /** Conditions, definitions, replication and $expansion on one line (in place); false drops it. */
  private preprocess(line: LogicalLine): boolean {
    let text = line.text;
    const c0 = text.charCodeAt(0);
    // Fast path: nothing to do for a line without '@' '$' '~' in front and no '$' inside.
    if (c0 !== 64 && c0 !== 36 && c0 !== 126 && text.indexOf('$') < 0) return true;
    let col = line.col;
    for (let guard = 0; guard < MAX_EXPANSIONS; guard++) {
      let recheck = false;
      if (text.charCodeAt(0) === 64 /* @ */) {
        const rev = text[1] === '^';
        const ofs = rev ? 2 : 1;
        const m = /[ \t]/.exec(text.slice(ofs));
        if (!m) return false;
        const id = text.slice(ofs, ofs + m.index);
        if ((id === this.configId) === rev) return false;
        let start = ofs + m.index;
        while (start < text.length && (text[start] === ' ' || text[start] === '\t')) start++;
        text = text.slice(start);
        if (col) col += start;
      }
      if (text.charCodeAt(0) === 36 /* $ */) {
        const def = this.defs.tryDefine(text);
        if (def) {
          if (def.multiline) this.multiDef = def.name;
          return false;
        }
      }
      if (text.startsWith('~SEQ') || text.startsWith('~LST')) {
        const r = text[1] === 'S' ? parseSeq(text, this.defs) : parseLst(text);
        const origin: LogicalLine = { text, fileId: line.fileId, line: line.line, col: line.col };
        if (typeof r === 'string') this.report(ErrClass.General, r, origin);
        else if (r) this.seqs.push({ ...r, origin } as Replicator);
        else this.report(ErrClass.General, `Invalid ${text.slice(0, 4)} specification '${text}'`, origin);
        return false;
      }
      if (text.charCodeAt(0) === 126 /* ~ */) break;
      if (this.defs.any && text.includes('$')) {
        const r = this.defs.expand(text, MAX_LINE);
        if (r.error) this.report(ErrClass.General, r.error, line);
        if (!r.changed) break;
        col = 0;
        const d = decomment(r.first);
        text = d.text;
        if (r.rest.length) {
          const depth = (line.depth ?? 0) + 1;
          if (depth > MAX_DEFINITION_DEPTH) {
            this.report(ErrClass.General, `multi-line definitions nested more than ${MAX_DEFINITION_DEPTH} deep (a definition that contains itself?) - line dropped`, line);
            return false;
          }
          // The remaining lines of a multi-line definition come next, before the file.
          this.queue.unshift(...r.rest.map((t) => ({ text: t, fileId: line.fileId, line: line.line, col: 0, depth })));
          this.multilineSeqDepth = this.seqs.length;
        }
        if (text.length === 0) return false;
        if (text.charCodeAt(0) === 64 || text.includes('$')) recheck = true;
      }
      if (!recheck) break;
    }
    if (text.length === 0) return false;
    line.text = text;
    line.col = col;
    return true;
  }

  private handleInclude(line: LogicalLine): boolean {
    const t = line.text;
    if (!t.startsWith('include') || t.length < 9) return false;
    const c7 = t[7];
    let type: number, rest: string;
    if (c7 === ' ' || c7 === '\t') {
      type = 0;
      rest = t.slice(8);
    } else if ('rmwba'.includes(c7) && (t[8] === ' ' || t[8] === '\t')) {
      type = c7 === 'r' ? INC_R : c7 === 'a' ? INC_R | INC_M | INC_B | INC_W : c7 === 'w' ? INC_R | INC_M | INC_W : c7 === 'm' ? INC_R | INC_M : INC_R | INC_B;
      rest = t.slice(9);
    } else return false;
    const pattern = rest.trimStart();
    this.openGlob(pattern, type, this.currentDir());
    return true;
  }

  /** A `{` or `}` (outside quotes) ends the line; the rest becomes the next line. */
  private splitBraces(line: LogicalLine): void {
    const t = line.text;
    let p = -1;
    const c0 = t.charCodeAt(0);
    if (c0 === 123 || c0 === 125) p = 0;
    else {
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (c === 34) {
          const close = t.indexOf('"', i + 1);
          if (close < 0) break;
          i = close;
        } else if (c === 123 || c === 125) { p = i; break; }
      }
    }
    if (p >= 0) {
      let skip = 0;
      if (p === 0) {
        skip = 1;
        while (skip < t.length && (t.charCodeAt(skip) === 32 || t.charCodeAt(skip) === 9)) skip++;
      }
      if (p + skip < t.length) {
        let restEnd = t.length;
        while (restEnd > p + skip && (t.charCodeAt(restEnd - 1) === 32 || t.charCodeAt(restEnd - 1) === 9)) restEnd--;
        this.hasResidue = true;
        this.resText = t.slice(p + skip, restEnd);
        this.resFileId = line.fileId;
        this.resLine = line.line;
        this.resCol = line.col ? line.col + p + skip : 0;
        this.resDepth = line.depth;
        let headEnd = p === 0 ? 1 : p;
        while (headEnd > 0 && (t.charCodeAt(headEnd - 1) === 32 || t.charCodeAt(headEnd - 1) === 9)) headEnd--;
        line.text = t.slice(0, headEnd);
      }
    }
    const out = line.text;
    if (out.length === 1) {
      if (out === '{') this.depth++;
      else if (out === '}') {
        if (this.depth-- < 1) {
          this.report(ErrClass.UnexpectedEob, "Extra '}' found", line);
          this.depth = 0;
        }
      }
    }
  }
}

/**
 * `src` holds old[from, to) at `at`: both sliced, compared whole (V8 compares two flat strings
 * natively; a Buffer.compare at offsets cost 3-4x as much a call).
 */
export function sameTextAt(src: string, at: number, old: string, from: number, to: number): boolean {
  const end = at + to - from;
  return end <= src.length && src.slice(at, end) === old.slice(from, to);
}
