// Which users and groups exist on this machine (keepalived resolves script users with
// getpwnam/getgrnam while parsing). Read once from /etc/passwd and /etc/group.
import { readFileSync } from 'node:fs';

function namesIn(file: string): Set<string> {
  try {
    return new Set(readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':')[0]));
  } catch {
    return new Set();
  }
}

let users: Set<string> | undefined;
let groups: Set<string> | undefined;

export function userExists(name: string): boolean {
  users ??= namesIn('/etc/passwd');
  return users.has(name) || /^\d+$/.test(name);
}

export function groupExists(name: string): boolean {
  groups ??= namesIn('/etc/group');
  return groups.has(name) || /^\d+$/.test(name);
}

/** keepalived's default script user when script_user is not set. */
export const DEFAULT_SCRIPT_USER = 'keepalived_script';
