// Which processes a vrrp_track_process counts (keepalived.conf(5)): by default the process
// name (/proc/PID/stat's comm, exact, zombies excluded); with full_command, parameters or
// param_match, the command line: argv[0] exact, then the parameters exact (`exact`), the
// first n exactly (`partial`), or all but the last exactly and the last as a prefix
// (`initial`). Pure: the /proc reading is in process.ts.

export type ParamMatch = 'none' | 'exact' | 'partial' | 'initial';

export interface ProcessMatch {
  name: string;
  /** Configured parameters; empty with param_match means "no parameters". */
  params: string[];
  paramMatch: ParamMatch;
  fullCommand: boolean;
}

/** What /proc says about one process. cmdline: the NUL-separated argv as read. */
export interface ProcInfo {
  comm: string;
  zombie: boolean;
  cmdline?: Buffer;
}

/** comm and state from /proc/PID/stat text ("PID (comm) S ..."); comm may hold ')' and spaces. */
export function parseStat(text: string): { comm: string; state: string } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  return { comm: text.slice(open + 1, close), state: text.slice(close + 2, close + 3) };
}

/** The matching mode as keepalived derives it: parameters or param_match imply full_command. */
export function processMatch(o: { name: string; params?: string[]; paramMatch?: 'exact' | 'partial' | 'initial'; fullCommand?: boolean }): ProcessMatch {
  const params = o.params ?? [];
  const paramMatch: ParamMatch = o.paramMatch ?? (params.length > 0 ? 'exact' : 'none');
  return { name: o.name, params, paramMatch, fullCommand: o.fullCommand === true || paramMatch !== 'none' };
}

function paramsOk(m: ProcessMatch, actual: Buffer): boolean {
  const want = Buffer.from(m.params.map((p) => `${p}\0`).join(''));
  if (m.paramMatch === 'exact') return actual.equals(want);
  if (actual.length < want.length) return false;
  if (want.length === 0) return true;
  if (m.paramMatch === 'partial') return actual.subarray(0, want.length).equals(want);
  // initial: the last configured parameter may be a prefix of the actual one
  return actual.subarray(0, want.length - 1).equals(want.subarray(0, want.length - 1));
}

export function matches(m: ProcessMatch, p: ProcInfo): boolean {
  if (!m.fullCommand) return !p.zombie && p.comm === m.name;
  const cmd = p.cmdline;
  if (!cmd || cmd.length === 0) return false; // kernel threads and zombies have no command line
  const end = cmd.indexOf(0);
  const argv0 = (end < 0 ? cmd : cmd.subarray(0, end)).toString();
  if (argv0 !== m.name) return false;
  if (m.paramMatch === 'none') return true;
  return paramsOk(m, end < 0 ? Buffer.alloc(0) : cmd.subarray(end + 1));
}
