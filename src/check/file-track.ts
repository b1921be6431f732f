// FILE_CHECK: a real server's state and weight follow a track_file's number (keepalived
// trackers/track_file.c). The file is read like strtol(buf, NULL, 0) over its first 127
// bytes; missing or empty means 0. With weight 0 any non-zero value (with reverse: zero) is a
// failure; otherwise value x weight (negated with reverse) is added to the real server's
// weight, and the lowest int value means failure.
import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export const WEIGHT_FAULT = -2147483648;
const INT_MAX = 2147483647;

/** C strtol(s, NULL, 0) for the values a track file holds; junk reads as 0. */
export function parseTrackValue(text: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  if (!m) return 0;
  const sign = m[1] === '-' ? -1 : 1;
  const d = m[2];
  let v: number;
  if (/^0[xX]/.test(d)) v = parseInt(d.slice(2), 16);
  else if (d.length > 1 && d[0] === '0') v = parseInt(d, 8);
  else v = parseInt(d, 10);
  v *= sign;
  // keepalived ignores values outside int range (keeps the last status)
  if (v < -2147483648 || v > 2147483648) return undefined;
  return v;
}

export interface FileStatus {
  up: boolean;
  /** added to the real server's weight while up */
  delta: number;
}

export function fileStatus(value: number, weight: number, reverse: boolean): FileStatus {
  if (weight === 0) {
    const fault = reverse ? value === 0 : value !== 0;
    return { up: !fault, delta: 0 };
  }
  const s = Math.max(WEIGHT_FAULT, Math.min(INT_MAX, value * weight * (reverse ? -1 : 1)));
  return s === WEIGHT_FAULT ? { up: false, delta: 0 } : { up: true, delta: s };
}

export async function readTrackFile(path: string): Promise<number | undefined> {
  let text: string;
  try {
    const buf = await readFile(path);
    text = buf.subarray(0, 127).toString('latin1');
  } catch {
    return 0;
  }
  return parseTrackValue(text);
}

/** Watches one file (through its directory, so replacing the file is seen) and reports values. */
export class TrackFileWatcher {
  private watcher: FSWatcher | null = null;
  private last: number | undefined;
  private reading = false;
  private again = false;

  constructor(
    readonly path: string,
    private readonly onValue: (value: number) => void,
  ) {}

  /**
   * Watches from now on; returns the value read. `known`: the value the owner acted on (read
   * earlier): a change since then is reported (the watch is set before the read, so nothing
   * written in between is lost).
   */
  async start(known?: number): Promise<number> {
    this.last = known ?? (await readTrackFile(this.path)) ?? 0;
    const name = basename(this.path);
    this.watcher = watch(dirname(this.path), { persistent: false }, (_ev, file) => {
      if (file === null || file === name) void this.reread();
    });
    // a change since the owner's read: through reread, which orders it with the watch's
    if (known !== undefined) await this.reread();
    return this.last;
  }

  private async reread(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      for (let i = 0; i < 8; i++) {
        this.again = false;
        const v = await readTrackFile(this.path);
        if (v !== undefined && v !== this.last) {
          this.last = v;
          this.onValue(v);
        }
        if (!this.again) break;
      }
    } finally {
      this.reading = false;
    }
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = null;
  }
}
