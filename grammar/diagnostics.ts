// Config diagnostics. The classes mirror keepalived's config_err_t so that
// `lvsd -t` exits with the same code keepalived would for the same file.

/** keepalived's config_err_t, in its order; `-t` exits on the highest one seen. */
export const enum ErrClass {
  Ok = 0,
  FileNotFound = 1,
  BadInterface = 2,
  Fatal = 3,
  MultipleFiles = 4,
  UnknownKeyword = 5,
  UnexpectedBob = 6,
  MissingBob = 7,
  UnexpectedEob = 8,
  MissingEob = 9,
  UnmatchedQuote = 10,
  MissingParameter = 11,
  InvalidNumber = 12,
  General = 13,
  Warning = 14,
  Deprecated = 15,
  Security = 16,
}

export interface Pos {
  file: string;
  line: number;
  col: number;
}

export interface Diagnostic {
  cls: ErrClass;
  /** 'error' stops lvsd from running the config; 'warning' is reported only. */
  level: 'error' | 'warning';
  pos?: Pos;
  keyword?: string;
  /** block path, e.g. "vrrp_instance VI_1" */
  block?: string;
  message: string;
}

/** Exit codes of `keepalived -t`: 0 ok, 4 cannot run, 5 config errors, 6 script security. */
export function exitCodeFor(diags: readonly Diagnostic[]): number {
  let worst = ErrClass.Ok;
  for (const d of diags) if (d.level === 'error' && d.cls > worst) worst = d.cls;
  if (worst === ErrClass.Ok) return 0;
  if (worst <= ErrClass.Fatal) return 4;
  if (worst === ErrClass.Security) return 6;
  return 5;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.col}: ` : '';
  const ctx = [d.block, d.keyword && `'${d.keyword}'`].filter(Boolean).join(' ');
  return `${where}${d.level}: ${d.message}${ctx ? ` [${ctx}]` : ''}`;
}
