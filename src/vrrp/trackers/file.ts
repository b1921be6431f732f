// vrrp_track_file: the file holds an integer; value x weight (negated with `reverse`) is added
// to the priority, clamped to -254..253, and -254 (or, with weight 0, any non-zero value)
// means FAULT, as keepalived does. The file is watched through inotify (fs.watch on its
// directory), not polled.
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { TrackFileSpec } from '../from-model.js';

/** keepalived reads the number like strtol(.., 0): decimal, 0x hex or 0 octal; junk is 0. */
export function parseTrackValue(text: string): number {
  const t = text.trim();
  const m = /^([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)/i.exec(t);
  if (!m) return 0;
  const sign = m[1] === '-' ? -1 : 1;
  const body = m[2];
  const v = /^0x/i.test(body) ? parseInt(body.slice(2), 16) : body.length > 1 && body[0] === '0' ? parseInt(body, 8) : parseInt(body, 10);
  return sign * v;
}

/** The priority offset for one tracking instance, or 'fault'. */
export function trackFileOffset(value: number, weight: number, reverse: boolean): number | 'fault' {
  if (weight === 0) return (value !== 0) !== reverse ? 'fault' : 0;
  const v = Math.max(-254, Math.min(253, value * weight * (reverse ? -1 : 1)));
  return v === -254 ? 'fault' : v;
}

export class TrackFile extends EventEmitter {
  value = 0;
  private watcher: FSWatcher | undefined;

  constructor(readonly spec: TrackFileSpec) {
    super();
  }

  start(): void {
    const init = this.spec.init;
    if (init && (init.overwrite || !existsSync(this.spec.path))) writeFileSync(this.spec.path, `${init.value}\n`);
    this.value = this.read();
    const name = basename(this.spec.path);
    try {
      this.watcher = watch(dirname(this.spec.path), (_ev, f) => {
        if (f === null || f === name) this.refresh();
      });
      this.watcher.on('error', () => undefined);
    } catch {
      // No directory to watch: the value stays 0 (keepalived treats a missing file as 0).
    }
  }

  refresh(): void {
    const v = this.read();
    if (v === this.value) return;
    this.value = v;
    this.emit('change', v);
  }

  private read(): number {
    try {
      return parseTrackValue(readFileSync(this.spec.path, 'utf8'));
    } catch {
      return 0;
    }
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
