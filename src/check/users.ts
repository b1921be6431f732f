// uid/gid of script users, from /etc/passwd and /etc/group (what getpwnam/getgrnam read here).
import { readFileSync } from 'node:fs';

export interface Ids {
  uid: number;
  gid: number;
}

function table(file: string): string[][] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
  } catch {
    return [];
  }
}

/** Resolves `user [group]`; undefined when the user or group does not exist. */
export function resolveIds(user: string, group?: string): Ids | undefined {
  let uid: number;
  let gid: number;
  if (/^\d+$/.test(user)) {
    uid = Number(user);
    const row = table('/etc/passwd').find((r) => r[2] === user);
    gid = row ? Number(row[3]) : uid;
  } else {
    const row = table('/etc/passwd').find((r) => r[0] === user);
    if (!row) return undefined;
    uid = Number(row[2]);
    gid = Number(row[3]);
  }
  if (group !== undefined) {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const row = table('/etc/group').find((r) => r[0] === group);
      if (!row) return undefined;
      gid = Number(row[2]);
    }
  }
  return { uid, gid };
}
