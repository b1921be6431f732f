// Names of the negative errno values the connect engine reports, as libuv and Node print them.
import { getSystemErrorName } from 'node:util';

const names = new Map<number, string>();

/** "ECONNREFUSED" for -111, cached (failing checks repeat the same few). */
export function errnoName(status: number): string {
  let n = names.get(status);
  if (n === undefined) {
    try {
      n = getSystemErrorName(status);
    } catch {
      n = `errno ${-status}`;
    }
    names.set(status, n);
  }
  return n;
}
