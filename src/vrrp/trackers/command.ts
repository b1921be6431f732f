// Turning a keepalived script line into argv and a user into uid/gid. keepalived runs
// scripts without a shell: the line is split on blanks, with '...' and "..." grouping.
import { readFileSync } from 'node:fs';

export function splitCommand(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let has = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (ch === ' ' || ch === '\t') {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

export interface Credentials {
  uid: number;
  gid: number;
}

function lookup(file: string, name: string): string[] | undefined {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return f;
  }
  return undefined;
}

/** A user (and optional group) by name or number, from /etc/passwd and /etc/group. */
export function resolveCredentials(user: string, group?: string, etc = '/etc'): Credentials {
  const pw = /^\d+$/.test(user) ? undefined : lookup(`${etc}/passwd`, user);
  if (!pw && !/^\d+$/.test(user)) throw new Error(`unknown user ${user}`);
  const uid = pw ? Number(pw[2]) : Number(user);
  let gid = pw ? Number(pw[3]) : uid;
  if (group !== undefined) {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const gr = lookup(`${etc}/group`, group);
      if (!gr) throw new Error(`unknown group ${group}`);
      gid = Number(gr[2]);
    }
  }
  return { uid, gid };
}
