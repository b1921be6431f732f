// The preprocessor: turns config files into the logical lines the parser sees, as keepalived's
// read_line() does — include files (with globs), @conditional lines, $definitions (also
// multi-line), ~SEQ/~SEQx/~LST replication, and `{` / `}` split onto lines of their own.
// It streams: one line at a time, nothing is kept but the current file's text.
import { readFileSync, statSync, accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hostname } from 'node:os';
import { ErrClass, type Diagnostic } from './diagnostics.js';
import { decomment, isPlainLine } from './lexer.js';
import { glob } from './glob.js';
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
}

const MAX_LINE = 64 * 1024;
const MAX_EXPANSIONS = 10_000;

export class ConfigReader {
  readonly files: string[] = [];
  private readonly stack: IncludeFrame[] = [];
  private readonly active = new Set<string>();
  private includeCheck = 0;
  private residue: LogicalLine | null = null;
  private readonly queue: LogicalLine[] = []; // lines of a multi-line definition being expanded
  private readonly seqs: Replicator[] = [];
  private multilineSeqDepth = 0;
  private readonly defs: Definitions;
  private multiDef: string | null = null; // name of the multi-line definition being collected
  private depth = 0;
  readonly configId: string;

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
    const frame: IncludeFrame = { type, savedCheck: this.includeCheck, pending: g.paths };
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
        text = readFileSync(p, 'utf8');
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
      return true;
    }
    return false;
  }

  private closeCurrent(frame: IncludeFrame): void {
    if (frame.current) this.active.delete(frame.current.path);
    frame.current = undefined;
  }

  /** Next raw, decommented, non-empty source line, or null at the end of all files. */
  private nextSourceLine(): LogicalLine | null {
    for (;;) {
      const frame = this.stack[this.stack.length - 1];
      if (!frame) return null;
      const f = frame.current;
      if (!f || f.pos >= f.text.length) {
        this.closeCurrent(frame);
        if (!this.openNext(frame)) {
          this.includeCheck = frame.savedCheck;
          this.stack.pop();
        }
        continue;
      }
      let nl = f.text.indexOf('\n', f.pos);
      if (nl < 0) nl = f.text.length;
      let end = nl;
      while (end > f.pos && f.text.charCodeAt(end - 1) === 13) end--;
      const raw = f.text.slice(f.pos, end);
      f.pos = nl + 1;
      f.lineNo++;
      if (raw.length === 0) {
        if (this.multiDef !== null) this.defs.endMultiline(this.multiDef), (this.multiDef = null);
        continue;
      }
      if (isPlainLine(raw)) {
        let a = 0, b = raw.length;
        while (a < b && (raw.charCodeAt(a) === 32 || raw.charCodeAt(a) === 9)) a++;
        while (b > a && (raw.charCodeAt(b - 1) === 32 || raw.charCodeAt(b - 1) === 9)) b--;
        if (a === b) continue;
        return { text: a === 0 && b === raw.length ? raw : raw.slice(a, b), fileId: f.id, line: f.lineNo, col: a + 1 };
      }
      const d = decomment(raw);
      const line: LogicalLine = { text: d.text, fileId: f.id, line: f.lineNo, col: d.lead + 1 };
      if (d.unterminatedQuote) this.report(ErrClass.General, `Unterminated quote '${d.text}'`, line);
      if (d.text.length === 0) continue;
      return line;
    }
  }

  /** The next logical line for the parser, or null at the end. */
  next(): LogicalLine | null {
    for (;;) {
      let line: LogicalLine | null;
      if (this.residue) {
        line = this.residue;
        this.residue = null;
      } else if (this.seqs.length > this.multilineSeqDepth) {
        const seq = this.seqs[this.seqs.length - 1];
        const r = seq.step(this.defs);
        if (r.done) this.seqs.pop();
        line = { ...seq.origin, text: r.text, col: 0 };
      } else if (this.queue.length) {
        line = this.queue.shift() as LogicalLine;
        if (this.queue.length === 0) this.multilineSeqDepth = 0;
      } else {
        line = this.nextSourceLine();
        if (!line) return null;
      }

      // Collecting a multi-line $DEFINITION: lines go into it, not to the parser.
      if (this.multiDef !== null) {
        this.multiDef = this.defs.appendMultiline(this.multiDef, line.text) ? this.multiDef : null;
        continue;
      }

      const out = this.preprocess(line);
      if (!out) continue;
      if (this.handleInclude(out)) continue;
      return this.splitBraces(out);
    }
  }

  /** Conditions, definitions, replication and $expansion on one line; null drops it. */
  private preprocess(line: LogicalLine): LogicalLine | null {
    let text = line.text;
    let col = line.col;
    for (let guard = 0; guard < MAX_EXPANSIONS; guard++) {
      let recheck = false;
      if (text.charCodeAt(0) === 64 /* @ */) {
        const rev = text[1] === '^';
        const ofs = rev ? 2 : 1;
        const m = /[ \t]/.exec(text.slice(ofs));
        if (!m) return null;
        const id = text.slice(ofs, ofs + m.index);
        if ((id === this.configId) === rev) return null;
        let start = ofs + m.index;
        while (start < text.length && (text[start] === ' ' || text[start] === '\t')) start++;
        text = text.slice(start);
        if (col) col += start;
      }
      if (text.charCodeAt(0) === 36 /* $ */) {
        const def = this.defs.tryDefine(text);
        if (def) {
          if (def.multiline) this.multiDef = def.name;
          return null;
        }
      }
      if (text.startsWith('~SEQ') || text.startsWith('~LST')) {
        const r = text[1] === 'S' ? parseSeq(text, this.defs) : parseLst(text);
        if (typeof r === 'string') this.report(ErrClass.General, r, line);
        else if (r) this.seqs.push({ ...r, origin: line } as Replicator);
        else this.report(ErrClass.General, `Invalid ${text.slice(0, 4)} specification '${text}'`, line);
        return null;
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
          // The remaining lines of a multi-line definition come next, before the file.
          this.queue.unshift(...r.rest.map((t) => ({ ...line, text: t, col: 0 })));
          this.multilineSeqDepth = this.seqs.length;
        }
        if (text.length === 0) return null;
        if (text.charCodeAt(0) === 64 || text.includes('$')) recheck = true;
      }
      if (!recheck) break;
    }
    return text.length ? { text, fileId: line.fileId, line: line.line, col } : null;
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
  private splitBraces(line: LogicalLine): LogicalLine {
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
    let out = line;
    if (p >= 0) {
      let skip = 0;
      if (p === 0) {
        skip = 1;
        while (skip < t.length && (t[skip] === ' ' || t[skip] === '\t')) skip++;
      }
      if (p + skip < t.length) {
        let restEnd = t.length;
        while (restEnd > p + skip && (t[restEnd - 1] === ' ' || t[restEnd - 1] === '\t')) restEnd--;
        this.residue = { text: t.slice(p + skip, restEnd), fileId: line.fileId, line: line.line, col: line.col ? line.col + p + skip : 0 };
        let head = p === 0 ? t.slice(0, 1) : t.slice(0, p);
        head = head.replace(/[ \t]+$/, '');
        out = { text: head, fileId: line.fileId, line: line.line, col: line.col };
      }
    }
    if (out.text === '{') this.depth++;
    else if (out.text === '}') {
      if (this.depth-- < 1) {
        this.report(ErrClass.UnexpectedEob, "Extra '}' found", out);
        this.depth = 0;
      }
    }
    return out;
  }
}
