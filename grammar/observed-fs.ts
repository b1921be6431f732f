// The file-system reads a config load depends on, noted so that a load made earlier can be
// shown to be the one a load now would make (the daemon's prepared reload, src/daemon/reload.ts).
// The reader, the include globs and the script checks read through these functions; while
// recordInputs runs, each read is noted with what it saw. inputsUnchanged reads them all again:
// the same bytes of every file, the same listing of every folder, the same type, mode and owner
// of every path (and the same failures) say the earlier load is still the answer. Inside
// readOnce (a SIGHUP), a file is read once: what a comparison read is what the load parses.
// Loads are synchronous, so one recording at a time is all there can be.
import * as fs from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { knownText } from './latin1.js';

type Op = 'read' | 'stat' | 'lstat' | 'readdir' | 'realpath' | 'access' | 'hostname';

interface Seen {
  op: Op;
  arg: string;
  mode: number;
  /** what the read saw: a file's bytes, or a summary (an error's code starts with '!') */
  value: Buffer | string;
}

export interface InputLog {
  readonly seen: readonly Seen[];
}

let log: Seen[] | null = null;

function errCode(e: unknown): string {
  return `!${(e as NodeJS.ErrnoException).code ?? 'ERR'}`;
}

/** what a check of a path's stat reads: its type, permissions and owner */
function statSummary(st: fs.Stats): string {
  const type = st.isFile() ? 'f' : st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : 'o';
  return `${type}${st.mode}:${st.uid}:${st.gid}`;
}

// A comparison reads the whole file through the file reader: node's by default; the daemon
// installs lvsd's text addon (src/daemon/text-reader.ts), which gives a file's bytes and, when
// ASCII, its latin1 text in one copy. A changed file's read is what the load parses (see
// onceBytes), without a decode's second copy.
export interface FileReader {
  /** [bytes, latin1 text when every byte is ASCII, or undefined]; throws as fs does (code, errno) */
  read(path: string): [Buffer, string | undefined];
  /** (optional) memory for the next read of a file of `size` bytes, made now */
  prefill?(size: number): void;
  /** (optional) what read() would give for a file holding `bytes` (withFileBytes' stand-in) */
  copy?(bytes: Buffer): [Buffer, string | undefined];
}
const nodeReader: FileReader = { read: (p) => [fs.readFileSync(p), undefined] };
let fileReader: FileReader = nodeReader;

/** The reader comparisons read files with from now on (undefined: node's). */
export function useFileReader(r: FileReader | undefined): void {
  fileReader = r ?? nodeReader;
}

// A read takes the reader's spare memory; a new one is made this long after, off the SIGHUP's
// path (a fresh 1 MB written on the next SIGHUP's read was ~3 ms of page faults under emulation).
const PREFILL_AFTER_MS = 300;
let prefillTimer: NodeJS.Timeout | undefined;
let prefillSize = 0;

function prefillSoon(size: number): void {
  if (fileReader.prefill === undefined) return;
  prefillSize = Math.max(prefillSize, size);
  if (prefillTimer !== undefined) return;
  prefillTimer = setTimeout(() => {
    prefillTimer = undefined;
    const s = prefillSize;
    prefillSize = 0;
    fileReader.prefill?.(s);
  }, PREFILL_AFTER_MS);
  prefillTimer.unref();
}

/** a reader's answer: its bytes, their text noted */
function taken([bytes, text]: [Buffer, string | undefined]): Buffer {
  if (text !== undefined) knownText(bytes, text);
  prefillSoon(bytes.length);
  return bytes;
}

/**
 * One SIGHUP's reads (readOnce): each file's bytes as the first comparison found them. A later
 * comparison of the same path compares with these, and the load reads them, not the disk: the
 * plain reload's three reads of a changed file (the prepared load's inputs, the running model's,
 * the load's own) become one. A string: the read failed (its code).
 */
let onceBytes: Map<string, Buffer | string> | null = null;

/**
 * One SIGHUP's other answers (readOnce): each stat, lstat, access, listing and realpath made
 * once, its value or its error, whichever of the comparisons or the load asks first (under
 * emulation each such call through node:fs is ~1 ms, and a plain reload asked each three times).
 */
let onceAnswers: Map<string, { value: unknown } | { error: unknown }> | null = null;

function answerOnce<T>(key: string, call: () => T): T {
  if (onceAnswers === null) return call();
  let a = onceAnswers.get(key);
  if (a === undefined) {
    try {
      a = { value: call() };
    } catch (error) {
      a = { error };
    }
    onceAnswers.set(key, a);
  }
  if ('error' in a) throw a.error;
  return a.value as T;
}

const fsStat = (p: string): fs.Stats => answerOnce(`stat ${p}`, () => fs.statSync(p));
const fsLstat = (p: string): fs.Stats => answerOnce(`lstat ${p}`, () => fs.lstatSync(p));
// (a copy each time: a caller may sort it)
const fsReaddir = (p: string): string[] => answerOnce(`readdir ${p}`, () => fs.readdirSync(p)).slice();
const fsRealpath = (p: string): string => answerOnce(`realpath ${p}`, () => fs.realpathSync(p));
const fsAccess = (p: string, mode: number): void => answerOnce(`access ${mode} ${p}`, () => fs.accessSync(p, mode));

/**
 * Runs `fn` with each file read at most once while it runs (see onceBytes, onceAnswers): what a
 * comparison read of a changed file is what a later comparison or load of that path gets. Nests:
 * an inner call shares the outer one's reads.
 */
