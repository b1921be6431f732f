// SIGUSR1 / SIGUSR2 / the JSON signal: keepalived's dump files, rendered from one snapshot.
// SIGUSR1 writes keepalived.data (VRRP) and keepalived_check.data (checkers), as keepalived's
// two children do; a failed write is logged, never fatal.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { dumpPath, renderCheckDataDump, renderDataDump, renderJsonDump, renderStatsDump, DUMP_FILE_NAMES } from './dumps.js';
import type { Logger } from './log.js';
import type { DaemonStatus } from './state.js';

export type DumpSignal = 'data' | 'stats' | 'json';

export function dumpsFor(kind: DumpSignal, s: DaemonStatus): Array<{ file: keyof typeof DUMP_FILE_NAMES; text: string }> {
  switch (kind) {
    case 'data': {
      const out: Array<{ file: keyof typeof DUMP_FILE_NAMES; text: string }> = [];
      if (s.vrrpEnabled) out.push({ file: 'data', text: renderDataDump(s) });
      if (s.checkersEnabled) out.push({ file: 'checkData', text: renderCheckDataDump(s) });
      return out;
    }
    case 'stats': return [{ file: 'stats', text: renderStatsDump(s) }];
    case 'json': return [{ file: 'json', text: renderJsonDump(s) }];
  }
}

export async function writeDumps(kind: DumpSignal, s: DaemonStatus, log: Logger): Promise<void> {
  for (const d of dumpsFor(kind, s)) {
    const path = dumpPath(d.file);
    try {
      await writeNoFollow(path, d.text);
      log.info({ event: 'daemon.dump', file: path }, `${kind} dump written to ${path}`);
    } catch (e) {
      log.error({ event: 'daemon.dump', file: path, err: e instanceof Error ? e.message : String(e) }, `writing ${path} failed`);
    }
  }
}

/**
 * The dumps go to a world-writable directory and lvsd runs as root: a symlink planted at the
 * dump's name must not make lvsd overwrite its target, so the last component is never followed.
 */
export async function writeNoFollow(path: string, text: string): Promise<void> {
  const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
}
