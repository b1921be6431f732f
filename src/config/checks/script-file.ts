// What keepalived's check_script_secure learns about a script from the file system (run as
// root): found or not, and whether a non-root user could change what runs (an unsafe path).
import { lstatSync, realpathSync, statSync, accessSync, constants } from '../../../grammar/observed-fs.js';
import { delimiter, join } from 'node:path';

export interface ScriptFileFacts {
  /** 'system': not a program (a `</dev/tcp/...` redirection); 'missing': not found/accessible */
  kind: 'system' | 'missing' | 'script';
  /** some part of the path is writable by a non-root user */
  insecure: boolean;
  /** the program that would run (after the PATH search) */
  path?: string;
}

/** First word of a command line, as keepalived splits it (quotes group words). */
export function programOf(cmd: string): string {
  const m = /^\s*(?:"([^"]*)"|'([^']*)'|(\S+))/.exec(cmd);
  return m ? (m[1] ?? m[2] ?? m[3] ?? '') : '';
}

function searchPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch { /* try the next folder */ }
  }
  return undefined;
}

/** Every component of the path must be root owned and not group (non-root group) / world writable. */
function unsafe(path: string): boolean {
  const parts = path.split('/').filter(Boolean);
  const prefixes = ['/', ...parts.map((_, i) => '/' + parts.slice(0, i + 1).join('/'))];
  for (const [i, p] of prefixes.entries()) {
    let st;
    try { st = lstatSync(p); } catch { return false; }
    const last = i === prefixes.length - 1;
    if (!last && !st.isDirectory()) return false;
    if (st.uid !== 0) return true;
    const checked = (st.isDirectory() && !(st.mode & 0o1000)) || st.isFile();
    if (checked && ((st.gid !== 0 && st.mode & 0o020) || st.mode & 0o002)) return true;
  }
  return false;
}

export function scriptFacts(cmd: string): ScriptFileFacts {
  const prog = programOf(cmd);
  if (/^<\s*\//.test(prog) || /^<\s*\//.test(cmd.trimStart())) return { kind: 'system', insecure: false };
  let path = prog;
  if (!prog.includes('/')) {
    const found = searchPath(prog);
    if (!found) return { kind: 'missing', insecure: false };
    path = found;
  }
  let real: string;
  try { real = realpathSync(path); statSync(real); } catch { return { kind: 'missing', insecure: false }; }
  return { kind: 'script', insecure: unsafe(path) || (real !== path && unsafe(real)), path };
}