export function readOnce<T>(fn: () => T): T {
  if (onceBytes !== null) return fn();
  onceBytes = new Map();
  onceAnswers = new Map();
  try {
    return fn();
  } finally {
    onceBytes = null;
    onceAnswers = null;
  }
}

/**
 * whether the file holds exactly `before` now (false on any failure). Inside readOnce, what was
 * read is kept for the next reads of its path (`before` itself when the same: its text, if made
 * with it, is reused by the load).
 */
function sameBytes(p: string, before: Buffer): boolean {
  const kept = onceBytes?.get(p);
  if (kept !== undefined) return typeof kept !== 'string' && kept.equals(before);
  let now: Buffer;
  try {
    now = taken(fileReader.read(p));
  } catch (e) {
    onceBytes?.set(p, errCode(e));
    return false;
  }
  const same = now.equals(before);
  onceBytes?.set(p, same ? before : now);
  return same;
}

/** the same read again, as a value to compare (never throws) */
function again(op: Op, arg: string, mode: number): string {
  try {
    switch (op) {
      case 'read': fs.readFileSync(arg); return '+'; // (only a read that failed then comes here)
      case 'stat': return statSummary(fsStat(arg));
      case 'lstat': return statSummary(fsLstat(arg));
      case 'readdir': return fsReaddir(arg).join('\0');
      case 'realpath': return fsRealpath(arg);
      case 'access': fsAccess(arg, mode); return 'ok';
      case 'hostname': return osHostname();
    }
  } catch (e) {
    return errCode(e);
  }
}

function note(op: Op, arg: string, value: Buffer | string, mode = 0): void {
  log?.push({ op, arg, mode, value });
}

/** Runs `fn` and returns, with its value, every file-system read made through this module meanwhile. */
export function recordInputs<T>(fn: () => T): { value: T; inputs: InputLog } {
  const outer = log;
  const seen: Seen[] = [];
  log = seen;
  try {
    return { value: fn(), inputs: { seen } };
  } finally {
    log = outer;
  }
}

/** true when every read of `inputs` gives what it gave then */
export function inputsUnchanged(inputs: InputLog): boolean {
  for (const s of inputs.seen) {
    if (typeof s.value !== 'string') {
      if (!sameBytes(s.arg, s.value)) return false;
    } else if (again(s.op, s.arg, s.mode) !== s.value) return false;
  }
  return true;
}

/** The paths the inputs read; `listing`: a folder whose entries were listed (an include glob). */
export function inputPaths(inputs: InputLog): Array<{ path: string; listing: boolean }> {
  const out: Array<{ path: string; listing: boolean }> = [];
  for (const s of inputs.seen) if (s.op !== 'hostname') out.push({ path: s.arg, listing: s.op === 'readdir' });
  return out;
}

// The reads themselves: node:fs's, noted while recording (a failure is noted, then thrown).

function observed<T>(op: Op, arg: string, mode: number, read: () => T, summary: (v: T) => Buffer | string): T {
  if (log === null) return read();
  let v: T;
  try {
    v = read();
  } catch (e) {
    note(op, arg, errCode(e), mode);
    throw e;
  }
  note(op, arg, summary(v), mode);
  return v;
}

/** a file's bytes as one load sees them instead of the disk's (withFileBytes) */
let standIn: { path: string; bytes: Buffer } | null = null;

/**
 * Runs `fn` with reads of `path` (exactly that string, as the reader asks for it) answered by
 * `bytes`, not the disk: the daemon's start-up rehearsal loads its own config with a made-up edit
 * this way, nothing written where a watch or an operator would see it. Nothing else changes.
 */
export function withFileBytes<T>(path: string, bytes: Buffer, fn: () => T): T {
  const outer = standIn;
  // (as the reader would give them: the load meets what it meets on a SIGHUP)
  standIn = { path, bytes: fileReader.copy !== undefined ? taken(fileReader.copy(bytes)) : bytes };
  try {
    return fn();
  } finally {
    standIn = outer;
  }
}

/** the first file a load read, with its bytes: the main config file (undefined if it read none) */
export function firstFileRead(inputs: InputLog): { path: string; bytes: Buffer } | undefined {
  for (const s of inputs.seen) if (s.op === 'read' && typeof s.value !== 'string') return { path: s.arg, bytes: s.value };
  return undefined;
}

function readFile(p: string): Buffer {
  if (standIn !== null && standIn.path === p) return standIn.bytes;
  const kept = onceBytes?.get(p);
  if (kept === undefined) return fs.readFileSync(p);
  // (a comparison's read failed: the load reads for itself, and its error is its own)
  return typeof kept === 'string' ? fs.readFileSync(p) : kept;
}

export const readFileSync = (p: string): Buffer => observed('read', p, 0, () => readFile(p), (b) => b);
export const statSync = (p: string): fs.Stats => observed('stat', p, 0, () => fsStat(p), statSummary);
export const lstatSync = (p: string): fs.Stats => observed('lstat', p, 0, () => fsLstat(p), statSummary);
export const readdirSync = (p: string): string[] => observed('readdir', p, 0, () => fsReaddir(p), (n) => n.join('\0'));
export const realpathSync = (p: string): string => observed('realpath', p, 0, () => fsRealpath(p), (r) => r);
export const accessSync = (p: string, mode: number): void => observed('access', p, mode, () => fsAccess(p, mode), () => 'ok');
export const hostname = (): string => observed('hostname', '', 0, osHostname, (h) => h);
export const { constants } = fs;
